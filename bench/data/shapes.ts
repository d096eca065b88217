/**
 * Models and GPUs that published serving runs used but the kit's catalog does not deploy: their
 * shapes from each model's config.json and each GPU's data sheet, for the simulator's bench only.
 */
import type { Gpu } from "../../cost/catalog";
import type { SimModel } from "../../cost/sim/replica-spec";

const card = (id: string) => ({
  title: `config.json of ${id}`,
  url: `https://huggingface.co/${id}`,
  asOf: "2026-12",
});

export const BENCH_MODELS: Readonly<Record<string, SimModel & { readonly source: ReturnType<typeof card> }>> =
  {
    "qwen2.5-0.5b": {
      parameters: 0.494e9,
      activeParameters: 0.494e9,
      layers: 24,
      attentionHeads: 14,
      kvHeads: 2,
      headDim: 64,
      hiddenSize: 896,
      source: card("Qwen/Qwen2.5-0.5B-Instruct"),
    },
    "qwen2.5-7b": {
      parameters: 7.62e9,
      activeParameters: 7.62e9,
      layers: 28,
      attentionHeads: 28,
      kvHeads: 4,
      headDim: 128,
      hiddenSize: 3584,
      source: card("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4"),
    },
    "qwen3-0.6b": {
      parameters: 0.6e9,
      activeParameters: 0.6e9,
      layers: 28,
      attentionHeads: 16,
      kvHeads: 8,
      headDim: 128,
      hiddenSize: 1024,
      source: card("Qwen/Qwen3-0.6B"),
    },
    // gpt-oss: every other layer attends over a 128-token sliding window; experts in MXFP4, the rest BF16.
    "gpt-oss-20b": {
      parameters: 20.9e9,
      activeParameters: 3.6e9,
      layers: 24,
      attentionHeads: 64,
      kvHeads: 8,
      headDim: 64,
      hiddenSize: 2880,
      experts: 32,
      expertsPerToken: 4,
      slidingWindow: { layers: 12, tokens: 128 },
      source: card("openai/gpt-oss-20b"),
    },
    "gpt-oss-120b": {
      parameters: 116.8e9,
      activeParameters: 5.1e9,
      layers: 36,
      attentionHeads: 64,
      kvHeads: 8,
      headDim: 64,
      hiddenSize: 2880,
      experts: 128,
      expertsPerToken: 4,
      slidingWindow: { layers: 18, tokens: 128 },
      source: card("openai/gpt-oss-120b"),
    },
  };

const sheet = (name: string, url: string) => ({ title: `${name} data sheet`, url, asOf: "2026-12" });

export const BENCH_GPUS: Readonly<Record<string, Gpu>> = {
  l4: {
    key: "l4",
    name: "NVIDIA L4 24GB",
    // The device reports 22.5 GiB (the run's page: "23 GB").
    memoryGb: 22.5,
    architecture: "ada",
    bandwidthBytesPerSecond: 0.3e12,
    bf16Flops: 121e12,
    fp8Flops: 242e12,
    interconnect: { kind: "pcie", bytesPerSecond: 32e9 },
    maxWatts: 72,
    idleWatts: 16,
    productLabel: "NVIDIA-L4",
    source: sheet("NVIDIA L4", "https://www.nvidia.com/en-us/data-center/l4/"),
  },
  a10: {
    key: "a10",
    name: "NVIDIA A10 24GB",
    memoryGb: 22.5,
    architecture: "ampere",
    bandwidthBytesPerSecond: 0.6e12,
    bf16Flops: 125e12,
    interconnect: { kind: "pcie", bytesPerSecond: 32e9 },
    maxWatts: 150,
    idleWatts: 25,
    productLabel: "NVIDIA-A10",
    source: sheet("NVIDIA A10", "https://www.nvidia.com/en-us/data-center/products/a10-gpu/"),
  },
};
