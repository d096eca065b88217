/**
 * Published vLLM serving measurements (bench/data/vllm-throughput-calibration.tsv, each with its
 * source), the throughput model's predictions for them, and the error summaries the bench and the
 * README print. NVIDIA NIM rows (TensorRT-LLM) are kept only as a labelled cross-engine check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GPUS, MODELS, type Dtype } from "../cost/catalog";
import { throughput, VLLM_EFFICIENCY, type Efficiency, type ThroughputInput } from "../cost/throughput";

export type Split = "fit" | "holdout" | "cross-engine";

export interface CalibrationRow {
  readonly id: string;
  readonly input: ThroughputInput;
  readonly publishedOutputTokensPerSecond: number;
  /** Mean (or median, as the source gives) time per output token, when published. */
  readonly publishedTpotMs?: number;
  readonly split: Split;
  readonly source: string;
  readonly note: string;
}

export const CALIBRATION_FILE = path.join(__dirname, "data", "vllm-throughput-calibration.tsv");

/** The scored rows of the calibration file (rows without lengths are skipped: nothing to predict). */
export function parseCalibration(text: string): CalibrationRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const header = lines[0]!.split("\t");
  const col = (cells: string[], name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`calibration file has no column ${name}`);
    return cells[i]!;
  };
  const rows: CalibrationRow[] = [];
  for (const line of lines.slice(1)) {
    const c = line.split("\t");
    const split = col(c, "split");
    if (split === "unscored") continue;
    if (split !== "fit" && split !== "holdout") throw new Error(`unknown split ${split}`);
    const model = MODELS[col(c, "model")];
    const gpu = GPUS[col(c, "gpu")];
    if (!model || !gpu) throw new Error(`calibration row names an unknown model or GPU: ${line}`);
    const version = col(c, "vllm_version");
    const steps = Number(col(c, "scheduler_steps"));
    const chunked = col(c, "chunked_prefill");
    const seqs = col(c, "max_num_seqs");
    const tpot = col(c, "published_tpot_ms");
    const input: ThroughputInput = {
      model,
      gpu,
      dtype: col(c, "dtype") as Dtype,
      gpus: Number(col(c, "gpus")),
      tensorParallel: Number(col(c, "tensor_parallel")),
      inputTokens: Number(col(c, "input")),
      outputTokens: Number(col(c, "output")),
      concurrency: Number(col(c, "concurrency")),
      vllmVersion: version,
      ...(steps > 1 && { numSchedulerSteps: steps }),
      ...(chunked === "true" && { chunkedPrefill: true }),
      ...(seqs !== "default" && { maxNumSeqs: Number(seqs) }),
    };
    rows.push({
      id: `${model.key} ${input.gpus}×${gpu.key} ${input.dtype} ${input.inputTokens}/${input.outputTokens} c=${input.concurrency} v${version}${steps > 1 ? ` steps=${steps}` : ""}`,
      input,
      publishedOutputTokensPerSecond: Number(col(c, "published_tok_s")),
      ...(tpot !== "NA" && { publishedTpotMs: Number(tpot) }),
      split,
      source: col(c, "source"),
      note: col(c, "notes"),
    });
  }
  return rows;
}

const h100 = GPUS["h100-sxm"]!;
const NIM_SOURCE =
  "NVIDIA NIM for LLMs benchmarking guide, NIM 1.8.0 (TensorRT-LLM engine), as quoted in the team's reference data";

/** NIM (TensorRT-LLM) rows: a cross-engine check of how far vLLM's figures sit from NVIDIA's engine. Never fitted. */
function nimRows(): CalibrationRow[] {
  const llama8b: Omit<ThroughputInput, "concurrency"> = {
    model: MODELS["llama-3.1-8b"]!,
    dtype: "fp8",
    gpu: h100,
    gpus: 1,
    inputTokens: 200,
    outputTokens: 200,
  };
  const llama70b: Omit<ThroughputInput, "concurrency"> = {
    model: MODELS["llama-3.3-70b"]!,
    dtype: "fp8",
    gpu: h100,
    gpus: 2,
    tensorParallel: 2,
    inputTokens: 5000,
    outputTokens: 500,
  };
  const points = (
    base: Omit<ThroughputInput, "concurrency">,
    name: string,
    note: string,
    values: readonly (readonly [number, number])[],
  ) =>
    values.map(([concurrency, published]) => ({
      id: `NIM ${name} c=${concurrency}`,
      input: { ...base, concurrency },
      publishedOutputTokensPerSecond: published,
      split: "cross-engine" as const,
      source: NIM_SOURCE,
      note,
    }));
  return [
    ...points(
      llama8b,
      "llama-3.1-8b 1×h100 fp8 200/200",
      "lengths and precision assumed (not in the copy read)",
      [
        [1, 214.56],
        [25, 4678.88],
        [100, 12214.97],
      ],
    ),
    ...points(llama70b, "llama-3.3-70b 2×h100 fp8 5000/500", "conditions as published", [
      [1, 51.67],
      [50, 814.37],
      [100, 917.26],
    ]),
  ];
}

export function calibrationRows(): CalibrationRow[] {
  return [...parseCalibration(fs.readFileSync(CALIBRATION_FILE, "utf8")), ...nimRows()];
}

export interface CalibrationResult {
  readonly row: CalibrationRow;
  readonly predicted: number;
  /** predicted / published */
  readonly ratio: number;
  readonly predictedTpotMs: number;
  /** predicted / published time per output token, when published. */
  readonly tpotRatio?: number;
}

export function calibrate(
  rows: readonly CalibrationRow[] = calibrationRows(),
  eff: Efficiency = VLLM_EFFICIENCY,
): CalibrationResult[] {
  return rows.map((row) => {
    const t = throughput(row.input, eff);
    return {
      row,
      predicted: t.outputTokensPerSecond,
      ratio: t.outputTokensPerSecond / row.publishedOutputTokensPerSecond,
      predictedTpotMs: t.interTokenLatencyMs,
      ...(row.publishedTpotMs !== undefined && { tpotRatio: t.interTokenLatencyMs / row.publishedTpotMs }),
    };
  });
}

/** exp(mean |ln ratio|): 1.3 means "off by 30% on average, either way". */
export function geometricErrorFactor(ratios: readonly number[]): number {
  if (ratios.length === 0) return NaN;
  return Math.exp(ratios.reduce((s, r) => s + Math.abs(Math.log(r)), 0) / ratios.length);
}

export interface GroupError {
  readonly group: string;
  readonly rows: number;
  readonly factor: number;
  /** Share of rows within 2× either way. */
  readonly within2x: number;
}

export function groupError(group: string, results: readonly CalibrationResult[]): GroupError {
  const ratios = results.map((r) => r.ratio);
  return {
    group,
    rows: ratios.length,
    factor: geometricErrorFactor(ratios),
    within2x: ratios.filter((r) => r >= 0.5 && r <= 2).length / Math.max(1, ratios.length),
  };
}

/** The groupings the issue asks the bench to report: engine version, TP, batch size, dtype, prompt length. */
export const GROUPINGS: Readonly<Record<string, (r: CalibrationRow) => string>> = {
  "engine generation": (r) => (/^0\.[0-7]\./.test(r.input.vllmVersion ?? "") ? "V0 (≤ 0.7)" : "V1 (≥ 0.8)"),
  "tensor parallel": (r) => ((r.input.tensorParallel ?? r.input.gpus) > 1 ? "TP > 1" : "TP 1"),
  "requests in flight": (r) =>
    r.input.concurrency < 64 ? "< 64" : r.input.concurrency <= 256 ? "64–256" : "> 256",
  dtype: (r) => r.input.dtype,
  "prompt length": (r) =>
    r.input.inputTokens <= 512 ? "≤ 512" : r.input.inputTokens <= 4096 ? "513–4096" : "> 4096",
  GPU: (r) => r.input.gpu.key,
};

export function groupErrors(results: readonly CalibrationResult[]): GroupError[] {
  const out: GroupError[] = [];
  for (const [name, key] of Object.entries(GROUPINGS)) {
    const groups = new Map<string, CalibrationResult[]>();
    for (const r of results) groups.set(key(r.row), [...(groups.get(key(r.row)) ?? []), r]);
    for (const [g, rs] of [...groups].sort()) out.push(groupError(`${name}: ${g}`, rs));
  }
  return out;
}

/** The README's calibration table (generated; tests/calibration.test.ts keeps the README in step). */
export function calibrationTable(results: readonly CalibrationResult[]): string {
  const lines = [
    "| split | row | published tok/s | predicted | ratio | TPOT ratio | source |",
    "|---|---|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    const source = r.row.source.replace(/\|/g, "/").replace(/`/g, "").split(",")[0];
    lines.push(
      `| ${r.row.split} | ${r.row.id} | ${r.row.publishedOutputTokensPerSecond.toFixed(0)} | ${r.predicted.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.tpotRatio === undefined ? "–" : r.tpotRatio.toFixed(2)} | ${source} |`,
    );
  }
  const vllm = results.filter((r) => r.row.split !== "cross-engine");
  for (const split of ["fit", "holdout"] as const) {
    const e = groupError(
      split,
      vllm.filter((r) => r.row.split === split),
    );
    lines.push(
      "",
      `${split}: ${e.rows} rows, geometric-mean error factor ${e.factor.toFixed(2)}, ${(e.within2x * 100).toFixed(0)}% within 2×.`,
    );
  }
  return lines.join("\n");
}
