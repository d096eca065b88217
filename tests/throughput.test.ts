import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { calibrate, calibrationRows, calibrationTable, parseCalibration } from "../bench/calibration";
import { GPUS, MODELS } from "../cost/catalog";
import { defaultBatchCaps, engineVersion } from "../cost/catalog/engine";
import { GIB, kvBytesPerToken, kvCacheTokens, minimumGpus, runtimeBytesPerGpu } from "../cost/catalog/memory";
import {
  ROOFLINE,
  VLLM_EFFICIENCY,
  concurrencyForLatency,
  concurrencyForRate,
  maxConcurrency,
  throughput,
  type ThroughputInput,
} from "../cost/throughput";

const h100 = GPUS["h100-sxm"]!;
const a100 = GPUS["a100-80gb"]!;
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

describe("memory arithmetic, as vLLM counts it", () => {
  it("KV bytes per token = 2 (K and V) × layers × KV heads × head size × 2 bytes", () => {
    expect(kvBytesPerToken(llama8b)).toBe(2 * 32 * 8 * 128 * 2);
  });
  it("an 80GB H100 has 80 GiB: KV cache = 90% of 80 GiB − weights − activations, non-PyTorch memory and CUDA graphs", () => {
    const free = 0.9 * 80 * GIB - 16.06e9 - runtimeBytesPerGpu(llama8b, 8192, 1);
    expect(kvCacheTokens(llama8b, "bf16", h100, 1, 0.9)).toBe(Math.floor(free / 131072));
    // Each term is real memory: the runtime reservation is between 1 and 3 GiB for an 8B model.
    expect(runtimeBytesPerGpu(llama8b, 8192, 1) / GIB).toBeGreaterThan(1);
    expect(runtimeBytesPerGpu(llama8b, 8192, 1) / GIB).toBeLessThan(3);
  });
  it.each([
    ["llama-3.1-8b", "bf16", 8192, 1],
    ["llama-3.3-70b", "bf16", 8192, 2], // 131.5 GiB of weights in 144 GiB: tight, as vLLM runs it
    ["llama-3.3-70b", "fp8", 8192, 1],
    ["qwen3-32b", "bf16", 32768, 1],
    ["qwen3-30b-a3b", "bf16", 8192, 1],
  ] as const)(
    "%s %s fits %i-token contexts on the fewest H100s vLLM runs it on (%i)",
    (m, dtype, len, gpus) => {
      expect(minimumGpus(MODELS[m]!, dtype, h100, len, 0.9)).toBe(gpus);
    },
  );
});

describe("vLLM versions and their batch caps", () => {
  it.each([
    ["v0.11.0", "v1", "0.11"],
    ["0.6.3.post1", "v0", "0.6"],
    ["v0.10.1-cu128", "v1", "0.10"],
    ["0.8.0", "v1", "0.8"],
    ["0.7.3", "v0", "0.7"],
  ])("%s is engine generation %s", (tag, generation, label) => {
    expect(engineVersion(tag)).toMatchObject({ generation, label });
  });
  it.each(["latest", "nightly", "", "v", "vx.1"])("%j names no version", (tag) => {
    expect(engineVersion(tag)).toBeUndefined();
  });
  it("V1 gives ≥70 GiB GPUs other than the A100 1024 sequences and 8192 tokens a step; others 256 and 2048", () => {
    const v1 = engineVersion("0.11.0")!;
    expect(defaultBatchCaps(v1, h100)).toEqual({
      maxNumSeqs: 1024,
      maxNumBatchedTokens: 8192,
      chunkedPrefill: true,
    });
    expect(defaultBatchCaps(v1, a100)).toEqual({
      maxNumSeqs: 256,
      maxNumBatchedTokens: 2048,
      chunkedPrefill: true,
    });
    expect(defaultBatchCaps(v1, GPUS["l40s"]!)).toMatchObject({ maxNumSeqs: 256 });
    expect(defaultBatchCaps(engineVersion("0.6.0")!, h100)).toMatchObject({
      maxNumSeqs: 256,
      chunkedPrefill: false,
    });
  });
  it("an unknown version is refused with the fix, not guessed", () => {
    expect(() => throughput({ ...one, vllmVersion: "nightly" })).toThrow(
      /does not start with a version number/,
    );
  });
});

describe("step model", () => {
  it("never beats the physical limit", () => {
    for (const c of [1, 8, 64, 256, 1024]) {
      const r = throughput({ ...one, concurrency: c });
      expect(r.outputTokensPerSecond).toBeLessThan(r.rooflineOutputTokensPerSecond);
    }
  });

  it("at one stream, decode is the weights read at the fitted bandwidth plus the step's software cost", () => {
    const r = throughput({ ...one, inputTokens: 10, outputTokens: 1000 });
    const bandwidthOnly = 1000 / ((16.06e9 / (3.35e12 * 0.8)) * 1000);
    // Within 2× of a pure bandwidth roofline at 80%: the software cost per step is a few ms, not more.
    expect(r.outputTokensPerSecond).toBeLessThan(bandwidthOnly);
    expect(r.outputTokensPerSecond).toBeGreaterThan(bandwidthOnly / 2);
    expect(r.bound).toBe("memory-bandwidth");
  });

  it("per-token latency grows with the batch (per-sequence cost), so a latency target caps concurrency", () => {
    const itl = [1, 16, 128, 512].map((c) => throughput({ ...one, concurrency: c }).interTokenLatencyMs);
    for (let i = 1; i < itl.length; i++) expect(itl[i]!).toBeGreaterThan(itl[i - 1]!);
    const c = concurrencyForLatency(one, 30);
    expect(c).toBeGreaterThan(1);
    expect(throughput({ ...one, concurrency: c }).interTokenLatencyMs).toBeLessThanOrEqual(30);
    expect(throughput({ ...one, concurrency: c + 1 }).interTokenLatencyMs).toBeGreaterThan(30);
    expect(concurrencyForLatency(one, 1)).toBe(0);
  });

  it("max-num-seqs caps the batch", () => {
    expect(throughput({ ...one, concurrency: 500, maxNumSeqs: 64 }).concurrency).toBe(64);
    expect(throughput({ ...one, concurrency: 5000 }).concurrency).toBeLessThanOrEqual(1024);
  });

  it("prefix hits shrink prefill and let more sequences fit", () => {
    const cold = throughput({ ...one, concurrency: 64 });
    const warm = throughput({ ...one, concurrency: 64, prefixHitShare: 0.8 });
    expect(maxConcurrency({ ...one, prefixHitShare: 0.8 })).toBeGreaterThan(maxConcurrency(one));
    expect(warm.outputTokensPerSecond).toBeGreaterThan(cold.outputTokensPerSecond);
    expect(warm.prefillMs).toBeLessThan(cold.prefillMs);
  });

  it("admitting more than the KV cache holds at full length preempts and costs throughput per sequence", () => {
    const x = { ...one, inputTokens: 4000, outputTokens: 2000 };
    const full = maxConcurrency(x);
    const over = throughput({ ...x, concurrency: full * 3 });
    expect(over.preemptedShare).toBeGreaterThan(0);
    expect(throughput({ ...x, concurrency: full }).preemptedShare).toBe(0);
  });

  it("tensor parallelism does not scale linearly: the all-reduce and the step's software cost do not shrink", () => {
    const m70 = MODELS["llama-3.1-70b"]!;
    const at = (tp: number) =>
      throughput({ ...one, model: m70, dtype: "fp8", gpus: tp, tensorParallel: tp, concurrency: 256 })
        .outputTokensPerSecond;
    expect(at(8) / at(2)).toBeLessThan(4);
    expect(at(8)).toBeGreaterThan(at(2));
  });

  it("data-parallel engines in one replica each serve their share", () => {
    const dp = throughput({ ...one, gpus: 2, tensorParallel: 1, concurrency: 128 });
    const single = throughput({ ...one, gpus: 1, concurrency: 64 });
    expect(dp.outputTokensPerSecond).toBeCloseTo(2 * single.outputTokensPerSecond, 6);
  });

  it("W4A16 is slower than BF16 at high batch on an H100 (dequantisation), FP8 faster by less than its FLOP ratio", () => {
    const big = { ...one, inputTokens: 2000, outputTokens: 200, concurrency: 256 };
    const bf16 = throughput(big).outputTokensPerSecond;
    expect(throughput({ ...big, dtype: "int4" }).outputTokensPerSecond).toBeLessThan(bf16);
    const fp8 = throughput({ ...big, dtype: "fp8" }).outputTokensPerSecond;
    expect(fp8 / bf16).toBeGreaterThan(1);
    expect(fp8 / bf16).toBeLessThan(2);
  });

  it("plans a 32K-token prompt on Qwen3-32B on one H100 (the issue's refused case)", () => {
    const r = throughput({
      ...one,
      model: MODELS["qwen3-32b"]!,
      inputTokens: 32000,
      outputTokens: 100,
      concurrency: 4,
    });
    expect(r.maxConcurrency).toBeGreaterThanOrEqual(1);
    expect(r.outputTokensPerSecond).toBeGreaterThan(0);
    expect(r.timeToFirstTokenMs).toBeGreaterThan(r.prefillMs * 0.99);
  });

  it("time to first token covers the whole prompt's prefill: at least its linear-layer FLOPs at the fitted efficiency", () => {
    const qwen = MODELS["qwen3-32b"]!;
    const r = throughput({ ...one, model: qwen, inputTokens: 32000, outputTokens: 100, concurrency: 1 });
    const floor = (2 * qwen.activeParameters * 32000) / (h100.bf16Flops * VLLM_EFFICIENCY.compute.hopper);
    expect(r.prefillMs / 1000).toBeGreaterThanOrEqual(floor);
    expect(r.timeToFirstTokenMs).toBeGreaterThanOrEqual(r.prefillMs * 0.99);
  });

  it("Llama 70B FP8 runs on one H100 at low concurrency", () => {
    const r = throughput({
      ...one,
      model: MODELS["llama-3.1-70b"]!,
      dtype: "fp8",
      inputTokens: 1000,
      outputTokens: 200,
    });
    expect(r.maxConcurrency).toBeGreaterThan(1);
  });

  it("a request rate settles at the concurrency whose completions match it (Little's law), undefined past saturation", () => {
    const c = concurrencyForRate(one, 5)!;
    expect(c).toBeGreaterThan(0);
    const t = throughput({ ...one, concurrency: c });
    expect(t.outputTokensPerSecond / one.outputTokens).toBeGreaterThanOrEqual(5 * 0.999);
    expect(concurrencyForRate(one, 1e6)).toBeUndefined();
  });

  it("the roofline has no software cost", () => {
    expect(throughput(one, ROOFLINE).outputTokensPerSecond).toBeGreaterThan(
      throughput(one).outputTokensPerSecond,
    );
  });
});

describe("calibration data", () => {
  const rows = calibrationRows();
  it("every vLLM row names its source and a split chosen before fitting; NIM rows are cross-engine only", () => {
    const vllm = rows.filter((r) => r.split !== "cross-engine");
    expect(vllm.length).toBeGreaterThanOrEqual(25);
    for (const r of vllm) expect(r.source.length).toBeGreaterThan(20);
    expect(vllm.filter((r) => r.split === "holdout").length).toBeGreaterThanOrEqual(5);
    expect(rows.filter((r) => r.source.includes("NIM")).every((r) => r.split === "cross-engine")).toBe(true);
  });

  it("refuses a row naming a model the catalog lacks, instead of skipping it", () => {
    const text = fs
      .readFileSync("bench/data/vllm-throughput-calibration.tsv", "utf8")
      .replace("qwen3-32b\t", "qwen9\t");
    expect(() => parseCalibration(text)).toThrow(/unknown model or GPU/);
  });

  it("the README's calibration table is the one generated from the data and the model", () => {
    const readme = fs.readFileSync("README.md", "utf8");
    const start = readme.indexOf("<!-- calibration:start -->");
    const end = readme.indexOf("<!-- calibration:end -->");
    expect(start).toBeGreaterThan(0);
    // Prettier pads the table's cells; compare the cells, not the padding.
    const cells = (t: string) =>
      t
        .trim()
        .split("\n")
        .map((l) => l.replace(/ *\| */g, "|").replace(/^\|(-+:?\|)+$/, (m) => m.replace(/-+/g, "-")));
    expect(cells(readme.slice(start + "<!-- calibration:start -->".length, end))).toEqual(
      cells(calibrationTable(calibrate(rows))),
    );
  });
});
