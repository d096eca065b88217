/**
 * GPU memory arithmetic shared by config validation (does the model fit?) and the throughput model
 * (how many sequences fit?). vLLM reserves `gpuMemoryUtilization` of each GPU, loads the weights
 * (sharded across tensor-parallel GPUs), keeps some for activations and CUDA graphs, and gives the
 * rest to the paged KV cache.
 */
import { BYTES_PER_PARAMETER, type Dtype, type Gpu } from "./index";

/** What the memory arithmetic needs to know about a model. */
export interface ModelShape {
  readonly parameters: number;
  readonly activeParameters: number;
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/** Activations, CUDA graphs and the NCCL/cuBLAS workspaces per GPU, bytes (vLLM's profiling run lands near this). */
export const RUNTIME_OVERHEAD_BYTES_PER_GPU = 2e9;
/** The KV cache is kept in 16-bit precision (vLLM's default `--kv-cache-dtype auto` for bf16/fp16/fp8 weights). */
export const KV_BYTES_PER_ELEMENT = 2;

export function weightBytes(model: ModelShape, dtype: Dtype): number {
  return model.parameters * BYTES_PER_PARAMETER[dtype];
}

/** Key and value vectors for one token across all layers. */
export function kvBytesPerToken(model: ModelShape): number {
  return 2 * model.layers * model.kvHeads * model.headDim * KV_BYTES_PER_ELEMENT;
}

/** Bytes left for the KV cache on `gpus` GPUs (negative when the weights do not fit). */
export function kvCacheBytes(
  model: ModelShape,
  dtype: Dtype,
  gpu: Gpu,
  gpus: number,
  gpuMemoryUtilization: number,
): number {
  const reserved = gpus * gpu.memoryGb * 1e9 * gpuMemoryUtilization;
  return reserved - weightBytes(model, dtype) - gpus * RUNTIME_OVERHEAD_BYTES_PER_GPU;
}

/** Tokens the KV cache holds across all sequences. */
export function kvCacheTokens(
  model: ModelShape,
  dtype: Dtype,
  gpu: Gpu,
  gpus: number,
  gpuMemoryUtilization: number,
): number {
  return Math.max(
    0,
    Math.floor(kvCacheBytes(model, dtype, gpu, gpus, gpuMemoryUtilization) / kvBytesPerToken(model)),
  );
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
