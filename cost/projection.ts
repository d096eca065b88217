/**
 * The monthly projection for a stack: its own serving option, every compared API and managed-open
 * host, break-even volumes, the verdict and the budget check. Pure: the CLI, the Pulumi program and
 * the policy pack all render this one object.
 */
import {
  ageDays,
  CATALOG_REGION,
  describeQuality,
  INSTANCE_TYPES,
  purchasePrices,
  scoreLabel,
  type InstanceType,
} from "./catalog";
import { breakEven, cheaperIntervals } from "./breakeven";
import { cheapestSplit, hybridOption } from "./hybrid";
import { cheaperBelowBar, laneVerb, rankLanes, type Lane } from "./lanes";
import { checkBudget, type BudgetResult } from "./budget";
import { formatTokens } from "./format";
import { formatUsd, toUsd } from "./money";
import {
  apiOption,
  defaultOpsHours,
  managedOption,
  ownedOption,
  REASONING_ITEM,
  rentedOption,
  type Breakdown,
  type CostOption,
  type Purchase,
} from "./options";
import { replicaCapacity, type ReplicaCapacity } from "./replica";
import { robustness, type Robustness } from "./robustness";
import { weeklyShape } from "./traffic";
import type { StackConfig } from "./config/stack-config";

export interface Priced {
  readonly option: CostOption;
  readonly breakdown: Breakdown;
}

export interface BreakEvenRow {
  readonly against: string;
  readonly label: string;
  /** The first crossing: above it the stack's option is cheaper (until the next, if any). */
  readonly scale: number | null;
  readonly monthlyOutputTokens: number | null;
  readonly reason?: string;
  /** Every volume range (output tokens a month) where the stack's option is the cheaper; `to` null: up to the fleet's limit. */
  readonly cheaperBetween: readonly { readonly from: number; readonly to: number | null }[];
}

export interface Verdict {
  /**
   * What to do: self-host (rented or owned GPUs), host (a managed-open host), api, hybrid,
   * cannot-serve (the stack's fleet is too small) or below-bar (no lane meets compare.qualityBar).
   */
  readonly choice: "self-host" | "host" | "api" | "hybrid" | "cannot-serve" | "below-bar";
  /** The recommended lane's option id (for cannot-serve: the cheapest lane that can serve, if any). */
  readonly option: string | null;
  readonly runnerUp: string | null;
  readonly summary: string;
  readonly reason: string;
}

export interface Projection {
  readonly config: StackConfig;
  readonly selfHosted: Priced;
  readonly replica?: ReplicaCapacity;
  readonly apis: readonly Priced[];
  readonly managed: readonly Priced[];
  /** For a managed-open stack: renting or owning GPUs for the same model and workload. */
  readonly selfHostedAlternatives: readonly Priced[];
  readonly breakEven: readonly BreakEvenRow[];
  /** Every lane, cheapest first, with whether it can serve and meets the quality bar. */
  readonly lanes: readonly Lane[];
  /** With workload.routing: the hard share the stack set, and the API share that makes the hybrid cheapest at or above it. */
  readonly hybrid?: { readonly api: string; readonly hardShare: number; readonly cheapestShare: number };
  readonly verdict: Verdict;
  /** How the verdict moves with each assumption that is not a published price; worked out when first read. */
  readonly robustness: Robustness;
  readonly budget: BudgetResult;
  readonly warnings: readonly string[];
}

/** The smallest catalog instance of `gpu` with at least `gpus` GPUs, to price renting an owned setup. */
export function instanceFor(cfg: StackConfig): InstanceType | undefined {
  if (cfg.aws) return cfg.aws.instance;
  return Object.values(INSTANCE_TYPES)
    .filter((i) => i.gpu === cfg.gpu.type.key && i.gpus >= cfg.gpu.count)
    .sort((a, b) => a.gpus - b.gpus || a.onDemandUsdPerHour - b.onDemandUsdPerHour)
    .map((i) => cfg.instances[i.key]!)[0];
}

function selfHostedBase(cfg: StackConfig, replica: ReplicaCapacity, kind: "rented" | "owned") {
  return { cfg, shape: weeklyShape(cfg.workload), replica, opsHours: defaultOpsHours(kind, cfg) };
}

/** The option the stack deploys. */
export function stackOption(cfg: StackConfig): CostOption {
  if (cfg.platform === "managed") return managedOption(cfg, cfg.managed.offer, cfg.operations.hoursPerMonth);
  const replica = replicaCapacity(cfg);
  if (cfg.platform === "aws")
    return rentedOption(selfHostedBase(cfg, replica, "rented"), cfg.aws.instance, cfg.aws.purchase);
  return ownedOption(selfHostedBase(cfg, replica, "owned"));
}

/** Every option for the stack's workload: rented (each purchase), owned, managed-open, APIs. */
export function allOptions(cfg: StackConfig): CostOption[] {
  const options: CostOption[] = [];
  const instance = instanceFor(cfg);
  const selfHostable = cfg.notSelfHostable === undefined;
  if (selfHostable && instance && !cfg.unpricedInstances.includes(instance.key)) {
    const replica = replicaCapacity(cfg, cfg.gpu.type, instance.gpus);
    const purchases: Purchase[] = ["on-demand", "spot", "savings-plan"];
    if (cfg.aws?.purchase === "mixed") purchases.push("mixed");
    for (const p of purchases)
      options.push(rentedOption(selfHostedBase(cfg, replica, "rented"), instance, p));
  }
  if (selfHostable) options.push(ownedOption(selfHostedBase(cfg, replicaCapacity(cfg), "owned")));
  for (const offer of cfg.compare.managed)
    options.push(managedOption(cfg, offer, defaultOpsHours("managed", cfg)));
  for (const api of cfg.compare.apis) options.push(apiOption(cfg, api));
  return options;
}

/**
 * "between 3.33B and 3.73B, and between 3.85B and 4.89B (the most the fleet serves)" (output tokens a
 * month). An open range ends at the fleet's limit when that is known and within the searched span.
 */
export function describeIntervals(row: BreakEvenRow, limitTokens?: number, volume = 0): string {
  const span = volume * INTERVAL_SPAN;
  const capped = limitTokens !== undefined && limitTokens <= span ? limitTokens : undefined;
  const parts = row.cheaperBetween.map((x) => {
    const to = x.to ?? capped;
    if (to === undefined) return x.from <= 0 ? "at every volume" : `above ${formatTokens(x.from)}`;
    return x.from <= 0
      ? `below ${formatTokens(to)}`
      : `between ${formatTokens(x.from)} and ${formatTokens(to)}`;
  });
  if (parts.length === 0) return "at no volume the fleet can serve";
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0]!;
  if (row.cheaperBetween.at(-1)?.to !== null || limitTokens === undefined) return list;
  return capped !== undefined
    ? `${list} (${formatTokens(capped)} is the most the fleet serves)`
    : `${list} (examined up to ${formatTokens(span)}, ${INTERVAL_SPAN}× the planned volume)`;
}

/** The ranges in a sentence, with their unit where they name volumes ("at every volume" needs none). */
function volumeRanges(row: BreakEvenRow, limitTokens?: number, volume = 0): string {
  const text = describeIntervals(row, limitTokens, volume);
  return text.startsWith("at every volume") ? text : `${text} output tokens/month`;
}

/** Break-even ranges are searched up to this multiple of the planned volume (or the fleet's limit, if lower). */
export const INTERVAL_SPAN = 100;

const CHOICE = {
  rented: "self-host",
  owned: "self-host",
  managed: "host",
  api: "api",
  hybrid: "hybrid",
} as const;

/** The stack's biggest line item and its share of the bill. */
function biggestItem(stack: Lane): { name: string; share: number } {
  const b = stack.breakdown;
  const top = [...b.lineItems].sort((x, y) => y.monthly - x.monthly)[0]!;
  return { name: top.name, share: Math.round((top.monthly / Math.max(1, b.total)) * 100) };
}

/** Where a winning stack's money goes: its biggest line item, stated as a fact, not as a fault. */
function whereStackSpends(stack: Lane): string {
  const top = biggestItem(stack);
  return `${top.name}, ${top.share}% of its bill`;
}

/** Why the stack's own lane loses to the verdict's lane: idle hours, low utilisation, or its biggest line item. */
function whyStackLoses(stack: Lane): string {
  const b = stack.breakdown;
  const plan = b.plan;
  const { name: topName, share: topShare } = biggestItem(stack);
  const idle =
    plan && plan.servingReplicaHours + plan.idleReplicaHours > 0
      ? plan.idleReplicaHours / (plan.servingReplicaHours + plan.idleReplicaHours)
      : 0;
  if (idle > 0.3) return `its GPUs sit idle ${Math.round(idle * 100)}% of the hours they are paid for`;
  if (plan && plan.utilization < 0.3 && stack.option.kind !== "managed")
    return `its fleet runs at ${Math.round(plan.utilization * 100)}% of its capacity`;
  return `${topName} alone is ${topShare}% of its bill`;
}

/** How the chosen lane's model compares with the stack's, on the catalog's quality index. */
function qualityNote(l: Lane, cfg: StackConfig): string {
  if (l.sameModel) return "";
  const own = cfg.model.quality;
  const theirs = l.option.quality;
  if (!theirs || !own)
    return ` It is another model than ${cfg.model.key}, and ${!theirs ? "it" : cfg.model.key} has no ${cfg.compare.qualityIndex.name} score: check it meets your bar.`;
  const d = Math.round(theirs.score) - Math.round(own.score);
  const part = l.option.kind === "hybrid" ? "Its weaker part" : "It";
  // Overlapping 95% intervals: the index cannot tell the two apart, whichever point score is higher.
  const tied = theirs.low <= own.high && theirs.high >= own.low;
  const standing = tied
    ? `tied with ${cfg.model.key} (${Math.round(own.score)}, ${Math.round(own.low)}–${Math.round(own.high)}): their 95% intervals overlap (${Math.round(theirs.low)}–${Math.round(theirs.high)})`
    : `${d >= 0 ? `${d} above` : `${-d} below`} ${cfg.model.key} (${Math.round(own.score)})`;
  return ` ${part} scores ${describeQuality(theirs)}, ${standing}.`;
}

/** Lanes cheaper than the chosen one that can serve but miss the quality bar: the report says so. */
function weakerCheaper(lanes: readonly Lane[], chosen: Lane): string {
  const weaker = cheaperBelowBar(lanes, chosen);
  if (weaker.length === 0) return "";
  const names = weaker
    .slice(0, 3)
    .map((l) => `${l.option.label} (${formatUsd(l.breakdown.total)}/month, ${l.excluded})`);
  return ` Cheaper but below the quality bar: ${names.join("; ")}${weaker.length > 3 ? ` and ${weaker.length - 3} more` : ""}.`;
}

/** A lane's reasoning-token bill (an API's, or a hybrid's hard share's). */
function reasoningBill(l: Lane): number {
  let m = 0;
  for (const i of l.breakdown.lineItems) if (i.name.endsWith(REASONING_ITEM)) m += i.monthly;
  return m;
}

/**
 * What reasoning tokens do to the verdict: when they decide it (without them another eligible lane
 * would be the cheapest), or how much of the chosen lane's bill they are.
 */
function reasoningNote(lanes: readonly Lane[], chosen: Lane): string {
  const eligible = lanes.filter((l) => l.eligible);
  const without = [...eligible].sort(
    (a, b) => a.breakdown.total - reasoningBill(a) - (b.breakdown.total - reasoningBill(b)),
  )[0];
  if (without && without.option.id !== chosen.option.id)
    return ` Reasoning tokens decide it: billed without them, ${without.option.label} would be the cheapest (${formatUsd((without.breakdown.total - reasoningBill(without)) as typeof without.breakdown.total)}/month).`;
  const own = reasoningBill(chosen);
  return own > 0
    ? ` Its bill includes ${formatUsd(own as typeof chosen.breakdown.total)}/month of reasoning tokens (an estimate: set prices.apis.<key>.reasoningTokensPerOutputToken from your usage reports).`
    : "";
}

function verdictFor(lanes: readonly Lane[], rows: readonly BreakEvenRow[], cfg: StackConfig): Verdict {
  const stack = lanes.find((l) => l.isStack)!;
  const eligible = lanes.filter((l) => l.eligible);
  const [best, runner] = eligible;
  const priced = (l: Lane) => `${l.option.label}, ${formatUsd(l.breakdown.total)}/month`;
  const runnerText = runner ? ` Runner-up: ${priced(runner)}.` : "";
  const otherModel = (l: Lane) => `${qualityNote(l, cfg)}${weakerCheaper(lanes, l)}`;
  if (!stack.canServe) {
    return {
      choice: "cannot-serve",
      option: best?.option.id ?? null,
      runnerUp: runner?.option.id ?? null,
      summary: `Cannot serve: ${stack.option.label} with scaling.max ${cfg.scaling.max} leaves ${(stack.unservedShare * 100).toFixed(1)}% of the tokens unserved at peak; it needs scaling.max ${stack.neededScalingMax ?? "higher"}.`,
      reason: best
        ? `The cheapest option that serves the whole demand: ${priced(best)}.${runnerText}${otherModel(best)}`
        : "No compared option serves the whole demand within its limits.",
    };
  }
  if (!best) {
    // The stack's own lane can serve, so only an explicit score bar leaves nothing eligible.
    const top = [...lanes]
      .filter((l) => l.canServe && l.option.quality)
      .sort((a, b) => b.option.quality!.score - a.option.quality!.score)[0];
    return {
      choice: "below-bar",
      option: null,
      runnerUp: null,
      summary: `No lane meets the quality bar: compare.qualityBar asks for ${cfg.compare.qualityIndex.name} ${"minScore" in cfg.compare.qualityBar ? Math.round(cfg.compare.qualityBar.minScore) : ""}, and ${cfg.model.key} scores ${scoreLabel(cfg.model.quality?.score)}.`,
      reason: top
        ? `The best-rated compared lane is ${top.option.label} (${describeQuality(top.option.quality!)}, ${formatUsd(top.breakdown.total)}/month): lower the bar, or add a stronger API to compare.apis.`
        : "No compared lane has a quality score: add APIs to compare.apis.",
    };
  }
  const chosen = best;
  const verb = laneVerb(chosen);
  if (chosen.isStack) {
    const pct = runner
      ? Math.round((1 - toUsd(chosen.breakdown.total) / toUsd(runner.breakdown.total)) * 100)
      : 0;
    const row = runner ? rows.find((r) => r.against === runner.option.id) : undefined;
    return {
      choice: CHOICE[chosen.option.kind],
      option: chosen.option.id,
      runnerUp: runner?.option.id ?? null,
      summary: `${verb}: ${chosen.option.label} costs ${formatUsd(chosen.breakdown.total)}/month${runner ? `, ${pct}% less than the runner-up (${priced(runner)})` : ""}.`,
      reason:
        (row
          ? `It is the cheaper ${volumeRanges(row)}; the stack plans ${formatTokens(cfg.workload.monthlyOutputTokens)}.`
          : `Its biggest cost is ${whereStackSpends(stack)}.`) +
        weakerCheaper(lanes, chosen) +
        reasoningNote(lanes, chosen),
    };
  }
  const row = rows.find((r) => r.against === chosen.option.id);
  const ratio = toUsd(stack.breakdown.total) / Math.max(toUsd(chosen.breakdown.total), 1e-9);
  const subject = stack.option.kind === "managed" ? "The stack's host" : "Self-hosting";
  const crossings = !row
    ? ""
    : row.cheaperBetween.length === 0
      ? ` ${subject} is not cheaper than it at any volume the fleet can serve.`
      : ` ${subject} is cheaper than it ${volumeRanges(row, stack.option.maxScale * cfg.workload.monthlyOutputTokens, cfg.workload.monthlyOutputTokens)}.`;
  return {
    choice: CHOICE[chosen.option.kind],
    option: chosen.option.id,
    runnerUp: runner?.option.id ?? null,
    summary: `${verb}: ${priced(chosen)}, against ${formatUsd(stack.breakdown.total)}/month for the stack's ${stack.option.label} (${ratio.toFixed(1)}×).`,
    reason: `The stack's own option loses because ${whyStackLoses(stack)}.${crossings}${runnerText}${otherModel(chosen)}${reasoningNote(lanes, chosen)}`,
  };
}

/**
 * Outside the catalog's region: the rented lanes left out for want of a regional price, and the AWS
 * services (load balancer, NAT, EBS, egress) and Bedrock still at the catalog region's rates.
 */
function regionWarnings(cfg: StackConfig): string[] {
  if (cfg.region === CATALOG_REGION) return [];
  const out: string[] = [];
  const instance = instanceFor(cfg);
  if (instance && cfg.platform !== "aws" && cfg.unpricedInstances.includes(instance.key))
    out.push(
      `renting ${instance.key} is not compared: there is no ${cfg.region} price for it (run \`vllm-tco prices refresh --region ${cfg.region} --instance-types ${instance.key}\`, or set prices.instances.${instance.key}.onDemand)`,
    );
  if (cfg.platform === "aws" || cfg.platform === "managed")
    out.push(
      `${cfg.region}: ${cfg.platform === "aws" ? "the load balancer, NAT gateway, EBS and egress" : "the managed host's per-token prices"} are priced at ${CATALOG_REGION} rates (the catalog's); ${cfg.region}'s usually differ by a few percent up to ~20%: check them, and set prices.${cfg.platform === "aws" ? "instances" : "managed"} where they matter`,
    );
  return out;
}

/** The stack's GPU instance prices older than `prices.maxAgeDays`, each with how to refresh it. */
function staleInstancePrices(cfg: StackConfig): string[] {
  if (!cfg.aws) return [];
  const i = cfg.aws.instance;
  const now = new Date(cfg.evaluatedAt);
  return purchasePrices(cfg.aws.purchase).flatMap((k) => {
    const age = ageDays(i.sources[k], now);
    if (age === undefined || age <= cfg.prices.maxAgeDays) return [];
    const origin = i.sources[k].origin ?? "catalog";
    return [
      `${i.key} ${k} price ($${i[`${k}UsdPerHour`]}/h) is from the ${origin === "cache" ? "price cache" : "bundled catalog"}, ${age} days old (prices.maxAgeDays ${cfg.prices.maxAgeDays}): run \`vllm-tco prices refresh\``,
    ];
  });
}

/**
 * Published prices the verdict rests on (the chosen lane, the runner-up and the stack's own) that are
 * older than `prices.maxAgeDays`: one warning naming each stale source once. Estimates and labour
 * rates are assumptions, not market prices, and the instance prices have their own warning.
 */
function staleVerdictPrices(cfg: StackConfig, lanes: readonly Lane[], verdict: Verdict): string[] {
  const now = new Date(cfg.evaluatedAt);
  const instanceUrls = new Set(cfg.aws ? Object.values(cfg.aws.instance.sources).map((x) => x.url) : []);
  const used = lanes.filter(
    (l) => l.isStack || l.option.id === verdict.option || l.option.id === verdict.runnerUp,
  );
  const stale = new Map<string, string>();
  for (const l of used)
    for (const item of l.breakdown.lineItems) {
      const src = item.source;
      const age = ageDays(src, now);
      if (age === undefined || age <= cfg.prices.maxAgeDays || item.monthly === 0 || src.estimate) continue;
      if (item.name === "operations labour" || instanceUrls.has(src.url)) continue;
      const key = `${src.url} ${src.asOf}`;
      if (!stale.has(key)) stale.set(key, `${src.title} (${src.asOf}, ${age} days; ${src.url})`);
    }
  if (stale.size === 0) return [];
  return [
    `the verdict compares prices older than prices.maxAgeDays ${cfg.prices.maxAgeDays}: ${[...stale.values()].join("; ")}. Check them at their sources and set current figures in prices.apis, prices.managed or prices.instances before acting on it`,
  ];
}

/**
 * Quality figures the verdict rests on: none for the stack's model under the default bar, or a
 * snapshot older than `prices.maxAgeDays` deciding between models (the chosen lane, the runner-up, or
 * a cheaper lane it ruled out).
 */
function qualityWarnings(cfg: StackConfig, lanes: readonly Lane[], verdict: Verdict): string[] {
  const bar = cfg.compare.qualityBar;
  const index = cfg.compare.qualityIndex;
  if (bar.kind === "unrated")
    return [
      `${cfg.model.key} has no ${index.name} score, so compare.qualityBar stack-model holds no lane to a bar: set ${index.modelSetting} (its score on ${index.leaderboard}), compare.qualityIndex to an index that rates it, or compare.qualityBar to a score or same-model`,
    ];
  if (bar.kind !== "stack-model" && bar.kind !== "score") return [];
  const chosen = lanes.find((l) => l.option.id === verdict.option);
  const passedOver = new Set(chosen ? cheaperBelowBar(lanes, chosen) : []);
  const decisive = lanes.filter(
    (l) =>
      !l.sameModel &&
      (l.option.id === verdict.option || l.option.id === verdict.runnerUp || passedOver.has(l)),
  );
  const snapshots = new Map<string, string>();
  const now = new Date(cfg.evaluatedAt);
  for (const q of [cfg.model.quality, ...decisive.map((l) => l.option.quality)]) {
    const age = q && q.source.origin !== "override" ? ageDays(q.source, now) : undefined;
    if (q && age !== undefined && age > cfg.prices.maxAgeDays)
      snapshots.set(q.source.url, `the ${q.source.asOf} snapshot, ${age} days old`);
  }
  if (decisive.length === 0 || snapshots.size === 0) return [];
  return [
    `the verdict weighs models by ${index.name} scores older than prices.maxAgeDays ${cfg.prices.maxAgeDays} (${[...snapshots.values()].join("; ")}; cost/catalog/quality-and-current-prices.md): newer models and re-ratings are not in them. Check ${index.leaderboard}, and set ${index.modelSetting} or compare.qualityBar to a score if they moved`,
  ];
}

/**
 * Every lane for the stack, ranked: its own option, the others, and the hybrid splits when it routes.
 * The one place lanes are built: the projection and the robustness analysis both rank these.
 */
export function buildLanes(cfg: StackConfig): {
  option: CostOption;
  /** The other options in the order they were built (allOptions, then hybrids). */
  others: readonly CostOption[];
  lanes: Lane[];
  hybrid?: Projection["hybrid"];
} {
  const option = stackOption(cfg);
  const others = allOptions(cfg);
  const routing = cfg.workload.routing;
  let hybrid: Projection["hybrid"];
  const frontier = routing && others.find((o) => o.id === `api:${routing.api}`);
  if (routing && frontier) {
    const cheapestShare = cheapestSplit(option, frontier, routing.hardShare);
    hybrid = { api: frontier.id, hardShare: routing.hardShare, cheapestShare };
    others.push(hybridOption(option, frontier, routing.hardShare));
    if (cheapestShare !== routing.hardShare) others.push(hybridOption(option, frontier, cheapestShare));
  }
  return { option, others, lanes: rankLanes(cfg, option, others), ...(hybrid && { hybrid }) };
}

export function project(cfg: StackConfig): Projection {
  const { option, others, lanes, hybrid } = buildLanes(cfg);
  // The lanes are priced once: the stack's own, the APIs and the other hosts (in the config's order)
  // are read from them, not priced again.
  const byId = new Map(lanes.map((l) => [l.option.id, l]));
  const priced = (id: string): Priced => {
    const l = byId.get(id)!;
    return { option: l.option, breakdown: l.breakdown };
  };
  const self = priced(option.id);
  const apis = cfg.compare.apis.map((api) => priced(`api:${api.key}`));
  const managed = cfg.compare.managed
    .filter((m) => !(cfg.platform === "managed" && m.host === cfg.managed.host))
    .map((m) => priced(`managed:${m.host}`));
  const volume = cfg.workload.monthlyOutputTokens;
  // Break-even against every per-token lane (the stack's own lane is never among the others).
  const rows: BreakEvenRow[] = lanes
    .filter((l) => !l.isStack && (l.option.kind === "api" || l.option.kind === "managed"))
    .map((l) => {
      const be = breakEven(option, l.option);
      return {
        against: l.option.id,
        label: l.option.label,
        scale: be.scale,
        monthlyOutputTokens: be.scale === null ? null : be.scale * volume,
        ...(be.reason && { reason: be.reason }),
        cheaperBetween: cheaperIntervals(option, l.option, INTERVAL_SPAN).map((x) => ({
          from: x.from * volume,
          to: x.to === null ? null : x.to * volume,
        })),
      };
    });
  // The budget rule sets the stack against the cheapest API it could replace: one meeting the
  // quality bar, when any does (a weaker API is no replacement).
  const byCost = [...apis].sort((a, b) => a.breakdown.total - b.breakdown.total);
  const good = new Set(lanes.filter((l) => l.meetsQualityBar).map((l) => l.option.id));
  const cheapest = byCost.find((a) => good.has(a.option.id)) ?? byCost[0]!;
  const warnings: string[] = [];
  const plan = self.breakdown.plan;
  if (option.replica && !option.replica.latencyMet)
    warnings.push(
      option.replica.capacity.binding === "time-to-first-token"
        ? `one request alone waits ${(option.replica.capacity.run?.ttftMs.p90 ?? NaN).toFixed(0)} ms for its first token, more than workload.timeToFirstTokenMs ${cfg.workload.timeToFirstTokenMs}: use more or faster GPUs, fp8 weights, or raise the target`
        : `one stream alone runs at ${(option.replica.capacity.run?.itlMs.p90 ?? NaN).toFixed(1)} ms/token, slower than workload.interTokenLatencyMs ${cfg.workload.interTokenLatencyMs}: use more or faster GPUs, or fp8 weights`,
    );
  warnings.push(
    ...cfg.priceWarnings,
    ...staleInstancePrices(cfg),
    ...regionWarnings(cfg),
    ...(cfg.notSelfHostable ? [cfg.notSelfHostable] : []),
  );
  // The replica count the verdict names (the stack's lane), never a second estimate of it.
  const stackLane = lanes.find((l) => l.isStack);
  if (plan && plan.unservedShare > 0)
    warnings.push(
      `scaling.max ${cfg.scaling.max} replicas cannot serve ${(plan.unservedShare * 100).toFixed(1)}% of the monthly tokens at peak: raise scaling.max to at least ${stackLane?.neededScalingMax ?? "the peak's replica count"}`,
    );
  const verdict = verdictFor(lanes, rows, cfg);
  warnings.push(...staleVerdictPrices(cfg, lanes, verdict), ...qualityWarnings(cfg, lanes, verdict));
  let robust: Robustness | undefined;
  return {
    config: cfg,
    selfHosted: self,
    ...(option.replica && { replica: option.replica }),
    apis,
    managed,
    selfHostedAlternatives:
      cfg.platform === "managed"
        ? others.filter((o) => o.kind === "rented" || o.kind === "owned").map((o) => priced(o.id))
        : [],
    breakEven: rows,
    lanes,
    ...(hybrid && { hybrid }),
    verdict,
    // Dozens of re-rankings: only the views that show it pay for it (sweeps and tests never read it).
    get robustness() {
      robust ??= robustness(cfg, lanes, (c) => buildLanes(c).lanes);
      return robust;
    },
    budget: checkBudget(cfg.budget, self.breakdown.total, {
      label: cheapest.option.label,
      total: cheapest.breakdown.total,
    }),
    warnings,
  };
}

/** One row of `vllm-tco compare`: a lane of the projection, as the verdict saw it. */
export interface Ranked {
  readonly id: string;
  readonly label: string;
  readonly kind: CostOption["kind"];
  readonly monthly: Breakdown["total"];
  /** Dollars per million tokens (input and output together). */
  readonly usdPerMillionTokens: number;
  /** LMArena text score of what the option serves; null when unrated. */
  /** Its score on the stack's quality index (`compare.qualityIndex`); null: unrated there. */
  readonly qualityScore: number | null;
  /** The option the stack deploys. */
  readonly isStack: boolean;
  readonly canServe: boolean;
  readonly meetsQualityBar: boolean;
  /** Counted for the verdict: can serve and meets the quality bar. */
  readonly eligible: boolean;
  /** Why not, when not eligible (the same words as `cost`). */
  readonly excluded?: string;
  /** The scaling.max that serves the peak, when it cannot serve. */
  readonly neededScalingMax?: number;
  /** The verdict's lane. */
  readonly chosen: boolean;
}

/**
 * A row's standing in the verdict, in words, for every view of `compare`: the verdict's lane, the
 * stack's own, and why a lane does not count.
 */
export function standing(r: Ranked): { verdict: boolean; stack: boolean; excluded?: string } {
  return {
    verdict: r.chosen,
    stack: r.isStack,
    ...(!r.eligible && {
      excluded: r.canServe
        ? "below the quality bar"
        : `cannot serve: needs scaling.max ${r.neededScalingMax ?? "higher"}`,
    }),
  };
}

/**
 * The projection's lanes, cheapest first, for `compare`: the same lanes, eligibility and verdict as
 * `cost` (one decision core), never a ranking of its own.
 */
export function rank(p: Projection): Ranked[] {
  const w = p.config.workload;
  const totalTokens = (w.monthlyInputTokens + w.monthlyOutputTokens) / 1e6;
  return p.lanes.map((l) => ({
    id: l.option.id,
    label: l.option.label,
    kind: l.option.kind,
    monthly: l.breakdown.total,
    usdPerMillionTokens: totalTokens > 0 ? toUsd(l.breakdown.total) / totalTokens : 0,
    qualityScore: l.option.quality?.score ?? null,
    isStack: l.isStack,
    canServe: l.canServe,
    meetsQualityBar: l.meetsQualityBar,
    eligible: l.eligible,
    ...(l.excluded !== undefined && { excluded: l.excluded }),
    ...(l.neededScalingMax !== undefined && { neededScalingMax: l.neededScalingMax }),
    chosen: l.option.id === p.verdict.option,
  }));
}
