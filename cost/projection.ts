/**
 * The monthly projection for a stack: its own serving option, every compared API and managed-open
 * host, break-even volumes, the verdict and the budget check. Pure: the CLI, the Pulumi program and
 * the policy pack all render this one object.
 */
import { ageDays, INSTANCE_TYPES, type InstanceType } from "./catalog";
import { breakEven } from "./breakeven";
import { checkBudget, type BudgetResult } from "./budget";
import { formatTokens } from "./format";
import { formatUsd, toUsd } from "./money";
import {
  apiOption,
  defaultOpsHours,
  managedOption,
  ownedOption,
  rentedOption,
  type Breakdown,
  type CostOption,
  type Purchase,
} from "./options";
import { replicaCapacity, type ReplicaCapacity } from "./replica";
import { weeklyShape } from "./traffic";
import type { StackConfig } from "./config/stack-config";

export interface Priced {
  readonly option: CostOption;
  readonly breakdown: Breakdown;
}

export interface BreakEvenRow {
  readonly against: string;
  readonly label: string;
  readonly scale: number | null;
  readonly monthlyOutputTokens: number | null;
  readonly reason?: string;
}

export interface Verdict {
  readonly choice: "self-host" | "api";
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
  readonly verdict: Verdict;
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
  if (instance) {
    const replica = replicaCapacity(cfg, cfg.gpu.type, instance.gpus);
    const purchases: Purchase[] = ["on-demand", "spot", "savings-plan"];
    if (cfg.aws?.purchase === "mixed") purchases.push("mixed");
    for (const p of purchases)
      options.push(rentedOption(selfHostedBase(cfg, replica, "rented"), instance, p));
  }
  options.push(ownedOption(selfHostedBase(cfg, replicaCapacity(cfg), "owned")));
  for (const offer of cfg.compare.managed)
    options.push(managedOption(cfg, offer, defaultOpsHours("managed", cfg)));
  for (const api of cfg.compare.apis) options.push(apiOption(cfg, api));
  return options;
}

function verdictFor(
  self: Priced,
  cheapest: Priced,
  rows: readonly BreakEvenRow[],
  cfg: StackConfig,
): Verdict {
  const s = self.breakdown.total;
  const a = cheapest.breakdown.total;
  const row = rows.find((r) => r.against === cheapest.option.id);
  const top = [...self.breakdown.lineItems].sort((x, y) => y.monthly - x.monthly)[0]!;
  const topShare = Math.round((top.monthly / Math.max(1, s)) * 100);
  const plan = self.breakdown.plan;
  if (s <= a) {
    const pct = Math.round((1 - toUsd(s) / toUsd(a)) * 100);
    return {
      choice: "self-host",
      summary: `Self-host: ${self.option.label} costs ${formatUsd(s)}/month, ${pct}% less than the cheapest compared API (${cheapest.option.label}, ${formatUsd(a)}/month).`,
      reason:
        row?.monthlyOutputTokens != null
          ? `Break-even is ${formatTokens(row.monthlyOutputTokens)} output tokens/month; the stack plans ${formatTokens(cfg.workload.monthlyOutputTokens)} (${(cfg.workload.monthlyOutputTokens / row.monthlyOutputTokens).toFixed(1)}× break-even).`
          : `Its biggest cost is ${top.name} (${topShare}%).`,
    };
  }
  const idle =
    plan && plan.servingReplicaHours + plan.idleReplicaHours > 0
      ? plan.idleReplicaHours / (plan.servingReplicaHours + plan.idleReplicaHours)
      : 0;
  const why =
    idle > 0.3
      ? `GPUs sit idle ${Math.round(idle * 100)}% of the hours they are paid for`
      : plan && plan.utilization < 0.3 && self.option.kind !== "managed"
        ? `the fleet runs at ${Math.round(plan.utilization * 100)}% of its capacity`
        : `${top.name} alone is ${topShare}% of the self-hosted bill`;
  const subject = self.option.kind === "managed" ? "the managed host" : "self-hosting";
  const be =
    row?.monthlyOutputTokens != null
      ? `${subject} pays off above ${formatTokens(row.monthlyOutputTokens)} output tokens/month (${(row.monthlyOutputTokens / Math.max(1, cfg.workload.monthlyOutputTokens)).toFixed(1)}× the planned volume)`
      : `${subject} never breaks even against it (${row?.reason ?? "no crossing"})`;
  return {
    choice: "api",
    summary: `Keep the API: ${cheapest.option.label} costs ${formatUsd(a)}/month against ${formatUsd(s)}/month for ${self.option.label} (${(toUsd(s) / Math.max(toUsd(a), 1e-9)).toFixed(1)}×).`,
    reason: `${why[0]!.toUpperCase()}${why.slice(1)}; ${be}.`,
  };
}

/** The stack's GPU instance prices older than `prices.maxAgeDays`, each with how to refresh it. */
function staleInstancePrices(cfg: StackConfig): string[] {
  if (!cfg.aws) return [];
  const i = cfg.aws.instance;
  const used =
    cfg.aws.purchase === "on-demand"
      ? ["onDemand"]
      : cfg.aws.purchase === "spot"
        ? ["spot"]
        : cfg.aws.purchase === "savings-plan"
          ? ["savingsPlan", "onDemand"]
          : ["onDemand", "spot"];
  const now = new Date(cfg.evaluatedAt);
  return (used as ("onDemand" | "spot" | "savingsPlan")[]).flatMap((k) => {
    const age = ageDays(i.sources[k], now);
    if (age === undefined || age <= cfg.prices.maxAgeDays) return [];
    const origin = i.sources[k].origin ?? "catalog";
    return [
      `${i.key} ${k} price ($${i[`${k}UsdPerHour`]}/h) is from the ${origin === "cache" ? "price cache" : "bundled catalog"}, ${age} days old (prices.maxAgeDays ${cfg.prices.maxAgeDays}): run \`vllm-tco prices refresh\``,
    ];
  });
}

export function project(cfg: StackConfig): Projection {
  const option = stackOption(cfg);
  const self: Priced = { option, breakdown: option.at(1) };
  const price = (o: CostOption): Priced => ({ option: o, breakdown: o.at(1) });
  const apis = cfg.compare.apis.map((api) => price(apiOption(cfg, api)));
  const managed = cfg.compare.managed
    .filter((m) => !(cfg.platform === "managed" && m.host === cfg.managed.host))
    .map((m) => price(managedOption(cfg, m, defaultOpsHours("managed", cfg))));
  const rows: BreakEvenRow[] = [...apis, ...managed].map((p) => {
    const be = breakEven(option, p.option);
    return {
      against: p.option.id,
      label: p.option.label,
      scale: be.scale,
      monthlyOutputTokens: be.scale === null ? null : be.scale * cfg.workload.monthlyOutputTokens,
      ...(be.reason && { reason: be.reason }),
    };
  });
  const cheapest = [...apis].sort((a, b) => a.breakdown.total - b.breakdown.total)[0]!;
  const warnings: string[] = [];
  const plan = self.breakdown.plan;
  if (option.replica && !option.replica.latencyMet)
    warnings.push(
      `one stream alone runs at ${option.replica.throughput.interTokenLatencyMs.toFixed(1)} ms/token, slower than workload.interTokenLatencyMs ${cfg.workload.interTokenLatencyMs}: use more or faster GPUs, or fp8 weights`,
    );
  warnings.push(...cfg.priceWarnings, ...staleInstancePrices(cfg));
  if (plan && plan.unservedShare > 0)
    warnings.push(
      `scaling.max ${cfg.scaling.max} replicas cannot serve ${(plan.unservedShare * 100).toFixed(1)}% of the monthly tokens at peak: raise scaling.max to at least ${plan.peakReplicas + Math.ceil(plan.peakReplicas * plan.unservedShare) + 1}`,
    );
  return {
    config: cfg,
    selfHosted: self,
    ...(option.replica && { replica: option.replica }),
    apis,
    managed,
    selfHostedAlternatives:
      cfg.platform === "managed"
        ? allOptions(cfg)
            .filter((o) => o.kind === "rented" || o.kind === "owned")
            .map(price)
        : [],
    breakEven: rows,
    verdict: verdictFor(self, cheapest, rows, cfg),
    budget: checkBudget(cfg.budget, self.breakdown.total, {
      label: cheapest.option.label,
      total: cheapest.breakdown.total,
    }),
    warnings,
  };
}

export interface Ranked {
  readonly id: string;
  readonly label: string;
  readonly kind: CostOption["kind"];
  readonly monthly: Breakdown["total"];
  /** Dollars per million tokens (input and output together). */
  readonly usdPerMillionTokens: number;
}

export function rank(cfg: StackConfig): Ranked[] {
  const totalTokens = (cfg.workload.monthlyInputTokens + cfg.workload.monthlyOutputTokens) / 1e6;
  return allOptions(cfg)
    .map((o) => {
      const b = o.at(1);
      return {
        id: o.id,
        label: o.label,
        kind: o.kind,
        monthly: b.total,
        usdPerMillionTokens: totalTokens > 0 ? toUsd(b.total) / totalTokens : 0,
      };
    })
    .sort((a, b) => a.monthly - b.monthly);
}
