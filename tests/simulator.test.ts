import { describe, expect, it } from "vitest";
import { GPUS, MODELS } from "../cost/catalog";
import { capacity } from "../cost/sim/capacity";
import { BOUNDS, constantsWithBounds, STEP_CONSTANTS } from "../cost/sim/constants";
import { BLOCK_TOKENS, resolveReplica, type ReplicaSpec } from "../cost/sim/replica-spec";
import { newRequest, scheduleStep, type Queues, type Request, type Scheduled } from "../cost/sim/scheduler";
import { simulate } from "../cost/sim/simulate";
import { expertsTouched, stepTime } from "../cost/sim/step-time";
import { loadRuns, ratiosOf, score, summarise } from "../bench/serving-runs";

const h100 = GPUS["h100-sxm"]!;
const a100 = GPUS["a100-80gb"]!;
const llama8b: ReplicaSpec = {
  model: MODELS["llama-3.1-8b"]!,
  dtype: "bf16",
  gpu: h100,
  gpus: 1,
  vllmVersion: "0.11.0",
};
const traffic = { requests: 300, inputTokens: 1000, outputTokens: 200 };

describe("constants: physical meaning, inside their bounds", () => {
  it("every constant sits inside its bound", () => {
    for (const c of constantsWithBounds()) {
      expect(c.value, c.name).toBeGreaterThanOrEqual(c.bound[0]);
      expect(c.value, c.name).toBeLessThanOrEqual(c.bound[1]);
    }
  });
  it("the bounds are the issue's: bandwidth 0.6–0.95, compute 0.3–0.8, step ≤ 3 ms (V1) / 5 ms (V0), sequence ≤ 30 µs", () => {
    expect(BOUNDS.bandwidthEfficiency).toEqual([0.6, 0.95]);
    expect(BOUNDS.computeEfficiency).toEqual([0.3, 0.8]);
    expect(BOUNDS.stepSecondsV1[1]).toBe(0.003);
    expect(BOUNDS.stepSecondsV0[1]).toBe(0.005);
    expect(BOUNDS.sequenceSeconds[1]).toBe(30e-6);
  });
  it("Hopper's kernels are never given a smaller share of peak than Ampere's", () => {
    expect(STEP_CONSTANTS.computeEfficiency.hopper).toBeGreaterThanOrEqual(
      STEP_CONSTANTS.computeEfficiency.ampere,
    );
    expect(STEP_CONSTANTS.attentionEfficiency.hopper).toBeGreaterThanOrEqual(
      STEP_CONSTANTS.attentionEfficiency.ampere,
    );
  });
});

describe("step time: physical terms", () => {
  it("a batch-1 decode step with no context is the weights over bandwidth plus the software costs (hand-derived)", () => {
    const e = resolveReplica(llama8b);
    const step = stepTime(e, {
      sequences: 1,
      tokens: 1,
      contextTokens: 0,
      attentionPairs: 1,
      decodeOnly: true,
    });
    // 8.03e9 parameters × 2 bytes over 3.35 TB/s × 0.83 = 5.776 ms; the compute (16 GFLOP at 0.77 of
    // 989 TFLOP/s = 21 µs) is half hidden under it; + 1.5 ms step + 10 µs sequence + 0.3 µs token.
    const memory = (8.03e9 * 2) / (3.35e12 * 0.83);
    const compute = (2 * 8.03e9) / (989e12 * 0.77);
    const expected = memory + 0.5 * compute + 0.0015 + 10e-6 + 0.3e-6;
    expect(step.seconds).toBeCloseTo(expected, 6);
  });
  it("a mixture-of-experts model reads its active experts once at batch 1 (Qwen3-30B-A3B: ~6.6 GB, not 12.5)", () => {
    const e = resolveReplica({ ...llama8b, model: MODELS["qwen3-30b-a3b"]! });
    // 128 experts, 8 a token: experts = (30.5 − 3.3) / (1 − 1/16) = 29.013e9, shared = 1.487e9;
    // at one token: 2 bytes × (1.487e9 + 29.013e9 / 16) = 6.60 GB.
    const bytes = e.denseWeightBytes + e.expertWeightBytes * expertsTouched(e.expertShare, 1);
    expect(bytes / 1e9).toBeCloseTo(6.6, 1);
    // A large batch touches every expert: the whole 61 GB.
    expect(
      (e.denseWeightBytes + e.expertWeightBytes * expertsTouched(e.expertShare, 4096)) / 1e9,
    ).toBeCloseTo(61, 0);
  });
  it("tensor parallelism pays two all-reduces a layer, dearer over PCIe than over NVLink", () => {
    const batch = {
      sequences: 64,
      tokens: 64,
      contextTokens: 64 * 1000,
      attentionPairs: 64 * 1000,
      decodeOnly: true,
    };
    const nvlink = stepTime(resolveReplica({ ...llama8b, gpus: 2 }), batch).communication;
    const pcie = stepTime(
      resolveReplica({ ...llama8b, gpu: GPUS["h100-pcie"]!, gpus: 2 }),
      batch,
    ).communication;
    // 2 × 32 layers × (10 µs + 64 tokens × 4096 × 2 B × 2 × ½ / (450 GB/s × 0.8)) = 0.733 ms.
    expect(nvlink).toBeCloseTo(2 * 32 * (10e-6 + (64 * 4096 * 2 * 2 * 0.5) / (450e9 * 0.8)), 7);
    expect(pcie).toBeGreaterThan(2 * nvlink);
  });
});

const request = (id: number, prompt: number, output: number): Request =>
  newRequest(id, 0, 0, prompt, 0, output);

describe("scheduler (vLLM V1 and V0)", () => {
  it("a V1 step never exceeds max-num-batched-tokens or max-num-seqs; running decodes come first", () => {
    const e = resolveReplica({ ...llama8b, maxNumSeqs: 5, maxNumBatchedTokens: 1000 });
    const running = [1, 2, 3].map((i) => ({
      ...request(i, 100, 50),
      computed: 100,
      kv: 110,
      blocks: 8,
      generated: 10,
    }));
    const q: Queues = {
      running,
      waiting: [4, 5, 6, 7].map((i) => request(i, 700, 50)),
      freeBlocks: e.blocks,
      preemptions: 0,
    };
    const out: Scheduled[] = [];
    scheduleStep(e, q, out);
    expect(out.slice(0, 3).map((s) => [s.request.id, s.tokens, s.prefill])).toEqual([
      [1, 1, false],
      [2, 1, false],
      [3, 1, false],
    ]);
    expect(out.reduce((n, s) => n + s.tokens, 0)).toBe(1000); // 3 decodes + 700 + a 297-token chunk
    expect(out.length).toBeLessThanOrEqual(5);
    expect(q.running.length).toBe(5);
  });
  it("preempts only when blocks run out, newest first, and admits nobody in that step", () => {
    const e = resolveReplica(llama8b);
    const a = { ...request(1, 32, 10), computed: 32, kv: 32, blocks: 2, generated: 1 };
    const b = { ...request(2, 32, 10), computed: 32, kv: 32, blocks: 2, generated: 1 };
    const waiting = [request(3, 16, 10)];
    // Both need a third block for their 33rd token; one block is free.
    const q: Queues = { running: [a, b], waiting, freeBlocks: 1, preemptions: 0 };
    const out: Scheduled[] = [];
    scheduleStep(e, q, out);
    expect(out.map((s) => s.request.id)).toEqual([1]);
    expect(q.preemptions).toBe(1);
    expect(q.waiting.map((r) => r.id)).toEqual([2, 3]);
    expect(b.target).toBe(32 + 1); // recompute the prompt and the token it had
    // With room for both, nobody is preempted.
    const roomy: Queues = {
      running: [{ ...a }, { ...b, target: 32, blocks: 2, kv: 32 }],
      waiting: [],
      freeBlocks: 10,
      preemptions: 0,
    };
    scheduleStep(e, roomy, out);
    expect(roomy.preemptions).toBe(0);
  });
  it("V0 without chunked prefill runs waiting prompts in a step of their own, pausing decodes", () => {
    const e = resolveReplica({ ...llama8b, vllmVersion: "0.6.3" });
    const decoding = { ...request(1, 100, 50), computed: 100, kv: 101, blocks: 7, generated: 1 };
    const q: Queues = {
      running: [decoding],
      waiting: [request(2, 500, 50)],
      freeBlocks: e.blocks,
      preemptions: 0,
    };
    const out: Scheduled[] = [];
    scheduleStep(e, q, out);
    expect(out.map((s) => [s.request.id, s.tokens, s.prefill])).toEqual([[2, 500, true]]);
    scheduleStep(e, q, out);
    expect(out.map((s) => s.prefill)).toEqual([false, false]);
  });
});

describe("simulation invariants", () => {
  it("conserves requests and tokens: every request completes once with its output", () => {
    for (const arrivals of [
      { kind: "rate" as const, requestsPerSecond: 5 },
      { kind: "concurrency" as const, clients: 32 },
      { kind: "burst" as const },
    ]) {
      const r = simulate(llama8b, { ...traffic, arrivals });
      expect(r.completed).toBe(300);
      expect(r.outputTokensPerSecond * r.durationSeconds).toBeCloseTo(300 * 200, 3);
    }
  });
  it("is deterministic for a seed and differs across seeds", () => {
    const run = (seed: number) =>
      simulate(llama8b, { ...traffic, arrivals: { kind: "rate", requestsPerSecond: 8 }, seed });
    expect(run(3)).toEqual(run(3));
    expect(run(3).ttftMs.mean).not.toBe(run(4).ttftMs.mean);
  });
  it("latency grows with the request rate", () => {
    const at = (rate: number) =>
      simulate(llama8b, { ...traffic, requests: 600, arrivals: { kind: "rate", requestsPerSecond: rate } });
    const rates = [1, 4, 8, 12, 16];
    const itl = rates.map((r) => at(r).itlMs.mean);
    const e2e = rates.map((r) => at(r).e2eMs.mean);
    for (let i = 1; i < rates.length; i++) {
      expect(itl[i]).toBeGreaterThan(itl[i - 1]!);
      expect(e2e[i]).toBeGreaterThan(e2e[i - 1]!);
    }
  });
  it("one client alone: requests per second = 1 / end-to-end latency (Little's law, brute force)", () => {
    const r = simulate(llama8b, { ...traffic, requests: 20, arrivals: { kind: "concurrency", clients: 1 } });
    expect(r.requestsPerSecond).toBeCloseTo(1000 / r.e2eMs.mean, 2);
    expect(r.preemptions).toBe(0);
  });
  it("preempts when the KV cache is too small for the batch, never when it is ample", () => {
    const tight = simulate(
      { ...llama8b, gpuMemoryUtilization: 0.3 },
      { ...traffic, arrivals: { kind: "burst" } },
    );
    const ample = simulate(llama8b, { ...traffic, requests: 100, arrivals: { kind: "burst" } });
    expect(tight.preemptions).toBeGreaterThan(0);
    expect(ample.preemptions).toBe(0);
    expect(tight.peakKvUsed).toBeLessThanOrEqual(1);
  });
  it("refuses a request that cannot fit the KV cache, as vLLM refuses to start", () => {
    expect(() =>
      simulate(llama8b, {
        requests: 1,
        inputTokens: 2_000_000,
        outputTokens: 1,
        arrivals: { kind: "burst" },
      }),
    ).toThrow(/does not fit/);
  });
});

describe("capacity at latency targets", () => {
  it("at capacity the p90 targets hold; 10% more rate breaks the binding one", () => {
    const targets = { timeToFirstTokenMs: 1000, interTokenLatencyMs: 30 };
    const c = capacity(llama8b, { inputTokens: 1000, outputTokens: 200 }, targets);
    expect(c.latencyMet).toBe(true);
    expect(c.run!.ttftMs.p90).toBeLessThanOrEqual(1000);
    expect(c.run!.itlMs.p90).toBeLessThanOrEqual(30);
    const above = simulate(llama8b, {
      arrivals: { kind: "rate", requestsPerSecond: c.requestsPerSecond * 1.1 },
      requests: Math.ceil(c.requestsPerSecond * 1.1 * 90),
      inputTokens: 1000,
      outputTokens: 200,
      seed: 7,
    });
    const broken =
      c.binding === "inter-token-latency"
        ? above.itlMs.p90 > 30
        : c.binding === "time-to-first-token"
          ? above.ttftMs.p90 > 1000
          : above.requestsPerSecond < 0.9 * above.offeredRequestsPerSecond;
    expect(broken).toBe(true);
  });
  it("a tighter target never raises capacity; a target one request misses is reported, not hidden", () => {
    const w = { inputTokens: 1000, outputTokens: 200 };
    const loose = capacity(llama8b, w, { timeToFirstTokenMs: 2000, interTokenLatencyMs: 50 });
    const tight = capacity(llama8b, w, { timeToFirstTokenMs: 2000, interTokenLatencyMs: 15 });
    expect(tight.requestsPerSecond).toBeLessThan(loose.requestsPerSecond);
    const impossible = capacity(llama8b, w, { timeToFirstTokenMs: 2000, interTokenLatencyMs: 2 });
    expect(impossible.latencyMet).toBe(false);
    expect(impossible.binding).toBe("inter-token-latency");
  });
  it("Hopper serves more than Ampere for the same model (bandwidth and FLOPs both larger)", () => {
    const w = { inputTokens: 1000, outputTokens: 200 };
    const t = { timeToFirstTokenMs: 2000, interTokenLatencyMs: 50 };
    expect(capacity(llama8b, w, t).requestsPerSecond).toBeGreaterThan(
      capacity({ ...llama8b, gpu: a100 }, w, t).requestsPerSecond,
    );
  });
});

describe("accuracy on published runs from sources never fitted (bench/data/vllm-serving-runs.tsv)", () => {
  const scored = loadRuns().map((r) => score(r));
  const holdout = scored.filter((s) => s.run.split === "holdout");
  it("the fit is one source; every other source is held out whole", () => {
    const fitSources = new Set(scored.filter((s) => s.run.split === "fit").map((s) => s.run.source));
    expect([...fitSources]).toEqual(["wmx-l4"]);
    for (const s of holdout) expect(fitSources.has(s.run.source)).toBe(false);
  });
  it("V1 runs (the engine the kit deploys): throughput within the measured error, latency within its bounds", () => {
    const v1 = holdout.filter((s) => !/^v?0\.[0-7]\./.test(s.run.spec.vllmVersion ?? ""));
    const tput = summarise(ratiosOf(v1, "throughput"));
    // Measured 2026-12-02 (README: how the simulator is checked); a regression past these fails.
    expect(tput.errorFactor).toBeLessThanOrEqual(1.55);
    expect(summarise(ratiosOf(v1, "itl")).errorFactor).toBeLessThanOrEqual(1.65);
  });
  it("the long-context Llama-3.1-8B runs (vLLM's blog, H100): throughput, TTFT and ITL within 20%", () => {
    const blog = holdout.filter((s) => s.run.source === "vllm-blog-fp8-kv" && s.run.id.startsWith("llama"));
    expect(blog.length).toBe(2);
    for (const s of blog)
      for (const m of ["throughput", "ttft", "itl"] as const)
        expect(Math.abs(Math.log(s.ratio[m]!))).toBeLessThan(Math.log(1.2));
  });
});

describe("KV blocks", () => {
  it("hold 16 tokens each, as vLLM's default block size", () => {
    expect(BLOCK_TOKENS).toBe(16);
  });
});
