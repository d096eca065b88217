import { table, type Source } from "./source";

/** The region the bundled instance and service prices are for; any other comes from the price cache or the stack. */
export const CATALOG_REGION = "us-east-1";

/** An EC2 GPU instance type with its us-east-1 Linux prices in dollars per hour. */
export interface InstanceType {
  readonly key: string;
  readonly gpu: string;
  readonly gpus: number;
  /** Local NVMe instance storage in GB (0 when the type has none): where model weights are cached. */
  readonly localNvmeGb: number;
  readonly onDemandUsdPerHour: number;
  readonly spotUsdPerHour: number;
  /** Three-year, no-upfront savings-plan rate. */
  readonly savingsPlanUsdPerHour: number;
  readonly sources: {
    readonly onDemand: Source;
    readonly spot: Source;
    readonly savingsPlan: Source;
  };
}

export type PriceKind = keyof InstanceType["sources"];

/**
 * The prices a purchase option is billed at, first the one its serving hours use: the one place that
 * maps a purchase to its price sources (line items, staleness warnings). Savings plans bill the
 * commitment at its rate and the hours above it on demand; mixed blends spot with on-demand.
 */
export function purchasePrices(
  purchase: "on-demand" | "spot" | "savings-plan" | "mixed",
): readonly PriceKind[] {
  switch (purchase) {
    case "on-demand":
      return ["onDemand"];
    case "spot":
      return ["spot"];
    case "savings-plan":
      return ["savingsPlan", "onDemand"];
    case "mixed":
      return ["onDemand", "spot"];
  }
}

const onDemand = (asOf: string): Source => ({
  title: "AWS EC2 On-Demand pricing, us-east-1, Linux",
  url: "https://aws.amazon.com/ec2/pricing/on-demand/",
  asOf,
});
const spotSnapshot: Source = {
  title: "EC2 spot price snapshot, us-east-1 (moves daily)",
  url: "https://aws.amazon.com/ec2/spot/pricing/",
  asOf: "2026-03",
};
const spotEstimate: Source = {
  title: "estimate: on-demand × 0.55, the p5.48xlarge spot/on-demand ratio of the 2026-03 snapshot",
  url: "https://aws.amazon.com/ec2/spot/pricing/",
  asOf: "2026-03",
  estimate: true,
};
const savingsPlanList: Source = {
  title: "third-party list of 3-year no-upfront EC2 savings-plan rates (uncertain)",
  url: "https://aws.amazon.com/savingsplans/compute-pricing/",
  asOf: "2026-06",
};
const savingsPlanEstimate: Source = {
  title: "estimate: on-demand × 0.5, within AWS's 'up to 72% off' for EC2 Instance Savings Plans",
  url: "https://aws.amazon.com/savingsplans/faq/",
  asOf: "2026-06",
  estimate: true,
};

function instance(
  key: string,
  gpu: string,
  gpus: number,
  localNvmeGb: number,
  od: number,
  odAsOf: string,
  spot?: number,
  sp?: number,
): InstanceType {
  // Where no published spot or savings-plan figure exists we estimate it and say so in the source,
  // rather than leave a hole the report would have to explain.
  return {
    key,
    gpu,
    gpus,
    localNvmeGb,
    onDemandUsdPerHour: od,
    spotUsdPerHour: spot ?? Math.round(od * 0.55 * 1e4) / 1e4,
    savingsPlanUsdPerHour: sp ?? Math.round(od * 0.5 * 1e4) / 1e4,
    sources: {
      onDemand: onDemand(odAsOf),
      spot: spot === undefined ? spotEstimate : spotSnapshot,
      savingsPlan: sp === undefined ? savingsPlanEstimate : savingsPlanList,
    },
  };
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = table({
  "p5.48xlarge": instance("p5.48xlarge", "h100-sxm", 8, 8 * 3840, 55.04, "2025-06", 30.24, 27.52),
  "p5.4xlarge": instance("p5.4xlarge", "h100-sxm", 1, 3840, 6.88, "2025-08", undefined, 2.97),
  "p5en.48xlarge": instance("p5en.48xlarge", "h200", 8, 8 * 3840, 63.296, "2025-06"),
  "p4d.24xlarge": instance("p4d.24xlarge", "a100-40gb", 8, 8 * 1000, 21.957642, "2025-06", 10.8),
  "p4de.24xlarge": instance("p4de.24xlarge", "a100-80gb", 8, 8 * 1000, 27.44705, "2025-06"),
  "g6e.xlarge": instance("g6e.xlarge", "l40s", 1, 250, 1.861, "2025-06", 1.04, 0.93),
  "g6e.2xlarge": instance("g6e.2xlarge", "l40s", 1, 450, 2.24208, "2025-06"),
  "g6e.12xlarge": instance("g6e.12xlarge", "l40s", 4, 3800, 10.49264, "2025-06"),
  "g6e.48xlarge": instance("g6e.48xlarge", "l40s", 8, 7600, 30.13118, "2025-06"),
});

/**
 * How often AWS reclaims a spot instance, per instance-month: each interruption is a replacement that
 * boots, pulls and loads again (billed as a cold start) while the fleet runs one short.
 */
export const SPOT_INTERRUPTION = {
  perInstanceMonth: 0.15,
  low: 0.05,
  high: 0.3,
  source: {
    title:
      "estimate: 15% of spot instances interrupted a month (range 5–30%), within the AWS Spot Instance Advisor's frequency bands (<5% … >20%) for GPU instances",
    url: "https://aws.amazon.com/ec2/spot/instance-advisor/",
    asOf: "2026-12",
    estimate: true,
  } satisfies Source,
} as const;

/** Supporting AWS services a fleet needs, us-east-1. */
export const AWS_SERVICES = {
  albUsdPerHour: 0.0225,
  /** One load-balancer capacity unit is plenty for token streaming (rule evaluations and connections are few). */
  albLcuUsdPerHour: 0.008,
  natGatewayUsdPerHour: 0.045,
  natGatewayUsdPerGb: 0.045,
  /** Every public IPv4 address, the NAT gateway's Elastic IP included, since 2024-02 (Amazon VPC pricing). */
  publicIpv4UsdPerHour: 0.005,
  ebsGp3UsdPerGbMonth: 0.08,
  /** Provisioned gp3 IOPS above the free 3,000, per IOPS-month. */
  ebsGp3IopsUsdPerMonth: 0.005,
  /** Provisioned gp3 throughput above the free 125 MiB/s, per MiB/s-month. */
  ebsGp3ThroughputUsdPerMiBpsMonth: 0.04,
  internetEgressUsdPerGb: 0.09,
  cloudwatchAlarmUsdPerMonth: 0.1,
  secretsManagerUsdPerSecretMonth: 0.4,
  source: {
    title:
      "AWS pricing pages (ELB, VPC NAT gateway, EBS gp3, data transfer, CloudWatch, Secrets Manager), us-east-1",
    url: "https://aws.amazon.com/pricing/",
    asOf: "2025-06",
  } satisfies Source,
} as const;
