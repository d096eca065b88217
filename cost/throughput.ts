/**
 * Output tokens per second, inter-token latency and time to first token of one vLLM replica, from a
 * step-time model with terms fitted to published vLLM measurements (bench/calibration.ts loads them
 * from bench/data/vllm-throughput-calibration.tsv; `npm run bench` prints how far off each is, on rows
 * in and out of the fit).
 *
 * A replica of `gpus` GPUs runs `gpus / tensorParallel` engines (data parallel), each with a share of
 * the concurrent sequences. One engine step costs
 *   max(memory time, compute time) + fixed step cost + per-sequence cost × sequences + all-reduces
 * where memory time reads the weights once and each sequence's KV cache once, and compute time covers
 * the step's decode tokens and prefill tokens, including attention over the context.
 *
 * How steps are filled depends on the engine generation:
 *  - V1 (≥ 0.8) always chunks prefill: a step holds decode tokens plus prompt chunks up to
 *    `max-num-batched-tokens`, so completing B requests takes N = max(output tokens,
 *    B × (prompt + output) / budget) mixed steps.
 *  - V0 (≤ 0.7) without chunked prefill runs each batch of prompts in its own steps, which pause
 *    decoding; multi-step scheduling (`--num-scheduler-steps`) spreads the scheduler's cost over k steps.
 * The API server handles requests one at a time, so a replica completes at most one request per
 * `requestSeconds`. When more sequences are admitted than the KV cache holds at full length, vLLM
 * preempts some and recomputes their prompts later (recompute is V1's only preemption mode).
 */
import { VLLM_DEFAULTS } from "./config/schema";
import type { Dtype, Gpu } from "./catalog";
import { BYTES_PER_PARAMETER } from "./catalog";
import { hiddenSize, kvBytesPerToken, kvCacheTokens, type ModelShape } from "./catalog/memory";
import { defaultBatchCaps, engineVersion, type BatchCaps, type EngineVersion } from "./catalog/engine";

export interface ThroughputInput {
  readonly model: ModelShape;
  readonly dtype: Dtype;
  readonly gpu: Gpu;
  /** GPUs in the replica. */
  readonly gpus: number;
  /** Tensor-parallel degree; default `gpus`. The replica runs gpus / tensorParallel engines. */
  readonly tensorParallel?: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Requested concurrent sequences across the replica (each engine gets its share). */
  readonly concurrency: number;
  /** Share of each prompt already in the prefix cache (its prefill is skipped). Default 0. */
  readonly prefixHitShare?: number;
  /** vLLM `--gpu-memory-utilization`. Default 0.9. */
  readonly gpuMemoryUtilization?: number;
  /** vLLM version (image tag or version string). Default: the kit's pinned image tag. */
  readonly vllmVersion?: string;
  /** `--max-num-seqs` per engine. Default: the version's default for this GPU. */
  readonly maxNumSeqs?: number;
  /** `--max-num-batched-tokens` per engine. Default: the version's default for this GPU. */
  readonly maxNumBatchedTokens?: number;
  /** V0 only: `--enable-chunked-prefill`. Default off. */
  readonly chunkedPrefill?: boolean;
  /** V0 only: `--num-scheduler-steps`. Default 1. */
  readonly numSchedulerSteps?: number;
}

/** How close vLLM gets to the hardware, and what it costs beyond the hardware. Fitted by bench/fit-throughput.ts. */
export interface Efficiency {
  /** Achieved share of peak memory bandwidth in decode. */
  readonly bandwidth: number;
  /** Achieved share of peak dense tensor FLOP/s in the linear layers, per GPU generation (Ada: Ampere's until measured). */
  readonly compute: Readonly<Record<Architecture, number>>;
  /** Achieved share of peak FLOP/s in attention (FlashAttention kernels), per GPU generation. */
  readonly attention: Readonly<Record<Architecture, number>>;
  /** FP8 weights and activations on FP8 tensor cores: speed-up of the linear layers over BF16 as measured (not the 2× FLOP ratio). */
  readonly fp8Speedup: number;
  /** Weight-only quantised kernels (INT4 W4A16, FP8 on GPUs without FP8 cores): compute speed relative to BF16 (dequantisation). */
  readonly weightOnlyCompute: number;
  /** Fixed cost of a step per generation: scheduling, input preparation, kernel launches, seconds. */
  readonly stepSeconds: Readonly<Record<StepCostGroup, number>>;
  /** Cost per sequence in a step (sampling, detokenisation, block tables), seconds. */
  readonly sequenceSeconds: Readonly<Record<EngineVersion["generation"], number>>;
  /** All-reduce latency per layer (two a layer) when tensor parallel, per doubling of the degree, seconds. */
  readonly allReduceSeconds: number;
  /** API-server time per request (tokenise, detokenise, HTTP), seconds; requests are handled one after another. */
  readonly requestSeconds: number;
}

type Architecture = Gpu["architecture"];

/** V0 before 0.6 ran the API server in the engine's process; 0.6 moved it out. V1 rewrote the scheduler. */
export type StepCostGroup = "v0.5" | "v0.6" | "v1";

/** Fitted by `npx tsx bench/fit-throughput.ts` on the rows of bench/data/vllm-throughput.tsv marked `fit`. */
export const VLLM_EFFICIENCY: Efficiency = {
  bandwidth: 0.8,
  // Hopper's share is low because the V1 H100 rows (gpustack, variant not stated) ran prompt-heavy
  // bursts at about a quarter of the data sheet's BF16 peak; see the calibration table in the README.
  compute: { hopper: 0.258, ampere: 0.558, ada: 0.558 },
  attention: { hopper: 0.351, ampere: 0.625, ada: 0.625 },
  fp8Speedup: 1.1,
  weightOnlyCompute: 0.687,
  stepSeconds: { "v0.5": 0.0261, "v0.6": 0.0145, v1: 0.003 },
  sequenceSeconds: { v0: 61.8e-6, v1: 175e-6 },
  allReduceSeconds: 5.23e-6,
  requestSeconds: 0.008,
};

/** The hardware's own limit: no inefficiency and no software cost at all. */
export const ROOFLINE: Efficiency = {
  bandwidth: 1,
  compute: { hopper: 1, ampere: 1, ada: 1 },
  attention: { hopper: 1, ampere: 1, ada: 1 },
  fp8Speedup: 2,
  weightOnlyCompute: 1,
  stepSeconds: { "v0.5": 0, "v0.6": 0, v1: 0 },
  sequenceSeconds: { v0: 0, v1: 0 },
  allReduceSeconds: 0,
  requestSeconds: 0,
};

export interface ThroughputResult {
  readonly outputTokensPerSecond: number;
  /** The same configuration at the hardware's physical limit (perfect efficiency, largest batch that fits). */
  readonly rooflineOutputTokensPerSecond: number;
  /** Sequences of this length the KV caches of the replica hold at once, at full length. */
  readonly maxConcurrency: number;
  /** Concurrency used across the replica: the requested one capped by the engines' batch caps and the KV cache. */
  readonly concurrency: number;
  /** Mean time between a stream's tokens as a client sees it. */
  readonly interTokenLatencyMs: number;
  /** Mean time to first token at this concurrency: queueing for the step budget plus the prompt's prefill. */
  readonly timeToFirstTokenMs: number;
  /** Prefill time of one request alone: the floor of time to first token. */
  readonly prefillMs: number;
  /** What limits a step at this concurrency. */
  readonly bound: "memory-bandwidth" | "compute" | "scheduler" | "api-server";
  readonly kvCacheTokens: number;
  /** Share of requests preempted and recomputed (admitted beyond what the KV cache holds at full length). */
  readonly preemptedShare: number;
  readonly engine: EngineVersion;
  readonly caps: BatchCaps;
}

/** The engine facts every step needs, resolved once per call. */
interface Engine {
  readonly x: ThroughputInput;
  readonly version: EngineVersion;
  readonly caps: BatchCaps;
  readonly tp: number;
  readonly engines: number;
  readonly steps: number;
  /** Prompt tokens each request prefills (the uncached share). */
  readonly prefill: number;
  readonly kvTokensPerEngine: number;
}

export function resolveEngine(x: ThroughputInput): Engine {
  const tag = x.vllmVersion ?? VLLM_DEFAULTS.version;
  const version = engineVersion(tag);
  if (!version)
    throw new RangeError(`vLLM version "${tag}" does not start with a version number such as 0.11.0`);
  const defaults = defaultBatchCaps(version, x.gpu, x.chunkedPrefill ?? false);
  const caps: BatchCaps = {
    maxNumSeqs: x.maxNumSeqs ?? defaults.maxNumSeqs,
    maxNumBatchedTokens: x.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens,
    chunkedPrefill: defaults.chunkedPrefill,
  };
  const tp = x.tensorParallel ?? x.gpus;
  return {
    x,
    version,
    caps,
    tp,
    engines: Math.max(1, Math.floor(x.gpus / tp)),
    steps: version.generation === "v0" ? Math.max(1, x.numSchedulerSteps ?? 1) : 1,
    prefill: x.inputTokens * (1 - (x.prefixHitShare ?? 0)),
    kvTokensPerEngine: kvCacheTokens(
      x.model,
      x.dtype,
      x.gpu,
      tp,
      x.gpuMemoryUtilization ?? VLLM_DEFAULTS.gpuMemoryUtilization,
      caps.maxNumBatchedTokens,
    ),
  };
}

function stepGroup(v: EngineVersion): StepCostGroup {
  if (v.generation === "v1") return "v1";
  return v.minor < 6 ? "v0.5" : "v0.6";
}

/** Linear-layer FLOP/s of one GPU for these weights. */
function linearFlops(gpu: Gpu, dtype: Dtype, eff: Efficiency): number {
  if (dtype === "fp8")
    return gpu.fp8Flops !== undefined
      ? gpu.bf16Flops * eff.fp8Speedup
      : gpu.bf16Flops * eff.weightOnlyCompute;
  if (dtype === "int4") return gpu.bf16Flops * eff.weightOnlyCompute;
  return gpu.bf16Flops;
}

/**
 * Weight bytes one step reads. Dense models read all of them. A mixture-of-experts model reads its
 * active share, plus the experts the batch's other tokens route to: with `a` = active/total, a batch
 * of B tokens touches about 1 − (1 − a)^B of the expert weights (independent routing).
 */
function weightBytesPerStep(model: ModelShape, dtype: Dtype, tokens: number): number {
  const total = model.parameters * BYTES_PER_PARAMETER[dtype];
  const a = model.activeParameters / model.parameters;
  if (a >= 1) return total;
  return total * (a + (1 - a) * (1 - Math.pow(1 - a, tokens)));
}

interface Step {
  readonly seconds: number;
  readonly bound: ThroughputResult["bound"];
}

/**
 * One engine step with `decode` sequences generating a token each and `prefillTokens` prompt tokens,
 * every sequence attending over `context` tokens on average.
 */
function step(e: Engine, decode: number, prefillTokens: number, context: number, eff: Efficiency): Step {
  const { x, tp } = e;
  const kvBytes = kvBytesPerToken(x.model);
  const tokens = decode + prefillTokens;
  const bytes = weightBytesPerStep(x.model, x.dtype, tokens) + decode * context * kvBytes;
  const memory = bytes / (tp * x.gpu.bandwidthBytesPerSecond * eff.bandwidth);
  const linear =
    (2 * x.model.activeParameters * tokens) /
    (tp * linearFlops(x.gpu, x.dtype, eff) * eff.compute[x.gpu.architecture]);
  // QKᵀ and PV: 4 × hidden FLOPs per layer per (query, key) pair; a prompt attends causally (half its length).
  const pairs = decode * context + prefillTokens * (e.prefill / 2 + context - e.prefill);
  const attention =
    (4 * x.model.layers * hiddenSize(x.model) * pairs) /
    (tp * x.gpu.bf16Flops * eff.attention[x.gpu.architecture]);
  const compute = linear + attention;
  // Multi-step scheduling (V0) schedules and prepares inputs once for k steps: both costs spread over k.
  const software =
    (eff.stepSeconds[stepGroup(e.version)] + eff.sequenceSeconds[e.version.generation] * decode) / e.steps;
  const allReduce = tp > 1 ? 2 * x.model.layers * eff.allReduceSeconds * Math.log2(tp) : 0;
  const hardware = Math.max(memory, compute);
  return {
    seconds: hardware + software + allReduce,
    bound: software > hardware ? "scheduler" : compute > memory ? "compute" : "memory-bandwidth",
  };
}

/** Sequences one engine's KV cache holds, each at `tokensPerSequence` beside a shared cached prefix. */
function fits(e: Engine, tokensPerSequence: number): number {
  const shared = e.x.inputTokens - e.prefill;
  return Math.floor(Math.max(0, e.kvTokensPerEngine - shared) / Math.max(1, tokensPerSequence));
}

/** Sequences one engine's KV cache holds at their full length (prompt and whole output). */
const fitsAtFullLength = (e: Engine) => fits(e, e.prefill + e.x.outputTokens);

export function maxConcurrency(x: ThroughputInput): number {
  const e = resolveEngine(x);
  return e.engines * fitsAtFullLength(e);
}

interface Cycle {
  /** Seconds for one engine to complete `batch` requests together. */
  readonly seconds: number;
  /** Mean seconds between a stream's tokens. */
  readonly interToken: number;
  readonly ttft: number;
  readonly bound: ThroughputResult["bound"];
  readonly preempted: number;
}

/** One engine completing `batch` requests running together. */
function cycle(e: Engine, batch: number, eff: Efficiency): Cycle {
  const { x, caps } = e;
  const out = x.outputTokens;
  // Admission counts the blocks a sequence holds now, not at the end: on average half its output.
  // Sequences beyond what fits at full length are preempted once and their tokens recomputed.
  const atFull = fitsAtFullLength(e);
  const preempted = batch > atFull ? (batch - atFull) / batch : 0;
  const prefillPerRequest = e.prefill + preempted * (e.prefill + out / 2);
  const context = x.inputTokens + out / 2;
  let seconds: number;
  let interToken: number;
  let ttft: number;
  let bound: ThroughputResult["bound"];
  if (caps.chunkedPrefill) {
    const budget = caps.maxNumBatchedTokens;
    const n = Math.max(out, (batch * (out + prefillPerRequest)) / budget);
    const decode = (batch * out) / n;
    const s = step(e, decode, (batch * prefillPerRequest) / n, context, eff);
    seconds = n * s.seconds;
    // A stream's tokens come from steps that carry the other sequences' prompt chunks, not its own.
    const others = step(e, decode, ((batch - 1) * prefillPerRequest) / n, context, eff);
    interToken = (n / out) * others.seconds;
    bound = s.bound;
    // A new prompt takes the budget decode leaves; prompts arriving together queue for it (M/D/1).
    const free = Math.max(1, budget - (batch * out) / n);
    // Its chunks fill the free budget: steps carrying a full chunk each, not the cycle's average step.
    const chunk = Math.min(free, prefillPerRequest);
    const alone = Math.ceil(prefillPerRequest / free) * step(e, decode, chunk, context, eff).seconds;
    const load = Math.min(0.95, (batch * prefillPerRequest) / (n * free));
    ttft = alone + (load / (2 * (1 - load))) * alone;
  } else {
    // V0: the batch's prompts run in prefill steps of their own (at most max-num-batched-tokens
    // each when that is set), then every sequence decodes together.
    const prefillTokens = batch * prefillPerRequest;
    const prefillSteps = Math.max(1, Math.ceil(prefillTokens / Math.min(caps.maxNumBatchedTokens, 1e12)));
    const p = step(e, 0, prefillTokens / prefillSteps, x.inputTokens / 2, eff);
    const d = step(e, batch, 0, context, eff);
    seconds = prefillSteps * p.seconds + out * d.seconds;
    interToken = seconds / out;
    bound = d.bound;
    ttft = prefillSteps * p.seconds;
  }
  // The API server finishes one request every requestSeconds, whatever the GPUs do.
  const server = batch * eff.requestSeconds * e.engines;
  if (server > seconds) {
    seconds = server;
    bound = "api-server";
  }
  return { seconds, interToken, ttft, bound, preempted };
}

/** Concurrency per engine: the replica's share, capped by max-num-seqs and by what the KV cache admits. */
function engineBatch(e: Engine, concurrency: number): number {
  const perEngine = Math.ceil(Math.max(1, Math.floor(concurrency)) / e.engines);
  const admitted = fits(e, e.prefill + e.x.outputTokens / 2);
  return Math.max(1, Math.min(perEngine, e.caps.maxNumSeqs, admitted));
}

export function throughput(x: ThroughputInput, eff: Efficiency = VLLM_EFFICIENCY): ThroughputResult {
  const e = resolveEngine(x);
  const perEngine = fitsAtFullLength(e);
  const cap = e.engines * perEngine;
  const batch = engineBatch(e, x.concurrency);
  const c = cycle(e, batch, eff);
  const roofBatch = Math.max(1, perEngine);
  const roof = cycle(e, roofBatch, ROOFLINE);
  const alone = cycle(e, 1, eff);
  const ok = e.kvTokensPerEngine >= e.prefill + x.outputTokens;
  return {
    outputTokensPerSecond: ok ? (e.engines * batch * x.outputTokens) / c.seconds : 0,
    rooflineOutputTokensPerSecond: ok ? (e.engines * roofBatch * x.outputTokens) / roof.seconds : 0,
    maxConcurrency: cap,
    concurrency: ok ? e.engines * batch : 0,
    interTokenLatencyMs: c.interToken * 1000,
    timeToFirstTokenMs: c.ttft * 1000,
    prefillMs: alone.ttft * 1000,
    bound: c.bound,
    kvCacheTokens: e.kvTokensPerEngine * e.engines,
    preemptedShare: c.preempted,
    engine: e.version,
    caps: e.caps,
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
  const e = resolveEngine({ ...x, concurrency: 1 });
  const perEngine = Math.min(e.caps.maxNumSeqs, fitsAtFullLength(e));
  const itl = (b: number) => cycle(e, b, eff).interToken * 1000;
  if (perEngine < 1 || itl(1) > interTokenLatencyMs) return 0;
  let lo = 1;
  let hi = perEngine;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (itl(mid) <= interTokenLatencyMs) lo = mid;
    else hi = mid - 1;
  }
  return lo * e.engines;
}

/**
 * The concurrency a replica settles at when requests arrive at `requestsPerSecond` (Little's law:
 * concurrency = rate × time in system). Undefined when the rate exceeds what the replica completes.
 */
export function concurrencyForRate(
  x: Omit<ThroughputInput, "concurrency">,
  requestsPerSecond: number,
  eff: Efficiency = VLLM_EFFICIENCY,
): number | undefined {
  const e = resolveEngine({ ...x, concurrency: 1 });
  const most = Math.min(e.caps.maxNumSeqs, Math.max(1, fits(e, e.prefill + x.outputTokens / 2)));
  const rate = (b: number) => (e.engines * b) / cycle(e, b, eff).seconds;
  if (rate(most) < requestsPerSecond) return undefined;
  let lo = 1;
  let hi = most;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (rate(mid) >= requestsPerSecond) hi = mid;
    else lo = mid + 1;
  }
  return lo * e.engines;
}
