/**
 * `model.configFile`: a model the catalog lacks, described by the `config.json` its Hugging Face
 * repository publishes (downloaded by the user; nothing is fetched). The architecture the cost model
 * needs is read from it, and the parameter count worked out from the layer shapes, since config.json
 * does not state it. Fields the stack states itself win over the file's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, settingPath, show } from "./errors";

type Json = Record<string, unknown>;

/** The architecture read from a config.json: the stack-config `model` fields it fills. */
export interface ConfigArchitecture {
  readonly parameters: number;
  readonly activeParameters: number;
  readonly layers: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly hiddenSize: number;
  readonly contextLength: number;
  readonly experts?: number;
  readonly expertsPerToken?: number;
  readonly slidingWindow?: { readonly layers: number; readonly tokens: number };
  readonly nativeDtype?: "bf16" | "fp16" | "fp8" | "int4";
}

const num = (c: Json, ...keys: string[]): number | undefined => {
  for (const k of keys) {
    const v = c[k];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) return v;
  }
  return undefined;
};

/**
 * Read the architecture from a parsed config.json; throws an Error naming the missing or unsupported
 * field (the caller adds the setting and the fix).
 */
export function architectureFromConfig(raw: unknown): ConfigArchitecture {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error("is not a JSON object");
  const top = raw as Json;
  // Multimodal checkpoints keep the language model's shape under text_config.
  const c = (typeof top["text_config"] === "object" && top["text_config"] ? top["text_config"] : top) as Json;
  const need = (name: string, ...keys: string[]) => {
    const v = num(c, ...keys);
    if (v === undefined) throw new Error(`has no ${name} (${keys.join(" or ")})`);
    return v;
  };
  if (num(c, "kv_lora_rank") !== undefined)
    throw new Error(
      "uses multi-head latent attention (kv_lora_rank, DeepSeek-style), whose KV cache the cost model does not size yet: give model.parameters, layers, kvHeads, headDim and contextLength instead",
    );
  const layers = need("layer count", "num_hidden_layers", "n_layer", "num_layers");
  const hidden = need("hidden size", "hidden_size", "d_model", "n_embd");
  const heads = need("attention head count", "num_attention_heads", "n_head");
  const kvHeads = num(c, "num_key_value_heads", "num_kv_heads") ?? heads;
  const headDim = num(c, "head_dim") ?? hidden / heads;
  const contextLength = need(
    "context length",
    "max_position_embeddings",
    "max_sequence_length",
    "seq_length",
  );
  const vocab = need("vocabulary size", "vocab_size");
  const experts = num(c, "num_local_experts", "num_experts", "n_routed_experts");
  const perToken = num(c, "num_experts_per_tok", "experts_per_token", "moe_topk");
  if (experts !== undefined && perToken === undefined)
    throw new Error("names experts but not how many each token uses (num_experts_per_tok)");
  const inter = num(c, "intermediate_size", "ffn_dim", "n_inner");
  const moeInter = num(c, "moe_intermediate_size") ?? inter;
  if (inter === undefined && moeInter === undefined) throw new Error("has no MLP size (intermediate_size)");
  const shared = num(c, "n_shared_experts", "num_shared_experts") ?? 0;
  const sharedInter = num(c, "shared_expert_intermediate_size") ?? (shared > 0 ? shared * moeInter! : 0);
  const denseLayers = experts ? Math.min(layers, num(c, "first_k_dense_replace") ?? 0) : layers;

  // Parameters from the shapes (norms and biases are under 0.1% and left out).
  const embeddings = vocab * hidden * (c["tie_word_embeddings"] === true ? 1 : 2);
  const attention = hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2;
  const denseMlp = 3 * hidden * (inter ?? moeInter!);
  const expertMlp = 3 * hidden * moeInter!;
  const sharedMlp = sharedInter > 0 ? 3 * hidden * sharedInter : 0;
  const moeLayers = layers - denseLayers;
  // Total and active differ only in how many routed experts count: all of them, or a token's share.
  const withExperts = (routed: number) =>
    embeddings +
    layers * attention +
    denseLayers * denseMlp +
    (experts ? moeLayers * (routed * expertMlp + sharedMlp + hidden * experts) : 0);
  const total = withExperts(experts ?? 0);
  const active = withExperts(perToken ?? 0);

  const types = Array.isArray(c["layer_types"]) ? (c["layer_types"] as unknown[]) : [];
  const window = num(c, "sliding_window");
  const slidingLayers = types.filter((t) => t === "sliding_attention").length;
  const quant = (top["quantization_config"] ?? c["quantization_config"]) as Json | undefined;
  const method = typeof quant?.["quant_method"] === "string" ? quant["quant_method"].toLowerCase() : "";
  const bits = num(quant ?? {}, "bits", "w_bit");
  const nativeDtype =
    method === "mxfp4" || ((method === "awq" || method === "gptq") && bits === 4)
      ? "int4"
      : method === "fp8" || method === "compressed-tensors-fp8"
        ? "fp8"
        : c["torch_dtype"] === "float16" || c["dtype"] === "float16"
          ? "fp16"
          : undefined;
  return {
    parameters: total,
    activeParameters: active,
    layers,
    attentionHeads: heads,
    kvHeads,
    headDim,
    hiddenSize: hidden,
    contextLength,
    ...(experts && { experts, expertsPerToken: perToken! }),
    ...(window && slidingLayers > 0 && { slidingWindow: { layers: slidingLayers, tokens: window } }),
    ...(nativeDtype && { nativeDtype }),
  };
}

/**
 * The `vllm-tco:` namespace with `model.configFile` read into the model's architecture fields (the
 * stack's own fields win). The path is relative to `baseDir` (the stack file's folder, or the
 * project's for `pulumi`). Unreadable or incomplete files are a ConfigError naming the setting.
 */
export function withModelConfigFile(namespace: Json, baseDir: string, stack: string): Json {
  const model = namespace["model"];
  if (!model || typeof model !== "object" || Array.isArray(model)) return namespace;
  const file = (model as Json)["configFile"];
  if (file === undefined) return namespace;
  const fail = (message: string): never => {
    throw new ConfigError(
      [{ path: settingPath(["model", "configFile"]), found: show(file), message }],
      `stack ${stack}`,
    );
  };
  if (typeof file !== "string" || file.trim() === "")
    return fail("must be the path of a model's config.json (relative to the stack file)");
  const full = path.resolve(baseDir, file);
  let text: string;
  try {
    const stat = fs.statSync(full);
    if (!stat.isFile())
      return fail(`is not a file; give the config.json downloaded from the model's repository`);
    if (stat.size > 4 * 2 ** 20) return fail("is over 4 MiB, too large for a config.json; check the path");
    text = fs.readFileSync(full, "utf8");
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return fail(
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); download config.json from the model's Hugging Face repository and give its path`,
    );
  }
  let arch: ConfigArchitecture;
  try {
    arch = architectureFromConfig(JSON.parse(text));
  } catch (e) {
    return fail(
      `${e instanceof SyntaxError ? "is not valid JSON" : (e as Error).message}; give the model's own config.json, or state model.parameters, layers, kvHeads, headDim and contextLength`,
    );
  }
  const { configFile: _configFile, ...stated } = model as Json;
  // The checkpoint's own precision is the default dtype; a stated one wins like every other field.
  const { nativeDtype, ...shape } = arch;
  return { ...namespace, model: { ...shape, ...(nativeDtype && { dtype: nativeDtype }), ...stated } };
}
