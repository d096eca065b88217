/**
 * What one simulated vLLM replica is: the model's shape, its precision, the GPUs and the engine
 * version and flags; and the facts every step needs, resolved once (batch caps, KV blocks, weight
 * bytes, peak rates).
 */
import { VLLM_DEFAULTS } from "../config/schema";
import { BYTES_PER_PARAMETER, type Dtype, type Gpu } from "../catalog";
import { defaultBatchCaps, engineVersion, type BatchCaps, type EngineVersion } from "../catalog/engine";
import { GIB, hiddenSize, runtimeBytesPerGpu, type ModelShape } from "../catalog/memory";
import { STEP_CONSTANTS, type StepConstants } from "./constants";

/** A model's shape with what a step's cost also depends on: sliding-window layers, the residual width. */
export interface SimModel extends ModelShape {
  /** Layers that attend over a sliding window only (gpt-oss: every other layer, 128 tokens). */
  readonly slidingWindow?: { readonly layers: number; readonly tokens: number };
  /** The residual stream's width (config.json `hidden_size`), what tensor parallelism all-reduces; default heads × head size. */
  readonly hiddenSize?: number;
}

export interface ReplicaSpec {
  readonly model: SimModel;
  /** Precision of the weights (of the experts, for a MoE model with `denseDtype`). */
  readonly dtype: Dtype;
  /** Precision of the non-expert weights when it differs (gpt-oss ships BF16 attention beside 4-bit experts). */
  readonly denseDtype?: Dtype;
  /** Bytes per KV-cache element: 2 (BF16, vLLM's default) or 1 (`--kv-cache-dtype fp8`). */
  readonly kvBytesPerElement?: number;
  readonly gpu: Gpu;
  /** GPUs in the replica. */
  readonly gpus: number;
  /** Tensor-parallel degree; default `gpus`. The replica runs gpus / tensorParallel engines. */
  readonly tensorParallel?: number;
  /** vLLM version (image tag or version string). Default: the kit's pinned image tag. */
  readonly vllmVersion?: string;
  readonly maxNumSeqs?: number;
  readonly maxNumBatchedTokens?: number;
  /** V0 only: `--enable-chunked-prefill`. */
  readonly chunkedPrefill?: boolean;
  /** V0 only: `--num-scheduler-steps`. */
  readonly numSchedulerSteps?: number;
  readonly gpuMemoryUtilization?: number;
  /** `--max-model-len`: the V0 prefill step's token budget is max(this, 2048). Default 8192. */
  readonly maxModelLen?: number;
}

/** KV-cache blocks hold this many tokens (vLLM's default `--block-size` on CUDA). */
export const BLOCK_TOKENS = 16;

/** One engine of the replica (data-parallel engines are alike), resolved once. */
export interface EngineFacts {
  readonly spec: ReplicaSpec;
  readonly version: EngineVersion;
  readonly caps: BatchCaps;
  readonly tp: number;
  readonly engines: number;
  readonly multiStep: number;
  /** Prompt tokens a V0 prefill step takes at most. */
  readonly prefillBudget: number;
  /** KV bytes per token over the full-attention layers. */
  readonly kvBytesPerToken: number;
  /** KV bytes a sequence holds in its sliding-window layers once longer than the window. */
  readonly windowBytesPerSequence: number;
  /** KV blocks of one engine. */
  readonly blocks: number;
  /** Weight bytes every step reads (attention, embeddings, dense MLPs, shared experts), whole model. */
  readonly denseWeightBytes: number;
  /** Routed-expert weight bytes, whole model; 0 for dense models. */
  readonly expertWeightBytes: number;
  /** Share of experts one token uses (k / E); 1 for dense. */
  readonly expertShare: number;
  /** Linear-layer FLOP/s of one GPU for these weights at the kernels' efficiency. */
  readonly linearFlops: number;
  readonly attentionFlops: number;
  readonly bandwidth: number;
  readonly constants: StepConstants;
}

export function resolveReplica(spec: ReplicaSpec, constants: StepConstants = STEP_CONSTANTS): EngineFacts {
  const tag = spec.vllmVersion ?? VLLM_DEFAULTS.version;
  const version = engineVersion(tag);
  if (!version)
    throw new RangeError(`vLLM version "${tag}" does not start with a version number such as 0.11.0`);
  const defaults = defaultBatchCaps(version, spec.gpu, spec.chunkedPrefill ?? false);
  const caps: BatchCaps = {
    maxNumSeqs: spec.maxNumSeqs ?? defaults.maxNumSeqs,
    maxNumBatchedTokens: spec.maxNumBatchedTokens ?? defaults.maxNumBatchedTokens,
    chunkedPrefill: defaults.chunkedPrefill,
  };
  const tp = spec.tensorParallel ?? spec.gpus;
  const m = spec.model;
  const bpe = spec.kvBytesPerElement ?? 2;
  const perLayer = 2 * m.kvHeads * m.headDim * bpe;
  const windowLayers = m.slidingWindow?.layers ?? 0;
  const kvBytesPerToken = (m.layers - windowLayers) * perLayer;
  const windowBytesPerSequence = windowLayers * perLayer * (m.slidingWindow?.tokens ?? 0);

  const { dense, expert, share } = weightSplit(spec);
  const gmu = spec.gpuMemoryUtilization ?? VLLM_DEFAULTS.gpuMemoryUtilization;
  const profileTokens = Number.isFinite(caps.maxNumBatchedTokens) ? caps.maxNumBatchedTokens : 8192;
  const free =
    tp * spec.gpu.memoryGb * GIB * gmu - dense - expert - tp * runtimeBytesPerGpu(m, profileTokens, tp);
  const blocks = Math.max(0, Math.floor(free / kvBytesPerToken / BLOCK_TOKENS));

  const c = constants;
  const arch = spec.gpu.architecture;
  const weightOnly = spec.dtype === "int4" || (spec.dtype === "fp8" && spec.gpu.fp8Flops === undefined);
  const peak =
    spec.dtype === "fp8" && spec.gpu.fp8Flops !== undefined
      ? spec.gpu.fp8Flops
      : spec.gpu.bf16Flops * (weightOnly ? c.weightOnlySpeed : 1);
  return {
    spec,
    version,
    caps,
    tp,
    engines: Math.max(1, Math.floor(spec.gpus / tp)),
    multiStep: version.generation === "v0" ? Math.max(1, spec.numSchedulerSteps ?? 1) : 1,
    prefillBudget: Math.max(spec.maxModelLen ?? 8192, 2048),
    kvBytesPerToken,
    windowBytesPerSequence,
    blocks,
    denseWeightBytes: dense,
    expertWeightBytes: expert,
    expertShare: share,
    linearFlops: peak * c.computeEfficiency[arch],
    attentionFlops: spec.gpu.bf16Flops * c.attentionEfficiency[arch],
    bandwidth: spec.gpu.bandwidthBytesPerSecond * c.bandwidthEfficiency,
    constants: c,
  };
}

/**
 * Dense and routed-expert weight bytes. With E experts of which k serve each token, total = shared +
 * experts and active = shared + experts × k / E, so experts = (total − active) / (1 − k / E).
 */
function weightSplit(spec: ReplicaSpec): { dense: number; expert: number; share: number } {
  const m = spec.model;
  const bytes = BYTES_PER_PARAMETER[spec.dtype];
  const denseBytes = BYTES_PER_PARAMETER[spec.denseDtype ?? spec.dtype];
  if (m.activeParameters >= m.parameters || !m.experts || !m.expertsPerToken)
    return { dense: m.parameters * bytes, expert: 0, share: 1 };
  const share = m.expertsPerToken / m.experts;
  const expertParams = Math.min(m.parameters, (m.parameters - m.activeParameters) / (1 - share));
  return { dense: (m.parameters - expertParams) * denseBytes, expert: expertParams * bytes, share };
}

/** The residual width all-reduces move. */
export const residualWidth = (m: SimModel) => m.hiddenSize ?? hiddenSize(m);
