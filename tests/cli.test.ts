import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli as run } from "./helpers";
import { listStacks } from "../cost/config/stack-file";

describe("vllm-tco cost", () => {
  it("bundles the three example stacks", () => {
    expect(listStacks()).toEqual(["aws-h100", "managed", "onprem"]);
  });

  it.each(["aws-h100", "onprem", "managed"])("--json prints the versioned document for %s", async (stack) => {
    const r = await run("cost", "--stack", stack, "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.version).toBe("1");
    expect(doc.stack).toBe(stack);
    const items = doc.selfHosted.lineItems as {
      name: string;
      monthlyUsd: number;
      source: string;
      asOf: string;
    }[];
    expect(items.length).toBeGreaterThan(0);
    for (const li of items) expect(li.source.length && li.asOf.length).toBeTruthy();
    // The total is the sum of its line items, to the cent.
    const total = Math.round(items.reduce((s, li) => s + li.monthlyUsd * 100, 0));
    expect(Math.abs(total - Math.round(doc.selfHosted.monthlyUsd * 100))).toBeLessThanOrEqual(items.length);
    // Every API bill is positive and is the sum of its own line items.
    for (const a of doc.apis as { monthlyUsd: number; lineItems: { monthlyUsd: number }[] }[]) {
      expect(a.monthlyUsd).toBeGreaterThan(0);
      const summed = a.lineItems.reduce((x, li) => x + Math.round(li.monthlyUsd * 100), 0);
      expect(Math.abs(summed - Math.round(a.monthlyUsd * 100))).toBeLessThanOrEqual(a.lineItems.length);
    }
    // A break-even volume is a finite number of tokens (0: cheaper from the first token), or null with a reason.
    for (const b of doc.breakEven as { monthlyOutputTokens: number | null; reason?: string }[])
      if (b.monthlyOutputTokens === null) expect(b.reason).toMatch(/\S/);
      else expect(Number.isFinite(b.monthlyOutputTokens) && b.monthlyOutputTokens >= 0).toBe(true);
    expect(["self-host", "host", "api", "cannot-serve"]).toContain(doc.verdict.choice);
    // The verdict names a lane of the ranking, and no eligible lane is cheaper than it.
    const lanes = doc.lanes as { id: string; monthlyUsd: number; eligible: boolean }[];
    const chosen = lanes.find((l) => l.id === doc.verdict.option)!;
    expect(chosen.eligible).toBe(true);
    for (const l of lanes.filter((x) => x.eligible))
      expect(chosen.monthlyUsd).toBeLessThanOrEqual(l.monthlyUsd);
    expect(doc.verdict.summary).toMatch(/\$[\d,]+\.\d\d\/month/);
  });

  it("the text report has the line items, the comparison, the verdict and the chart", async () => {
    const r = await run("cost", "--stack", "aws-h100");
    expect(r.code).toBe(0);
    expect(r.out).toContain("rented p5.4xlarge (on-demand): $");
    expect(r.out).toContain("GPU instances serving (p5.4xlarge, on-demand)");
    expect(r.out).toContain("OpenAI gpt-4o-mini");
    expect(r.out).toMatch(/^(Use the API|Self-host|Host it on a managed-open host|Cannot serve): /m);
    expect(r.out).toContain("every lane, cheapest first");
    expect(r.out).toContain("X break-even");
  });

  it("reads any file with --stack-file", async () => {
    const file = path.join(os.tmpdir(), `Pulumi.tmp-${process.pid}.yaml`);
    fs.writeFileSync(
      file,
      "config:\n  vllm-tco:platform: managed\n  vllm-tco:model: {id: llama-3.1-8b}\n  vllm-tco:managed: {host: groq}\n  vllm-tco:workload: {requestsPerMonth: 1000}\n",
    );
    const r = await run("cost", "--stack-file", file, "--json");
    expect(JSON.parse(r.out)).toMatchObject({ stack: `tmp-${process.pid}`, platform: "managed" });
  });
});

describe("bad input: one clear message, exit status 2", () => {
  const tp = "throughput --gpu h100-sxm --input-tokens 1 --output-tokens 1 --concurrency 1";
  it.each([
    ["cost --stack aws-h10", "vllm-tco: invalid command line:\n  - --stack: no stack file"],
    ["cost --jsn", "vllm-tco: unknown option '--jsn'\n(Did you mean --json?)"],
    ["cots", "vllm-tco: unknown command 'cots'\n(Did you mean cost?)"],
    [`${tp} --model llama-3.1-8`, '--model: is not a catalog model; did you mean "llama-3.1-8b"?'],
    [
      `${tp} --model llama-3.1-8b --gpus 3`,
      "--tensor-parallel: vLLM refuses it: llama-3.1-8b's 32 attention heads",
    ],
    [`${tp} --model llama-3.1-8b --gpus 4 --tensor-parallel 3`, "--tensor-parallel: must divide --gpus (4)"],
    [
      `${tp} --model llama-3.1-8b --vllm-version nightly`,
      '--vllm-version: must be a vLLM version such as 0.11.0 or v0.6.3 (found "nightly")',
    ],
    [
      `${tp} --model llama-3.1-8b --requests 0`,
      "--requests: must be a whole number of requests from 1 to 1,000,000",
    ],
    [`${tp} --model llama-3.1-8b --request-rate 5`, "--concurrency: give exactly one of --concurrency"],
    [
      "throughput --gpu h100-sxm --input-tokens 1 --output-tokens 1 --model llama-3.1-8b --request-rate 0",
      "--request-rate: must be requests a second, above 0",
    ],
    [
      `${tp} --model llama-3.1-8b --latency-ms 50 --ttft-ms -5`,
      "--ttft-ms: must be a positive number of milliseconds",
    ],
    [
      `${tp} --model llama-3.1-8b --prefix-hit 1`,
      "--prefix-hit: must be a share from 0 up to (not including) 1",
    ],
    [
      "throughput --model llama-3.3-70b --gpu h100-sxm --input-tokens 1000 --output-tokens 100 --concurrency 1",
      "--gpus: 1× h100-sxm per engine cannot hold llama-3.3-70b bf16",
    ],
  ])("%s", async (command, expected) => {
    const r = await run(...command.split(" "));
    expect(r.code).toBe(2);
    expect(r.err).toContain(expected);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a secret written in plain text is refused without echoing it", async () => {
    const file = path.join(os.tmpdir(), `Pulumi.plain-${process.pid}.yaml`);
    fs.writeFileSync(file, "config:\n  vllm-tco:platform: managed\n  vllm-tco:hfToken: hf_supersecret\n");
    const r = await run("cost", "--stack-file", file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "vllm-tco:hfToken: must be a Pulumi secret: run `pulumi config set --secret vllm-tco:hfToken <value>`",
    );
    expect(r.err).not.toContain("hf_supersecret");
  });
});

describe("vllm-tco throughput", () => {
  it("--json prints the figures the issue names", async () => {
    const r = await run(
      "throughput",
      "--model",
      "llama-3.1-8b",
      "--gpu",
      "h100-sxm",
      "--gpus",
      "1",
      "--dtype",
      "bf16",
      "--input-tokens",
      "1000",
      "--output-tokens",
      "200",
      "--concurrency",
      "2000",
      "--requests",
      "3000",
      "--latency-ms",
      "50",
      "--json",
    );
    const doc = JSON.parse(r.out);
    // The KV cache's limit at full length, derived by hand: an H100 SXM has 81,559 MiB (79.65 GiB, as
    // nvidia-smi reports); vLLM takes 0.9 of it, the BF16 weights take 8.03e9 × 2 B = 14.96 GiB, and a
    // token's KV is 2 (K, V) × 32 layers × 8 KV heads × 128 × 2 B = 128 KiB. With no other memory that is
    // (71.69 − 14.96) GiB ÷ 128 KiB = 464,732 tokens, 387 requests of 1,200; with at most 4 GiB of
    // activations, CUDA graphs and non-PyTorch memory, 431,964 tokens, 359 requests.
    expect(doc.maxConcurrency).toBeGreaterThanOrEqual(359);
    expect(doc.maxConcurrency).toBeLessThanOrEqual(387);
    // 2000 clients: the engine runs at most max-num-seqs (1024) and what the KV cache holds, the rest queue.
    expect(doc.meanRunning).toBeLessThanOrEqual(1024);
    expect(doc.peakKvCacheUsed).toBeLessThanOrEqual(1);
    expect(doc.requests).toBe(3000);
    for (const key of ["timeToFirstTokenMs", "interTokenLatencyMs", "endToEndMs"])
      expect(doc[key].p50).toBeLessThanOrEqual(doc[key].p99);
    expect(doc.capacity.binding).toMatch(/^(time-to-first-token|inter-token-latency|throughput)$/);
    expect(doc.engine).toMatch(
      /^vLLM 0\.11 \(V1: chunked prefill, ≤1024 sequences and 8192 tokens a step\)$/,
    );
    expect(doc.outputTokensPerSecond).toBeGreaterThan(0);
    expect(doc.outputTokensPerSecond).toBeLessThan(doc.capacity.rooflineOutputTokensPerSecond);
  });
});
