/**
 * The replica simulator's error tables: published vLLM runs replayed (bench/serving-runs.ts), errors
 * per metric on the fit source and the held-out sources apart, per group, an ablation (each step-time
 * term switched off), and every constant beside its bound. Returns the targets missed.
 */
import { constantsWithBounds } from "../cost/sim/constants";
import type { Term } from "../cost/sim/step-time";
import { loadRuns, METRICS, ratiosOf, score, summarise, type Metric, type Scored } from "./serving-runs";

const pct = (x: number) => `${(x * 100).toFixed(0)}%`.padStart(5);
const cell = (rs: number[]) => {
  const s = summarise(rs);
  return s.rows === 0
    ? "      –           "
    : `${String(s.rows).padStart(3)} ×${s.errorFactor.toFixed(2)} ${pct(s.meanAbsoluteError)} b${s.bias.toFixed(2)}`;
};

type Group = { name: string; of: (s: Scored) => string };
const GROUPS: Group[] = [
  { name: "source", of: (s) => s.run.source },
  {
    name: "engine generation",
    of: (s) => (s.run.spec.vllmVersion && /^v?0\.[0-7]\./.test(s.run.spec.vllmVersion) ? "V0" : "V1"),
  },
  { name: "GPU", of: (s) => s.run.spec.gpu.key },
  { name: "tensor parallel", of: (s) => `TP ${s.run.spec.tensorParallel ?? s.run.spec.gpus}` },
  { name: "dtype", of: (s) => s.run.spec.dtype },
  {
    name: "load",
    of: (s) =>
      s.run.arrivals.kind === "burst"
        ? "burst"
        : s.run.arrivals.kind === "rate"
          ? "request rate"
          : s.run.arrivals.clients <= 8
            ? "closed loop ≤8"
            : "closed loop >8",
  },
  {
    name: "output length",
    of: (s) => (s.run.outputTokens < 100 ? "<100" : s.run.outputTokens < 1000 ? "100–999" : "≥1000"),
  },
];

export function simulatorTables(): number {
  let misses = 0;
  const runs = loadRuns();
  const scored = runs.map((r) => score(r));
  const header = `   ${"".padEnd(34)} ${METRICS.map((m) => m.padEnd(18)).join(" ")}`;
  console.log("\n== replica simulator vs published vLLM runs (bench/data/vllm-serving-runs.tsv)");
  console.log(
    "   cell: rows ×error factor (exp mean |ln ratio|)  mean |error|  b = bias (geometric mean of predicted/published)",
  );
  for (const split of ["fit", "holdout"] as const) {
    console.log(
      `\n   -- ${split === "fit" ? "fit source (sets the software constants only)" : "held-out sources (never fitted)"}`,
    );
    console.log(header);
    const mine = scored.filter((s) => s.run.split === split);
    console.log(`   ${"all".padEnd(34)} ${METRICS.map((m) => cell(ratiosOf(mine, m))).join(" ")}`);
    for (const g of GROUPS) {
      const values = [...new Set(mine.map(g.of))].sort();
      for (const v of values)
        console.log(
          `   ${`${g.name}: ${v}`.slice(0, 34).padEnd(34)} ${METRICS.map((m) => cell(ratiosOf(mine, m, (s) => g.of(s) === v))).join(" ")}`,
        );
    }
  }
  console.log("\n   -- every run (predicted / published)");
  for (const s of scored)
    console.log(
      `   ${s.run.split.padEnd(8)} ${s.run.source.padEnd(17)} ${METRICS.map((m) => (s.ratio[m] === undefined ? "   –  " : s.ratio[m]!.toFixed(2).padStart(6))).join(" ")}  ${s.run.id}`,
    );

  const holdout = scored.filter((s) => s.run.split === "holdout");
  const modern = holdout.filter((s) => !/^v?0\.[0-7]\./.test(s.run.spec.vllmVersion ?? ""));
  const target = (name: string, value: number, goal: number, better: "below" | "above" = "below") => {
    const met = better === "below" ? value <= goal : value >= goal;
    if (!met) misses++;
    console.log(
      `${met ? "ok  " : "MISS"} ${name.padEnd(64)} ${value.toFixed(3)}  target ${better === "below" ? "≤" : "≥"} ${goal}`,
    );
  };
  console.log("\n   targets (issue #26), on the held-out sources:");
  const tput = (rows: Scored[]) => summarise(ratiosOf(rows, "throughput"));
  target("throughput error factor, all held-out runs", tput(holdout).errorFactor, 1.3);
  target("throughput error factor, held-out V1 runs (≥ 0.8)", tput(modern).errorFactor, 1.3);
  target(
    "throughput error factor, tensor parallel > 1",
    tput(holdout.filter((s) => (s.run.spec.tensorParallel ?? 1) > 1)).errorFactor,
    1.5,
  );
  target("share of throughput rows within 2×", tput(holdout).within2x, 0.9, "above");
  target("ITL mean |error|", summarise(ratiosOf(holdout, "itl")).meanAbsoluteError, 0.15);
  target("E2E mean |error|", summarise(ratiosOf(holdout, "e2e")).meanAbsoluteError, 0.15);
  target("TTFT mean |error|", summarise(ratiosOf(holdout, "ttft")).meanAbsoluteError, 0.25);

  console.log("\n   -- ablation: held-out error factor with one term switched off");
  console.log(`   ${"term off".padEnd(34)} ${METRICS.map((m) => m.padEnd(18)).join(" ")}`);
  const terms: (Term | "none")[] = [
    "none",
    "weights",
    "kvCache",
    "linear",
    "attention",
    "overlap",
    "allReduce",
    "software",
    "moeRouting",
    "frontend",
  ];
  for (const t of terms) {
    const off = t === "none" ? undefined : new Set<Term>([t]);
    const rows = holdout.map((s) => score(s.run, off ? { off } : {}));
    console.log(`   ${t.padEnd(34)} ${METRICS.map((m: Metric) => cell(ratiosOf(rows, m))).join(" ")}`);
  }

  console.log("\n   -- constants and their physical bounds (cost/sim/constants.ts)");
  for (const c of constantsWithBounds()) {
    const inside = c.value >= c.bound[0] && c.value <= c.bound[1];
    if (!inside) misses++;
    console.log(
      `${inside ? "ok  " : "MISS"} ${c.name.padEnd(30)} ${String(c.value).padStart(10)}  bound [${c.bound[0]}, ${c.bound[1]}]`,
    );
  }
  return misses;
}
