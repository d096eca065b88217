/**
 * What one replica can serve for a stack's workload: the throughput model run at the highest
 * concurrency that meets the latency target, derated to the autoscaler's target utilisation.
 */
import type { Gpu } from "./catalog";
import { concurrencyForLatency, throughput, type ThroughputResult } from "./throughput";
import type { StackConfig } from "./config/stack-config";

export interface ReplicaCapacity {
  readonly gpu: Gpu;
  readonly gpus: number;
  /** Concurrent streams per replica that meet the inter-token latency target (over all its engines). */
  readonly concurrency: number;
  /** vLLM `--max-num-seqs` for each of the replica's engines. */
  readonly maxNumSeqsPerEngine: number;
  /** False when even one stream misses the latency target (the plan then runs one stream a replica). */
  readonly latencyMet: boolean;
  readonly throughput: ThroughputResult;
  /** Output tokens an hour one replica serves at the autoscaler's target utilisation. */
  readonly tokensPerHour: number;
}

export function replicaCapacity(
  cfg: StackConfig,
  gpu: Gpu = cfg.gpu.type,
  gpus: number = cfg.gpu.count,
): ReplicaCapacity {
  const base = {
    model: cfg.model,
    dtype: cfg.model.dtype,
    gpu,
    gpus,
    tensorParallel: gpus === cfg.gpu.count ? cfg.gpu.tensorParallel : gpus,
    vllmVersion: cfg.vllm.version,
    ...(cfg.vllm.maxNumSeqs !== undefined && { maxNumSeqs: cfg.vllm.maxNumSeqs }),
    inputTokens: cfg.workload.inputTokensPerRequest,
    outputTokens: cfg.workload.outputTokensPerRequest,
    prefixHitShare: cfg.workload.cachedInputShare,
    gpuMemoryUtilization: cfg.vllm.gpuMemoryUtilization,
  };
  const fit = concurrencyForLatency(base, cfg.workload.interTokenLatencyMs);
  // vLLM's --max-num-seqs caps the batch when the stack sets it.
  // --max-num-seqs is per engine; a replica runs gpus / tensorParallel engines.
  const engines = Math.max(1, Math.floor(gpus / base.tensorParallel));
  const concurrency = Math.max(1, Math.min(fit, (cfg.vllm.maxNumSeqs ?? Infinity) * engines));
  const t = throughput({ ...base, concurrency });
  return {
    gpu,
    gpus,
    concurrency,
    maxNumSeqsPerEngine: Math.ceil(concurrency / engines),
    latencyMet: fit > 0,
    throughput: t,
    tokensPerHour: t.outputTokensPerSecond * 3600 * cfg.scaling.targetUtilization,
  };
}
