/**
 * The resolver's steps (pure): model, hardware, workload and platform checks, each collecting
 * problems instead of stopping at the first. `resolveStackConfig` composes them.
 */
import * as net from "node:net";
import {
  GPUS,
  INSTANCE_TYPES,
  MODELS,
  offersFor,
  OWNED_SERVER,
  type Gpu,
  type InstanceType,
  type Model,
  type Quality,
  type QualityIndexId,
  QUALITY_INDEXES,
  type Ratings,
} from "../catalog";
import { GIB, kvCacheTokens, minimumGpus, weightBytes } from "../catalog/memory";
import { engineVersion } from "../catalog/engine";
import { admitsPublicInternet, isIpv4Cidr, publicIpv4Addresses } from "./cidr";
import { ConfigError, Problems, unknownKey } from "./errors";
import { managedOffers } from "./prices";
import { describeRootVolume, rootVolumeFor } from "../catalog/root-volume";
import { AwsSchema, type ParsedStackConfig } from "./schema";
import type { ResolvedManaged } from "./stack-config";

export const MAX_DEFAULT_MODEL_LEN = 32768;

/** A quality figure the stack states (`model.arenaScore`, `model.intelligenceIndex`): its own source, no interval. */
function statedQuality(index: QualityIndexId, score: number, id: string): Quality {
  const i = QUALITY_INDEXES[index];
  return {
    index,
    score,
    low: score,
    high: score,
    entry: id,
    source: {
      title: `stack config: ${i.modelSetting}`,
      url: i.leaderboard,
      asOf: "stack config",
      origin: "override",
    },
  };
}

/** The model's catalog ratings with the stack's stated scores over them; undefined when it has none. */
function ratingsFor(m: ParsedStackConfig["model"], catalog: Ratings | undefined): Ratings | undefined {
  const ratings: Ratings = {
    ...catalog,
    ...(m.arenaScore !== undefined && { "lmarena-text": statedQuality("lmarena-text", m.arenaScore, m.id) }),
    ...(m.intelligenceIndex !== undefined && {
      "aa-intelligence": statedQuality("aa-intelligence", m.intelligenceIndex, m.id),
    }),
  };
  return Object.keys(ratings).length ? ratings : undefined;
}
/** Resolve a model id (catalog key or Hugging Face id) and its overrides. */
export function resolveModel(p: Problems, m: ParsedStackConfig["model"]): Model | undefined {
  const byKey =
    MODELS[m.id] ?? Object.values(MODELS).find((x) => x.huggingFaceId === m.id || x.aliases.includes(m.id));
  const overrides = {
    ...(m.parameters !== undefined && { parameters: m.parameters }),
    ...(m.activeParameters !== undefined && { activeParameters: m.activeParameters }),
    ...(m.layers !== undefined && { layers: m.layers }),
    ...(m.kvHeads !== undefined && { kvHeads: m.kvHeads }),
    ...(m.headDim !== undefined && { headDim: m.headDim }),
    ...(m.attentionHeads !== undefined && { attentionHeads: m.attentionHeads }),
    ...(m.contextLength !== undefined && { contextLength: m.contextLength }),
    ...(m.hiddenSize !== undefined && { hiddenSize: m.hiddenSize }),
    ...(m.experts !== undefined && { experts: m.experts }),
    ...(m.expertsPerToken !== undefined && { expertsPerToken: m.expertsPerToken }),
    ...(m.slidingWindow !== undefined && { slidingWindow: m.slidingWindow }),
  };
  if (byKey) {
    const ratings = ratingsFor(m, byKey.ratings);
    const merged = {
      ...byKey,
      ...overrides,
      ...(ratings && { ratings }),
      ...(m.huggingFaceId && { huggingFaceId: m.huggingFaceId }),
    };
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
      const stated = ratingsFor(m, undefined);
      return {
        key: m.id.split("/").pop()!.toLowerCase(),
        huggingFaceId: m.huggingFaceId ?? m.id,
        aliases: [],
        // The stated architecture, the same overrides a catalog model takes (heads, experts, window, scores).
        ...overrides,
        ...(stated && { ratings: stated }),
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

function validCidr(cidr: string): boolean {
  const [ip, bits, extra] = cidr.split("/");
  if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = net.isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** The hardware: instance or GPU type, GPUs per replica, tensor parallel, context; problems collected. */
export function resolveHardware(
  p: Problems,
  c: ParsedStackConfig,
  maybeModel: Model | undefined,
  instances: Readonly<Record<string, InstanceType>>,
  stack: string,
) {
  // GPU: on aws the instance type decides it; elsewhere the config (default h100-sxm).
  let instance: InstanceType | undefined;
  if (c.platform === "aws") {
    const type = c.aws?.instanceType ?? "p5.4xlarge";
    instance = instances[type];
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

  if (p.list.length || !maybeModel || !gpu) throw new ConfigError(p.list, `stack ${stack}`);
  const model = maybeModel;

  const maxModelLen = c.model.maxModelLen ?? Math.min(model.contextLength, MAX_DEFAULT_MODEL_LEN);
  if (maxModelLen > model.contextLength)
    p.add(
      ["model", "maxModelLen"],
      maxModelLen,
      `exceeds ${model.key}'s context of ${model.contextLength} tokens; lower it`,
    );
  // FP8 on a GPU without FP8 tensor cores (A100) runs as weight-only FP8 (vLLM's Marlin kernels):
  // accepted, and the throughput model prices it as such.

  // The stack's precision, else the checkpoint's own (gpt-oss ships MXFP4 weights), else bf16.
  const dtype = c.model.dtype ?? model.nativeDtype ?? "bf16";
  const util = c.vllm.gpuMemoryUtilization;
  const fewest = minimumGpus(model, dtype, gpu, maxModelLen, util);
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
  const weights = weightBytes(model, dtype);
  const tensorParallel = c.gpu.tensorParallel ?? count;
  const divisors = [1, 2, 4, 8].filter((d) => d <= count && count % d === 0);
  if (count % tensorParallel !== 0)
    p.add(
      ["gpu", "tensorParallel"],
      tensorParallel,
      `must divide gpu.count (${count}); the other GPUs run as data-parallel engines: use one of ${divisors.join(", ")}`,
    );
  else if (model.attentionHeads !== undefined && model.attentionHeads % tensorParallel !== 0)
    p.add(
      ["gpu", "tensorParallel"],
      tensorParallel,
      `vLLM refuses it: ${model.key}'s ${model.attentionHeads} attention heads must divide evenly across the tensor-parallel GPUs; use one of ${divisors.filter((d) => model.attentionHeads! % d === 0).join(", ")}`,
    );
  let notSelfHostable: string | undefined;
  // Each data-parallel engine holds the whole model on its tensor-parallel GPUs.
  const perEngine = count % tensorParallel === 0 ? tensorParallel : count;
  if (kvCacheTokens(model, dtype, gpu, perEngine, util) < maxModelLen) {
    const where = instance
      ? ["aws", "instanceType"]
      : ["gpu", c.gpu.tensorParallel ? "tensorParallel" : "count"];
    const found = instance ? instance.key : c.gpu.tensorParallel ? tensorParallel : count;
    const fix = fewest
      ? instance
        ? `pick an instance type with at least ${fewest} ${gpu.key} GPUs`
        : `use at least ${fewest} GPUs per engine`
      : tooBigForOneServer(model, dtype, gpu, weights, c.platform);
    const problem = `${perEngine}× ${gpu.key} cannot hold ${model.key} ${dtype} (${(weights / 1e9).toFixed(1)} GB of weights) with a KV cache for one ${maxModelLen}-token sequence; ${fix}, or lower model.maxModelLen`;
    // A managed stack deploys no GPUs: it is priced, and its self-hosted alternatives are left out
    // with the reason, instead of refusing the stack for a fleet it never deploys.
    if (c.platform === "managed") notSelfHostable = `self-hosting ${model.key} is not compared: ${problem}`;
    else p.add(where, found, problem);
  }
  if (!engineVersion(c.vllm.version))
    p.add(
      ["vllm", "version"],
      c.vllm.version,
      "must start with the vLLM version it packages (such as v0.11.0 or v0.11.0-cu128): the throughput model prices that engine",
    );

  return { model, instance, gpu, count, tensorParallel, maxModelLen, weights, dtype, notSelfHostable };
}

/**
 * A ReadWriteOnce model cache mounts on one node only: when the fleet at scaling.max needs more GPUs
 * than one server holds, replicas land on other nodes and never start (the pod waits for a volume
 * attached elsewhere). Refused before anything is created; the fixes are a shared (ReadWriteMany)
 * claim or a claim of the user's own.
 */
export function checkModelCache(p: Problems, c: ParsedStackConfig, gpusPerReplica: number): void {
  const k = c.kubernetes;
  if (c.platform !== "kubernetes" || k?.existingClaim || k?.modelCacheAccessMode === "ReadWriteMany") return;
  const perNode = c.ownership.gpusPerServer ?? OWNED_SERVER.gpusPerServer;
  const gpus = c.scaling.max * gpusPerReplica;
  if (gpus <= perNode) return;
  p.add(
    ["kubernetes", "modelCacheAccessMode"],
    k?.modelCacheAccessMode ?? "ReadWriteOnce",
    `a ReadWriteOnce model cache attaches to one node, but scaling.max ${c.scaling.max} × ${gpusPerReplica} GPUs (${gpus}) needs more than one ${perNode}-GPU node (ownership.gpusPerServer): replicas on a second node would never start. Set kubernetes.modelCacheAccessMode: ReadWriteMany with a shared storage class (NFS, CephFS, EFS), give kubernetes.existingClaim, or lower scaling.max to ${Math.floor(perNode / gpusPerReplica)}`,
  );
}

/**
 * A model no 8-GPU server of this GPU holds: how many GPUs (and servers) its weights alone take, that
 * the kit deploys single-node replicas only, and the ways out.
 */
function tooBigForOneServer(
  model: Model,
  dtype: string,
  gpu: Gpu,
  weights: number,
  platform: ParsedStackConfig["platform"],
): string {
  const usable = gpu.memoryGb * GIB * 0.9;
  const gpus = Math.ceil(weights / usable);
  const servers = Math.ceil(gpus / 8);
  const hosts = offersFor(model.key).map((o) => o.host);
  const managed =
    platform === "managed"
      ? "keep this managed stack"
      : hosts.length
        ? `platform: managed with managed.host ${hosts.join(" or ")} (billed per token; its report prices the APIs beside it)`
        : "a managed host or an API (none in the catalog serves it yet)";
  return `its ${dtype} weights alone need at least ${gpus} ${gpu.key} GPUs (${servers} 8-GPU servers), and the kit deploys single-node replicas only (no multi-node tensor or pipeline parallelism): use a GPU with more memory (h200), smaller weights (fp8/int4), or ${managed}`;
}

/** The workload: one way of giving the volume, and requests that fit the context. */
export function checkWorkload(p: Problems, w: ParsedStackConfig["workload"], maxModelLen: number): void {
  // Workload volume: exactly one way of saying it.
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
}

/**
 * A stated root volume too small for what it must hold: the host would fill its disk half-way through
 * the weights download and crash-loop, billed by the hour.
 */
export function checkRootVolume(
  p: Problems,
  c: ParsedStackConfig,
  instance: InstanceType | undefined,
  weights: number,
): void {
  const stated = c.platform === "aws" ? c.aws?.rootVolumeGb : undefined;
  if (stated === undefined || !instance) return;
  const v = rootVolumeFor(c.aws, instance, weights, c.vllm.loadMegabytesPerSecond);
  if (stated < v.minimumGb)
    p.add(
      ["aws", "rootVolumeGb"],
      stated,
      `cannot hold ${describeRootVolume(v)} = ${v.minimumGb} GB${v.weightsOnVolume ? ` (the weights live on the root volume ${c.aws?.warmPool?.enabled ? "because a warm pool's stopped hosts lose their instance store" : `because ${instance.key} has no local NVMe that holds them`})` : ""}; remove aws.rootVolumeGb to size it from the model, or set at least ${v.minimumGb}`,
    );
}

/** Combinations of aws settings the cloud refuses or that would expose the model. */
export function checkAws(
  p: Problems,
  c: ParsedStackConfig,
): NonNullable<ParsedStackConfig["aws"]> | undefined {
  const aws = c.platform === "aws" ? (c.aws ?? AwsSchema.parse({})) : undefined;
  if (aws) {
    if (aws.vpcId && (!aws.publicSubnetIds?.length || !aws.privateSubnetIds?.length))
      p.add(
        ["aws", "vpcId"],
        aws.vpcId,
        "an existing VPC needs aws.publicSubnetIds (load balancer) and aws.privateSubnetIds (GPU hosts)",
      );
    const cidrs = aws.ingressCidrs ?? [];
    cidrs.forEach((cidr, i) => {
      if (!validCidr(cidr))
        p.add(["aws", "ingressCidrs", i], cidr, "is not a CIDR block such as 10.0.0.0/16");
      // The security group rule and the balancer take these as IPv4 blocks: `pulumi up` would fail.
      else if (!isIpv4Cidr(cidr))
        p.add(
          ["aws", "ingressCidrs", i],
          cidr,
          "is an IPv6 range; aws.ingressCidrs holds IPv4 ranges (for example 10.0.0.0/16)",
        );
    });
    // Judged together, as the policy pack judges a rule: 0.0.0.0/1 + 128.0.0.0/1 is as open as 0.0.0.0/0.
    if (cidrs.every(isIpv4Cidr) && admitsPublicInternet(cidrs) && !aws.allowOpenIngress)
      p.add(
        ["aws", "ingressCidrs"],
        cidrs.join(", "),
        `together admit ${publicIpv4Addresses(cidrs).toLocaleString("en-US")} public internet addresses (a /8 or more is open to the internet); set aws.allowOpenIngress: true to mean it, or list your clients' ranges`,
      );
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
  return aws;
}

/** The managed host's offer for the model, or a problem naming the hosts that serve it. */
export function resolveManaged(
  p: Problems,
  c: ParsedStackConfig,
  model: Model,
  stack: string,
): ResolvedManaged | undefined {
  let managed: ResolvedManaged | undefined;
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
  return managed;
}
