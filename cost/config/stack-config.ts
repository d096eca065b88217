/**
 * Turns a raw `vllm-tco:` namespace into a fully resolved, typed StackConfig: zod validation, then
 * catalog lookups, platform defaults and cross-field checks. The only place defaults are decided;
 * every consumer (cost model, platforms, reaper) reads the result.
 */
import {
  OPERATIONS,
  OWNED_SERVER,
  stackOverride,
  type ApiOffer,
  type Dtype,
  type Gpu,
  type InstanceType,
  type ManagedOffer,
  type Quality,
  type QualityBar,
  type QualityIndex,
  type Model,
  type Source,
} from "../catalog";
import { ConfigError, fromZodIssue, Problems } from "./errors";
import { resolveQualityIndex } from "./quality-index";
import { managedOffers, resolvePrices, type PriceContext } from "./prices";
import { KubernetesSchema, StackConfigSchema, type ParsedStackConfig } from "./schema";
import {
  checkAws,
  checkModelCache,
  checkRootVolume,
  checkWorkload,
  resolveHardware,
  resolveManaged,
  resolveModel,
} from "./resolve-parts";

export type Platform = ParsedStackConfig["platform"];

export interface ResolvedModel extends Model {
  readonly dtype: Dtype;
  readonly maxModelLen: number;
  readonly servedName: string;
  readonly weightBytes: number;
}

/** A figure with the source it came from (catalog or the stack's own override). */
export interface Sourced<T> {
  readonly value: T;
  readonly source: Source;
}

export interface ResolvedOwnership {
  readonly purchaseUsd: Sourced<number>;
  readonly depreciationMonths: Sourced<number>;
  readonly gpusPerServer: Sourced<number>;
  readonly loadWatts: Sourced<number>;
  readonly idleWatts: Sourced<number>;
  readonly pue: Sourced<number>;
  readonly electricityUsdPerKwh: Sourced<number>;
  readonly rackUsdPerMonth: Sourced<number>;
  readonly supportUsdPerYear: Sourced<number>;
  readonly costOfCapitalPercent: Sourced<number>;
  readonly residualValuePercent: Sourced<number>;
}

interface StackConfigBase extends Omit<
  ParsedStackConfig,
  | "platform"
  | "model"
  | "gpu"
  | "workload"
  | "aws"
  | "kubernetes"
  | "managed"
  | "compare"
  | "ownership"
  | "operations"
> {
  readonly stack: string;
  /**
   * Modelling assumptions the robustness analysis varies (cost/robustness.ts); absent in a resolved
   * config, where each takes its stated default.
   */
  readonly assumptions?: Assumptions;
  /** When prices' ages are measured from (ISO time). */
  readonly priceWarnings: readonly string[];
  readonly evaluatedAt: string;
  /** The AWS region: `aws.region`, else the stack's `aws:region`, else us-east-1 (aws and Bedrock). */
  readonly region: string;
  readonly model: ResolvedModel;
  readonly gpu: { readonly type: Gpu; readonly count: number; readonly tensorParallel: number };
  readonly scaling: ParsedStackConfig["scaling"] & { readonly target: number };
  readonly workload: ParsedStackConfig["workload"] & {
    readonly monthlyInputTokens: number;
    readonly monthlyOutputTokens: number;
  };
  /** Compared APIs and managed-open offers for this model, with the stack's price overrides applied. */
  readonly compare: {
    readonly apis: readonly ApiOffer[];
    readonly managed: readonly ManagedOffer[];
    /** `compare.qualityIndex` resolved: the one index every lane's `quality` is a score on. */
    readonly qualityIndex: QualityIndex;
    /** `compare.qualityBar` resolved: the score a lane must reach, or which lanes count. */
    readonly qualityBar: QualityBar;
  };
  /** Instance types with the stack's price overrides applied. */
  readonly instances: Readonly<Record<string, InstanceType>>;
  /** Why the model cannot be self-hosted on the stack's GPU (a managed stack only; others are refused): no self-hosted lane is priced. */
  readonly notSelfHostable?: string;
  /** Instance types with no on-demand price for the stack's region (neither catalog, cache nor override): never priced. */
  readonly unpricedInstances: readonly string[];
  readonly ownership: ResolvedOwnership;
  readonly operations: {
    readonly hoursPerMonth: number;
    readonly hourlyRateUsd: number;
    readonly source: Source;
  };
}

/** `compare.qualityBar` as the lanes apply it; `stack-model` reads the model's score. */
export function resolveQualityBar(
  setting: ParsedStackConfig["compare"]["qualityBar"],
  model: Quality | undefined,
): QualityBar {
  if (typeof setting === "number") return { kind: "score", minScore: setting };
  if (setting !== "stack-model") return { kind: setting };
  return model ? { kind: "stack-model", minScore: model.score, minLow: model.low } : { kind: "unrated" };
}

export type ResolvedAws = Omit<NonNullable<ParsedStackConfig["aws"]>, "instanceType"> & {
  readonly region: string;
  readonly instance: InstanceType;
};
export type ResolvedKubernetes = NonNullable<ParsedStackConfig["kubernetes"]>;
export type ResolvedManaged = NonNullable<ParsedStackConfig["managed"]> & { readonly offer: ManagedOffer };

/** A resolved stack: a union by platform, so each platform's section is there exactly when it applies. */
export type StackConfig = AwsStackConfig | KubernetesStackConfig | ManagedStackConfig;
export interface AwsStackConfig extends StackConfigBase {
  readonly platform: "aws";
  readonly aws: ResolvedAws;
  readonly kubernetes?: undefined;
  readonly managed?: undefined;
}
export interface KubernetesStackConfig extends StackConfigBase {
  readonly platform: "kubernetes";
  readonly kubernetes: ResolvedKubernetes;
  readonly aws?: undefined;
  readonly managed?: undefined;
}
export interface ManagedStackConfig extends StackConfigBase {
  readonly platform: "managed";
  readonly managed: ResolvedManaged;
  readonly aws?: undefined;
  readonly kubernetes?: undefined;
}

const DEFAULT_TARGET = { queue: 5, running: 32, requests: 60 } as const;

function withOverride(
  base: number,
  override: number | undefined,
  source: Source,
  stack: string,
  path: string,
): Sourced<number> {
  return override === undefined
    ? { value: base, source }
    : { value: override, source: stackOverride(stack, path) };
}

/** The modelling assumptions that are not published prices, as multipliers or values (see cost/robustness.ts). */
export interface Assumptions {
  /** × the simulator's replica throughput (its measured held-out error band). Default 1. */
  readonly throughputFactor?: number;
  /** × every self-hosted lane's engineer hours. Default 1. */
  readonly selfHostLabourFactor?: number;
  /** Reasoning tokens per visible output token for every API whose figure is the catalog's estimate. */
  readonly reasoningPerOutputToken?: number;
  /** Spot interruptions per instance-month. Default SPOT_INTERRUPTION.perInstanceMonth. */
  readonly spotInterruptionsPerMonth?: number;
}

/**
 * Validate and resolve a raw `vllm-tco:` namespace (keys without the prefix).
 * `providerConfig` holds other namespaces' keys that feed defaults (`aws:region`).
 * Throws ConfigError listing every problem; never returns a half-resolved config.
 */
export function resolveStackConfig(
  raw: unknown,
  stack: string,
  providerConfig: Readonly<Record<string, unknown>> = {},
  live: PriceContext = {},
): StackConfig {
  const parsed = StackConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => fromZodIssue(i, raw)),
      `stack ${stack}`,
    );
  const c = parsed.data;
  const p = new Problems();

  const maybeModel = resolveModel(p, c.model);
  const region =
    c.aws?.region ??
    (typeof providerConfig["aws:region"] === "string" ? providerConfig["aws:region"] : "us-east-1");
  const compared = resolveQualityIndex(p, c, maybeModel);
  const prices = resolvePrices(p, c, compared.apis, stack, region, live);

  const { model, instance, gpu, count, tensorParallel, maxModelLen, weights, dtype, notSelfHostable } =
    resolveHardware(p, c, maybeModel, prices.instances, stack);

  if (c.scaling.min > c.scaling.max)
    p.add(
      ["scaling", "min"],
      c.scaling.min,
      `is above scaling.max (${c.scaling.max}); lower min or raise max`,
    );

  const w = c.workload;
  checkWorkload(p, w, maxModelLen);
  const aws = checkAws(p, c);
  checkModelCache(p, c, count);
  checkRootVolume(p, c, instance, weights);
  const managed = resolveManaged(p, c, model, stack);
  if (p.list.length) throw new ConfigError(p.list, `stack ${stack}`);

  // The model's score on the index every lane is compared on (undefined: that index does not rate it).
  const modelQuality = model.ratings?.[compared.index.id];
  const kubernetes =
    c.platform === "kubernetes" ? (c.kubernetes ?? KubernetesSchema.parse({})) : c.kubernetes;
  const monthlyInputTokens = w.monthlyInputTokens ?? w.requestsPerMonth! * w.inputTokensPerRequest;
  const monthlyOutputTokens = w.monthlyOutputTokens ?? w.requestsPerMonth! * w.outputTokensPerRequest;
  const o = c.ownership;
  const own = (k: keyof typeof o & keyof typeof OWNED_SERVER.sources, base: number) =>
    withOverride(base, o[k], OWNED_SERVER.sources[k], stack, `ownership.${k}`);
  const { aws: _aws, kubernetes: _kubernetes, managed: _managed, ...rest } = c;
  const common: StackConfigBase = {
    ...rest,
    stack,
    region,
    evaluatedAt: (live.now ?? new Date()).toISOString(),
    priceWarnings: live.warnings ?? [],
    model: {
      ...model,
      ...(modelQuality && { quality: modelQuality }),
      dtype,
      maxModelLen,
      servedName: c.model.servedName ?? model.key,
      weightBytes: weights,
    },
    gpu: { type: gpu, count, tensorParallel },
    // Without KEDA a HorizontalPodAutoscaler runs the fleet, and it cannot go below one replica:
    // price what will run.
    scaling: {
      ...c.scaling,
      min:
        c.platform === "kubernetes" && kubernetes?.keda === false
          ? Math.max(1, c.scaling.min)
          : c.scaling.min,
      target: c.scaling.target ?? DEFAULT_TARGET[c.scaling.metric],
    },
    workload: { ...w, monthlyInputTokens, monthlyOutputTokens },
    compare: {
      apis: prices.apis.map((a) => ({
        ...a,
        ...(a.ratings[compared.index.id] && { quality: a.ratings[compared.index.id] }),
      })),
      managed: c.compare.managedHosts ? managedOffers(c, model.key, stack) : [],
      qualityIndex: compared.index,
      qualityBar: resolveQualityBar(c.compare.qualityBar, modelQuality),
    },
    instances: prices.instances,
    unpricedInstances: [...prices.unpriced],
    ...(notSelfHostable && { notSelfHostable }),
    ownership: {
      purchaseUsd: own("purchaseUsd", OWNED_SERVER.purchaseUsd),
      depreciationMonths: own("depreciationMonths", OWNED_SERVER.depreciationMonths),
      gpusPerServer: own("gpusPerServer", OWNED_SERVER.gpusPerServer),
      loadWatts: own("loadWatts", OWNED_SERVER.loadWatts),
      idleWatts: own("idleWatts", OWNED_SERVER.idleWatts),
      pue: own("pue", OWNED_SERVER.pue),
      electricityUsdPerKwh: own("electricityUsdPerKwh", OWNED_SERVER.electricityUsdPerKwh),
      rackUsdPerMonth: own("rackUsdPerMonth", OWNED_SERVER.rackUsdPerMonth),
      // Support follows the server's price (the stack's own, if set) unless the stack states its contract.
      supportUsdPerYear:
        o.supportUsdPerYear === undefined
          ? {
              value:
                ((o.purchaseUsd ?? OWNED_SERVER.purchaseUsd) * OWNED_SERVER.supportPercentOfPurchase) / 100,
              source: OWNED_SERVER.sources.supportPercentOfPurchase,
            }
          : { value: o.supportUsdPerYear, source: stackOverride(stack, "ownership.supportUsdPerYear") },
      costOfCapitalPercent: own("costOfCapitalPercent", OWNED_SERVER.costOfCapitalPercent),
      residualValuePercent: own("residualValuePercent", OWNED_SERVER.residualValuePercent),
    },
    operations: {
      hoursPerMonth: c.operations.hoursPerMonth ?? OPERATIONS.hoursPerMonth[c.platform],
      hourlyRateUsd: c.operations.hourlyRateUsd ?? OPERATIONS.hourlyRateUsd,
      source:
        c.operations.hoursPerMonth === undefined && c.operations.hourlyRateUsd === undefined
          ? OPERATIONS.source
          : stackOverride(stack, "operations"),
    },
  };
  // Problems were thrown above: each platform's section is present for its platform.
  if (c.platform === "aws")
    return { ...common, platform: "aws", aws: { ...aws!, region, instance: instance! } };
  if (c.platform === "kubernetes") return { ...common, platform: "kubernetes", kubernetes: kubernetes! };
  return { ...common, platform: "managed", managed: managed! };
}
