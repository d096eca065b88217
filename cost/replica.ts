/**
 * What one replica can serve for a stack's workload: the replica simulator's capacity at the stack's
 * latency targets (p90 time to first token and inter-token latency), derated to the autoscaler's
 * target utilisation.
 */
import type { Gpu } from "./catalog";
import { capacity, type Capacity } from "./sim/capacity";
import type { StackConfig } from "./config/stack-config";

export interface ReplicaCapacity {
  readonly gpu: Gpu;
  readonly gpus: number;
  /** Mean concurrent streams per replica at capacity (over all its engines). */
  readonly concurrency: number;
  /** vLLM `--max-num-seqs` for each engine: the most sequences the simulation ran at once at capacity. */
  readonly maxNumSeqsPerEngine: number;
  /** False when even one request alone misses a latency target (the plan then runs one stream a replica). */
  readonly latencyMet: boolean;
  readonly capacity: Capacity;
  /** Output tokens an hour one replica serves at the autoscaler's target utilisation. */
  readonly tokensPerHour: number;
}

export function replicaCapacity(
  cfg: StackConfig,
  gpu: Gpu = cfg.gpu.type,
  gpus: number = cfg.gpu.count,
): ReplicaCapacity {
  // Packing: a server or instance of `gpus` GPUs runs as many engines of the stack's tensor-parallel
  // degree as its GPUs allow (a p5.48xlarge holds two TP4 engines, never one TP8 engine), the same
  // rule for rented and owned hardware.
  const tp = cfg.gpu.tensorParallel;
  const tensorParallel = gpus % tp === 0 ? tp : gpus;
  const c = capacity(
    {
      model: cfg.model,
      dtype: cfg.model.dtype,
      gpu,
      gpus,
      tensorParallel,
      vllmVersion: cfg.vllm.version,
      ...(cfg.vllm.maxNumSeqs !== undefined && { maxNumSeqs: cfg.vllm.maxNumSeqs }),
      gpuMemoryUtilization: cfg.vllm.gpuMemoryUtilization,
    },
    {
      inputTokens: cfg.workload.inputTokensPerRequest,
      outputTokens: cfg.workload.outputTokensPerRequest,
      prefixHitShare: cfg.workload.cachedInputShare,
    },
    {
      timeToFirstTokenMs: cfg.workload.timeToFirstTokenMs,
      interTokenLatencyMs: cfg.workload.interTokenLatencyMs,
    },
  );
  const engines = c.engine.engines;
  const running = c.run?.meanRunning ?? 1;
  const most = c.run?.maxRunning ?? 1;
  return {
    gpu,
    gpus,
    concurrency: Math.max(1, Math.round(running * engines)),
    maxNumSeqsPerEngine: Math.max(1, Math.min(c.engine.caps.maxNumSeqs, most)),
    latencyMet: c.latencyMet,
    capacity: c,
    tokensPerHour:
      c.outputTokensPerSecond *
      3600 *
      cfg.scaling.targetUtilization *
      (cfg.assumptions?.throughputFactor ?? 1),
  };
}

const BINDING_WORDS: Readonly<Record<Capacity["binding"], string>> = {
  "time-to-first-token": "time to first token",
  "inter-token-latency": "inter-token latency",
  throughput: "throughput (the replica saturates before a latency target binds)",
};

/**
 * The replica's capacity in one sentence, for the text and HTML reports alike: the rate it serves,
 * the simulated p90 latencies at that rate beside the targets, and which target binds.
 */
export function describeReplica(r: ReplicaCapacity, cfg: StackConfig): string {
  const c = r.capacity;
  const w = cfg.workload;
  const run = c.run;
  const fmt = (n: number, d = 0) =>
    n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const simulated = run
    ? ` (simulated p90: first token ${fmt(run.ttftMs.p90)} ms, ${fmt(run.itlMs.p90, 1)} ms/token)`
    : "";
  const limit = c.latencyMet
    ? `binding: ${BINDING_WORDS[c.binding]}`
    : `one request alone misses the ${BINDING_WORDS[c.binding]} target`;
  return `${r.gpus}× ${r.gpu.key} serves ${fmt(c.requestsPerSecond, 2)} requests/s → ${fmt(c.outputTokensPerSecond)} output tok/s, ${r.concurrency} streams on average, within p90 first token ≤${fmt(w.timeToFirstTokenMs)} ms and ≤${fmt(w.interTokenLatencyMs)} ms/token${simulated}; ${limit}; physical limit ${fmt(c.rooflineOutputTokensPerSecond)} tok/s, KV cache fits ${fmt(c.maxConcurrency)}`;
}
