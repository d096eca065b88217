/**
 * A replica's capacity for a workload: the highest Poisson request rate whose simulated p90 time to
 * first token and p90 inter-token latency meet the stack's targets. Which target fails first just
 * above it is the binding limit. Computed once per replica shape and workload and cached: cost,
 * sweeps and break-even ranges reuse it.
 */
import { resolveReplica, type EngineFacts, type ReplicaSpec } from "./replica-spec";
import { fitsOneRequest, sequencesAtFullLength, simulateEngine, type SimResult } from "./simulate";
import { stepTime } from "./step-time";
import type { StepConstants } from "./constants";

export interface LatencyTargets {
  /** p90 time to first token, ms. */
  readonly timeToFirstTokenMs: number;
  /** p90 gap between a stream's tokens, ms. */
  readonly interTokenLatencyMs: number;
}

export interface CapacityWorkload {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly prefixHitShare?: number;
}

/** What stops more traffic: a latency target, or the replica saturating (it completes clearly fewer requests than arrive, and the queue grows). */
export type BindingLimit = "time-to-first-token" | "inter-token-latency" | "throughput";

export interface Capacity {
  /** False when the model and one request do not fit the replica's memory (vLLM would not start). */
  readonly fits: boolean;
  /** False when even one request alone misses a target: the replica then serves one stream at a time. */
  readonly latencyMet: boolean;
  /** Requests a second the replica serves within the targets. */
  readonly requestsPerSecond: number;
  readonly outputTokensPerSecond: number;
  readonly binding: BindingLimit;
  /** The simulated run at that rate (percentiles, running sequences, preemptions). */
  readonly run?: SimResult;
  /** Sequences of this length one engine's KV cache holds at once, times the engines. */
  readonly maxConcurrency: number;
  /** Output tokens/s with perfect kernels and no software cost at the largest batch that fits: the hardware's limit. */
  readonly rooflineOutputTokensPerSecond: number;
  readonly engine: EngineFacts;
}

const cache = new Map<string, Capacity>();

/** Simulated seconds of traffic per trial rate: long enough for queues to show, short enough to search quickly. */
const TRIAL_SECONDS = 90;

export function capacity(
  spec: ReplicaSpec,
  workload: CapacityWorkload,
  targets: LatencyTargets,
  constants?: StepConstants,
): Capacity {
  const key = constants
    ? undefined
    : JSON.stringify([
        spec.model,
        spec.dtype,
        spec.denseDtype,
        spec.kvBytesPerElement,
        spec.gpu.key,
        spec.gpus,
        spec.tensorParallel,
        spec.vllmVersion,
        spec.maxNumSeqs,
        spec.maxNumBatchedTokens,
        spec.chunkedPrefill,
        spec.numSchedulerSteps,
        spec.gpuMemoryUtilization,
        spec.maxModelLen,
        workload,
        targets,
      ]);
  const hit = key ? cache.get(key) : undefined;
  if (hit) return hit;
  const result = search(resolveReplica(spec, constants), workload, targets);
  if (key) cache.set(key, result);
  return result;
}

function search(e: EngineFacts, w: CapacityWorkload, targets: LatencyTargets): Capacity {
  const maxConcurrency = sequencesAtFullLength(e, w);
  const roofline = rooflineTokensPerSecond(e, w, maxConcurrency);
  const base = { maxConcurrency, rooflineOutputTokensPerSecond: roofline, engine: e };
  if (!fitsOneRequest(e, w.inputTokens, w.outputTokens))
    return {
      ...base,
      fits: false,
      latencyMet: false,
      requestsPerSecond: 0,
      outputTokensPerSecond: 0,
      binding: "inter-token-latency",
    };
  const trial = (rate: number) =>
    simulateEngine(e, {
      arrivals: { kind: "rate", requestsPerSecond: rate },
      requests: Math.min(4000, Math.max(100, Math.ceil(rate * TRIAL_SECONDS))),
      inputTokens: w.inputTokens,
      outputTokens: w.outputTokens,
      ...(w.prefixHitShare !== undefined && { prefixHitShare: w.prefixHitShare }),
      seed: 7,
    });
  const fails = (r: SimResult, saturating = false): BindingLimit | undefined =>
    saturating && r.requestsPerSecond < 0.9 * r.offeredRequestsPerSecond
      ? "throughput"
      : r.ttftMs.p90 > targets.timeToFirstTokenMs
        ? "time-to-first-token"
        : r.itlMs.p90 > targets.interTokenLatencyMs
          ? "inter-token-latency"
          : undefined;
  // One request alone: the least any replica of this shape can do.
  const alone = simulateEngine(e, {
    arrivals: { kind: "concurrency", clients: 1 },
    requests: e.engines * 3,
    inputTokens: w.inputTokens,
    outputTokens: w.outputTokens,
    ...(w.prefixHitShare !== undefined && { prefixHitShare: w.prefixHitShare }),
  });
  const aloneFails = fails(alone);
  if (aloneFails)
    return {
      ...base,
      fits: true,
      latencyMet: false,
      requestsPerSecond: alone.requestsPerSecond,
      outputTokensPerSecond: alone.outputTokensPerSecond,
      binding: aloneFails,
      run: alone,
    };
  // Grow the rate until a target fails, then bisect to 2%.
  let lo = alone.requestsPerSecond * 0.5;
  let loRun = trial(lo);
  const atHalf = fails(loRun);
  if (atHalf)
    // Even half a request stream's rate queues (a target at the edge): settle for one stream.
    return {
      ...base,
      fits: true,
      latencyMet: true,
      requestsPerSecond: alone.requestsPerSecond,
      outputTokensPerSecond: alone.outputTokensPerSecond,
      binding: atHalf,
      run: alone,
    };
  let binding: BindingLimit = "inter-token-latency";
  let hi = lo * 2;
  for (let i = 0; i < 24; i++) {
    const r = trial(hi);
    const f = fails(r, true);
    if (f) {
      binding = f;
      break;
    }
    lo = hi;
    loRun = r;
    hi *= 2;
  }
  while (hi / lo > 1.02) {
    const mid = Math.sqrt(lo * hi);
    const r = trial(mid);
    const f = fails(r, true);
    if (f) {
      hi = mid;
      binding = f;
    } else {
      lo = mid;
      loRun = r;
    }
  }
  return {
    ...base,
    fits: true,
    latencyMet: true,
    requestsPerSecond: lo,
    outputTokensPerSecond: lo * w.outputTokens,
    binding,
    run: loRun,
  };
}

/** Perfect kernels, no software: the batch that fits decodes at the memory or compute roofline, after its prompts' prefill. */
function rooflineTokensPerSecond(e: EngineFacts, w: CapacityWorkload, maxConcurrency: number): number {
  const perfect: EngineFacts = {
    ...e,
    bandwidth: e.spec.gpu.bandwidthBytesPerSecond,
    linearFlops: e.linearFlops / e.constants.computeEfficiency[e.spec.gpu.architecture],
    attentionFlops: e.spec.gpu.bf16Flops,
    constants: {
      ...e.constants,
      overlap: 1,
      stepSeconds: { v0: 0, v1: 0 },
      sequenceSeconds: 0,
      tokenSeconds: 0,
    },
  };
  const batch = Math.max(1, Math.min(e.caps.maxNumSeqs, Math.floor(maxConcurrency / e.engines)));
  const prompt = w.inputTokens * (1 - (w.prefixHitShare ?? 0));
  const context = w.inputTokens + w.outputTokens / 2;
  const decode = stepTime(perfect, {
    sequences: batch,
    tokens: batch,
    contextTokens: batch * context,
    attentionPairs: batch * context,
    decodeOnly: true,
  }).seconds;
  const prefill = stepTime(perfect, {
    sequences: batch,
    tokens: batch * prompt,
    contextTokens: 0,
    attentionPairs: (batch * prompt * prompt) / 2,
    decodeOnly: false,
  }).seconds;
  return (e.engines * batch * w.outputTokens) / (w.outputTokens * decode + prefill);
}
