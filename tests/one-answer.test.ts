/**
 * One decision core: `cost`, `compare` (text, JSON, HTML) and `plan` render the same projection, so
 * they give one verdict, the same lanes with the same eligibility, and one replica count. Run through
 * the CLI as users run it, on the example stacks and on stack files that stress the answer.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { escapeXml } from "../cost/report/svg-chart";
import { onpremLoad, runCli } from "./helpers";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "one-answer-"));

function stackFile(name: string, config: Record<string, unknown>): string {
  const file = path.join(dir, `Pulumi.${name}.yaml`);
  const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`vllm-tco:${k}`, v]));
  fs.writeFileSync(file, stringify({ config: namespaced }));
  return file;
}

/** The case: Llama 3.3 70B FP8 on AWS with scaling.max 1 and 50M requests a month. */
const undersized = {
  platform: "aws",
  model: { id: "llama-3.3-70b", dtype: "fp8", maxModelLen: 16384 },
  aws: { instanceType: "p5.48xlarge", purchase: "on-demand" },
  scaling: { min: 0, max: 1 },
  workload: { requestsPerMonth: 50e6, inputTokensPerRequest: 1500, outputTokensPerRequest: 300 },
};

/** Llama 3.3 70B on an owned server against gpt-5-mini alone: the reasoning API is the cheapest lane. */
const reasoningCheapest = {
  platform: "kubernetes",
  model: { id: "llama-3.3-70b", maxModelLen: 16384 },
  gpu: { type: "h100-sxm", count: 4 },
  ...onpremLoad,
  compare: { apis: ["gpt-5-mini"], managedHosts: false },
};

const CASES: [string, string[]][] = [
  ["aws-h100", ["--stack", "aws-h100"]],
  ["onprem", ["--stack", "onprem"]],
  ["managed", ["--stack", "managed"]],
  ["undersized fleet", ["--stack-file", stackFile("undersized", undersized)]],
  [
    "any-quality bar",
    [
      "--stack-file",
      stackFile("any-bar", { ...undersized, scaling: { min: 0, max: 40 }, compare: { qualityBar: "any" } }),
    ],
  ],
  ["reasoning API cheapest", ["--stack-file", stackFile("reasoning", reasoningCheapest)]],
  [
    "eu-central-1",
    [
      "--stack-file",
      stackFile("eu", {
        platform: "aws",
        model: { id: "llama-3.1-8b" },
        aws: { instanceType: "p5.4xlarge", region: "eu-central-1" },
        prices: { instances: { "p5.4xlarge": { onDemand: 8.2 } } },
        workload: { requestsPerMonth: 6e6, inputTokensPerRequest: 1500, outputTokensPerRequest: 300 },
      }),
    ],
  ],
  [
    // Today's field: compared on the AA Intelligence Index, against today's APIs and Fireworks' host.
    "Kimi K2.6 on the AA index",
    [
      "--stack-file",
      stackFile("kimi", {
        platform: "kubernetes",
        model: { id: "kimi-k2.6" },
        gpu: { type: "h200", count: 8 },
        kubernetes: { modelCacheAccessMode: "ReadWriteMany" },
        scaling: { min: 1, max: 4 },
        workload: { requestsPerMonth: 8e6, inputTokensPerRequest: 2000, outputTokensPerRequest: 400 },
      }),
    ],
  ],
];

interface Lane {
  id: string;
  canServe: boolean;
  meetsQualityBar: boolean;
  eligible: boolean;
  stack: boolean;
  neededScalingMax?: number;
}
interface Option {
  id: string;
  canServe: boolean;
  meetsQualityBar: boolean;
  eligible: boolean;
  isStack: boolean;
  chosen: boolean;
  neededScalingMax?: number;
}

async function json<T>(...argv: string[]): Promise<T> {
  const r = await runCli(...argv, "--json");
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as T;
}

describe("cost, compare and plan give one answer", () => {
  it.each(CASES)("%s", async (_name, args) => {
    const cost = await json<{
      verdict: { option: string | null; summary: string };
      robustness: unknown;
      lanes: Lane[];
      warnings: string[];
    }>("cost", ...args);
    const compare = await json<{ verdict: unknown; robustness: unknown; options: Option[] }>(
      "compare",
      ...args,
    );
    const plan = await json<{ cost: { verdict: unknown } }>("plan", ...args);
    expect(compare.verdict).toEqual(cost.verdict);
    // One robustness analysis, the same in both documents and in both texts.
    expect(compare.robustness).toEqual(cost.robustness);
    const line = (await runCli("cost", ...args)).out.match(/^Verdict (robust|fragile)/m)?.[1];
    expect(line).toBeDefined();
    expect((await runCli("compare", ...args)).out).toMatch(new RegExp(`^Verdict ${line}`, "m"));
    expect(plan.cost.verdict).toEqual(cost.verdict);
    // The same lanes, with the same standing.
    const standing = (l: { id: string; canServe: boolean; meetsQualityBar: boolean; eligible: boolean }) =>
      `${l.id} serve=${l.canServe} bar=${l.meetsQualityBar} eligible=${l.eligible}`;
    expect(compare.options.map(standing)).toEqual(cost.lanes.map(standing));
    expect(compare.options.filter((o) => o.isStack).map((o) => o.id)).toEqual(
      cost.lanes.filter((l) => l.stack).map((l) => l.id),
    );
    expect(compare.options.filter((o) => o.chosen).map((o) => o.id)).toEqual(
      cost.verdict.option === null ? [] : [cost.verdict.option],
    );
    // The HTML headline is the verdict, word for word.
    const html = path.join(dir, `${_name.replace(/\W+/g, "-")}.html`);
    expect((await runCli("compare", ...args, "--html", html)).code).toBe(0);
    expect(fs.readFileSync(html, "utf8")).toContain(
      `<p class="verdict">${escapeXml(cost.verdict.summary)}</p>`,
    );
  });
});

describe("the reasoning-token line", () => {
  it("the verdict's reasoning API shows its reasoning tokens in cost --json and in the verdict", async () => {
    const args = ["--stack-file", stackFile("reasoning-2", reasoningCheapest)];
    const cost = await json<{
      verdict: { option: string; reason: string };
      lanes: { id: string; lineItems: { name: string; monthlyUsd: number }[] }[];
    }>("cost", ...args);
    expect(cost.verdict.option).toBe("api:gpt-5-mini");
    const chosen = cost.lanes.find((l) => l.id === cost.verdict.option)!;
    // Hand-derived: 3.2B visible output tokens × 1 reasoning token each × $2/M = $6,400.
    expect(chosen.lineItems.find((i) => i.name === "reasoning tokens (billed as output)")!.monthlyUsd).toBe(
      6400,
    );
    expect(cost.verdict.reason).toMatch(/of reasoning tokens \(an estimate/);
  });
});

describe("one replica count for a fleet that cannot serve", () => {
  it("the verdict, the warning and compare name the same scaling.max, the smallest that serves (brute force)", async () => {
    const file = stackFile("undersized-2", undersized);
    const cost = await json<{ verdict: { summary: string }; lanes: Lane[]; warnings: string[] }>(
      "cost",
      "--stack-file",
      file,
    );
    const stack = cost.lanes.find((l) => l.stack)!;
    expect(stack.canServe).toBe(false);
    const needed = stack.neededScalingMax!;
    expect(cost.verdict.summary).toContain(`it needs scaling.max ${needed}.`);
    expect(cost.warnings.join("\n")).toContain(`raise scaling.max to at least ${needed}`);
    const compare = await json<{ options: Option[] }>("compare", "--stack-file", file);
    expect(compare.options.find((o) => o.isStack)!.neededScalingMax).toBe(needed);
    // Brute force: with scaling.max = needed the fleet serves, with needed − 1 it does not.
    const serves = async (max: number) =>
      (
        await json<{ lanes: Lane[] }>(
          "cost",
          "--stack-file",
          stackFile(`undersized-${max}`, { ...undersized, scaling: { min: 0, max } }),
        )
      ).lanes.find((l) => l.stack)!.canServe;
    expect(await serves(needed)).toBe(true);
    expect(await serves(needed - 1)).toBe(false);
  });
});
