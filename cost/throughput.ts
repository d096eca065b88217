/**
 * Output tokens per second of one vLLM replica: a roofline of prefill and decode with efficiency
 * factors fitted to published serving measurements (see cost/calibration.ts for the rows, and
 * `npm run bench` for how far off each is).
 *
 * Engine behaviour assumed: vLLM V1 with continuous batching and chunked prefill. `B` sequences run
 * together; each decode step reads the weights once and each sequence's KV cache once, and prefill
 * chunks share the same steps. Completing B requests therefore takes
 *   T(B) = B × prefill(one request) + outputTokens × step(B)
 * and a replica delivers B × outputTokens / T(B) output tokens a second, with an inter-token latency
 * of T(B) / outputTokens as a client sees it (decode steps stretched by interleaved prefill).
 */
import { VLLM_DEFAULTS } from "./config/schema";
import type { Dtype, Gpu } from "./catalog";
import { BYTES_PER_PARAMETER } from "./catalog";
import { kvBytesPerToken, kvCacheTokens, type ModelShape } from "./catalog/memory";

export interface ThroughputInput {
  readonly model: ModelShape;
  readonly dtype: Dtype;
  readonly gpu: Gpu;
  /** GPUs in the replica. */
  readonly gpus: number;
  /** Tensor-parallel degree; default `gpus`. */
  readonly tensorParallel?: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Requested concurrent sequences (capped by what the KV cache holds). */
  readonly concurrency: number;
  /** Share of each prompt already in the prefix cache (its prefill is skipped). Default 0. */
  readonly prefixHitShare?: number;
  /** vLLM `--gpu-memory-utilization`. Default 0.9. */
  readonly gpuMemoryUtilization?: number;
}

/** How close a real engine gets to the hardware's limits. */
export interface Efficiency {
  /** Achieved share of peak memory bandwidth in decode. */
  readonly bandwidth: number;
  /** Achieved share of peak dense tensor FLOP/s (prefill and compute-bound decode). */
  readonly compute: number;
  /** Fixed cost per decode step (scheduling, sampling, kernel launches), seconds. */
  readonly stepOverheadSeconds: number;
  /** Extra time per step per doubling of tensor parallelism (all-reduce), as a share of the step. */
  readonly tensorParallelOverhead: number;
}

/**
 * Fitted by `bench/fit-efficiency.ts` (grid search minimising the worst |log(predicted/published)|)
 * on the rows of cost/calibration.ts marked `fit`.
 */
export const VLLM_EFFICIENCY: Efficiency = {
  bandwidth: 0.75,
  compute: 0.7,
  stepOverheadSeconds: 0.002,
  // Only one fitted row uses tensor parallelism (TP2, where NVLink all-reduce is cheap), so the fit
  // cannot see this term; it stays 0 until a TP4/TP8 measurement is added.
  tensorParallelOverhead: 0,
};

/** The hardware's own limit: no inefficiency at all. */
export const ROOFLINE: Efficiency = {
  bandwidth: 1,
  compute: 1,
  stepOverheadSeconds: 0,
  tensorParallelOverhead: 0,
};

export interface ThroughputResult {
  readonly outputTokensPerSecond: number;
  /** The same configuration at the hardware's physical limit (perfect efficiency, largest batch that fits). */
  readonly rooflineOutputTokensPerSecond: number;
  /** Sequences of this length the KV cache holds at once. */
  readonly maxConcurrency: number;
  /** Concurrency used: the requested one capped by `maxConcurrency`. */
  readonly concurrency: number;
  readonly interTokenLatencyMs: number;
  /** Prefill time of one request alone: the floor of time to first token. */
  readonly prefillMs: number;
  /** What limits a decode step at this concurrency. */
  readonly bound: "memory-bandwidth" | "compute";
  readonly kvCacheTokens: number;
}

function flopsPerSecond(gpu: Gpu, dtype: Dtype): number {
  // FP8 weights run on FP8 tensor cores; int4 weights are dequantised to 16-bit for the matmuls.
  return dtype === "fp8" && gpu.fp8Flops !== undefined ? gpu.fp8Flops : gpu.bf16Flops;
}

/**
 * Weight bytes one decode step reads. Dense models read all of them. A mixture-of-experts model reads
 * its active share, plus the experts the batch's other tokens route to: with `a` = active/total, a
 * batch of B tokens touches about 1 − (1 − a)^B of the expert weights (independent routing).
 */
function weightBytesPerStep(model: ModelShape, dtype: Dtype, batch: number): number {
  const total = model.parameters * BYTES_PER_PARAMETER[dtype];
  const a = model.activeParameters / model.parameters;
  if (a >= 1) return total;
  return total * (a + (1 - a) * (1 - Math.pow(1 - a, batch)));
}

interface Step {
  seconds: number;
  bound: ThroughputResult["bound"];
}

function decodeStep(x: ThroughputInput, batch: number, eff: Efficiency): Step {
  const contextPerSeq = x.inputTokens + x.outputTokens / 2;
  const bytes =
    weightBytesPerStep(x.model, x.dtype, batch) + batch * contextPerSeq * kvBytesPerToken(x.model);
  const memory = bytes / (x.gpus * x.gpu.bandwidthBytesPerSecond * eff.bandwidth);
  const compute =
    (2 * x.model.activeParameters * batch) / (x.gpus * flopsPerSecond(x.gpu, x.dtype) * eff.compute);
  return {
    seconds: Math.max(memory, compute) * tpFactor(x, eff) + eff.stepOverheadSeconds,
    bound: compute > memory ? "compute" : "memory-bandwidth",
  };
}

function tpFactor(x: ThroughputInput, eff: Efficiency): number {
  const tp = x.tensorParallel ?? x.gpus;
  return 1 + eff.tensorParallelOverhead * Math.log2(Math.max(1, tp));
}

function prefillSeconds(x: ThroughputInput, eff: Efficiency): number {
  const tokens = x.inputTokens * (1 - (x.prefixHitShare ?? 0));
  return (
    ((2 * x.model.activeParameters * tokens) / (x.gpus * flopsPerSecond(x.gpu, x.dtype) * eff.compute)) *
    tpFactor(x, eff)
  );
}

/** Seconds to complete `batch` requests together, and what bounds the decode steps. */
function batchSeconds(x: ThroughputInput, batch: number, eff: Efficiency): Step {
  const step = decodeStep(x, batch, eff);
  return { seconds: batch * prefillSeconds(x, eff) + x.outputTokens * step.seconds, bound: step.bound };
}

/**
 * Sequences that fit in the KV cache together. A cached prefix is shared: vLLM's prefix cache maps
 * every sequence that starts with it to the same blocks, so each sequence holds only its own
 * uncached prompt share and its output.
 */
export function maxConcurrency(x: ThroughputInput): number {
  const tokens = kvCacheTokens(
    x.model,
    x.dtype,
    x.gpu,
    x.gpus,
    x.gpuMemoryUtilization ?? VLLM_DEFAULTS.gpuMemoryUtilization,
  );
  const shared = x.inputTokens * (x.prefixHitShare ?? 0);
  const own = x.inputTokens - shared + x.outputTokens;
  return Math.floor(Math.max(0, tokens - shared) / own);
}

export function throughput(x: ThroughputInput, eff: Efficiency = VLLM_EFFICIENCY): ThroughputResult {
  const cap = maxConcurrency(x);
  const batch = Math.max(1, Math.min(Math.floor(x.concurrency), cap));
  const t = batchSeconds(x, batch, eff);
  const limitBatch = Math.max(1, cap);
  const roof = batchSeconds(x, limitBatch, ROOFLINE);
  return {
    outputTokensPerSecond: cap < 1 ? 0 : (batch * x.outputTokens) / t.seconds,
    rooflineOutputTokensPerSecond: cap < 1 ? 0 : (limitBatch * x.outputTokens) / roof.seconds,
    maxConcurrency: cap,
    concurrency: cap < 1 ? 0 : batch,
    interTokenLatencyMs: (t.seconds / x.outputTokens) * 1000,
    prefillMs: prefillSeconds(x, eff) * 1000,
    bound: t.bound,
    kvCacheTokens: kvCacheTokens(
      x.model,
      x.dtype,
      x.gpu,
      x.gpus,
      x.gpuMemoryUtilization ?? VLLM_DEFAULTS.gpuMemoryUtilization,
    ),
  };
}

/**
 * The highest concurrency whose inter-token latency meets `interTokenLatencyMs` (latency grows with
 * the batch, so a binary search finds it). 0 when even one stream is too slow.
 */
export function concurrencyForLatency(
  x: Omit<ThroughputInput, "concurrency">,
  interTokenLatencyMs: number,
  eff: Efficiency = VLLM_EFFICIENCY,
): number {
  const cap = maxConcurrency({ ...x, concurrency: 1 });
  const itl = (b: number) => (batchSeconds({ ...x, concurrency: b }, b, eff).seconds / x.outputTokens) * 1000;
  if (cap < 1 || itl(1) > interTokenLatencyMs) return 0;
  let lo = 1;
  let hi = cap;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (itl(mid) <= interTokenLatencyMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
