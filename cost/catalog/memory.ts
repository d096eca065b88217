/**
 * GPU memory arithmetic shared by config validation (does the model fit?) and the throughput model
 * (how many sequences fit?), as vLLM (V1, worker `determine_available_memory`) does it: it takes
 * `gpuMemoryUtilization` of each GPU's total memory (an "80GB" H100 or A100 has 80 GiB), loads the
 * weights (sharded across tensor-parallel GPUs), measures the peak activation memory of a dummy step of
 * `max-num-batched-tokens` tokens plus the memory outside PyTorch (CUDA context, NCCL), keeps room for
 * CUDA graphs, and gives the rest to the paged KV cache.
 */
import { BYTES_PER_PARAMETER, type Dtype, type Gpu } from "./index";

/** What the memory arithmetic needs to know about a model. */
export interface ModelShape {
  /** Total parameters. */
  readonly parameters: number;
  /** Parameters used per token (equal to `parameters` for dense models; smaller for mixture-of-experts). */
  readonly activeParameters: number;
  readonly layers: number;
  /** Key/value heads (grouped-query attention). */
  readonly kvHeads: number;
  readonly headDim: number;
  /** Query heads (config.json `num_attention_heads`); attention FLOPs scale with them. Estimated from the parameter count when unknown. */
  readonly attentionHeads?: number;
  /** Routed experts per MoE layer and experts each token uses (config.json `num_experts`, `num_experts_per_tok`); absent for dense models. */
  readonly experts?: number;
  readonly expertsPerToken?: number;
  /**
   * The published checkpoint, when its precision is mixed: low-bit experts beside 16-bit attention,
   * embeddings and quantisation scales take more than parameters × the low-bit width. Served at that
   * dtype, the weights take these bytes (the checkpoint's own size).
   */
  readonly checkpoint?: { readonly dtype: Dtype; readonly bytes: number };
}

export const GIB = 2 ** 30;
/** CUDA context, NCCL and cuBLAS workspaces outside PyTorch's allocator, per GPU. */
export const NON_TORCH_BYTES_PER_GPU = 0.6 * GIB;
/** CUDA graphs captured for decode batch sizes, per GPU (vLLM logs 0.3–1 GiB on H100). */
export const CUDA_GRAPH_BYTES_PER_GPU = 0.5 * GIB;
/** Peak activation bytes of one token in the profiling step, per unit of hidden size (MLP intermediates, logits, sampler). */
const ACTIVATION_BYTES_PER_TOKEN_PER_HIDDEN = 24;
/** The KV cache is kept in 16-bit precision (vLLM's default `--kv-cache-dtype auto` for bf16/fp16/fp8 weights). */
export const KV_BYTES_PER_ELEMENT = 2;

export function weightBytes(model: ModelShape, dtype: Dtype): number {
  if (model.checkpoint?.dtype === dtype) return model.checkpoint.bytes;
  return model.parameters * BYTES_PER_PARAMETER[dtype];
}

/** Key and value vectors for one token across all layers. */
export function kvBytesPerToken(model: ModelShape): number {
  return 2 * model.layers * model.kvHeads * model.headDim * KV_BYTES_PER_ELEMENT;
}

/** Query heads × head size: the model's hidden size. Estimated as √(parameters / (12 × layers)) when the heads are unknown. */
export function hiddenSize(model: ModelShape): number {
  if (model.attentionHeads !== undefined) return model.attentionHeads * model.headDim;
  return Math.sqrt(model.parameters / (12 * model.layers));
}

/** Memory vLLM keeps per GPU besides weights and KV cache: activations of the profiling step, non-PyTorch memory, CUDA graphs. */
export function runtimeBytesPerGpu(
  model: ModelShape,
  maxNumBatchedTokens: number,
  tensorParallel: number,
): number {
  // Without chunked prefill the profiling step is a whole prompt; 8192 tokens bounds what a step holds in practice.
  const tokens = Math.min(Number.isFinite(maxNumBatchedTokens) ? maxNumBatchedTokens : 8192, 65_536);
  const activations = (tokens * hiddenSize(model) * ACTIVATION_BYTES_PER_TOKEN_PER_HIDDEN) / tensorParallel;
  return activations + NON_TORCH_BYTES_PER_GPU + CUDA_GRAPH_BYTES_PER_GPU;
}

/** Bytes left for the KV cache on `gpus` GPUs (negative when the weights do not fit). */
export function kvCacheBytes(
  model: ModelShape,
  dtype: Dtype,
  gpu: Gpu,
  gpus: number,
  gpuMemoryUtilization: number,
  maxNumBatchedTokens = 8192,
): number {
  const reserved = gpus * gpu.memoryGb * GIB * gpuMemoryUtilization;
  return reserved - weightBytes(model, dtype) - gpus * runtimeBytesPerGpu(model, maxNumBatchedTokens, gpus);
}

/** Tokens the KV cache holds across all sequences. */
export function kvCacheTokens(
  model: ModelShape,
  dtype: Dtype,
  gpu: Gpu,
  gpus: number,
  gpuMemoryUtilization: number,
  maxNumBatchedTokens = 8192,
): number {
  const bytes = kvCacheBytes(model, dtype, gpu, gpus, gpuMemoryUtilization, maxNumBatchedTokens);
  return Math.max(0, Math.floor(bytes / kvBytesPerToken(model)));
}

/**
 * The fewest GPUs in {1, 2, 4, 8} on which vLLM starts: weights fit and the KV cache holds at least one
 * sequence of `maxModelLen` tokens (vLLM refuses to start otherwise). Undefined when even 8 do not.
 */
export function minimumGpus(
  model: ModelShape,
  dtype: Dtype,
  gpu: Gpu,
  maxModelLen: number,
  gpuMemoryUtilization: number,
): number | undefined {
  return [1, 2, 4, 8].find((n) => kvCacheTokens(model, dtype, gpu, n, gpuMemoryUtilization) >= maxModelLen);
}
