/** `vllm-tco throughput`: one replica's throughput and latency from the vLLM-calibrated step model, no stack needed. */
import {
  BYTES_PER_PARAMETER,
  GPUS,
  MODELS,
  nearest,
  type Dtype,
  type Gpu,
  type Model,
} from "../cost/catalog";
import { describeEngine, engineVersion } from "../cost/catalog/engine";
import { formatNumber } from "../cost/format";
import {
  concurrencyForLatency,
  concurrencyForRate,
  throughput,
  type ThroughputInput,
} from "../cost/throughput";
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
  readonly requestRate?: string;
  readonly prefixHit: string;
  readonly tensorParallel?: string;
  readonly vllmVersion: string;
  readonly maxNumSeqs?: string;
  readonly maxNumBatchedTokens?: string;
  readonly gpuMemoryUtilization: string;
  readonly numSchedulerSteps: string;
  readonly chunkedPrefill?: boolean;
  readonly latencyMs?: string;
  readonly json?: boolean;
}

const whole = (most: number) => (n: number) => Number.isInteger(n) && n >= 1 && n <= most;
const optional = <T>(v: string | undefined, read: (v: string) => T): T | undefined =>
  v === undefined ? undefined : read(v);

/** The engine the flags describe, refused only where vLLM itself would refuse it. */
function engineInput(v: ThroughputOptions, model: Model, gpu: Gpu, dtype: Dtype) {
  const gpus = number("gpus", v.gpus, whole(64), "a whole number of GPUs from 1 to 64");
  const tensorParallel =
    optional(v.tensorParallel, (t) =>
      number("tensor-parallel", t, whole(64), "a whole number of GPUs from 1 to 64"),
    ) ?? gpus;
  if (gpus % tensorParallel !== 0)
    throw flagError(
      "tensor-parallel",
      tensorParallel,
      `must divide --gpus (${gpus}): the replica runs gpus / tensor-parallel data-parallel engines`,
    );
  if (model.attentionHeads !== undefined && model.attentionHeads % tensorParallel !== 0)
    throw flagError(
      "tensor-parallel",
      tensorParallel,
      `vLLM refuses it: ${model.key}'s ${model.attentionHeads} attention heads must divide evenly across the tensor-parallel GPUs`,
    );
  if (!engineVersion(v.vllmVersion))
    throw flagError("vllm-version", v.vllmVersion, "must be a vLLM version such as 0.11.0 or v0.6.3");
  const tokens = "a whole number of tokens from 1 to 10,000,000";
  return {
    model,
    dtype,
    gpu,
    gpus,
    tensorParallel,
    vllmVersion: v.vllmVersion,
    inputTokens: number("input-tokens", v.inputTokens, whole(10_000_000), tokens),
    outputTokens: number("output-tokens", v.outputTokens, whole(10_000_000), tokens),
    prefixHitShare: number("prefix-hit", v.prefixHit, (n) => n >= 0 && n <= 1, "a share from 0 to 1"),
    gpuMemoryUtilization: number(
      "gpu-memory-utilization",
      v.gpuMemoryUtilization,
      (n) => n > 0 && n <= 1,
      "a share above 0 and at most 1",
    ),
    numSchedulerSteps: number(
      "num-scheduler-steps",
      v.numSchedulerSteps,
      whole(1024),
      "a whole number from 1",
    ),
    ...(v.chunkedPrefill && { chunkedPrefill: true }),
    ...(v.maxNumSeqs !== undefined && {
      maxNumSeqs: number(
        "max-num-seqs",
        v.maxNumSeqs,
        whole(1_000_000),
        "a whole number of sequences from 1",
      ),
    }),
    ...(v.maxNumBatchedTokens !== undefined && {
      maxNumBatchedTokens: number("max-num-batched-tokens", v.maxNumBatchedTokens, whole(10_000_000), tokens),
    }),
  };
}

/** The requests in flight: given, or what the request rate settles at. */
function inFlight(v: ThroughputOptions, base: Omit<ThroughputInput, "concurrency">): number {
  if ((v.concurrency === undefined) === (v.requestRate === undefined))
    throw flagError(
      "concurrency",
      v.concurrency ?? "(none)",
      "give exactly one of --concurrency and --request-rate",
    );
  if (v.concurrency !== undefined)
    return number(
      "concurrency",
      v.concurrency,
      whole(10_000_000),
      "a whole number of concurrent requests from 1 to 10,000,000",
    );
  const rate = number("request-rate", v.requestRate, (n) => n > 0 && n <= 1e6, "requests a second, above 0");
  const c = concurrencyForRate(base, rate);
  if (c === undefined)
    throw flagError(
      "request-rate",
      rate,
      `is more than this replica completes (${formatNumber(maxRate(base), 2)} requests/s at most); lower it or add GPUs`,
    );
  return c;
}

function maxRate(base: Omit<ThroughputInput, "concurrency">): number {
  const t = throughput({ ...base, concurrency: 1e7 });
  return t.outputTokensPerSecond / base.outputTokens;
}

export function throughputCommand(v: ThroughputOptions, io: Io): number {
  const { model, gpu, dtype } = hardware(v);
  const base = engineInput(v, model, gpu, dtype);
  const input = { ...base, concurrency: inFlight(v, base) };
  const r = throughput(input);
  if (r.maxConcurrency < 1)
    throw flagError(
      "gpus",
      input.gpus,
      `${input.tensorParallel}× ${gpu.key} per engine cannot hold ${model.key} ${dtype} with a KV cache for one ${input.inputTokens + input.outputTokens}-token request (vLLM would refuse to start); use more tensor-parallel GPUs, fp8 or int4`,
    );
  const latencyMs =
    v.latencyMs === undefined
      ? undefined
      : number("latency-ms", v.latencyMs, (n) => n > 0, "a positive number of milliseconds");
  const doc = {
    model: model.key,
    gpu: gpu.key,
    gpus: input.gpus,
    tensorParallel: input.tensorParallel,
    dtype,
    engine: describeEngine(r.engine, r.caps),
    outputTokensPerSecond: Math.round(r.outputTokensPerSecond * 10) / 10,
    rooflineOutputTokensPerSecond: Math.round(r.rooflineOutputTokensPerSecond * 10) / 10,
    maxConcurrency: r.maxConcurrency,
    concurrency: r.concurrency,
    interTokenLatencyMs: Math.round(r.interTokenLatencyMs * 100) / 100,
    timeToFirstTokenMs: Math.round(r.timeToFirstTokenMs * 100) / 100,
    prefillMs: Math.round(r.prefillMs * 100) / 100,
    preemptedShare: Math.round(r.preemptedShare * 1000) / 1000,
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
  const capped = r.concurrency < input.concurrency;
  io.out(
    `${model.key} ${dtype} on ${input.gpus}× ${gpu.key} (tensor parallel ${input.tensorParallel}), ${input.inputTokens} in / ${input.outputTokens} out, ${r.concurrency} concurrent${capped ? ` (capped from ${input.concurrency} by --max-num-seqs ${r.caps.maxNumSeqs} per engine or the KV cache, which holds ${r.maxConcurrency} at full length)` : ""}:`,
  );
  io.out(`  ${doc.engine}`);
  io.out(
    `  ${formatNumber(doc.outputTokensPerSecond, 1)} output tokens/s (physical limit ${formatNumber(doc.rooflineOutputTokensPerSecond, 1)}), ${doc.interTokenLatencyMs} ms/token, first token ${doc.timeToFirstTokenMs} ms (prefill alone ${doc.prefillMs} ms), ${r.bound}-bound`,
  );
  if (r.preemptedShare > 0)
    io.out(
      `  ${Math.round(r.preemptedShare * 100)}% of requests preempted and recomputed: the KV cache cannot hold them all at full length`,
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
  // FP8 on a GPU without FP8 tensor cores runs as weight-only FP8 (vLLM's Marlin kernels), as vLLM does.
  const dtype = v.dtype as Dtype;
  return { model, gpu, dtype };
}
