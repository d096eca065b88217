/**
 * A GPU host's root volume (pure): sized from what it must hold, and given the gp3 throughput that
 * the cold start promises. One place for the size the launch template asks for, the throughput the
 * cold start reads weights at, the volume the cost model bills and the minimum a stated
 * `aws.rootVolumeGb` is checked against.
 *
 * Where the weights live: on the instance's local NVMe when it has some and no warm pool runs (the
 * boot script stripes the instance-store disks); otherwise on the root volume, since a stopped
 * warm-pool instance loses its instance store. Weights on the root volume are written there from the
 * network and read back into GPU memory at the volume's throughput: gp3 gives 125 MiB/s unless more is
 * provisioned, which would make a 70B model's weights take ~19 minutes instead of the ~12 that
 * `vllm.loadMegabytesPerSecond` (200 MB/s) promises. So the kit provisions the throughput it promises.
 */

/** The Deep Learning Base AMI's own root snapshot and what the OS writes at run time (kit estimate). */
export const OS_GB = 75;
/** The pinned vLLM image as downloaded (compressed layers), GB: what each fresh host pulls. */
export const IMAGE_DOWNLOAD_GB = 10;
/** The same image unpacked on disk (Docker keeps the layers and the unpacked tree). */
export const IMAGE_GB = 30;
/** Room beside the weights: partial downloads, compile caches (torch.compile, CUDA graphs), logs. */
export const HEADROOM_FRACTION = 0.1;
/** gp3's limits (EC2 CreateVolume / launch template `throughput`): MiB/s from baseline to maximum. */
export const GP3_BASE_MIBPS = 125;
export const GP3_MAX_MIBPS = 1000;
/** gp3's baseline IOPS; provisioned throughput needs at least 4 IOPS per MiB/s (0.25 MiB/s per IOPS). */
export const GP3_BASE_IOPS = 3000;
export const GP3_MIBPS_PER_IOPS = 0.25;
const MB_PER_MIB = 1.048576;

export interface RootVolumeInput {
  readonly weightBytes: number;
  /** The instance's local NVMe, GB (0: none). */
  readonly localNvmeGb: number;
  readonly warmPool: boolean;
  /** `vllm.loadMegabytesPerSecond`: the speed the cold start promises for the weights. */
  readonly loadMegabytesPerSecond: number;
  /** `aws.rootVolumeGb`, when the stack states it. */
  readonly statedGb?: number;
}

export interface RootVolume {
  /** What the launch template asks for. */
  readonly sizeGb: number;
  /** The least that holds the OS, the image and (when on it) the weights with their headroom. */
  readonly minimumGb: number;
  readonly weightsOnVolume: boolean;
  /** Provisioned gp3 throughput, MiB/s (the baseline when the weights are not on the volume). */
  readonly throughputMiBps: number;
  readonly iops: number;
  /** What the weights are read at, MB/s: the promised speed, capped by the volume when they are on it. */
  readonly weightsMegabytesPerSecond: number;
  readonly parts: { readonly osGb: number; readonly imageGb: number; readonly weightsGb: number };
}

export function rootVolume(v: RootVolumeInput): RootVolume {
  const modelGb = Math.ceil(v.weightBytes / 1e9);
  // The boot script uses the NVMe only when it holds the weights with their headroom.
  const weightsOnVolume = v.warmPool || v.localNvmeGb < modelGb * (1 + HEADROOM_FRACTION);
  const weightsGb = weightsOnVolume ? modelGb : 0;
  const minimumGb = Math.ceil((OS_GB + IMAGE_GB + weightsGb) * (1 + HEADROOM_FRACTION));
  const throughputMiBps = weightsOnVolume
    ? Math.min(GP3_MAX_MIBPS, Math.max(GP3_BASE_MIBPS, Math.ceil(v.loadMegabytesPerSecond / MB_PER_MIB)))
    : GP3_BASE_MIBPS;
  return {
    sizeGb: v.statedGb ?? minimumGb,
    minimumGb,
    weightsOnVolume,
    throughputMiBps,
    iops: Math.max(GP3_BASE_IOPS, Math.ceil(throughputMiBps / GP3_MIBPS_PER_IOPS)),
    weightsMegabytesPerSecond: weightsOnVolume
      ? Math.min(v.loadMegabytesPerSecond, throughputMiBps * MB_PER_MIB)
      : v.loadMegabytesPerSecond,
    parts: { osGb: OS_GB, imageGb: IMAGE_GB, weightsGb },
  };
}

/**
 * The volume of a host of `instance` given the stack's `aws` settings (undefined for a rented
 * alternative to another platform: no warm pool, no stated size): the one way the resolver's check and
 * the deployed and priced hosts read those settings.
 */
export function rootVolumeFor(
  aws: { readonly warmPool?: { readonly enabled?: boolean }; readonly rootVolumeGb?: number } | undefined,
  instance: { readonly localNvmeGb: number },
  weightBytes: number,
  loadMegabytesPerSecond: number,
): RootVolume {
  return rootVolume({
    weightBytes,
    localNvmeGb: instance.localNvmeGb,
    warmPool: aws?.warmPool?.enabled === true,
    loadMegabytesPerSecond,
    ...(aws?.rootVolumeGb !== undefined && { statedGb: aws.rootVolumeGb }),
  });
}

/** The parts, for messages and `plan`: "OS 75 + image 30 + weights 141 GB, +10%". */
export function describeRootVolume(r: RootVolume): string {
  const w = r.weightsOnVolume ? ` + weights ${r.parts.weightsGb}` : "";
  return `OS ${r.parts.osGb} + image ${r.parts.imageGb}${w} GB, +${HEADROOM_FRACTION * 100}% headroom`;
}
