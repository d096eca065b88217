/** `vllm-tco throughput`: one replica simulated under a load (closed loop or request rate), no stack needed: throughput, latency percentiles, capacity at targets. */
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
import type { Arrivals } from "../cost/sim/arrivals";
import { capacity } from "../cost/sim/capacity";
import { resolveReplica, type ReplicaSpec } from "../cost/sim/replica-spec";
import { fitsOneRequest, sequencesAtFullLength, simulateEngine } from "../cost/sim/simulate";
import type { Distribution } from "../cost/sim/stats";
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
  readonly ttftMs: string;
  readonly requests?: string;
  readonly trace?: boolean;
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
  const spec: ReplicaSpec = {
    model,
    dtype,
    gpu,
    gpus,
    tensorParallel,
    vllmVersion: v.vllmVersion,
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
  return {
    spec,
    inputTokens: number("input-tokens", v.inputTokens, whole(10_000_000), tokens),
    outputTokens: number("output-tokens", v.outputTokens, whole(10_000_000), tokens),
    prefixHitShare: number(
      "prefix-hit",
      v.prefixHit,
      (n) => n >= 0 && n < 1,
      "a share from 0 up to (not including) 1",
    ),
  };
}

/** How requests arrive: a closed loop of --concurrency clients or Poisson arrivals at --request-rate. */
function arrivals(v: ThroughputOptions): Arrivals {
  if ((v.concurrency === undefined) === (v.requestRate === undefined))
    throw flagError(
      "concurrency",
      v.concurrency ?? "(none)",
      "give exactly one of --concurrency (clients each sending the next request when the last ends) and --request-rate (Poisson arrivals)",
    );
  if (v.concurrency !== undefined)
    return {
      kind: "concurrency",
      clients: number(
        "concurrency",
        v.concurrency,
        whole(100_000),
        "a whole number of clients from 1 to 100,000",
      ),
    };
  return {
    kind: "rate",
    requestsPerSecond: number(
      "request-rate",
      v.requestRate,
      (n) => n > 0 && n <= 100_000,
      "requests a second, above 0 and at most 100,000",
    ),
  };
}

/** Requests to simulate: given, or about two minutes of the load (at least 200). */
function requestCount(v: ThroughputOptions, a: Arrivals): number {
  if (v.requests !== undefined)
    return number("requests", v.requests, whole(1_000_000), "a whole number of requests from 1 to 1,000,000");
  if (a.kind === "rate") return Math.min(100_000, Math.max(200, Math.ceil(a.requestsPerSecond * 120)));
  return a.kind === "concurrency" ? Math.min(100_000, Math.max(200, a.clients * 8)) : 1000;
}

const ms = (d: Distribution) => ({
  mean: round2(d.mean),
  p50: round2(d.p50),
  p90: round2(d.p90),
  p99: round2(d.p99),
});
const round2 = (n: number) => Math.round(n * 100) / 100;

export function throughputCommand(v: ThroughputOptions, io: Io): number {
  const { model, gpu, dtype } = hardware(v);
  const input = engineInput(v, model, gpu, dtype);
  const a = arrivals(v);
  const requests = requestCount(v, a);
  const e = resolveReplica(input.spec);
  if (!fitsOneRequest(e, input.inputTokens, input.outputTokens))
    throw flagError(
      "gpus",
      input.spec.gpus,
      `${input.spec.tensorParallel}× ${gpu.key} per engine cannot hold ${model.key} ${dtype} with a KV cache for one ${input.inputTokens + input.outputTokens}-token request (vLLM would refuse to start); use more tensor-parallel GPUs, fp8 or int4`,
    );
  const itlTarget =
    v.latencyMs === undefined
      ? undefined
      : number(
          "latency-ms",
          v.latencyMs,
          (n) => n > 0 && n <= 60_000,
          "a positive number of milliseconds, at most 60,000",
        );
  const ttftTarget = number(
    "ttft-ms",
    v.ttftMs,
    (n) => n > 0 && n <= 600_000,
    "a positive number of milliseconds, at most 600,000",
  );
  const traffic = {
    arrivals: a,
    requests,
    inputTokens: input.inputTokens,
    outputTokens: input.outputTokens,
    prefixHitShare: input.prefixHitShare,
  };
  const r = simulateEngine(e, traffic, { trace: v.trace === true });
  const cap =
    itlTarget === undefined
      ? undefined
      : capacity(input.spec, traffic, { interTokenLatencyMs: itlTarget, timeToFirstTokenMs: ttftTarget });
  const doc = {
    model: model.key,
    gpu: gpu.key,
    gpus: input.spec.gpus,
    tensorParallel: e.tp,
    dtype,
    engine: describeEngine(e.version, e.caps),
    arrivals: a,
    requests: r.completed,
    outputTokensPerSecond: Math.round(r.outputTokensPerSecond * 10) / 10,
    requestsPerSecond: round2(r.requestsPerSecond),
    meanRunning: round2(r.meanRunning * e.engines),
    maxConcurrency: sequencesAtFullLength(e, traffic),
    timeToFirstTokenMs: ms(r.ttftMs),
    interTokenLatencyMs: ms(r.itlMs),
    timePerOutputTokenMs: ms(r.tpotMs),
    endToEndMs: ms(r.e2eMs),
    preemptions: r.preemptions,
    peakKvCacheUsed: round2(r.peakKvUsed),
    ...(cap && {
      capacity: {
        targets: { timeToFirstTokenP90Ms: ttftTarget, interTokenLatencyP90Ms: itlTarget },
        requestsPerSecond: round2(cap.requestsPerSecond),
        outputTokensPerSecond: Math.round(cap.outputTokensPerSecond * 10) / 10,
        latencyMet: cap.latencyMet,
        binding: cap.binding,
        rooflineOutputTokensPerSecond: Math.round(cap.rooflineOutputTokensPerSecond * 10) / 10,
      },
    }),
    ...(r.trace && { trace: r.trace }),
  };
  if (v.json) {
    io.out(JSON.stringify(doc, null, 2));
    return 0;
  }
  const load =
    a.kind === "rate"
      ? `${a.requestsPerSecond} requests/s (Poisson)`
      : a.kind === "concurrency"
        ? `${a.clients} concurrent clients`
        : "a burst";
  io.out(
    `${model.key} ${dtype} on ${input.spec.gpus}× ${gpu.key} (tensor parallel ${e.tp}), ${input.inputTokens} in / ${input.outputTokens} out, ${load}, ${r.completed} requests simulated:`,
  );
  io.out(`  ${doc.engine}`);
  io.out(
    `  ${formatNumber(doc.outputTokensPerSecond, 1)} output tokens/s, ${doc.requestsPerSecond} requests/s, ${doc.meanRunning} running on average (KV cache holds ${doc.maxConcurrency} at full length)`,
  );
  const line = (name: string, d: ReturnType<typeof ms>) =>
    io.out(`  ${name.padEnd(20)} mean ${d.mean} · p50 ${d.p50} · p90 ${d.p90} · p99 ${d.p99} ms`);
  line("time to first token", doc.timeToFirstTokenMs);
  line("inter-token latency", doc.interTokenLatencyMs);
  line("end to end", doc.endToEndMs);
  if (r.preemptions > 0)
    io.out(`  ${r.preemptions} preemptions: the KV cache ran out and requests were recomputed`);
  if (cap)
    io.out(
      cap.latencyMet
        ? `  capacity within p90 first token ≤${ttftTarget} ms and ≤${itlTarget} ms/token: ${round2(cap.requestsPerSecond)} requests/s (${formatNumber(cap.outputTokensPerSecond, 0)} output tokens/s); binding: ${cap.binding}`
        : `  even one request alone misses the ${cap.binding} target (p90 first token ≤${ttftTarget} ms, ≤${itlTarget} ms/token)`,
    );
  if (r.trace) {
    io.out("  second  waiting  running  KV used  step tokens");
    for (const t of r.trace)
      io.out(
        `  ${String(t.second).padStart(6)}  ${String(t.waiting).padStart(7)}  ${String(t.running).padStart(7)}  ${(t.kvUsed * 100).toFixed(0).padStart(6)}%  ${String(t.stepTokens).padStart(11)}`,
      );
  }
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
