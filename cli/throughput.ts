/** `vllm-tco throughput`: one replica's throughput and latency from the roofline model, no stack needed. */
import { BYTES_PER_PARAMETER, GPUS, MODELS, nearest, type Dtype } from "../cost/catalog";
import { formatNumber } from "../cost/format";
import { concurrencyForLatency, throughput } from "../cost/throughput";
import { catalogKey, flagError, number } from "./flags";
import type { Io } from "./io";

export interface ThroughputOptions {
  readonly model?: string;
  readonly gpu?: string;
  readonly gpus: string;
  readonly dtype: string;
  readonly inputTokens?: string;
  readonly outputTokens?: string;
  readonly concurrency?: string;
  readonly prefixHit: string;
  readonly latencyMs?: string;
  readonly json?: boolean;
}

export function throughputCommand(v: ThroughputOptions, io: Io): number {
  const { model, gpu, dtype } = hardware(v);
  const whole = (n: number) => Number.isInteger(n) && n >= 1 && n <= 10_000_000;
  const input = {
    model,
    dtype,
    gpu,
    gpus: number("gpus", v.gpus, (n) => [1, 2, 4, 8].includes(n), "1, 2, 4 or 8"),
    inputTokens: number(
      "input-tokens",
      v.inputTokens,
      whole,
      "a whole number of tokens from 1 to 10,000,000",
    ),
    outputTokens: number(
      "output-tokens",
      v.outputTokens,
      whole,
      "a whole number of tokens from 1 to 10,000,000",
    ),
    concurrency: number(
      "concurrency",
      v.concurrency,
      whole,
      "a whole number of concurrent requests from 1 to 10,000,000",
    ),
    prefixHitShare: number("prefix-hit", v.prefixHit, (n) => n >= 0 && n <= 1, "a share from 0 to 1"),
  };
  const r = throughput(input);
  if (r.maxConcurrency < 1)
    throw flagError(
      "gpus",
      input.gpus,
      `${input.gpus}× ${gpu.key} cannot hold ${model.key} ${dtype} with a KV cache for one ${input.inputTokens + input.outputTokens}-token request; use more GPUs or fp8`,
    );
  const latencyMs =
    v.latencyMs === undefined
      ? undefined
      : number("latency-ms", v.latencyMs, (n) => n > 0, "a positive number of milliseconds");
  const doc = {
    model: model.key,
    gpu: gpu.key,
    gpus: input.gpus,
    dtype,
    outputTokensPerSecond: Math.round(r.outputTokensPerSecond * 10) / 10,
    rooflineOutputTokensPerSecond: Math.round(r.rooflineOutputTokensPerSecond * 10) / 10,
    maxConcurrency: r.maxConcurrency,
    concurrency: r.concurrency,
    interTokenLatencyMs: Math.round(r.interTokenLatencyMs * 100) / 100,
    prefillMs: Math.round(r.prefillMs * 100) / 100,
    bound: r.bound,
    ...(latencyMs !== undefined && {
      concurrencyForLatency: concurrencyForLatency(input, latencyMs),
      latencyMs,
    }),
  };
  if (v.json) {
    io.out(JSON.stringify(doc, null, 2));
    return 0;
  }
  io.out(
    `${model.key} ${dtype} on ${input.gpus}× ${gpu.key}, ${input.inputTokens} in / ${input.outputTokens} out, ${r.concurrency} concurrent${r.concurrency < input.concurrency ? ` (capped from ${input.concurrency}: the KV cache holds ${r.maxConcurrency})` : ""}:`,
  );
  io.out(
    `  ${formatNumber(doc.outputTokensPerSecond, 1)} output tokens/s (physical limit ${formatNumber(doc.rooflineOutputTokensPerSecond, 1)}), ${doc.interTokenLatencyMs} ms/token, prefill ${doc.prefillMs} ms, ${r.bound}-bound`,
  );
  if (doc.concurrencyForLatency !== undefined)
    io.out(`  highest concurrency within ${latencyMs} ms/token: ${doc.concurrencyForLatency}`);
  return 0;
}

/** The catalog model (key, Hugging Face id or alias), GPU and precision the flags name, or a flag error. */
function hardware(v: ThroughputOptions) {
  const modelKey = v.model ?? "";
  const model = Object.hasOwn(MODELS, modelKey)
    ? MODELS[modelKey]
    : Object.values(MODELS).find((m) => m.huggingFaceId === modelKey || m.aliases.includes(modelKey));
  if (!model) {
    const guess = nearest(modelKey, Object.keys(MODELS));
    throw flagError(
      "model",
      v.model,
      `is not a catalog model; ${guess ? `did you mean "${guess}"? ` : ""}known: ${Object.keys(MODELS).join(", ")}`,
    );
  }
  const gpu = catalogKey("gpu", v.gpu, GPUS, "GPU");
  if (!Object.hasOwn(BYTES_PER_PARAMETER, v.dtype))
    throw flagError("dtype", v.dtype, `must be one of ${Object.keys(BYTES_PER_PARAMETER).join(", ")}`);
  const dtype = v.dtype as Dtype;
  if (dtype === "fp8" && gpu.fp8Flops === undefined)
    throw flagError("dtype", "fp8", `${gpu.name} has no FP8 tensor cores; use bf16`);
  return { model, gpu, dtype };
}
