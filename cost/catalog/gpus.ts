import { table, type Source } from "./source";

/** Physical facts about one GPU model, from its vendor's data sheet. */
export interface Gpu {
  readonly key: string;
  readonly name: string;
  /** Memory per GPU as the data sheet names it ("80GB"); the device has that many GiB (2^30 bytes), which is how vLLM counts it. */
  readonly memoryGb: number;
  /** GPU generation: decides which kernels vLLM runs and how close they get to the data sheet's peak. */
  readonly architecture: "hopper" | "ampere" | "ada";
  /** Memory bandwidth per GPU in bytes per second. */
  readonly bandwidthBytesPerSecond: number;
  /** Dense (no sparsity) BF16 tensor throughput in FLOP/s. */
  readonly bf16Flops: number;
  /** Dense FP8 tensor throughput in FLOP/s; absent where the GPU has no FP8 tensor cores. */
  readonly fp8Flops?: number;
  /**
   * How the GPUs of one server talk to each other, which decides what tensor parallelism's
   * all-reduces cost: NVLink (SXM boards) or PCIe (PCIe cards), with the data sheet's bandwidth in
   * one direction per GPU.
   */
  readonly interconnect: { readonly kind: "nvlink" | "pcie"; readonly bytesPerSecond: number };
  /** Board power at full load in watts (TDP). */
  readonly maxWatts: number;
  /** Power while the GPU holds a loaded model but serves nothing, in watts (an estimate). */
  readonly idleWatts: number;
  /** The `nvidia.com/gpu.product` node label NVIDIA's GPU feature discovery sets for it. */
  readonly productLabel: string;
  readonly source: Source;
}

const nvidiaH100: Source = {
  title: "NVIDIA H100 Tensor Core GPU data sheet",
  url: "https://www.nvidia.com/en-us/data-center/h100/",
  asOf: "2025-01",
};
const nvidiaH200: Source = {
  title: "NVIDIA H200 Tensor Core GPU data sheet",
  url: "https://www.nvidia.com/en-us/data-center/h200/",
  asOf: "2025-01",
};
const nvidiaA100: Source = {
  title: "NVIDIA A100 Tensor Core GPU data sheet",
  url: "https://www.nvidia.com/en-us/data-center/a100/",
  asOf: "2025-01",
};
const nvidiaL40s: Source = {
  title: "NVIDIA L40S data sheet",
  url: "https://www.nvidia.com/en-us/data-center/l40s/",
  asOf: "2025-01",
};

const T = 1e12;
/** NVLink 4 (H100/H200 SXM): 900 GB/s per GPU both ways; NVLink 3 (A100 SXM): 600 GB/s; PCIe 5.0 x16 64 GB/s and 4.0 x16 32 GB/s one way. */
const G = 1e9;

export const GPUS: Readonly<Record<string, Gpu>> = table({
  "h100-sxm": {
    key: "h100-sxm",
    interconnect: { kind: "nvlink", bytesPerSecond: 450 * G },
    architecture: "hopper",
    name: "NVIDIA H100 80GB SXM",
    memoryGb: 80,
    bandwidthBytesPerSecond: 3.35 * T,
    bf16Flops: 989 * T,
    fp8Flops: 1979 * T,
    maxWatts: 700,
    idleWatts: 90,
    productLabel: "NVIDIA-H100-80GB-HBM3",
    source: nvidiaH100,
  },
  "h100-pcie": {
    key: "h100-pcie",
    interconnect: { kind: "pcie", bytesPerSecond: 64 * G },
    architecture: "hopper",
    name: "NVIDIA H100 80GB PCIe",
    memoryGb: 80,
    bandwidthBytesPerSecond: 2.0 * T,
    bf16Flops: 756 * T,
    fp8Flops: 1513 * T,
    maxWatts: 350,
    idleWatts: 50,
    productLabel: "NVIDIA-H100-PCIe",
    source: nvidiaH100,
  },
  h200: {
    key: "h200",
    interconnect: { kind: "nvlink", bytesPerSecond: 450 * G },
    architecture: "hopper",
    name: "NVIDIA H200 141GB",
    memoryGb: 141,
    bandwidthBytesPerSecond: 4.8 * T,
    bf16Flops: 989 * T,
    fp8Flops: 1979 * T,
    maxWatts: 700,
    idleWatts: 90,
    productLabel: "NVIDIA-H200",
    source: nvidiaH200,
  },
  "a100-80gb": {
    key: "a100-80gb",
    interconnect: { kind: "nvlink", bytesPerSecond: 300 * G },
    architecture: "ampere",
    name: "NVIDIA A100 80GB SXM",
    memoryGb: 80,
    bandwidthBytesPerSecond: 2.0 * T,
    bf16Flops: 312 * T,
    maxWatts: 400,
    idleWatts: 60,
    productLabel: "NVIDIA-A100-SXM4-80GB",
    source: nvidiaA100,
  },
  "a100-40gb": {
    key: "a100-40gb",
    interconnect: { kind: "nvlink", bytesPerSecond: 300 * G },
    architecture: "ampere",
    name: "NVIDIA A100 40GB SXM",
    memoryGb: 40,
    bandwidthBytesPerSecond: 1.555 * T,
    bf16Flops: 312 * T,
    maxWatts: 400,
    idleWatts: 60,
    productLabel: "NVIDIA-A100-SXM4-40GB",
    source: nvidiaA100,
  },
  l40s: {
    key: "l40s",
    interconnect: { kind: "pcie", bytesPerSecond: 32 * G },
    architecture: "ada",
    name: "NVIDIA L40S 48GB",
    memoryGb: 48,
    bandwidthBytesPerSecond: 0.864 * T,
    bf16Flops: 362 * T,
    fp8Flops: 733 * T,
    maxWatts: 350,
    idleWatts: 40,
    productLabel: "NVIDIA-L40S",
    source: nvidiaL40s,
  },
});
