/**
 * Turns a raw `vllm-tco:` namespace into a fully resolved, typed StackConfig: zod validation, then
 * catalog lookups, platform defaults and cross-field checks. The only place defaults are decided;
 * every consumer (cost model, platforms, reaper) reads the result.
 */
import * as net from "node:net";
import {
  GPUS,
  INSTANCE_TYPES,
  MODELS,
  OPERATIONS,
  OWNED_SERVER,
  offersFor,
  stackOverride,
  type ApiOffer,
  type Dtype,
  type Gpu,
  type InstanceType,
  type ManagedOffer,
  type Model,
  type Source,
} from "../catalog";
import { kvCacheTokens, minimumGpus, weightBytes } from "../catalog/memory";
import { ConfigError, fromZodIssue, Problems, unknownKey } from "./errors";
import { managedOffers, resolvePrices, type PriceContext } from "./prices";
import { AwsSchema, KubernetesSchema, StackConfigSchema, type ParsedStackConfig } from "./schema";

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
  readonly compare: { readonly apis: readonly ApiOffer[]; readonly managed: readonly ManagedOffer[] };
  /** Instance types with the stack's price overrides applied. */
  readonly instances: Readonly<Record<string, InstanceType>>;
  readonly ownership: ResolvedOwnership;
  readonly operations: {
    readonly hoursPerMonth: number;
    readonly hourlyRateUsd: number;
    readonly source: Source;
  };
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
const MAX_DEFAULT_MODEL_LEN = 32768;

/** Resolve a model id (catalog key or Hugging Face id) and its overrides. */
function resolveModel(p: Problems, m: ParsedStackConfig["model"]): Model | undefined {
  const byKey =
    MODELS[m.id] ?? Object.values(MODELS).find((x) => x.huggingFaceId === m.id || x.aliases.includes(m.id));
  const overrides = {
    ...(m.parameters !== undefined && { parameters: m.parameters }),
    ...(m.activeParameters !== undefined && { activeParameters: m.activeParameters }),
    ...(m.layers !== undefined && { layers: m.layers }),
    ...(m.kvHeads !== undefined && { kvHeads: m.kvHeads }),
    ...(m.headDim !== undefined && { headDim: m.headDim }),
    ...(m.contextLength !== undefined && { contextLength: m.contextLength }),
  };
  if (byKey) {
    const merged = { ...byKey, ...overrides, ...(m.huggingFaceId && { huggingFaceId: m.huggingFaceId }) };
    if (
      overrides.parameters !== undefined &&
      m.activeParameters === undefined &&
      byKey.activeParameters === byKey.parameters
    )
      return { ...merged, activeParameters: overrides.parameters };
    return merged;
  }
  if (m.id.includes("/")) {
    // An uncatalogued Hugging Face model: usable when its architecture is given.
    const missing = (["parameters", "layers", "kvHeads", "headDim", "contextLength"] as const).filter(
      (k) => m[k] === undefined,
    );
    if (missing.length === 0) {
      return {
        key: m.id.split("/").pop()!.toLowerCase(),
        huggingFaceId: m.huggingFaceId ?? m.id,
        aliases: [],
        parameters: m.parameters!,
        activeParameters: m.activeParameters ?? m.parameters!,
        layers: m.layers!,
        kvHeads: m.kvHeads!,
        headDim: m.headDim!,
        contextLength: m.contextLength!,
        source: {
          title: "stack config (model not in the catalog)",
          url: `https://huggingface.co/${m.id}`,
          asOf: "stack config",
        },
      };
    }
    p.add(
      ["model", "id"],
      m.id,
      `is not in the catalog; give its architecture too (model.${missing.join(", model.")}) or use a catalog key: ${Object.keys(MODELS).join(", ")}`,
    );
    return undefined;
  }
  unknownKey(p, ["model", "id"], m.id, Object.keys(MODELS), "a model");
  return undefined;
}

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

function validCidr(cidr: string): boolean {
  const [ip, bits, extra] = cidr.split("/");
  if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = net.isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
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

  const model = resolveModel(p, c.model);
  const region =
    c.aws?.region ??
    (typeof providerConfig["aws:region"] === "string" ? providerConfig["aws:region"] : "us-east-1");
  const prices = resolvePrices(p, c, stack, region, live);

  // GPU: on aws the instance type decides it; elsewhere the config (default h100-sxm).
  let instance: InstanceType | undefined;
  if (c.platform === "aws") {
    const type = c.aws?.instanceType ?? "p5.4xlarge";
    instance = prices.instances[type];
    if (!instance)
      unknownKey(p, ["aws", "instanceType"], type, Object.keys(INSTANCE_TYPES), "an instance type");
  }
  const gpuKey = c.gpu.type ?? instance?.gpu ?? "h100-sxm";
  const gpu = GPUS[gpuKey];
  if (!gpu) unknownKey(p, ["gpu", "type"], gpuKey, Object.keys(GPUS), "a GPU");
  if (instance && gpu && gpu.key !== instance.gpu)
    p.add(
      ["gpu", "type"],
      gpuKey,
      `does not match aws.instanceType ${instance.key}, which has ${instance.gpu}; remove gpu.type or pick an instance type with ${gpuKey}`,
    );

  if (p.list.length || !model || !gpu) throw new ConfigError(p.list, `stack ${stack}`);

  const maxModelLen = c.model.maxModelLen ?? Math.min(model.contextLength, MAX_DEFAULT_MODEL_LEN);
  if (maxModelLen > model.contextLength)
    p.add(
      ["model", "maxModelLen"],
      maxModelLen,
      `exceeds ${model.key}'s context of ${model.contextLength} tokens; lower it`,
    );
  if (c.model.dtype === "fp8" && gpu.fp8Flops === undefined)
    p.add(
      ["model", "dtype"],
      "fp8",
      `${gpu.name} has no FP8 tensor cores; use bf16 or a GPU such as h100-sxm`,
    );

  const util = c.vllm.gpuMemoryUtilization;
  const fewest = minimumGpus(model, c.model.dtype, gpu, maxModelLen, util);
  let count: number;
  if (instance) {
    count = c.gpu.count ?? instance.gpus;
    if (count !== instance.gpus)
      p.add(
        ["gpu", "count"],
        count,
        `on aws one replica uses a whole ${instance.key} (${instance.gpus} GPU${instance.gpus > 1 ? "s" : ""}); remove gpu.count or pick an instance type with ${count} GPUs`,
      );
  } else {
    count = c.gpu.count ?? fewest ?? 8;
  }
  const weights = weightBytes(model, c.model.dtype);
  if (kvCacheTokens(model, c.model.dtype, gpu, count, util) < maxModelLen) {
    const where = instance ? ["aws", "instanceType"] : ["gpu", "count"];
    const found = instance ? instance.key : count;
    const fix = fewest
      ? instance
        ? `pick an instance type with at least ${fewest} ${gpu.key} GPUs`
        : `use at least ${fewest} GPUs`
      : `no ${gpu.key} count up to 8 holds it: use fp8/int4 weights or a larger GPU`;
    p.add(
      where,
      found,
      `${count}× ${gpu.key} cannot hold ${model.key} ${c.model.dtype} (${(weights / 1e9).toFixed(1)} GB of weights) with a KV cache for one ${maxModelLen}-token sequence; ${fix}, or lower model.maxModelLen`,
    );
  }
  const tensorParallel = c.gpu.tensorParallel ?? count;
  if (count % tensorParallel !== 0)
    p.add(
      ["gpu", "tensorParallel"],
      tensorParallel,
      `must divide gpu.count (${count}); the rest of the GPUs form pipeline stages: use one of ${[1, 2, 4, 8].filter((d) => d <= count && count % d === 0).join(", ")}`,
    );

  if (c.scaling.min > c.scaling.max)
    p.add(
      ["scaling", "min"],
      c.scaling.min,
      `is above scaling.max (${c.scaling.max}); lower min or raise max`,
    );

  // Workload volume: exactly one way of saying it.
  const w = c.workload;
  const byTokens = w.monthlyInputTokens !== undefined || w.monthlyOutputTokens !== undefined;
  if (byTokens && w.requestsPerMonth !== undefined)
    p.add(
      ["workload", "requestsPerMonth"],
      w.requestsPerMonth,
      "give either requestsPerMonth or monthlyInputTokens + monthlyOutputTokens, not both",
    );
  else if (!byTokens && w.requestsPerMonth === undefined)
    p.add(
      ["workload"],
      undefined,
      "needs a volume: requestsPerMonth, or monthlyInputTokens and monthlyOutputTokens",
    );
  else if (byTokens && (w.monthlyInputTokens === undefined || w.monthlyOutputTokens === undefined))
    p.add(
      ["workload", w.monthlyInputTokens === undefined ? "monthlyInputTokens" : "monthlyOutputTokens"],
      undefined,
      "is required with the other monthly token total",
    );
  if (w.inputTokensPerRequest + w.outputTokensPerRequest > maxModelLen)
    p.add(
      ["workload", "inputTokensPerRequest"],
      w.inputTokensPerRequest,
      `plus outputTokensPerRequest (${w.outputTokensPerRequest}) exceeds model.maxModelLen (${maxModelLen}); raise maxModelLen or shorten requests`,
    );

  const aws = c.platform === "aws" ? (c.aws ?? AwsSchema.parse({})) : undefined;
  if (aws) {
    if (aws.vpcId && (!aws.publicSubnetIds?.length || !aws.privateSubnetIds?.length))
      p.add(
        ["aws", "vpcId"],
        aws.vpcId,
        "an existing VPC needs aws.publicSubnetIds (load balancer) and aws.privateSubnetIds (GPU hosts)",
      );
    (aws.ingressCidrs ?? []).forEach((cidr, i) => {
      if (!validCidr(cidr))
        p.add(["aws", "ingressCidrs", i], cidr, "is not a CIDR block such as 10.0.0.0/16");
      else if (/^(0\.0\.0\.0|::)\/0$/.test(cidr) && !aws.allowOpenIngress)
        p.add(
          ["aws", "ingressCidrs", i],
          cidr,
          "opens the model to the whole internet; set aws.allowOpenIngress: true to mean it, or list your clients' ranges",
        );
    });
    // "You can't add a warm pool to Auto Scaling groups that have a mixed instances policy or that
    // launch Spot Instances" (Amazon EC2 Auto Scaling User Guide, warm pools, limitations; the
    // PutWarmPool API refuses it), so `pulumi up` would fail half-way.
    if (aws.warmPool?.enabled && (aws.purchase === "spot" || aws.purchase === "mixed"))
      p.add(
        ["aws", "warmPool", "enabled"],
        true,
        `cannot be combined with aws.purchase: ${aws.purchase} (AWS refuses a warm pool on a group with spot or mixed instances); use purchase: on-demand or savings-plan, or turn the warm pool off`,
      );
    if (aws.purchase === "spot" && c.scaling.min > 0)
      p.add(
        ["aws", "purchase"],
        "spot",
        `with scaling.min ${c.scaling.min} has no on-demand fallback when spot capacity is reclaimed; use purchase: mixed with onDemandBase ≥ ${c.scaling.min}, or set scaling.min: 0`,
      );
  }
  let managed: StackConfig["managed"];
  if (c.platform === "managed") {
    if (!c.managed)
      p.add(
        ["managed"],
        undefined,
        `platform managed needs managed.host: one of ${
          offersFor(model.key)
            .map((o) => o.host)
            .join(", ") || "(no host serves this model)"
        }`,
      );
    else {
      const offer = managedOffers(c, model.key, stack).find((o) => o.host === c.managed!.host);
      if (!offer) {
        const hosts = offersFor(model.key).map((o) => o.host);
        p.add(
          ["managed", "host"],
          c.managed.host,
          `does not serve ${model.key}; ${hosts.length ? `hosts that do: ${hosts.join(", ")}` : "no catalogued host serves it: use platform aws or kubernetes"}`,
        );
      } else managed = { ...c.managed, offer };
    }
  }
  if (p.list.length) throw new ConfigError(p.list, `stack ${stack}`);

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
      dtype: c.model.dtype,
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
    compare: { apis: prices.apis, managed: c.compare.managedHosts ? managedOffers(c, model.key, stack) : [] },
    instances: prices.instances,
    ownership: {
      purchaseUsd: own("purchaseUsd", OWNED_SERVER.purchaseUsd),
      depreciationMonths: own("depreciationMonths", OWNED_SERVER.depreciationMonths),
      gpusPerServer: own("gpusPerServer", OWNED_SERVER.gpusPerServer),
      loadWatts: own("loadWatts", OWNED_SERVER.loadWatts),
      idleWatts: own("idleWatts", OWNED_SERVER.idleWatts),
      pue: own("pue", OWNED_SERVER.pue),
      electricityUsdPerKwh: own("electricityUsdPerKwh", OWNED_SERVER.electricityUsdPerKwh),
      rackUsdPerMonth: own("rackUsdPerMonth", OWNED_SERVER.rackUsdPerMonth),
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
