/**
 * Fits VLLM_EFFICIENCY to the calibration rows marked `fit` (never the holdout or NIM rows): coordinate
 * descent in log space on the mean |ln(predicted / published)| of throughput, plus half that weight on
 * published time per output token. Prints the factors to paste into cost/throughput.ts and the errors
 * on both splits. Run: npx tsx bench/fit-throughput.ts
 */
import { calibrate, calibrationRows, geometricErrorFactor } from "./calibration";
import { VLLM_EFFICIENCY, type Efficiency } from "../cost/throughput";

const fitRows = calibrationRows().filter((r) => r.split === "fit");

type Knob = {
  get: (e: Efficiency) => number;
  set: (e: Efficiency, v: number) => Efficiency;
  lo: number;
  hi: number;
};
const knob = (get: Knob["get"], set: Knob["set"], lo: number, hi: number): Knob => ({ get, set, lo, hi });

// Physical bounds: efficiencies stay below the hardware; software costs stay within what engine
// profiles show (a V1 step's CPU work is a few milliseconds with CUDA graphs; V0's up to tens), so
// a term cannot soak up a condition the sources left out.
const KNOBS: Record<string, Knob> = {
  // Not fitted: bandwidth. No published vLLM row runs one stream, where it alone decides the speed,
  // so the fit would trade it against the step costs; it stays at 0.8 (decode kernels reach 75–85% of
  // the data sheet; a device-to-device copy on an H100 measured 90%, shared/data/throughput-calibration.md).
  "compute hopper": knob(
    (e) => e.compute.hopper,
    (e, v) => ({ ...e, compute: { ...e.compute, hopper: v } }),
    0.25,
    0.85,
  ),
  "compute ampere": knob(
    (e) => e.compute.ampere,
    (e, v) => ({ ...e, compute: { ...e.compute, ampere: v, ada: v } }),
    0.25,
    0.85,
  ),
  "attention hopper": knob(
    (e) => e.attention.hopper,
    (e, v) => ({ ...e, attention: { ...e.attention, hopper: v } }),
    0.1,
    0.8,
  ),
  "attention ampere": knob(
    (e) => e.attention.ampere,
    (e, v) => ({ ...e, attention: { ...e.attention, ampere: v, ada: v } }),
    0.1,
    0.8,
  ),
  fp8Speedup: knob(
    (e) => e.fp8Speedup,
    (e, v) => ({ ...e, fp8Speedup: v }),
    1.1,
    1.6,
  ),
  weightOnlyCompute: knob(
    (e) => e.weightOnlyCompute,
    (e, v) => ({ ...e, weightOnlyCompute: v }),
    0.2,
    1,
  ),
  "step v0.5": knob(
    (e) => e.stepSeconds["v0.5"],
    (e, v) => ({ ...e, stepSeconds: { ...e.stepSeconds, "v0.5": v } }),
    1e-4,
    0.03,
  ),
  "step v0.6": knob(
    (e) => e.stepSeconds["v0.6"],
    (e, v) => ({ ...e, stepSeconds: { ...e.stepSeconds, "v0.6": v } }),
    1e-4,
    0.02,
  ),
  "step v1": knob(
    (e) => e.stepSeconds.v1,
    (e, v) => ({ ...e, stepSeconds: { ...e.stepSeconds, v1: v } }),
    1e-4,
    0.003,
  ),
  "sequence v0": knob(
    (e) => e.sequenceSeconds.v0,
    (e, v) => ({ ...e, sequenceSeconds: { ...e.sequenceSeconds, v0: v } }),
    1e-7,
    1e-3,
  ),
  "sequence v1": knob(
    (e) => e.sequenceSeconds.v1,
    (e, v) => ({ ...e, sequenceSeconds: { ...e.sequenceSeconds, v1: v } }),
    1e-7,
    1e-3,
  ),
  allReduce: knob(
    (e) => e.allReduceSeconds,
    (e, v) => ({ ...e, allReduceSeconds: v }),
    1e-7,
    2e-4,
  ),
  request: knob(
    (e) => e.requestSeconds,
    (e, v) => ({ ...e, requestSeconds: v }),
    1e-4,
    0.1,
  ),
};

function loss(eff: Efficiency): number {
  const results = calibrate(fitRows, eff);
  const tput = results.map((r) => Math.abs(Math.log(r.ratio)));
  const tpot = results.flatMap((r) => (r.tpotRatio === undefined ? [] : [Math.abs(Math.log(r.tpotRatio))]));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const l = mean(tput) + 0.5 * mean(tpot);
  return Number.isFinite(l) ? l : Infinity;
}

let best = VLLM_EFFICIENCY;
let bestLoss = loss(best);
for (let round = 0; round < 40; round++) {
  let improved = false;
  for (const k of Object.values(KNOBS)) {
    for (const factor of [0.5, 0.7, 0.85, 0.93, 0.97, 1.03, 1.07, 1.15, 1.3, 1.5, 2]) {
      const v = Math.min(k.hi, Math.max(k.lo, k.get(best) * factor));
      const cand = k.set(best, v);
      const l = loss(cand);
      if (l < bestLoss - 1e-9) {
        best = cand;
        bestLoss = l;
        improved = true;
      }
    }
  }
  if (!improved) break;
}

const round3 = (v: number) => Number(v.toPrecision(3));
console.log("fitted efficiency:");
console.log(JSON.stringify(best, (_k, v: unknown) => (typeof v === "number" ? round3(v) : v), 2));
const all = calibrate(calibrationRows(), best);
for (const split of ["fit", "holdout", "cross-engine"] as const) {
  const rs = all.filter((r) => r.row.split === split);
  console.log(
    `${split}: ${rs.length} rows, error factor ${geometricErrorFactor(rs.map((r) => r.ratio)).toFixed(3)}`,
  );
}
for (const r of all)
  console.log(
    `${r.row.split.padEnd(12)} ${r.ratio.toFixed(3)} ${r.tpotRatio === undefined ? "  -  " : r.tpotRatio.toFixed(3)}  ${r.row.id}`,
  );
