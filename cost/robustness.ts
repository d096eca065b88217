/**
 * How robust the verdict is: for every modelling assumption that is not a published price, the value
 * inside its stated range at which the verdict's lane changes, or that it does not. Decision-analysis
 * practice (a tornado of the assumptions that move the answer): each assumption is varied alone, the
 * others held at their defaults. Pure; every evaluation ranks the same lanes the projection ranks.
 */
import { SPOT_INTERRUPTION, type InstanceType } from "./catalog";
import { formatUsd, toUsd } from "./money";
import type { Lane } from "./lanes";
import type { Assumptions, StackConfig } from "./config/stack-config";

/**
 * The simulator's error on vLLM runs it was not fitted to: `npm run bench` measures 1.52 on the
 * held-out V1 sources (bench/serving-runs.ts), and tests/simulator.test.ts holds it to at most this
 * factor either way, so the band cannot quietly drift below the measurement.
 */
export const THROUGHPUT_ERROR_FACTOR = 1.55;

export interface AssumptionRow {
  readonly key: string;
  /** What is varied, in words. */
  readonly assumption: string;
  readonly unit: string;
  readonly base: number;
  readonly low: number;
  readonly high: number;
  /** The verdict lane's lead over the best other eligible lane (USD/month) at each end; < 0: it loses there. */
  readonly leadAtLowUsd: number;
  readonly leadAtHighUsd: number;
  /** Where the verdict changes inside the range, nearest the base value first, and to which lane. */
  readonly changes: readonly { readonly at: number; readonly to: string | null; readonly toLabel: string }[];
}

export interface Robustness {
  /** The verdict lane varied against (null when nothing is eligible). */
  readonly option: string | null;
  readonly robust: boolean;
  readonly rows: readonly AssumptionRow[];
  /** The stack's own monthly cost with the throughput model at either end of its measured error. */
  readonly selfHostBand?: { readonly lowUsd: number; readonly highUsd: number; readonly factor: number };
  /** One line: "robust: …" or "fragile: changes if …". */
  readonly summary: string;
}

interface Assumption {
  readonly key: string;
  readonly assumption: string;
  readonly unit: string;
  readonly applies: (cfg: StackConfig) => boolean;
  readonly base: (cfg: StackConfig) => number;
  readonly range: (cfg: StackConfig) => readonly [number, number];
  readonly apply: (cfg: StackConfig, v: number) => StackConfig;
  /** How a value reads in the summary: "61 months", "0.82×". */
  readonly show: (v: number) => string;
}

const withAssumption = (cfg: StackConfig, a: Assumptions): StackConfig => ({
  ...cfg,
  assumptions: { ...cfg.assumptions, ...a },
});

const ownership = (cfg: StackConfig, key: keyof StackConfig["ownership"], v: number): StackConfig => ({
  ...cfg,
  ownership: { ...cfg.ownership, [key]: { ...cfg.ownership[key], value: v } },
});

const round = (v: number, d = 2) => +v.toFixed(d);
/** Self-hosted lanes are priced (a model too big for one server has none). */
const selfHosted = (cfg: StackConfig) => cfg.notSelfHostable === undefined;

/** Every instance's spot price at `ratio` × its on-demand price. */
function spotAt(cfg: StackConfig, ratio: number): StackConfig {
  const at = (i: InstanceType): InstanceType => ({ ...i, spotUsdPerHour: i.onDemandUsdPerHour * ratio });
  const instances = Object.fromEntries(Object.entries(cfg.instances).map(([k, i]) => [k, at(i)]));
  return cfg.platform === "aws"
    ? { ...cfg, instances, aws: { ...cfg.aws, instance: at(cfg.aws.instance) } }
    : { ...cfg, instances };
}

const ASSUMPTIONS: readonly Assumption[] = [
  {
    key: "throughput",
    assumption: "replica throughput vs the simulator (its measured held-out error)",
    unit: "×",
    applies: selfHosted,
    base: () => 1,
    range: () => [round(1 / THROUGHPUT_ERROR_FACTOR), THROUGHPUT_ERROR_FACTOR],
    apply: (c, v) => withAssumption(c, { throughputFactor: v }),
    show: (v) => `${round(v)}× the simulated throughput`,
  },
  {
    key: "depreciationMonths",
    assumption: "owned-server depreciation life",
    unit: "months",
    applies: selfHosted,
    base: (c) => c.ownership.depreciationMonths.value,
    range: () => [24, 72],
    apply: (c, v) => ownership(c, "depreciationMonths", v),
    show: (v) => `a ${Math.round(v)}-month depreciation life`,
  },
  {
    key: "residualValuePercent",
    assumption: "owned-server resale value at end of life",
    unit: "%",
    applies: selfHosted,
    base: (c) => c.ownership.residualValuePercent.value,
    range: () => [0, 40],
    apply: (c, v) => ownership(c, "residualValuePercent", v),
    show: (v) => `${Math.round(v)}% resale`,
  },
  {
    key: "costOfCapitalPercent",
    assumption: "cost of capital on owned servers",
    unit: "%/year",
    applies: selfHosted,
    base: (c) => c.ownership.costOfCapitalPercent.value,
    range: () => [0, 12],
    apply: (c, v) => ownership(c, "costOfCapitalPercent", v),
    show: (v) => `${round(v, 1)}% cost of capital`,
  },
  {
    key: "peakToAverage",
    assumption: "traffic shape: peak hour ÷ average active hour",
    unit: "×",
    applies: selfHosted,
    base: (c) => c.workload.peakToAverage,
    range: (c) => [Math.max(1, c.workload.peakToAverage / 2), Math.min(10, c.workload.peakToAverage * 2)],
    apply: (c, v) => ({ ...c, workload: { ...c.workload, peakToAverage: v } }),
    show: (v) => `a ${round(v, 1)}× peak`,
  },
  {
    key: "targetUtilization",
    assumption: "autoscaler target utilisation",
    unit: "share",
    applies: selfHosted,
    base: (c) => c.scaling.targetUtilization,
    range: () => [0.5, 0.95],
    apply: (c, v) => ({ ...c, scaling: { ...c.scaling, targetUtilization: v } }),
    show: (v) => `${Math.round(v * 100)}% target utilisation`,
  },
  {
    key: "selfHostLabour",
    assumption: "engineer hours on self-hosted lanes",
    unit: "×",
    applies: selfHosted,
    base: () => 1,
    range: () => [0.5, 2],
    apply: (c, v) => withAssumption(c, { selfHostLabourFactor: v }),
    show: (v) => `${round(v)}× the self-hosting labour`,
  },
  {
    key: "spotDiscount",
    assumption: "spot price ÷ on-demand price",
    unit: "ratio",
    applies: selfHosted,
    base: (c) => {
      const i = c.aws?.instance ?? Object.values(c.instances)[0]!;
      return round(i.spotUsdPerHour / i.onDemandUsdPerHour, 3);
    },
    range: () => [0.3, 0.9],
    apply: spotAt,
    show: (v) => `spot at ${Math.round(v * 100)}% of on-demand`,
  },
  {
    key: "spotInterruptions",
    assumption: "spot interruptions per instance-month",
    unit: "per month",
    applies: selfHosted,
    base: () => SPOT_INTERRUPTION.perInstanceMonth,
    range: () => [SPOT_INTERRUPTION.low, SPOT_INTERRUPTION.high],
    apply: (c, v) => withAssumption(c, { spotInterruptionsPerMonth: v }),
    show: (v) => `${round(v)} spot interruptions per instance-month`,
  },
  {
    key: "reasoningPerOutputToken",
    assumption: "reasoning tokens per visible output token (APIs rated with reasoning)",
    unit: "tokens",
    applies: (c) => c.compare.apis.some((a) => a.reasoning && a.reasoning.source.origin !== "override"),
    base: () => 1,
    range: (c) => {
      const r = c.compare.apis.filter((a) => a.reasoning).map((a) => a.reasoning!);
      return [Math.min(...r.map((x) => x.low)), Math.max(...r.map((x) => x.high))];
    },
    apply: (c, v) => withAssumption(c, { reasoningPerOutputToken: v }),
    show: (v) => `${round(v)} reasoning tokens per visible token`,
  },
];

type Rank = (cfg: StackConfig) => readonly Lane[];

const BISECTIONS = 12;

/**
 * @param rank the projection's lane ranking for a config (buildLanes), so every evaluation is the same
 *   decision core the reports render
 */
export function robustness(cfg: StackConfig, lanes: readonly Lane[], rank: Rank): Robustness {
  // The verdict's lane is the cheapest eligible one: the lane a ranking chooses.
  const winner = (ls: readonly Lane[]) => ls.find((l) => l.eligible);
  const choice = (ls: readonly Lane[]) => winner(ls)?.option.id ?? null;
  const id = choice(lanes);
  const lead = (ls: readonly Lane[]) => {
    const own = ls.find((l) => l.option.id === id);
    const next = ls.find((l) => l.eligible && l.option.id !== id);
    if (!own || !next) return 0;
    const d = toUsd(next.breakdown.total) - toUsd(own.breakdown.total);
    // A verdict lane that can no longer serve has lost, however cheap it looks.
    return own.eligible ? d : Math.min(d, 0);
  };
  const rows: AssumptionRow[] = [];
  for (const a of ASSUMPTIONS) {
    if (!a.applies(cfg)) continue;
    const base = a.base(cfg);
    const [low, high] = a.range(cfg);
    const at = (v: number) => rank(a.apply(cfg, v));
    const lowLanes = at(low);
    const highLanes = at(high);
    const changes: AssumptionRow["changes"][number][] = [];
    for (const [end, endLanes] of [
      [low, lowLanes],
      [high, highLanes],
    ] as const) {
      if (choice(endLanes) === id || end === base) continue;
      // Bisect between the base value (verdict holds) and this end (it does not).
      let holds = base;
      let fails = end;
      let to = winner(endLanes);
      for (let i = 0; i < BISECTIONS; i++) {
        const mid = (holds + fails) / 2;
        const midLanes = at(mid);
        if (choice(midLanes) === id) holds = mid;
        else {
          fails = mid;
          to = winner(midLanes);
        }
      }
      changes.push({ at: fails, to: to?.option.id ?? null, toLabel: to?.option.label ?? "no eligible lane" });
    }
    changes.sort((x, y) => Math.abs(x.at - base) - Math.abs(y.at - base));
    rows.push({
      key: a.key,
      assumption: a.assumption,
      unit: a.unit,
      base,
      low,
      high,
      leadAtLowUsd: round(lead(lowLanes)),
      leadAtHighUsd: round(lead(highLanes)),
      changes,
    });
  }
  const fragile = rows.filter((r) => r.changes.length > 0);
  const show = (r: AssumptionRow) => ASSUMPTIONS.find((a) => a.key === r.key)!.show;
  const summary =
    id === null
      ? "no lane is eligible, so there is no verdict to test"
      : rows.length === 0
        ? "robust: it rests on published prices only (no modelling assumption enters it)"
        : fragile.length === 0
          ? `robust: none of ${rows.length} assumptions changes it within its range (depreciation 24–72 months, resale 0–40%, throughput ÷/× ${THROUGHPUT_ERROR_FACTOR}, …; JSON: robustness)`
          : `fragile: it changes with ${fragile
              .flatMap((r) => r.changes.slice(0, 1).map((c) => `${show(r)(c.at)} (→ ${c.toLabel})`))
              .join("; ")}`;
  const stack = (ls: readonly Lane[]) => toUsd(ls.find((l) => l.isStack)!.breakdown.total);
  const throughputRow = ASSUMPTIONS[0]!;
  const selfHostBand =
    cfg.platform === "managed" || !selfHosted(cfg)
      ? undefined
      : {
          // Less throughput needs more replicas: the low end of throughput is the high end of cost.
          lowUsd: round(stack(rank(throughputRow.apply(cfg, THROUGHPUT_ERROR_FACTOR)))),
          highUsd: round(stack(rank(throughputRow.apply(cfg, 1 / THROUGHPUT_ERROR_FACTOR)))),
          factor: THROUGHPUT_ERROR_FACTOR,
        };
  return { option: id, robust: fragile.length === 0, rows, ...(selfHostBand && { selfHostBand }), summary };
}

/**
 * The verdict's robustness in one line, for every view (cost and compare, text and HTML): "robust: …"
 * or "fragile: …", and the stack's own cost band from the throughput model's error.
 */
export function robustnessLine(r: Robustness): string {
  const b = r.selfHostBand;
  const usd = (n: number) => formatUsd(Math.round(n * 1e6) as Parameters<typeof formatUsd>[0]);
  const band = b
    ? `; the stack's own cost is ${usd(b.lowUsd)}–${usd(b.highUsd)}/month within the throughput model's error (÷/× ${b.factor})`
    : "";
  return `Verdict ${r.summary}${band}.`;
}
