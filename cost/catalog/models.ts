import type { ModelShape } from "./memory";
import { ARENA_TEXT, type Quality } from "./quality";
import { table, type Source } from "./source";

/**
 * Architecture facts about an open-weight model: what decides its memory and compute per token
 * (the shape the memory and throughput arithmetic reads), plus how it is named and where it is from.
 */
export interface Model extends ModelShape {
  readonly key: string;
  /** The Hugging Face repository vLLM loads. */
  readonly huggingFaceId: string;
  /** Other Hugging Face ids accepted as names for this model. */
  readonly aliases: readonly string[];
  /** Longest context the model supports natively, in tokens. */
  readonly contextLength: number;
  /** Its LMArena text score: the bar other lanes are held to by default. Every catalog model has one. */
  readonly quality?: Quality;
  readonly source: Source;
}

const card = (id: string, asOf: string): Source => ({
  title: `Hugging Face model card and config.json for ${id}`,
  url: `https://huggingface.co/${id}`,
  asOf,
});

function model(m: Omit<Model, "source" | "activeParameters"> & { activeParameters?: number }): Model {
  return {
    ...m,
    activeParameters: m.activeParameters ?? m.parameters,
    source: card(m.huggingFaceId, "2025-07"),
  };
}

export const MODELS: Readonly<Record<string, Model>> = table({
  "llama-3.1-8b": model({
    key: "llama-3.1-8b",
    quality: ARENA_TEXT["llama-3.1-8b-instruct"],
    huggingFaceId: "meta-llama/Llama-3.1-8B-Instruct",
    aliases: ["meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B"],
    parameters: 8.03e9,
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    contextLength: 131072,
  }),
  "llama-3.1-70b": model({
    key: "llama-3.1-70b",
    quality: ARENA_TEXT["llama-3.1-70b-instruct"],
    huggingFaceId: "meta-llama/Llama-3.1-70B-Instruct",
    aliases: ["meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-70B"],
    parameters: 70.6e9,
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    contextLength: 131072,
  }),
  "llama-3.3-70b": model({
    key: "llama-3.3-70b",
    quality: ARENA_TEXT["llama-3.3-70b-instruct"],
    huggingFaceId: "meta-llama/Llama-3.3-70B-Instruct",
    aliases: [],
    parameters: 70.6e9,
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    contextLength: 131072,
  }),
  "qwen3-32b": model({
    key: "qwen3-32b",
    quality: ARENA_TEXT["qwen3-32b"],
    huggingFaceId: "Qwen/Qwen3-32B",
    aliases: ["Qwen/Qwen3-32B-FP8"],
    parameters: 32.8e9,
    layers: 64,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    contextLength: 32768,
  }),
  "qwen3-30b-a3b": model({
    key: "qwen3-30b-a3b",
    // The original hybrid-thinking release; the 2507 Instruct alias rates higher (1382) on the same
    // snapshot, so a stack serving it is held to a bar it beats: the conservative side.
    quality: ARENA_TEXT["qwen3-30b-a3b"],
    huggingFaceId: "Qwen/Qwen3-30B-A3B",
    aliases: ["Qwen/Qwen3-30B-A3B-Instruct-2507", "Qwen/Qwen3-30B-A3B-FP8"],
    parameters: 30.5e9,
    activeParameters: 3.3e9,
    experts: 128,
    expertsPerToken: 8,
    layers: 48,
    attentionHeads: 32,
    kvHeads: 4,
    headDim: 128,
    contextLength: 32768,
  }),
});

/** Bytes per weight for each supported dtype/quantization. */
export const BYTES_PER_PARAMETER = { bf16: 2, fp16: 2, fp8: 1, int4: 0.5 } as const;
export type Dtype = keyof typeof BYTES_PER_PARAMETER;
