import { describe, expect, it } from "vitest";
import { GPUS, MODELS } from "../cost/catalog";
import { defaultBatchCaps, engineVersion } from "../cost/catalog/engine";
import { GIB, kvBytesPerToken, kvCacheTokens, minimumGpus, runtimeBytesPerGpu } from "../cost/catalog/memory";
import { resolveReplica } from "../cost/sim/replica-spec";

const h100 = GPUS["h100-sxm"]!;
const a100 = GPUS["a100-80gb"]!;
const llama8b = MODELS["llama-3.1-8b"]!;
const one = { model: llama8b, dtype: "bf16" as const, gpu: h100, gpus: 1 };

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
    expect(() => resolveReplica({ ...one, vllmVersion: "nightly" })).toThrow(
      /does not start with a version number/,
    );
  });
});
