/**
 * Every way to serve a stack's workload, priced as a function of volume: rented instances (each
 * purchase option), owned servers, managed-open hosts and per-token APIs. Each option prices itself
 * at `scale` × the stack's monthly volume, so the report, the compare ranking and the break-even
 * solver share one implementation.
 */
import {
  AWS_SERVICES,
  blendedSource,
  OPERATIONS,
  purchasePrices,
  SPOT_INTERRUPTION,
  type ApiOffer,
  type InstanceType,
  type ManagedOffer,
  type Quality,
  type Reasoning,
  type Source,
  type TokenPrices,
} from "./catalog";
import { capacityBreakpoints, planCapacity, sumOverLevels, type CapacityPlan } from "./capacity";
import { coldStart, type ColdStart } from "./cold-start";
import { GP3_BASE_IOPS, GP3_BASE_MIBPS, IMAGE_DOWNLOAD_GB, type RootVolume } from "./catalog/root-volume";
import { sum, times, usd, type Micros } from "./money";
import { HOURS_PER_MONTH } from "./traffic";
import { AWS_DEFAULTS } from "./config/schema";
import { loadBalancerInternal } from "./config/network";
import { streamedBytesPerToken } from "./egress";
import { formatNumber } from "./format";
import type { ReplicaCapacity } from "./replica";
import type { StackConfig } from "./config/stack-config";

export interface LineItem {
  readonly name: string;
  /** quantity × unitPrice, in micro-dollars (rounded once, here). */
  readonly monthly: Micros;
  /** How many units a month (instance-hours, GB, million tokens, servers…), as a number a test can recompute. */
  readonly quantity: number;
  /** What one unit is: "instance-h", "GB", "M tokens", "server-month"… */
  readonly unit: string;
  /** Dollars per unit. */
  readonly unitPrice: number;
  /** The price's source and date. */
  readonly source: Source;
  /** The arithmetic, in words a reader can redo: "730 h × $6.88/h". */
  readonly formula: string;
}

export interface Breakdown {
  readonly total: Micros;
  readonly lineItems: readonly LineItem[];
  readonly plan?: CapacityPlan;
}

export type OptionKind = "rented" | "owned" | "managed" | "api" | "hybrid";
export type Purchase = "on-demand" | "spot" | "savings-plan" | "mixed";

export interface CostOption {
  readonly id: string;
  readonly label: string;
  readonly kind: OptionKind;
  /** Monthly cost at `scale` × the stack's token volume. */
  at(scale: number): Breakdown;
  /** Scales where the cost steps (a replica added in some hour); empty for per-token options. */
  readonly breakpoints: readonly number[];
  /** Largest scale served without turning requests away (Infinity for per-token options). */
  readonly maxScale: number;
  readonly replica?: ReplicaCapacity;
  /** The served model's LMArena text score (a hybrid: its weaker part); absent when unrated. */
  readonly quality?: Quality;
}

/** The savings-plan rates in the catalog are three-year, no-upfront terms. */
const SAVINGS_PLAN_YEARS = 3;

const formatUsdWhole = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

const ALARMS = 4;
const SECRETS = 2;

const fmt = formatNumber;
const money = (n: number) => `$${formatNumber(n, 6)}`;

/**
 * A line item whose formula text is built only when read: the break-even solver and sweeps price
 * thousands of volumes and never look at it. A class, because V8 makes object literals with getters
 * slow to create.
 */
class PricedItem implements LineItem {
  #formula: (() => string) | string;
  constructor(
    readonly name: string,
    readonly monthly: Micros,
    readonly quantity: number,
    readonly unit: string,
    readonly unitPrice: number,
    readonly source: Source,
    formula: () => string,
  ) {
    this.#formula = formula;
  }
  get formula(): string {
    if (typeof this.#formula !== "string") this.#formula = this.#formula();
    return this.#formula;
  }
}

/** One priced quantity, as Infracost's cost components are: the amount is always quantity × unit price. */
function item(
  name: string,
  priced: { readonly quantity: number; readonly unit: string; readonly unitPrice: number },
  source: Source,
  formula: () => string,
): LineItem {
  const { quantity, unit, unitPrice } = priced;
  return new PricedItem(name, times(usd(unitPrice), quantity), quantity, unit, unitPrice, source, formula);
}

function breakdown(lineItems: LineItem[], plan?: CapacityPlan): Breakdown {
  return { total: sum(lineItems.map((i) => i.monthly)), lineItems, ...(plan && { plan }) };
}

export function operationsItem(hours: number, rate: number, source: Source): LineItem {
  return item(
    "operations labour",
    { quantity: hours, unit: "engineer-h", unitPrice: rate },
    source,
    () => `${fmt(hours)} h × ${money(rate)}/h`,
  );
}

/** Token bill at per-million prices: uncached input, cached input, output. */
export function tokenItems(
  prices: TokenPrices,
  inputTokens: number,
  cachedShare: number,
  outputTokens: number,
  source: Source,
): LineItem[] {
  const cachedPrice = prices.cachedInputPerMillion ?? prices.inputPerMillion;
  const cached = inputTokens * cachedShare;
  const m = (tokens: number) => tokens / 1e6;
  return [
    item(
      "input tokens",
      { quantity: m(inputTokens - cached), unit: "M tokens", unitPrice: prices.inputPerMillion },
      source,
      () => `${fmt(m(inputTokens - cached))}M × ${money(prices.inputPerMillion)}/M`,
    ),
    item(
      "cached input tokens",
      { quantity: m(cached), unit: "M tokens", unitPrice: cachedPrice },
      source,
      () =>
        `${fmt(m(cached))}M × ${money(cachedPrice)}/M${prices.cachedInputPerMillion === undefined ? " (no cache discount)" : ""}`,
    ),
    item(
      "output tokens",
      { quantity: m(outputTokens), unit: "M tokens", unitPrice: prices.outputPerMillion },
      source,
      () => `${fmt(m(outputTokens))}M × ${money(prices.outputPerMillion)}/M`,
    ),
  ];
}

/** The name every view and test finds the reasoning-token bill by. */
export const REASONING_ITEM = "reasoning tokens (billed as output)";

/** Hidden reasoning tokens, billed at the output price: visible output × tokens per visible token. */
function reasoningItem(api: ApiOffer, r: Reasoning, outputTokens: number): LineItem {
  const m = (outputTokens * r.perOutputToken) / 1e6;
  return item(
    REASONING_ITEM,
    { quantity: m, unit: "M tokens", unitPrice: api.outputPerMillion },
    r.source,
    () =>
      `${fmt(outputTokens / 1e6)}M visible output × ${r.perOutputToken} reasoning token(s) each at ${r.effort} effort (range ${r.low}–${r.high}) = ${fmt(m)}M × ${money(api.outputPerMillion)}/M`,
  );
}

export function apiOption(cfg: StackConfig, api: ApiOffer): CostOption {
  const w = cfg.workload;
  // Like for like with a managed host: an API also needs integration upkeep (keys, limits, usage watch).
  const ops = operationsItem(
    defaultOpsHours("api", cfg),
    cfg.operations.hourlyRateUsd,
    cfg.operations.source,
  );
  // The robustness analysis varies the catalog's estimate; a figure the stack measured stays.
  const assumed = cfg.assumptions?.reasoningPerOutputToken;
  const reasoning =
    api.reasoning && assumed !== undefined && api.reasoning.source.origin !== "override"
      ? { ...api.reasoning, perOutputToken: assumed }
      : api.reasoning;
  return {
    id: `api:${api.key}`,
    label: api.name,
    kind: "api",
    quality: api.quality,
    at: (s) =>
      breakdown([
        ...tokenItems(
          api,
          s * w.monthlyInputTokens,
          w.cachedInputShare,
          s * w.monthlyOutputTokens,
          api.source,
        ),
        ...(reasoning ? [reasoningItem(api, reasoning, s * w.monthlyOutputTokens)] : []),
        ops,
      ]),
    breakpoints: [],
    maxScale: Infinity,
  };
}

export function managedOption(cfg: StackConfig, offer: ManagedOffer, opsHours: number): CostOption {
  const w = cfg.workload;
  const ops = operationsItem(opsHours, cfg.operations.hourlyRateUsd, cfg.operations.source);
  return {
    id: `managed:${offer.host}`,
    label: `${offer.host} · ${cfg.model.key} (managed-open)`,
    kind: "managed",
    ...(cfg.model.quality && { quality: cfg.model.quality }),
    at: (s) =>
      breakdown([
        ...tokenItems(
          offer,
          s * w.monthlyInputTokens,
          w.cachedInputShare,
          s * w.monthlyOutputTokens,
          offer.source,
        ),
        ops,
      ]),
    breakpoints: [],
    maxScale: Infinity,
  };
}

/** $/hour of the k-th replica (1-based) under a purchase option. */
/**
 * How a purchase splits replicas: the first `onDemandBase` on demand, then `spotShare` of each one
 * above on spot (a mixed fleet); all spot or none otherwise. One place for the hourly rate and the
 * spot interruptions alike.
 */
function fleetSplit(purchase: Purchase, cfg: StackConfig): { base: number; spotShare: number } {
  if (purchase === "spot") return { base: 0, spotShare: 1 };
  if (purchase !== "mixed") return { base: 0, spotShare: 0 };
  return { base: cfg.aws?.onDemandBase ?? 0, spotShare: (cfg.aws ?? AWS_DEFAULTS).spotPercentage / 100 };
}

function hourlyRate(instance: InstanceType, purchase: Purchase, k: number, cfg: StackConfig): number {
  if (purchase === "spot") return instance.spotUsdPerHour;
  if (purchase === "mixed") {
    const { base, spotShare } = fleetSplit(purchase, cfg);
    return k <= base
      ? instance.onDemandUsdPerHour
      : spotShare * instance.spotUsdPerHour + (1 - spotShare) * instance.onDemandUsdPerHour;
  }
  return instance.onDemandUsdPerHour;
}

/** $/hour of replicas 1..r together (the first `onDemandBase` of a mixed fleet on demand, the rest blended). */
function ratesUpTo(instance: InstanceType, purchase: Purchase, r: number, cfg: StackConfig): number {
  if (purchase !== "mixed") return r * hourlyRate(instance, purchase, 1, cfg);
  const base = Math.min(r, fleetSplit(purchase, cfg).base);
  return base * instance.onDemandUsdPerHour + (r - base) * hourlyRate(instance, purchase, base + 1, cfg);
}

/**
 * Instance time spent starting replicas (boot, image pull, weights, engine: cost/cold-start.ts), paid
 * before a replica serves anything: every start in the plan, at the rate the new instance runs at.
 */
function startingItem(plan: CapacityPlan, c: ColdStart, rate: number, source: Source): LineItem {
  const hours = (plan.replicaStartsPerMonth * c.totalSeconds) / 3600;
  return item(
    "GPU instances starting (cold starts)",
    { quantity: hours, unit: "instance-h", unitPrice: rate },
    source,
    () =>
      `${fmt(plan.replicaStartsPerMonth)} starts × ${c.totalSeconds} s (boot ${c.bootSeconds} + image ${c.imagePullSeconds} + weights ${c.weightsSeconds} + engine ${c.engineInitSeconds}) = ${fmt(hours)} instance-h × ${money(+rate.toFixed(6))}/h`,
  );
}

/**
 * What a rented lane's line items need that does not change with the volume priced: worked out once
 * per lane, not at each of the thousands of volumes the break-even solver and sweeps price.
 */
interface RentedFixed {
  readonly volume: RootVolume;
  /** The load balancer is internal (no internet egress): config's one CIDR rule. */
  readonly internal: boolean;
  readonly bytesPerToken: number;
  /** A new instance's cold start on AWS, billed per start. */
  readonly start: ColdStart;
}

function rentedFixed(cfg: StackConfig, instance: InstanceType): RentedFixed {
  const start = coldStart(cfg, "aws", instance);
  return {
    volume: start.volume!,
    // Responses leave the network only through an internet-facing load balancer; an internal one
    // keeps them inside the VPC and its peered networks (no internet egress).
    internal: cfg.aws ? loadBalancerInternal(cfg.aws) : false,
    bytesPerToken: streamedBytesPerToken(cfg.model.servedName),
    start,
  };
}

function instanceItems(
  instance: InstanceType,
  purchase: Purchase,
  plan: CapacityPlan,
  cfg: StackConfig,
  start: ColdStart,
): LineItem[] {
  const levels = plan.levels;
  const prices = purchasePrices(purchase);
  // A savings plan's two items each cite their own price; a mixed rate cites both it blends.
  const src =
    purchase === "savings-plan"
      ? instance.sources.savingsPlan
      : blendedSource(prices.map((k) => instance.sources[k]));
  if (purchase === "savings-plan") {
    // Commit to the k replicas that run at least sp/od of the month: beyond that on-demand is cheaper.
    const od = instance.onDemandUsdPerHour;
    const sp = instance.savingsPlanUsdPerHour;
    // Hours with at least k running only change at the counts that run: the largest such count whose
    // hours reach the threshold is the commitment.
    let commit = 0;
    let atLeast = 0;
    for (let i = levels.length - 1; i >= 0; i--) {
      atLeast += levels[i]!.hours;
      if (atLeast / HOURS_PER_MONTH >= sp / od) {
        commit = levels[i]!.replicas;
        break;
      }
    }
    const above = sumOverLevels(levels, (r) => Math.max(0, r - commit)) + plan.scaleInDelayReplicaHours;
    return [
      item(
        commit > 0
          ? `GPU instances, savings plan (${commit} × ${instance.key} committed 24×7 for ${SAVINGS_PLAN_YEARS} years: ${formatUsdWhole(commit * sp * HOURS_PER_MONTH * 12 * SAVINGS_PLAN_YEARS)} owed whatever the load)`
          : `GPU instances, savings plan (nothing committed: no ${instance.key} runs the ${fmt((sp / od) * 100)}% of the month a commitment needs to pay)`,
        { quantity: commit * HOURS_PER_MONTH, unit: "instance-h", unitPrice: sp },
        src,
        () => `${commit} × ${HOURS_PER_MONTH} h × ${money(sp)}/h`,
      ),
      item(
        `GPU instances above the commitment, on-demand`,
        { quantity: above, unit: "instance-h", unitPrice: od },
        instance.sources.onDemand,
        () => `${fmt(above)} instance-h × ${money(od)}/h`,
      ),
      // Starts happen above the commitment (the committed replicas run all month): on demand.
      startingItem(plan, start, od, instance.sources.onDemand),
    ];
  }
  // Mean rate over the replica-hours actually run (replicas above the on-demand base cost less when mixed).
  let paid = sumOverLevels(levels, (r) => ratesUpTo(instance, purchase, r, cfg));
  let total = sumOverLevels(levels, (r) => r);
  // Replicas waiting out a scale-in delay are the top ones: priced at the top replica's rate.
  paid += plan.scaleInDelayReplicaHours * hourlyRate(instance, purchase, Math.max(1, plan.peakReplicas), cfg);
  total += plan.scaleInDelayReplicaHours;
  const rate = total > 0 ? paid / total : hourlyRate(instance, purchase, 1, cfg);
  const label = purchase === "mixed" ? `mixed spot/on-demand, mean ${money(+rate.toFixed(4))}/h` : purchase;
  const interruption =
    purchase === "spot" || purchase === "mixed"
      ? [spotInterruptionItem(instance, purchase, plan, cfg, start)]
      : [];
  return [
    item(
      `GPU instances serving (${instance.key}, ${label})`,
      { quantity: plan.servingReplicaHours, unit: "instance-h", unitPrice: rate },
      src,
      () => `${fmt(plan.servingReplicaHours)} instance-h × ${money(+rate.toFixed(6))}/h`,
    ),
    item(
      `GPU instances idle (floor off-hours, ${cfg.scaling.idleMinutes} min before scale-to-zero)`,
      { quantity: plan.idleReplicaHours, unit: "instance-h", unitPrice: rate },
      src,
      () => `${fmt(plan.idleReplicaHours)} instance-h × ${money(+rate.toFixed(6))}/h`,
    ),
    startingItem(plan, start, rate, src),
    ...interruption,
  ];
}

/**
 * Spot instances AWS reclaims: each is replaced by a new one that boots, pulls and loads again (a cold
 * start's instance time at the spot rate). Mixed fleets pay it only on their spot share above the
 * on-demand base.
 */
function spotInterruptionItem(
  instance: InstanceType,
  purchase: "spot" | "mixed",
  plan: CapacityPlan,
  cfg: StackConfig,
  start: ColdStart,
): LineItem {
  const { base, spotShare } = fleetSplit(purchase, cfg);
  const spotHours = spotShare * sumOverLevels(plan.levels, (r) => Math.max(0, r - base));
  const perMonth = cfg.assumptions?.spotInterruptionsPerMonth ?? SPOT_INTERRUPTION.perInstanceMonth;
  const interruptions = (spotHours / HOURS_PER_MONTH) * perMonth;
  const rewarm = (interruptions * start.totalSeconds) / 3600;
  return item(
    "spot interruptions (replacements re-warming)",
    { quantity: rewarm, unit: "instance-h", unitPrice: instance.spotUsdPerHour },
    SPOT_INTERRUPTION.source,
    () =>
      `${fmt(spotHours)} spot instance-h ÷ ${HOURS_PER_MONTH} × ${perMonth} interruptions per instance-month = ${fmt(interruptions)} × ${start.totalSeconds} s re-warm = ${fmt(rewarm)} instance-h × ${money(instance.spotUsdPerHour)}/h`,
  );
}

/**
 * One root volume for a month: its size, and the IOPS and throughput provisioned above gp3's free
 * baseline (3,000 IOPS, 125 MiB/s) so that weights on it load at the promised speed.
 */
export function volumeUsdPerMonth(v: RootVolume): number {
  const a = AWS_SERVICES;
  return (
    v.sizeGb * a.ebsGp3UsdPerGbMonth +
    (v.iops - GP3_BASE_IOPS) * a.ebsGp3IopsUsdPerMonth +
    (v.throughputMiBps - GP3_BASE_MIBPS) * a.ebsGp3ThroughputUsdPerMiBpsMonth
  );
}

function volumeWork(v: RootVolume): string {
  const extra =
    v.throughputMiBps > GP3_BASE_MIBPS
      ? ` + ${v.iops - GP3_BASE_IOPS} IOPS × ${money(AWS_SERVICES.ebsGp3IopsUsdPerMonth)} + ${v.throughputMiBps - GP3_BASE_MIBPS} MiB/s × ${money(AWS_SERVICES.ebsGp3ThroughputUsdPerMiBpsMonth)} above gp3's baseline`
      : "";
  return `(${v.sizeGb} GB × ${money(AWS_SERVICES.ebsGp3UsdPerGbMonth)}${extra} = ${money(+volumeUsdPerMonth(v).toFixed(2))}/month)`;
}

/**
 * A warm pool's stopped hosts: AWS bills a stopped instance's volumes, not its hours. The pool holds
 * exactly `warmPool.size` hosts (maxGroupPreparedCapacity = minSize, infra/aws/fleet-inputs.ts).
 */
function warmPoolItems(cfg: StackConfig, volume: RootVolume): LineItem[] {
  const pool = cfg.aws?.warmPool;
  if (!pool?.enabled || pool.size === 0) return [];
  const perMonth = volumeUsdPerMonth(volume);
  return [
    item(
      `warm pool (${pool.size} stopped host${pool.size > 1 ? "s" : ""}: root volumes)`,
      { quantity: pool.size, unit: "volume-month", unitPrice: perMonth },
      AWS_SERVICES.source,
      () => `${pool.size} × root volume ${volumeWork(volume)}`,
    ),
  ];
}

/** Supporting AWS infrastructure: load balancer, NAT, disks, egress, alarms and secrets. */
function awsSupportItems(
  cfg: StackConfig,
  plan: CapacityPlan,
  scale: number,
  fixed: RentedFixed,
): LineItem[] {
  const a = AWS_SERVICES;
  const src = a.source;
  const { volume, internal, bytesPerToken } = fixed;
  const downloadsGb = plan.replicaStartsPerMonth * (cfg.model.weightBytes / 1e9 + IMAGE_DOWNLOAD_GB);
  const egressGb = internal ? 0 : (scale * cfg.workload.monthlyOutputTokens * bytesPerToken) / 1e9;
  const instanceMonths = (plan.servingReplicaHours + plan.idleReplicaHours) / HOURS_PER_MONTH;
  const albRate = a.albUsdPerHour + a.albLcuUsdPerHour;
  return [
    item(
      "load balancer (ALB + 1 LCU)",
      { quantity: HOURS_PER_MONTH, unit: "h", unitPrice: albRate },
      src,
      () => `${HOURS_PER_MONTH} h × ${money(albRate)}/h`,
    ),
    item(
      "NAT gateway",
      { quantity: HOURS_PER_MONTH, unit: "h", unitPrice: a.natGatewayUsdPerHour + a.publicIpv4UsdPerHour },
      src,
      () =>
        `${HOURS_PER_MONTH} h × (${money(a.natGatewayUsdPerHour)}/h + ${money(a.publicIpv4UsdPerHour)}/h for its public IPv4 address)`,
    ),
    item(
      "NAT gateway data (weights and image)",
      { quantity: downloadsGb, unit: "GB", unitPrice: a.natGatewayUsdPerGb },
      src,
      () =>
        `${fmt(downloadsGb)} GB of weights and image for ${fmt(plan.replicaStartsPerMonth)} replica starts × ${money(a.natGatewayUsdPerGb)}/GB`,
    ),
    item(
      "root volumes (EBS gp3)",
      { quantity: instanceMonths, unit: "volume-month", unitPrice: volumeUsdPerMonth(volume) },
      src,
      () => `${fmt(instanceMonths, 2)} instance-months × root volume ${volumeWork(volume)}`,
    ),
    item(
      "internet egress (streamed responses)",
      { quantity: egressGb, unit: "GB", unitPrice: a.internetEgressUsdPerGb },
      src,
      () =>
        internal
          ? "0 GB: the load balancer is internal (every aws.ingressCidrs range is private), so responses stay in the network"
          : `${fmt(egressGb)} GB (${bytesPerToken} B per streamed output token) × ${money(a.internetEgressUsdPerGb)}/GB`,
    ),
    ...warmPoolItems(cfg, volume),
    item(
      "CloudWatch alarms",
      { quantity: ALARMS, unit: "alarm-month", unitPrice: a.cloudwatchAlarmUsdPerMonth },
      src,
      () => `${ALARMS} alarms × ${money(a.cloudwatchAlarmUsdPerMonth)}`,
    ),
    item(
      "Secrets Manager secrets",
      { quantity: SECRETS, unit: "secret-month", unitPrice: a.secretsManagerUsdPerSecretMonth },
      src,
      () => `${SECRETS} secrets × ${money(a.secretsManagerUsdPerSecretMonth)}`,
    ),
  ];
}

interface SelfHostedBase {
  readonly cfg: StackConfig;
  readonly shape: Float64Array;
  readonly replica: ReplicaCapacity;
  readonly opsHours: number;
}

function plannedAt(b: SelfHostedBase, s: number): CapacityPlan {
  return planCapacity(
    b.shape,
    s * b.cfg.workload.monthlyOutputTokens,
    b.replica.tokensPerHour,
    b.cfg.scaling,
  );
}

function scaleLimits(b: SelfHostedBase): {
  readonly breakpoints: () => readonly number[];
  readonly maxScale: number;
} {
  const peakShare = Math.max(...b.shape);
  const weekly = b.cfg.workload.monthlyOutputTokens / (HOURS_PER_MONTH / 168);
  let breakpoints: readonly number[] | undefined;
  return {
    // Worked out when first read: O(distinct hourly demands × scaling.max), which break-even ranges
    // need once, but the robustness analysis's dozens of re-rankings never read.
    breakpoints: () =>
      (breakpoints ??= capacityBreakpoints(
        b.shape,
        b.cfg.workload.monthlyOutputTokens,
        b.replica.tokensPerHour,
        b.cfg.scaling.max,
      )),
    maxScale: weekly > 0 ? (b.cfg.scaling.max * b.replica.tokensPerHour) / (weekly * peakShare) : Infinity,
  };
}

/** ", 2× TP4 engines" when an instance or server packs more than one engine. */
function packing(r: ReplicaCapacity): string {
  const e = r.capacity.engine;
  return e.engines > 1 ? `, ${e.engines}× TP${e.tp}` : "";
}

export function rentedOption(b: SelfHostedBase, instance: InstanceType, purchase: Purchase): CostOption {
  const ops = operationsItem(b.opsHours, b.cfg.operations.hourlyRateUsd, b.cfg.operations.source);
  const fixed = rentedFixed(b.cfg, instance);
  const limits = scaleLimits(b);
  return {
    id: `rented:${instance.key}:${purchase}`,
    label: `rented ${instance.key}${packing(b.replica)} (${purchase})`,
    kind: "rented",
    replica: b.replica,
    ...(b.cfg.model.quality && { quality: b.cfg.model.quality }),
    at: (s) => {
      const plan = plannedAt(b, s);
      return breakdown(
        [
          ...instanceItems(instance, purchase, plan, b.cfg, fixed.start),
          ...awsSupportItems(b.cfg, plan, s, fixed),
          ops,
        ],
        plan,
      );
    },
    get breakpoints() {
      return limits.breakpoints();
    },
    maxScale: limits.maxScale,
  };
}

/**
 * Servers bought whole for `replicas` replicas of `gpus` GPUs: a replica never spans servers unless it
 * needs more GPUs than one holds (then it takes whole servers of its own).
 */
export function serversFor(replicas: number, gpus: number, gpusPerServer: number): number {
  if (gpus > gpusPerServer) return Math.max(1, replicas * Math.ceil(gpus / gpusPerServer));
  return Math.max(1, Math.ceil(replicas / Math.floor(gpusPerServer / gpus)));
}

/** Owned servers bought for the plan's peak (scaling.max caps it); only power follows the load. */
export function ownedOption(b: SelfHostedBase): CostOption {
  const o = b.cfg.ownership;
  const gpusPerServer = o.gpusPerServer.value;
  const ops = operationsItem(b.opsHours, b.cfg.operations.hourlyRateUsd, b.cfg.operations.source);
  const atStack = serversFor(plannedAt(b, 1).peakReplicas, b.cfg.gpu.count, gpusPerServer);
  const limits = scaleLimits(b);
  return {
    id: "owned",
    label: `owned ${atStack}× ${gpusPerServer}-GPU server${atStack > 1 ? "s" : ""} (${b.cfg.gpu.type.key})`,
    kind: "owned",
    replica: b.replica,
    ...(b.cfg.model.quality && { quality: b.cfg.model.quality }),
    at: (s) => {
      const plan = plannedAt(b, s);
      const servers = serversFor(plan.peakReplicas, b.cfg.gpu.count, gpusPerServer);
      // GPU-hours at load, as a share of one server's GPUs: the rest of the month draws idle power.
      const loadServerHours = (plan.servingReplicaHours * plan.utilization * b.cfg.gpu.count) / gpusPerServer;
      const kwh =
        (servers * o.idleWatts.value * HOURS_PER_MONTH +
          (o.loadWatts.value - o.idleWatts.value) * loadServerHours) /
        1000;
      const residual = o.residualValuePercent.value / 100;
      const perMonth = (o.purchaseUsd.value * (1 - residual)) / o.depreciationMonths.value;
      // Capital tied up: the average book value over the life, at the yearly rate.
      const capitalPerMonth =
        ((o.purchaseUsd.value * (1 + residual)) / 2) * (o.costOfCapitalPercent.value / 100 / 12);
      return breakdown(
        [
          item(
            "hardware depreciation",
            { quantity: servers, unit: "server-month", unitPrice: perMonth },
            o.purchaseUsd.source,
            () =>
              `${servers} × ${money(o.purchaseUsd.value)}${residual > 0 ? ` × (1 − ${o.residualValuePercent.value}% resale)` : ""} ÷ ${o.depreciationMonths.value} months (bought for the peak of ${plan.peakReplicas} replica(s) of ${b.cfg.gpu.count} GPU(s); scaling.max ${b.cfg.scaling.max})`,
          ),
          item(
            "support contract",
            { quantity: servers, unit: "server-month", unitPrice: o.supportUsdPerYear.value / 12 },
            o.supportUsdPerYear.source,
            () => `${servers} × ${money(o.supportUsdPerYear.value)}/year ÷ 12`,
          ),
          ...(capitalPerMonth > 0
            ? [
                item(
                  "cost of capital",
                  { quantity: servers, unit: "server-month", unitPrice: capitalPerMonth },
                  o.costOfCapitalPercent.source,
                  () =>
                    `${servers} × average book value ${money((o.purchaseUsd.value * (1 + residual)) / 2)} × ${o.costOfCapitalPercent.value}%/year ÷ 12`,
                ),
              ]
            : []),
          item(
            "power and cooling",
            { quantity: kwh * o.pue.value, unit: "kWh (with PUE)", unitPrice: o.electricityUsdPerKwh.value },
            o.electricityUsdPerKwh.source,
            () =>
              `${fmt(kwh)} kWh (${servers} × ${o.idleWatts.value} W idle + ${fmt(loadServerHours)} server-h at ${o.loadWatts.value} W) × PUE ${o.pue.value} × ${money(o.electricityUsdPerKwh.value)}/kWh`,
          ),
          item(
            "rack and colocation",
            { quantity: servers, unit: "server-month", unitPrice: o.rackUsdPerMonth.value },
            o.rackUsdPerMonth.source,
            () => `${servers} × ${money(o.rackUsdPerMonth.value)}`,
          ),
          ops,
        ],
        plan,
      );
    },
    get breakpoints() {
      return limits.breakpoints();
    },
    maxScale: limits.maxScale,
  };
}

/**
 * Engineer hours a month per lane: the stack's own `operations.hoursPerMonth` for its platform, the
 * catalog's stated assumption for the others (OPERATIONS.hoursPerMonth; an API's are the integration
 * upkeep a per-token host also needs).
 */
export function defaultOpsHours(kind: OptionKind, cfg: StackConfig): number {
  // A hybrid's parts carry their own labour.
  if (kind === "hybrid") return 0;
  const own = { rented: "aws", owned: "kubernetes", managed: "managed", api: "api" } as const;
  const platform = own[kind];
  const hours = platform === cfg.platform ? cfg.operations.hoursPerMonth : OPERATIONS.hoursPerMonth[platform];
  const selfHosted = kind === "rented" || kind === "owned";
  return selfHosted ? hours * (cfg.assumptions?.selfHostLabourFactor ?? 1) : hours;
}
