/**
 * Hostile stack files through the CLI's own code path (`vllm-tco cost --stack-file F --json`, in
 * process): fast-check mutates the example stacks with prototype keys, extreme and non-finite
 * numbers, wrong types and junk keys. Every run must end 0 with finite, non-negative money, or 2 with
 * a message naming the key; never 1 (a crash), never a hang. Fixed seed: a failure reproduces.
 * `npm run bench:fuzz` runs 10,000+ cases.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../cli/main";

const root = path.resolve(__dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fuzz-"));
export const FUZZ_RUNS = Number(process.env["VLLM_TCO_FUZZ_RUNS"] ?? 2000);

type Obj = Record<string, unknown>;
const stacks = ["aws-h100", "onprem", "managed"].map(
  (s) =>
    (parse(fs.readFileSync(path.join(root, `stacks/Pulumi.${s}.yaml`), "utf8")) as { config: Obj }).config,
);

/** Paths worth attacking, as `section.key` under `vllm-tco:`. */
const PATHS = [
  "platform",
  "model.id",
  "model.dtype",
  "model.maxModelLen",
  "model.parameters",
  "model.servedName",
  "gpu.type",
  "gpu.count",
  "gpu.tensorParallel",
  "vllm.image",
  "vllm.version",
  "vllm.port",
  "vllm.gpuMemoryUtilization",
  "vllm.maxNumSeqs",
  "vllm.extraArgs",
  "scaling.min",
  "scaling.max",
  "scaling.target",
  "scaling.idleMinutes",
  "workload.requestsPerMonth",
  "workload.monthlyInputTokens",
  "workload.monthlyOutputTokens",
  "workload.inputTokensPerRequest",
  "workload.outputTokensPerRequest",
  "workload.cachedInputShare",
  "workload.activeHoursPerDay",
  "workload.activeDaysPerWeek",
  "workload.peakToAverage",
  "workload.interTokenLatencyMs",
  "aws.instanceType",
  "aws.purchase",
  "aws.ingressCidrs",
  "aws.spotPercentage",
  "kubernetes.namespace",
  "kubernetes.routing",
  "managed.host",
  "compare.apis",
  "prices.instances",
  "prices.apis",
  "ownership.purchaseUsd",
  "ownership.depreciationMonths",
  "ownership.pue",
  "operations.hoursPerMonth",
  "budget.monthlyUsd",
  "budget.maxRatioToCheapestApi",
  "budget.enforce",
  "metrics.prometheusUrl",
  "secrets.hfToken",
];

const hostile = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "",
    " ",
    "latest",
    "../../x",
    "javascript:alert(1)",
  ),
  fc.constantFrom(0, -1, 1e308, -1e308, 1e-308, 2 ** 53, 0.5, 1.5, 16384, 4e6, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(".nan", ".inf", "-.inf", "NaN", "Infinity", "1e999"),
  fc.constantFrom(
    true,
    false,
    null,
    [],
    {},
    ["__proto__"],
    { __proto__: 1 },
    { constructor: { onDemand: 1 } },
  ),
  fc.integer({ min: -10, max: 100000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
);

function mutate(config: Obj, edits: [string, unknown][]): Obj {
  const c = structuredClone(config);
  for (const [p, v] of edits) {
    const [section, key] = p.split(".") as [string, string?];
    const full = `vllm-tco:${section}`;
    if (key === undefined) c[full] = v;
    else {
      const current = c[full];
      const obj: Obj =
        current && typeof current === "object" && !Array.isArray(current) ? { ...(current as Obj) } : {};
      Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      c[full] = obj;
    }
  }
  return c;
}

/** Every number in a JSON document must be finite; money must not be negative. */
function badNumbers(doc: unknown, at = ""): string[] {
  if (typeof doc === "number")
    return !Number.isFinite(doc) || (/usd|monthly|cost|price/i.test(at) && doc < 0) ? [`${at}=${doc}`] : [];
  // null is honest for a break-even that never happens; never for an amount of money.
  if (doc === null && /usd$/i.test(at)) return [`${at}=null`];
  if (Array.isArray(doc)) return doc.flatMap((v, i) => badNumbers(v, `${at}[${i}]`));
  if (doc && typeof doc === "object")
    return Object.entries(doc).flatMap(([k, v]) => badNumbers(v, `${at}.${k}`));
  return [];
}

export async function runCase(stackIndex: number, edits: [string, unknown][], n: number) {
  const file = path.join(dir, `Pulumi.fuzz-${n}.yaml`);
  fs.writeFileSync(file, stringify({ config: mutate(stacks[stackIndex]!, edits) }));
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await main(["cost", "--stack-file", file, "--json"], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  // The time is for reading, never asserted here: a hang is caught by the suite's own timeout, and a
  // timing bound in a test fails on a busy machine rather than on slow code.
  return { code, out: out.join("\n"), err: err.join("\n"), ms: Date.now() - started, file };
}

describe("fuzzed stack files: no crash, no hang, no NaN or negative money, every rejection names a key", () => {
  it(`${FUZZ_RUNS} mutated stacks (fixed seed)`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.tuple(fc.constantFrom(...PATHS), hostile), { minLength: 1, maxLength: 3 }),
        async (stackIndex, edits) => {
          const r = await runCase(stackIndex, edits, ++n);
          expect(r.code, `${r.file}: ${r.err}`).not.toBe(1);
          expect([0, 2], `${r.file}: ${r.err}`).toContain(r.code);
          if (r.code === 0) expect(badNumbers(JSON.parse(r.out)), r.file).toEqual([]);
          else expect(r.err, r.file).toMatch(/^vllm-tco: invalid stack [^\n]*:\n {2}- vllm-tco:[a-zA-Z]/);
        },
      ),
      { seed: 20261125, numRuns: FUZZ_RUNS, endOnFailure: true },
    );
  }, 600_000);
});
