/**
 * The cold start, derived once (pure): seconds from the moment a replica is asked for to its first
 * answer, by part, per platform. Every timer that must outlast a replica's start reads it: the Auto
 * Scaling group's health-check grace period, instance warm-up and wake cooldown, the warm pool's
 * lifecycle heartbeat, the Kubernetes startup probe and the HTTP add-on's wait; and the cost model
 * bills the instance time it takes. Estimates are the kit's own, stated here and in the README.
 */
import type { InstanceType } from "./catalog";
import { rootVolumeFor, type RootVolume } from "./catalog/root-volume";
import type { StackConfig } from "./config/stack-config";

/** EC2 launch to user data running on a GPU instance with the Deep Learning AMI (kit estimate). */
export const BOOT_SECONDS = 180;
/** A stopped warm-pool instance starting again: no launch, the same boot minus provisioning. */
export const WARM_BOOT_SECONDS = 60;
/** Pulling and unpacking the pinned vLLM image (about 10 GB) on a fresh host or node (kit estimate). */
export const IMAGE_PULL_SECONDS = 120;
/** Engine start-up besides the weights: CUDA init, the profiling run, CUDA-graph capture. */
export const ENGINE_INIT_SECONDS = 120;
/** No replica's timers are shorter than this: a slow registry or a busy node must not kill a start. */
export const MIN_BUDGET_SECONDS = 600;
/** Timers allow this multiple of the expected time. */
export const MARGIN = 1.5;

export interface ColdStart {
  /** Instance launch and boot (rented hosts only). */
  readonly bootSeconds: number;
  /** The vLLM image (none on a warm-pool host, whose volume keeps it). */
  readonly imagePullSeconds: number;
  /**
   * Weights fetched and read into GPU memory, at `vllm.loadMegabytesPerSecond`, or the root volume's
   * provisioned throughput when they live on it and it is slower (cost/catalog/root-volume.ts).
   */
  readonly weightsSeconds: number;
  readonly engineInitSeconds: number;
  /** The sum: what a client waits on a fleet at zero. */
  readonly totalSeconds: number;
  /** What host-level timers allow (grace period, warm-up, wake cooldown): MARGIN × total, ≥ MIN_BUDGET_SECONDS. */
  readonly budgetSeconds: number;
  /** What the container's startup probe allows (it starts after the pull): MARGIN × (weights + init), ≥ MIN_BUDGET_SECONDS. */
  readonly containerBudgetSeconds: number;
  /** The host's root volume (rented hosts only): where the weights live and how fast it reads. */
  readonly volume?: RootVolume;
}

const budget = (seconds: number) => Math.max(MIN_BUDGET_SECONDS, Math.ceil(seconds * MARGIN));

/** The stack's own aws settings when `instance` is its own host; undefined for a rented alternative. */
function ownAws(cfg: StackConfig, instance: InstanceType | undefined) {
  return cfg.platform === "aws" && cfg.aws.instance.key === instance?.key ? cfg.aws : undefined;
}

/** A stack's host volume on `instance` (its own, or a rented alternative's: no warm pool, no stated size). */
export function hostRootVolume(cfg: StackConfig, instance: InstanceType): RootVolume {
  return rootVolumeFor(
    ownAws(cfg, instance),
    instance,
    cfg.model.weightBytes,
    cfg.vllm.loadMegabytesPerSecond,
  );
}

/**
 * `platform`: where the replica starts (a rented alternative to an on-prem stack starts on AWS);
 * `instance`: the rented host (the stack's own by default).
 */
export function coldStart(
  cfg: StackConfig,
  platform: StackConfig["platform"] = cfg.platform,
  instance: InstanceType | undefined = cfg.aws?.instance,
): ColdStart {
  if (platform === "managed")
    return {
      bootSeconds: 0,
      imagePullSeconds: 0,
      weightsSeconds: 0,
      engineInitSeconds: 0,
      totalSeconds: 0,
      budgetSeconds: 0,
      containerBudgetSeconds: 0,
    };
  const volume = platform === "aws" && instance ? hostRootVolume(cfg, instance) : undefined;
  const warmPool = platform === "aws" && ownAws(cfg, instance)?.warmPool?.enabled === true;
  const speed = volume?.weightsMegabytesPerSecond ?? cfg.vllm.loadMegabytesPerSecond;
  const weightsSeconds = Math.ceil(cfg.model.weightBytes / (speed * 1e6));
  const bootSeconds = platform === "aws" ? (warmPool ? WARM_BOOT_SECONDS : BOOT_SECONDS) : 0;
  const imagePullSeconds = warmPool ? 0 : IMAGE_PULL_SECONDS;
  const totalSeconds = bootSeconds + imagePullSeconds + weightsSeconds + ENGINE_INIT_SECONDS;
  return {
    bootSeconds,
    imagePullSeconds,
    weightsSeconds,
    engineInitSeconds: ENGINE_INIT_SECONDS,
    totalSeconds,
    budgetSeconds: budget(totalSeconds),
    containerBudgetSeconds: budget(weightsSeconds + ENGINE_INIT_SECONDS),
    ...(volume && { volume }),
  };
}
