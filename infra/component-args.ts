/**
 * The one place that turns a resolved stack and its cost projection into each platform component's
 * own, narrow arguments (pure). Components never see the whole StackConfig and never decide anything
 * again: the engine's flags (with `--max-num-seqs` from the projection), the region, the token bill
 * and the alarm thresholds are decided here, once.
 */
import type { Gpu, ManagedOffer } from "../cost/catalog";
import type {
  AwsStackConfig,
  KubernetesStackConfig,
  ManagedStackConfig,
  ResolvedAws,
  ResolvedKubernetes,
  ResolvedManaged,
  StackConfig,
} from "../cost/config/stack-config";
import { loadBalancerInternal } from "../cost/config/network";
import type { RootVolume } from "../cost/catalog/root-volume";
import { hostRootVolume } from "../cost/cold-start";
import { sum, toCents } from "../cost/money";
import { WEEKS_PER_MONTH } from "../cost/traffic";
import type { Projection } from "../cost/projection";
import { engineSettings, type EngineSettings } from "./vllm/engine";

/** What every platform needs to know of the model. */
export interface ServedModel {
  readonly key: string;
  readonly huggingFaceId: string;
  readonly servedName: string;
  readonly weightBytes: number;
}

/** References to secrets that already exist (never values). */
export type SecretReferences = StackConfig["secrets"];

interface ServingArgs {
  readonly stack: string;
  readonly model: ServedModel;
  readonly gpu: { readonly type: Gpu; readonly count: number };
  readonly scaling: StackConfig["scaling"];
  readonly engine: EngineSettings;
  readonly secrets: SecretReferences;
}

export interface KubernetesServiceArgs extends ServingArgs {
  readonly kubernetes: ResolvedKubernetes;
}

export interface AwsFleetArgs extends ServingArgs {
  readonly aws: ResolvedAws;
  /** Requests in flight (running + waiting) per host the scale-in policy holds: the planned streams per replica at the target utilisation. */
  readonly inFlightPerHost: number;
  /** The load balancer is internal when every client range is private (and open ingress is not asked for). */
  readonly loadBalancerInternal: boolean;
  /** The hosts' root volume: size, gp3 throughput and IOPS, and whether the weights live on it. */
  readonly rootVolume: RootVolume;
}

export interface ManagedModelArgs {
  readonly stack: string;
  /** Where Bedrock's profile, budget and alarms live: the stack's region. */
  readonly region: string;
  readonly model: Pick<ServedModel, "key" | "servedName">;
  readonly managed: ResolvedManaged;
  readonly offer: ManagedOffer;
  /** The projected monthly token bill, USD: the Budget's amount (engineer time is not an AWS charge). */
  readonly projectedMonthlyUsd: number;
  /** Alarm thresholds: `usageAlarmFactor` × the planned tokens of an active day. */
  readonly alarmTokensPerDay: { readonly input: number; readonly output: number };
}

export type ComponentArgs =
  | { readonly platform: "kubernetes"; readonly args: KubernetesServiceArgs }
  | { readonly platform: "aws"; readonly args: AwsFleetArgs }
  | { readonly platform: "managed"; readonly args: ManagedModelArgs };

function serving(cfg: StackConfig, p: Projection): ServingArgs {
  const m = cfg.model;
  // What the cost model priced is what runs: the concurrency it chose for the latency target.
  const maxNumSeqs = cfg.vllm.maxNumSeqs ?? p.replica?.maxNumSeqsPerEngine;
  if (maxNumSeqs === undefined) throw new Error(`no replica plan for self-hosted stack ${cfg.stack}`);
  return {
    stack: cfg.stack,
    model: {
      key: m.key,
      huggingFaceId: m.huggingFaceId,
      servedName: m.servedName,
      weightBytes: m.weightBytes,
    },
    gpu: { type: cfg.gpu.type, count: cfg.gpu.count },
    scaling: cfg.scaling,
    engine: engineSettings(cfg, maxNumSeqs),
    secrets: cfg.secrets,
  };
}

/**
 * Kubernetes scales pods, so a replica of `gpu.count` GPUs at tensor parallel `tp` runs as count/tp
 * engine pods of `tp` GPUs each (never vLLM's `--data-parallel-size`, whose dense-model ranks run in
 * lockstep and move all their GPUs at once): the Deployment, KEDA, the HPA and the HTTP add-on count
 * engines, `scaling.min`/`max` × engines per replica, while the cost model keeps counting replicas.
 */
export function enginesPerReplica(cfg: StackConfig): number {
  return Math.max(1, Math.floor(cfg.gpu.count / cfg.gpu.tensorParallel));
}

export function kubernetesArgs(cfg: KubernetesStackConfig, p: Projection): KubernetesServiceArgs {
  const e = enginesPerReplica(cfg);
  const perEngine: KubernetesStackConfig = {
    ...cfg,
    gpu: { ...cfg.gpu, count: cfg.gpu.tensorParallel },
    scaling: { ...cfg.scaling, min: cfg.scaling.min * e, max: cfg.scaling.max * e },
  };
  return { ...serving(perEngine, p), kubernetes: cfg.kubernetes };
}

export function awsArgs(cfg: AwsStackConfig, p: Projection): AwsFleetArgs {
  const a = cfg.aws;
  return {
    ...serving(cfg, p),
    aws: a,
    loadBalancerInternal: loadBalancerInternal(a),
    rootVolume: hostRootVolume(cfg, a.instance),
    inFlightPerHost: Math.max(1, Math.round((p.replica?.concurrency ?? 1) * cfg.scaling.targetUtilization)),
  };
}

/** Days a month the workload is active: the usage alarms count per active day, not per calendar day. */
export function activeDaysPerMonth(cfg: StackConfig): number {
  return WEEKS_PER_MONTH * cfg.workload.activeDaysPerWeek;
}

export function managedArgs(cfg: ManagedStackConfig, p: Projection): ManagedModelArgs {
  const f = cfg.managed.usageAlarmFactor;
  const days = activeDaysPerMonth(cfg);
  return {
    stack: cfg.stack,
    region: cfg.region,
    model: { key: cfg.model.key, servedName: cfg.model.servedName },
    managed: cfg.managed,
    offer: cfg.managed.offer,
    projectedMonthlyUsd: toCents(
      sum(
        p.selfHosted.breakdown.lineItems.filter((li) => li.name.endsWith("tokens")).map((li) => li.monthly),
      ),
    ),
    alarmTokensPerDay: {
      input: Math.ceil((cfg.workload.monthlyInputTokens / days) * f),
      output: Math.ceil((cfg.workload.monthlyOutputTokens / days) * f),
    },
  };
}

export function componentArgs(cfg: StackConfig, p: Projection): ComponentArgs {
  switch (cfg.platform) {
    case "kubernetes":
      return { platform: "kubernetes", args: kubernetesArgs(cfg, p) };
    case "aws":
      return { platform: "aws", args: awsArgs(cfg, p) };
    case "managed":
      return { platform: "managed", args: managedArgs(cfg, p) };
  }
}
