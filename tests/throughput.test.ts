import { describe, expect, it } from "vitest";
import { GPUS, MODELS } from "../cost/catalog";
import { calibrate } from "../cost/calibration";
import { kvBytesPerToken, kvCacheTokens, minimumGpus } from "../cost/catalog/memory";
import {
  ROOFLINE,
  concurrencyForLatency,
  maxConcurrency,
  throughput,
  type ThroughputInput,
} from "../cost/throughput";

const h100 = GPUS["h100-sxm"]!;
const llama8b = MODELS["llama-3.1-8b"]!;
const one: ThroughputInput = {
  model: llama8b,
  dtype: "bf16",
  gpu: h100,
  gpus: 1,
  inputTokens: 1000,
  outputTokens: 200,
  concurrency: 1,
};

describe("memory arithmetic", () => {
  it("KV bytes per token = 2 (K and V) × layers × KV heads × head size × 2 bytes", () => {
    expect(kvBytesPerToken(llama8b)).toBe(2 * 32 * 8 * 128 * 2);
  });
  it("KV cache = 90% of 80 GB − 16.06 GB weights − 2 GB runtime, in tokens", () => {
    expect(kvCacheTokens(llama8b, "bf16", h100, 1, 0.9)).toBe(Math.floor((72e9 - 16.06e9 - 2e9) / 131072));
  });
  it.each([
    ["llama-3.1-8b", "bf16", 8192, 1],
    ["llama-3.3-70b", "bf16", 8192, 4],
    ["llama-3.3-70b", "fp8", 8192, 2],
    ["qwen3-30b-a3b", "bf16", 8192, 1],
  ] as const)("%s %s fits on %i token contexts with the fewest H100s", (m, dtype, len, gpus) => {
    expect(minimumGpus(MODELS[m]!, dtype, h100, len, 0.9)).toBe(gpus);
  });
});

describe("roofline", () => {
  it("one stream is memory-bound: weights + its KV read each step, prefill at peak FLOP/s", () => {
    const step = (16.06e9 + 1100 * 131072) / 3.35e12;
    const prefill = (2 * 8.03e9 * 1000) / 989e12;
    const r = throughput(one, ROOFLINE);
    expect(r.outputTokensPerSecond).toBeCloseTo(200 / (prefill + 200 * step), 6);
    expect(r.bound).toBe("memory-bandwidth");
    expect(r.prefillMs).toBeCloseTo(prefill * 1000, 9);
  });

  it("caps concurrency at what the KV cache holds", () => {
    expect(maxConcurrency(one)).toBe(Math.floor(411529 / 1200));
    const r = throughput({ ...one, concurrency: 10_000 });
    expect(r.concurrency).toBe(342);
    expect(r.maxConcurrency).toBe(342);
  });

  it("shared prefixes are held once, so more sequences fit and prefill shrinks", () => {
    const cold = throughput({ ...one, concurrency: 64 });
    const warm = throughput({ ...one, concurrency: 64, prefixHitShare: 0.8 });
    expect(maxConcurrency({ ...one, prefixHitShare: 0.8 })).toBe(Math.floor((411529 - 800) / 400));
    expect(warm.outputTokensPerSecond).toBeGreaterThan(cold.outputTokensPerSecond);
    expect(warm.prefillMs).toBeCloseTo(cold.prefillMs * 0.2, 9);
  });

  it("the fitted model never beats the physical limit", () => {
    for (const c of [1, 8, 64, 256]) {
      const r = throughput({ ...one, concurrency: c });
      expect(r.outputTokensPerSecond).toBeLessThan(r.rooflineOutputTokensPerSecond);
    }
  });

  it("the highest concurrency within a latency target meets it, and one more does not", () => {
    const c = concurrencyForLatency(one, 30);
    expect(c).toBeGreaterThan(1);
    expect(throughput({ ...one, concurrency: c }).interTokenLatencyMs).toBeLessThanOrEqual(30);
    expect(throughput({ ...one, concurrency: c + 1 }).interTokenLatencyMs).toBeGreaterThan(30);
    expect(concurrencyForLatency(one, 1)).toBe(0);
  });
});

describe("calibration against published measurements", () => {
  const results = calibrate();
  it.each(results.filter((r) => r.row.fit).map((r) => [r.row.id, r.ratio] as const))(
    "%s is within ±25% (ratio %f)",
    (_id, ratio) => {
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    },
  );
});
