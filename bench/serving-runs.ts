/**
 * Published vLLM serving runs (bench/data/vllm-serving-runs.tsv) replayed through the replica
 * simulator the way each was measured (same arrivals, request count, lengths and engine flags), and
 * the error of each published figure: output throughput, time to first token, inter-token latency,
 * end-to-end latency. The bench prints the tables; a test asserts the held-out accuracy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GPUS, MODELS, type Dtype } from "../cost/catalog";
import type { Arrivals } from "../cost/sim/arrivals";
import type { StepConstants } from "../cost/sim/constants";
import type { ReplicaSpec } from "../cost/sim/replica-spec";
import { simulate, type SimResult } from "../cost/sim/simulate";
import type { Term } from "../cost/sim/step-time";
import { BENCH_GPUS, BENCH_MODELS } from "./data/shapes";

export type RunSplit = "fit" | "holdout";

export interface ServingRun {
  readonly id: string;
  readonly source: string;
  readonly split: RunSplit;
  readonly spec: ReplicaSpec;
  readonly arrivals: Arrivals;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly lengthSpread: number;
  readonly published: Readonly<Partial<Record<Metric, number>>>;
  /** Whether the latencies are means or medians. */
  readonly statistic: "mean" | "median";
  readonly notes: string;
}

export type Metric = "throughput" | "ttft" | "itl" | "e2e";
export const METRICS: readonly Metric[] = ["throughput", "ttft", "itl", "e2e"];

export const RUNS_FILE = path.join(__dirname, "data", "vllm-serving-runs.tsv");

function arrivals(text: string): Arrivals {
  if (text === "burst") return { kind: "burst" };
  const [kind, value] = text.split("=");
  if (kind === "rate") return { kind: "rate", requestsPerSecond: Number(value) };
  if (kind === "concurrency") return { kind: "concurrency", clients: Number(value) };
  throw new Error(`serving runs: unknown arrivals "${text}"`);
}

export function parseRuns(text: string): ServingRun[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const header = lines[0]!.split("\t");
  const runs: ServingRun[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split("\t");
    const c = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`serving runs: no column ${name}`);
      return cells[i]!;
    };
    const split = c("split");
    if (split === "unscored") continue;
    if (split !== "fit" && split !== "holdout") throw new Error(`serving runs: unknown split ${split}`);
    const model = MODELS[c("model")] ?? BENCH_MODELS[c("model")];
    const gpu = GPUS[c("gpu")] ?? BENCH_GPUS[c("gpu")];
    if (!model || !gpu) throw new Error(`serving runs: unknown model or GPU in ${line.slice(0, 80)}`);
    const opt = (name: string) => (c(name) === "default" ? undefined : Number(c(name)));
    const dense = c("dense_dtype");
    const steps = Number(c("scheduler_steps"));
    const spec: ReplicaSpec = {
      model,
      dtype: c("dtype") as Dtype,
      ...(dense !== "same" && { denseDtype: dense as Dtype }),
      kvBytesPerElement: Number(c("kv_bytes")),
      gpu,
      gpus: Number(c("gpus")),
      tensorParallel: Number(c("tp")),
      vllmVersion: c("vllm_version"),
      gpuMemoryUtilization: Number(c("gpu_memory_utilization")),
      ...(opt("max_num_seqs") !== undefined && { maxNumSeqs: opt("max_num_seqs") }),
      ...(opt("max_num_batched_tokens") !== undefined && {
        maxNumBatchedTokens: opt("max_num_batched_tokens"),
      }),
      ...(opt("max_model_len") !== undefined && { maxModelLen: opt("max_model_len") }),
      ...(c("chunked_prefill") === "true" && { chunkedPrefill: true }),
      ...(steps > 1 && { numSchedulerSteps: steps }),
    };
    const published: Partial<Record<Metric, number>> = {};
    const put = (m: Metric, col: string) => {
      const v = c(col);
      if (v !== "NA" && v !== "") published[m] = Number(v);
    };
    put("throughput", "out_tok_s");
    put("ttft", "ttft_ms");
    put("itl", "itl_ms");
    put("e2e", "e2e_ms");
    runs.push({
      id: `${c("model")} ${c("gpus")}×${c("gpu")} ${c("dtype")} ${c("input")}/${c("output")} ${c("arrivals")} v${c("vllm_version")}${c("kv_bytes") === "1" ? " kv-fp8" : ""}`,
      source: c("source"),
      split,
      spec,
      arrivals: arrivals(c("arrivals")),
      requests: Number(c("requests")),
      inputTokens: Number(c("input")),
      outputTokens: Number(c("output")),
      lengthSpread: Number(c("length_spread")),
      published,
      statistic: c("statistic") === "median" ? "median" : "mean",
      notes: c("notes"),
    });
  }
  return runs;
}

export const loadRuns = (): ServingRun[] => parseRuns(fs.readFileSync(RUNS_FILE, "utf8"));

export interface Scored {
  readonly run: ServingRun;
  readonly sim: SimResult;
  /** predicted / published, per metric the run publishes. */
  readonly ratio: Readonly<Partial<Record<Metric, number>>>;
}

/** The simulated figure comparable to the published one (a median where the source gives medians). */
function predicted(run: ServingRun, sim: SimResult, m: Metric): number {
  const pick = (d: SimResult["ttftMs"]) => (run.statistic === "median" ? d.p50 : d.mean);
  switch (m) {
    case "throughput":
      return sim.outputTokensPerSecond;
    case "ttft":
      return pick(sim.ttftMs);
    case "itl":
      return pick(sim.itlMs);
    case "e2e":
      return pick(sim.e2eMs);
  }
}

export function score(
  run: ServingRun,
  options: { constants?: StepConstants; off?: ReadonlySet<Term> } = {},
): Scored {
  const sim = simulate(
    run.spec,
    {
      arrivals: run.arrivals,
      requests: run.requests,
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      lengthSpread: run.lengthSpread,
      seed: 42,
    },
    options,
  );
  const ratio: Partial<Record<Metric, number>> = {};
  for (const m of METRICS) {
    const p = run.published[m];
    if (p !== undefined && p > 0) ratio[m] = predicted(run, sim, m) / p;
  }
  return { run, sim, ratio };
}

export interface ErrorSummary {
  readonly rows: number;
  /** exp(mean |ln(predicted / published)|): 1.25 means off by 25% either way on average. */
  readonly errorFactor: number;
  /** Mean |predicted − published| / published. */
  readonly meanAbsoluteError: number;
  /** Geometric mean of predicted / published: below 1 predicts too low. */
  readonly bias: number;
  readonly within2x: number;
}

export function summarise(ratios: readonly number[]): ErrorSummary {
  if (ratios.length === 0)
    return { rows: 0, errorFactor: NaN, meanAbsoluteError: NaN, bias: NaN, within2x: NaN };
  let logAbs = 0;
  let log = 0;
  let abs = 0;
  let within = 0;
  for (const r of ratios) {
    logAbs += Math.abs(Math.log(r));
    log += Math.log(r);
    abs += Math.abs(r - 1);
    if (r <= 2 && r >= 0.5) within++;
  }
  const n = ratios.length;
  return {
    rows: n,
    errorFactor: Math.exp(logAbs / n),
    meanAbsoluteError: abs / n,
    bias: Math.exp(log / n),
    within2x: within / n,
  };
}

/** Ratios of one metric over scored runs, optionally only those a predicate keeps. */
export function ratiosOf(
  scored: readonly Scored[],
  m: Metric,
  keep: (s: Scored) => boolean = () => true,
): number[] {
  return scored.filter(keep).flatMap((s) => (s.ratio[m] !== undefined ? [s.ratio[m]!] : []));
}
