/**
 * vLLM server settings resolved from the model and GPU, shared by every platform (pure): the engine
 * flags, the port, and health-check timings sized for the model's load time. What the cost model
 * priced is what runs: `--max-num-seqs` is the concurrency the throughput model chose for the
 * latency target.
 */
import { coldStart, ENGINE_INIT_SECONDS, MIN_BUDGET_SECONDS, type ColdStart } from "../../cost/cold-start";
import type { StackConfig } from "../../cost/config/stack-config";

/** The shortest startup budget: even a small model must survive a slow image pull and CUDA graph capture. */
export const MIN_STARTUP_SECONDS = MIN_BUDGET_SECONDS;

export interface EngineSettings {
  readonly image: string;
  /** The image tag: the engine's version label. */
  readonly version: string;
  readonly port: number;
  /**
   * The command the container runs, set explicitly rather than inherited from the image, so the
   * model flag below means what vLLM's own parser says it means at the pinned version.
   */
  readonly command: readonly string[];
  /** Arguments after `command`. */
  readonly args: readonly string[];
  /** Seconds from container start to a ready engine: weights at the configured load speed, plus init. */
  readonly expectedLoadSeconds: number;
  readonly probes: ProbeTimings;
  /** The whole cold start by part (cost/cold-start.ts): what host timers and the cost model use. */
  readonly coldStart: ColdStart;
  /** Seconds a replica keeps serving in-flight requests after it is told to stop. */
  readonly drainSeconds: number;
}

export interface ProbeTimings {
  readonly path: "/health";
  readonly startup: {
    readonly periodSeconds: number;
    readonly failureThreshold: number;
    readonly timeoutSeconds: number;
  };
  /** Readiness drops a replica from routing quickly; it never restarts it. */
  readonly readiness: {
    readonly periodSeconds: number;
    readonly failureThreshold: number;
    readonly timeoutSeconds: number;
  };
  /**
   * Liveness restarts a wedged engine only: a long timeout and threshold (2.5 minutes) so a replica
   * busy with a full batch, whose /health answers slowly, is not killed.
   */
  readonly liveness: {
    readonly periodSeconds: number;
    readonly failureThreshold: number;
    readonly timeoutSeconds: number;
  };
  /** Startup budget: period × failure threshold, ≥ expected load time × 1.5 and ≥ 10 minutes. */
  readonly startupBudgetSeconds: number;
}

export function expectedLoadSeconds(cfg: StackConfig): number {
  return coldStart(cfg).weightsSeconds + ENGINE_INIT_SECONDS;
}

export function probeTimings(cfg: StackConfig): ProbeTimings {
  const period = 10;
  // The probe starts with the container, after the image pull: it covers the weights and the engine.
  const budget = coldStart(cfg).containerBudgetSeconds;
  const failureThreshold = Math.ceil(budget / period);
  return {
    path: "/health",
    startup: { periodSeconds: period, failureThreshold, timeoutSeconds: 5 },
    readiness: { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
    liveness: { periodSeconds: 30, failureThreshold: 5, timeoutSeconds: 10 },
    startupBudgetSeconds: period * failureThreshold,
  };
}

/** Time a typical request takes at the planned latency, doubled, within [30, 300] s: the drain window. */
export function drainSeconds(cfg: StackConfig): number {
  const w = cfg.workload;
  const requestSeconds = (w.outputTokensPerRequest * w.interTokenLatencyMs) / 1000;
  return Math.min(300, Math.max(30, Math.ceil(2 * requestSeconds)));
}

/**
 * The entrypoint of `vllm/vllm-openai` (vLLM's docker/Dockerfile, target `vllm-openai`):
 * `python3 -m vllm.entrypoints.openai.api_server`. Its parser (vllm/entrypoints/openai/cli_args.py,
 * `make_arg_parser`) accepts a positional `model_tag`, but only `vllm serve`
 * (vllm/entrypoints/cli/serve.py) copies that into `--model`; the API server itself reads `--model`
 * and otherwise loads ModelConfig's default (`Qwen/Qwen3-0.6B` in v0.11.0). So the model is always
 * passed as `--model`, which both entrypoints honour.
 */
export const ENGINE_COMMAND = ["python3", "-m", "vllm.entrypoints.openai.api_server"] as const;

/** `maxNumSeqs`: vLLM's `--max-num-seqs`, the concurrency the projection priced for the latency target. */
export function engineArgs(cfg: StackConfig, maxNumSeqs: number): string[] {
  const m = cfg.model;
  const { count, tensorParallel } = cfg.gpu;
  const args = [
    "--model",
    m.huggingFaceId,
    "--served-model-name",
    m.servedName,
    "--host",
    "0.0.0.0",
    "--port",
    String(cfg.vllm.port),
    "--tensor-parallel-size",
    String(tensorParallel),
    // GPUs beyond one tensor-parallel group run whole engines side by side (data parallel): the
    // throughput model prices a replica as count / tensorParallel engines.
    ...(count / tensorParallel > 1 ? ["--data-parallel-size", String(count / tensorParallel)] : []),
    "--max-model-len",
    String(m.maxModelLen),
    "--gpu-memory-utilization",
    String(cfg.vllm.gpuMemoryUtilization),
    "--max-num-seqs",
    String(maxNumSeqs),
    "--enable-prefix-caching",
    // Weights stored in bf16 are quantised on load; an FP8 checkpoint needs no flag but accepts it.
    ...(m.dtype === "fp8" ? ["--quantization", "fp8"] : []),
    ...(m.dtype === "fp16" ? ["--dtype", "float16"] : []),
    ...cfg.vllm.extraArgs,
  ];
  return args;
}

export function engineSettings(cfg: StackConfig, maxNumSeqs: number): EngineSettings {
  return {
    image: `${cfg.vllm.image}:${cfg.vllm.version}`,
    version: cfg.vllm.version,
    port: cfg.vllm.port,
    command: [...ENGINE_COMMAND],
    args: engineArgs(cfg, maxNumSeqs),
    expectedLoadSeconds: expectedLoadSeconds(cfg),
    probes: probeTimings(cfg),
    coldStart: coldStart(cfg),
    drainSeconds: drainSeconds(cfg),
  };
}
