import type { ModelShape } from "./memory";
import { AA_INTELLIGENCE, ARENA_TEXT, type Quality, type Ratings } from "./quality";
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
  /** Its scores on the quality indexes that rate it (every catalog model has at least one). */
  readonly ratings?: Ratings;
  /**
   * Its score on the index the stack compares on (`compare.qualityIndex`): set when a stack is
   * resolved, never in the catalog. The bar other lanes are held to by default.
   */
  readonly quality?: Quality;
  /** The precision its published checkpoint ships in, when not bf16 (gpt-oss: MXFP4 experts ≈ int4). */
  readonly nativeDtype?: Dtype;
  /** config.json `hidden_size`, when it is not heads × head size (gpt-oss: 2880 against 64 × 64). */
  readonly hiddenSize?: number;
  /** Layers attending to a sliding window only (config.json `layer_types`, `sliding_window`). */
  readonly slidingWindow?: { readonly layers: number; readonly tokens: number };
  readonly source: Source;
}

const card = (id: string, asOf: string): Source => ({
  title: `Hugging Face model card and config.json for ${id}`,
  url: `https://huggingface.co/${id}`,
  asOf,
});

function model(
  m: Omit<Model, "source" | "activeParameters"> & { activeParameters?: number; asOf?: string },
): Model {
  const { asOf, ...rest } = m;
  return {
    ...rest,
    activeParameters: m.activeParameters ?? m.parameters,
    source: card(m.huggingFaceId, asOf ?? "2025-07"),
  };
}

/**
 * Kimi K2's text model as its config.json (text_config, model_type kimi_k2) states it: 61 layers of
 * hidden 7168; multi-head latent attention (64 heads, q_lora_rank 1536, kv_lora_rank 512, rope 64,
 * nope 128, v 128); 384 routed experts of 2048 (8 a token) and one shared expert in every layer but
 * the first, which is dense (18432); vocabulary 163,840, untied head. The routed experts ship INT4
 * (compressed-tensors, groups of 32 with a bf16 scale: 4.5 bits), everything else bf16. The counts
 * below are those shapes multiplied out: config.json states no parameter count.
 */
const K2 = { layers: 61, hidden: 7168, heads: 64, qLora: 1536, kvLora: 512, rope: 64, nope: 128, v: 128 };
const k2AttentionPerLayer =
  K2.hidden * K2.qLora +
  K2.qLora * K2.heads * (K2.nope + K2.rope) +
  K2.hidden * (K2.kvLora + K2.rope) +
  K2.kvLora * K2.heads * (K2.nope + K2.v) +
  K2.heads * K2.v * K2.hidden;
const k2Expert = 3 * K2.hidden * 2048;
const k2Routed = (K2.layers - 1) * 384 * k2Expert;
const k2Bf16 =
  K2.layers * k2AttentionPerLayer +
  (K2.layers - 1) * k2Expert +
  3 * K2.hidden * 18432 +
  2 * 163840 * K2.hidden;
export const KIMI_K2_SHAPE = {
  parameters: k2Routed + k2Bf16,
  activeParameters: (K2.layers - 1) * 8 * k2Expert + k2Bf16,
  checkpointBytes: k2Routed * (0.5 + 2 / 32) + k2Bf16 * 2,
} as const;

export const MODELS: Readonly<Record<string, Model>> = table({
  "llama-3.1-8b": model({
    key: "llama-3.1-8b",
    ratings: { "lmarena-text": ARENA_TEXT["llama-3.1-8b-instruct"] },
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
    ratings: { "lmarena-text": ARENA_TEXT["llama-3.1-70b-instruct"] },
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
    ratings: { "lmarena-text": ARENA_TEXT["llama-3.3-70b-instruct"] },
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
    ratings: { "lmarena-text": ARENA_TEXT["qwen3-32b"] },
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
    ratings: { "lmarena-text": ARENA_TEXT["qwen3-30b-a3b"] },
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
  // OpenAI's open-weight MoE models: MXFP4 experts (4.25 bits) with bf16 attention, served as int4 at
  // the checkpoint's own size (the model card's 60.8 GiB and 12.8 GiB, more than 4 bits a parameter);
  // every other layer attends to a 128-token window only. 116.8B / 5.1B active.
  "gpt-oss-120b": model({
    key: "gpt-oss-120b",
    ratings: {
      "lmarena-text": ARENA_TEXT["gpt-oss-120b"],
      "aa-intelligence": AA_INTELLIGENCE["gpt-oss-120b (high)"],
    },
    huggingFaceId: "openai/gpt-oss-120b",
    aliases: [],
    parameters: 116.8e9,
    activeParameters: 5.1e9,
    experts: 128,
    expertsPerToken: 4,
    layers: 36,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 64,
    hiddenSize: 2880,
    slidingWindow: { layers: 18, tokens: 128 },
    nativeDtype: "int4",
    checkpoint: { dtype: "int4", bytes: 60.8 * 2 ** 30 },
    contextLength: 131072,
    asOf: "2025-08",
  }),
  "gpt-oss-20b": model({
    key: "gpt-oss-20b",
    ratings: {
      "lmarena-text": ARENA_TEXT["gpt-oss-20b"],
      "aa-intelligence": AA_INTELLIGENCE["gpt-oss-20b (high)"],
    },
    huggingFaceId: "openai/gpt-oss-20b",
    aliases: [],
    parameters: 20.9e9,
    activeParameters: 3.6e9,
    experts: 32,
    expertsPerToken: 4,
    layers: 24,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 64,
    hiddenSize: 2880,
    slidingWindow: { layers: 12, tokens: 128 },
    nativeDtype: "int4",
    checkpoint: { dtype: "int4", bytes: 12.8 * 2 ** 30 },
    contextLength: 131072,
    asOf: "2025-08",
  }),
  // Qwen3's large MoE, July 2025 instruct release (262K context); rated as that release.
  "qwen3-235b-a22b": model({
    key: "qwen3-235b-a22b",
    ratings: { "lmarena-text": ARENA_TEXT["qwen3-235b-a22b-instruct-2507"] },
    huggingFaceId: "Qwen/Qwen3-235B-A22B-Instruct-2507",
    aliases: ["Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "Qwen/Qwen3-235B-A22B"],
    parameters: 235.1e9,
    activeParameters: 22.2e9,
    experts: 128,
    expertsPerToken: 8,
    layers: 94,
    attentionHeads: 64,
    kvHeads: 4,
    headDim: 128,
    hiddenSize: 4096,
    contextLength: 262144,
    asOf: "2025-07",
  }),
  // Zhipu's GLM-4.6 (MIT): 355B MoE, 32B active, 200K context; bf16 needs more than one 8× H100
  // server, its FP8 release fits one.
  "glm-4.6": model({
    key: "glm-4.6",
    ratings: { "lmarena-text": ARENA_TEXT["glm-4.6"] },
    huggingFaceId: "zai-org/GLM-4.6",
    aliases: ["zai-org/GLM-4.6-FP8"],
    parameters: 355e9,
    activeParameters: 32e9,
    experts: 160,
    expertsPerToken: 8,
    layers: 92,
    attentionHeads: 96,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 5120,
    contextLength: 202752,
    asOf: "2025-09",
  }),
  // DeepSeek V3.2 (MIT): 671B MoE, 37B active, shipped in FP8. Multi-head latent attention caches one
  // 576-element latent a token a layer (kv_lora_rank 512 + rope 64), written here as one KV head of
  // 288 so the K+V arithmetic counts 576. 671 GB of FP8 weights exceed one 8× H100 server (640 GB);
  // 8× H200 holds it.
  "deepseek-v3.2": model({
    key: "deepseek-v3.2",
    ratings: { "lmarena-text": ARENA_TEXT["deepseek-v3.2"] },
    huggingFaceId: "deepseek-ai/DeepSeek-V3.2",
    aliases: ["deepseek-ai/DeepSeek-V3.2-Exp"],
    parameters: 671e9,
    activeParameters: 37e9,
    experts: 256,
    expertsPerToken: 8,
    layers: 61,
    attentionHeads: 128,
    kvHeads: 1,
    headDim: 288,
    hiddenSize: 7168,
    nativeDtype: "fp8",
    contextLength: 163840,
    asOf: "2025-12",
  }),
  // Kimi K2.6 (Moonshot, modified MIT): the K2 text model above (1.03T parameters, 32.7B active;
  // the model card says 1T and 32B), its INT4 checkpoint ≈ 594 GB. Attention is MLA, sized as its
  // 576-element latent (one KV head of 288), as for DeepSeek V3.2. The vision tower (MoonViT) is left
  // out of the weights: text serving is what is priced.
  "kimi-k2.6": model({
    key: "kimi-k2.6",
    ratings: { "aa-intelligence": AA_INTELLIGENCE["Kimi K2.6"] },
    huggingFaceId: "moonshotai/Kimi-K2.6",
    aliases: [],
    parameters: KIMI_K2_SHAPE.parameters,
    activeParameters: KIMI_K2_SHAPE.activeParameters,
    experts: 384,
    expertsPerToken: 8,
    layers: 61,
    attentionHeads: 64,
    kvHeads: 1,
    headDim: 288,
    hiddenSize: 7168,
    nativeDtype: "int4",
    checkpoint: { dtype: "int4", bytes: KIMI_K2_SHAPE.checkpointBytes },
    contextLength: 262144,
    asOf: "2026-04",
  }),
});

/** Bytes per weight for each supported dtype/quantization. */
export const BYTES_PER_PARAMETER = { bf16: 2, fp16: 2, fp8: 1, int4: 0.5 } as const;
export type Dtype = keyof typeof BYTES_PER_PARAMETER;
