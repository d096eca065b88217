/**
 * The fleet's resource inputs (pure): launch template, Auto Scaling group and target tracking, from the
 * component's arguments and the outputs of the resources they refer to. The component only registers.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AwsFleetArgs } from "../component-args";
import { METRIC_NAMESPACE, QUEUE_METRIC } from "./user-data";

export const WARM_POOL_HOOK = "vllm-tco-prewarm";

/** The group's name prefix; the hosts' IAM policy may complete lifecycle actions only on these groups. */
export function groupNamePrefix(name: string, cfg: AwsFleetArgs): string {
  return `${name}-${cfg.stack}-`;
}

export interface TemplateRefs {
  readonly imageId: pulumi.Input<string>;
  readonly instanceProfileArn: pulumi.Input<string>;
  readonly hostSecurityGroupId: pulumi.Input<string>;
  /** Base64 user data. */
  readonly userData: pulumi.Input<string>;
}

export function launchTemplateInputs(
  name: string,
  cfg: AwsFleetArgs,
  r: TemplateRefs,
): aws.ec2.LaunchTemplateArgs {
  const a = cfg.aws;
  return {
    imageId: r.imageId,
    instanceType: a.instance.key,
    iamInstanceProfile: { arn: r.instanceProfileArn },
    // IMDSv2 only; hop limit 2 so the container reaches it through Docker's bridge.
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 2,
      instanceMetadataTags: "enabled",
    },
    networkInterfaces: [
      {
        associatePublicIpAddress: "false",
        deleteOnTermination: "true",
        securityGroups: [r.hostSecurityGroupId],
      },
    ],
    blockDeviceMappings: [
      {
        deviceName: "/dev/sda1",
        ebs: {
          // Sized and provisioned from the model (cost/catalog/root-volume.ts): weights on the root
          // volume load at the throughput the cold start promises, not gp3's 125 MiB/s baseline.
          volumeSize: cfg.rootVolume.sizeGb,
          volumeType: "gp3",
          throughput: cfg.rootVolume.throughputMiBps,
          iops: cfg.rootVolume.iops,
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ],
    monitoring: { enabled: true },
    userData: r.userData,
    tagSpecifications: [
      {
        resourceType: "instance",
        tags: { Name: `${name}-${cfg.stack}-gpu`, "vllm-tco:stack": cfg.stack },
      },
      { resourceType: "volume", tags: { "vllm-tco:stack": cfg.stack } },
    ],
    updateDefaultVersion: true,
  };
}

export interface GroupRefs {
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly targetGroupArn: pulumi.Input<string>;
  readonly template: { readonly id: pulumi.Input<string>; readonly version: pulumi.Input<string> };
}

export function groupInputs(name: string, cfg: AwsFleetArgs, r: GroupRefs): aws.autoscaling.GroupArgs {
  const a = cfg.aws;
  const e = cfg.engine;
  const warm = a.warmPool?.enabled === true;
  const spotMix = a.purchase === "spot" || a.purchase === "mixed";
  return {
    namePrefix: groupNamePrefix(name, cfg),
    minSize: cfg.scaling.min,
    maxSize: cfg.scaling.max,
    desiredCapacity: cfg.scaling.min,
    vpcZoneIdentifiers: r.privateSubnetIds,
    targetGroupArns: [r.targetGroupArn],
    healthCheckType: "ELB",
    // Covers the whole cold start from launch (boot, image pull, weights, engine: cost/cold-start.ts),
    // with margin: ELB health checks fail until the engine answers, and must not replace a loading host.
    healthCheckGracePeriod: e.coldStart.budgetSeconds,
    defaultInstanceWarmup: e.coldStart.budgetSeconds,
    capacityRebalance: spotMix,
    ...(spotMix
      ? {
          mixedInstancesPolicy: {
            instancesDistribution: {
              onDemandBaseCapacity: a.purchase === "mixed" ? a.onDemandBase : 0,
              onDemandPercentageAboveBaseCapacity: a.purchase === "mixed" ? 100 - a.spotPercentage : 0,
              spotAllocationStrategy: "price-capacity-optimized",
            },
            launchTemplate: {
              launchTemplateSpecification: {
                launchTemplateId: r.template.id,
                version: r.template.version,
              },
              overrides: [{ instanceType: a.instance.key }],
            },
          },
        }
      : { launchTemplate: r.template }),
    instanceRefresh: {
      strategy: "Rolling",
      preferences: {
        minHealthyPercentage: cfg.scaling.max > 1 ? 50 : 0,
        instanceWarmup: String(e.coldStart.budgetSeconds),
      },
    },
    ...(warm && {
      warmPool: {
        poolState: "Stopped",
        minSize: a.warmPool!.size,
        // Without it AWS keeps max − desired hosts warmed (each with its root volume, paid): with it
        // equal to minSize the pool is exactly `size` hosts whatever the group runs.
        maxGroupPreparedCapacity: a.warmPool!.size,
        instanceReusePolicy: { reuseOnScaleIn: true },
      },
      initialLifecycleHooks: [
        {
          name: WARM_POOL_HOOK,
          lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
          defaultResult: "CONTINUE",
          heartbeatTimeout: e.coldStart.budgetSeconds,
        },
      ],
    }),
    tags: [{ key: "vllm-tco:stack", value: cfg.stack, propagateAtLaunch: true }],
  };
}

/**
 * Scale-out: target tracking on the stack's metric (vLLM's queue or running requests, published by
 * the hosts, or the ALB's requests per target), with its scale-in turned off: a waiting queue of 0
 * cannot tell a busy host from an idle one, and loading hosts report 0 too. Scale-in belongs to
 * `inFlightTracking` alone (AWS scales in only when every target-tracking policy with scale-in
 * enabled is ready to, and out when any is).
 */
export function targetTracking(
  cfg: AwsFleetArgs,
  r: { readonly albResourceLabel: pulumi.Input<string>; readonly groupName: pulumi.Input<string> },
): aws.types.input.autoscaling.PolicyTargetTrackingConfiguration {
  const s = cfg.scaling;
  return s.metric === "requests"
    ? {
        targetValue: s.target,
        disableScaleIn: true,
        predefinedMetricSpecification: {
          predefinedMetricType: "ALBRequestCountPerTarget",
          resourceLabel: r.albResourceLabel,
        },
      }
    : {
        targetValue: s.target,
        disableScaleIn: true,
        customizedMetricSpecification: {
          namespace: METRIC_NAMESPACE,
          metricName: QUEUE_METRIC[s.metric],
          statistic: "Average",
          metricDimensions: [{ name: "AutoScalingGroupName", value: r.groupName }],
        },
      };
}

/**
 * Scale-in: target tracking on requests in flight per host (running + waiting, the hosts' own
 * vLLM gauges), at the concurrency the cost model planned per host. Desired hosts = ⌈hosts × in
 * flight ÷ target⌉, so while any request runs at least one host stays: the last host is removed only
 * when nothing runs or waits (and, with `scaling.min` 0, by the idle alarm's own rule). A host
 * removed while others are busy drains first (the target group's deregistration delay and the
 * engine's stop timeout, `drainSeconds`). Hosts still in their warm-up are left out of the metric
 * (`estimatedInstanceWarmup`), so a loading host's zeros do not pull it down.
 */
export function inFlightTracking(
  cfg: AwsFleetArgs,
  groupName: pulumi.Input<string>,
): aws.types.input.autoscaling.PolicyTargetTrackingConfiguration {
  const gauge = (id: string, metricName: string) => ({
    id,
    metricStat: {
      metric: {
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensions: [{ name: "AutoScalingGroupName", value: groupName }],
      },
      stat: "Average",
    },
    returnData: false,
  });
  return {
    targetValue: cfg.inFlightPerHost,
    customizedMetricSpecification: {
      metrics: [
        gauge("running", QUEUE_METRIC.running),
        gauge("waiting", QUEUE_METRIC.queue),
        {
          id: "inflight",
          expression: "running + waiting",
          label: "requests in flight per host",
          returnData: true,
        },
      ],
    },
  };
}
