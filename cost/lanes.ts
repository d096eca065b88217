/**
 * One ranking of every way to serve the stack's workload — the stack's own deployment, its purchase
 * variants, the other self-hosted shape, managed-open hosts of the same model, and per-token APIs —
 * and the verdict: the cheapest option that can serve the demand and meets the quality bar, with the
 * runner-up and the reason. Pure.
 */
import { meetsBar, scoreLabel, type QualityBar, type QualityIndex } from "./catalog";
import type { Breakdown, CostOption } from "./options";
import type { StackConfig } from "./config/stack-config";

export interface Lane {
  readonly option: CostOption;
  readonly breakdown: Breakdown;
  /** The option the stack deploys. */
  readonly isStack: boolean;
  /** Serves only the stack's own model (self-hosted and managed-open lanes); an API serves another, a hybrid both. */
  readonly sameModel: boolean;
  /** Serves every token of the demand at peak within scaling.max. */
  readonly canServe: boolean;
  /** Share of the month's tokens left unserved at peak, when it cannot serve. */
  readonly unservedShare: number;
  /** The scaling.max that serves the peak, when it cannot serve. */
  readonly neededScalingMax?: number;
  /** Rated at least as high as `compare.qualityBar` asks (see `meetsBar`). */
  readonly meetsQualityBar: boolean;
  /** Counted for the verdict: can serve, and meets the quality bar. */
  readonly eligible: boolean;
  /** Why not, when not eligible. */
  readonly excluded?: string;
}

export function lane(cfg: StackConfig, option: CostOption, isStack: boolean): Lane {
  const breakdown = option.at(1);
  const plan = breakdown.plan;
  const unservedShare = plan?.unservedShare ?? 0;
  const canServe = unservedShare <= 1e-9;
  const sameModel = option.kind !== "api" && option.kind !== "hybrid";
  const neededScalingMax =
    !canServe && Number.isFinite(option.maxScale) && option.maxScale > 0
      ? Math.ceil(cfg.scaling.max / option.maxScale - 1e-9)
      : undefined;
  const bar = cfg.compare.qualityBar;
  // A hybrid keeps the stack's model for the easy share by design: `same-model` lets it through, a
  // score bar holds it to its weaker part.
  const meetsQualityBar =
    (option.kind === "hybrid" && bar.kind === "same-model") || meetsBar(option.quality, bar, sameModel);
  const excluded = !canServe
    ? `cannot serve ${(unservedShare * 100).toFixed(1)}% of the tokens at peak with scaling.max ${cfg.scaling.max}${neededScalingMax ? ` (needs ${neededScalingMax})` : ""}`
    : meetsQualityBar
      ? undefined
      : belowBar(option, bar, cfg.compare.qualityIndex);
  return {
    option,
    breakdown,
    isStack,
    sameModel,
    canServe,
    unservedShare,
    meetsQualityBar,
    ...(neededScalingMax !== undefined && { neededScalingMax }),
    eligible: excluded === undefined,
    ...(excluded !== undefined && { excluded }),
  };
}

/** Why a lane misses the bar, naming the setting that sets it. */
function belowBar(option: CostOption, bar: QualityBar, index: QualityIndex): string {
  if (bar.kind === "same-model") return "another model (compare.qualityBar: same-model)";
  // A lane the index does not rate is shown, never dropped: the reason says which index and how to rate it.
  if (!option.quality)
    return `unrated on ${index.name} (compare.qualityIndex: ${index.id}), so not shown to meet the bar`;
  const score = `${index.name} ${scoreLabel(option.quality.score)}`;
  const min = "minScore" in bar ? Math.round(bar.minScore) : 0;
  return bar.kind === "stack-model"
    ? `weaker: ${score} < ${min}, the stack's model (compare.qualityBar: stack-model)`
    : `weaker: ${score} < ${min} (compare.qualityBar: ${min})`;
}

/** Lanes cheaper than `chosen` that can serve but miss the quality bar: what the verdict passed over. */
export function cheaperBelowBar(lanes: readonly Lane[], chosen: Lane): Lane[] {
  return lanes.filter((l) => l.canServe && !l.meetsQualityBar && l.breakdown.total < chosen.breakdown.total);
}

/** Every lane once (the stack's own first), cheapest first after it. */
export function rankLanes(cfg: StackConfig, stack: CostOption, others: readonly CostOption[]): Lane[] {
  const seen = new Set([stack.id]);
  const rest = others.filter((o) => !seen.has(o.id) && seen.add(o.id));
  const all = [lane(cfg, stack, true), ...rest.map((o) => lane(cfg, o, false))];
  return all.sort((a, b) => a.breakdown.total - b.breakdown.total);
}

/** The verb a lane's recommendation takes. */
export function laneVerb(l: Lane): string {
  switch (l.option.kind) {
    case "rented":
    case "owned":
      return "Self-host";
    case "managed":
      return "Host it on a managed-open host";
    case "api":
      return "Use the API";
    case "hybrid":
      return "Split the traffic";
  }
}
