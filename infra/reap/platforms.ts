/**
 * What exists and how to stop paying for it, through each platform's own API: the Auto Scaling
 * group's capacity (AWS SDK) or the engine Deployment's replicas (Kubernetes API).
 */
import type { StackConfig } from "../stack-config";

export interface Fleet {
  /** What the reaper acts on, e.g. `Auto Scaling group vllm-aws-h100-…` or `deployment vllm/vllm-engine`. */
  readonly target: string;
  replicas(): Promise<number>;
  scaleToZero(): Promise<void>;
}

export function awsFleet(cfg: StackConfig, groupName: string): Fleet {
  const region = cfg.aws?.region ?? "us-east-1";
  const client = async () => {
    const { AutoScalingClient } = await import("@aws-sdk/client-auto-scaling");
    return new AutoScalingClient({
      region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3000, requestTimeout: 10000 },
    });
  };
  return {
    target: `Auto Scaling group ${groupName}`,
    async replicas() {
      const { DescribeAutoScalingGroupsCommand } = await import("@aws-sdk/client-auto-scaling");
      const res = await (
        await client()
      ).send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
      const group = res.AutoScalingGroups?.[0];
      if (!group) throw new Error(`no Auto Scaling group named ${groupName} in ${region}`);
      // Instances count whether or not they are InService: a loading host is paid for too.
      return Math.max(group.DesiredCapacity ?? 0, group.Instances?.length ?? 0);
    },
    async scaleToZero() {
      const { UpdateAutoScalingGroupCommand } = await import("@aws-sdk/client-auto-scaling");
      // MinSize too: a floor above zero would bring the hosts straight back. `pulumi up` restores it.
      await (
        await client()
      ).send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: groupName,
          MinSize: 0,
          DesiredCapacity: 0,
        }),
      );
    },
  };
}

export function kubernetesFleet(cfg: StackConfig, deployment = "vllm-engine"): Fleet {
  const k = cfg.kubernetes!;
  const api = async () => {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    if (k.kubeconfig) kc.loadFromFile(k.kubeconfig);
    else kc.loadFromDefault();
    if (k.context) kc.setCurrentContext(k.context);
    return kc.makeApiClient(k8s.AppsV1Api);
  };
  return {
    target: `deployment ${k.namespace}/${deployment}`,
    async replicas() {
      const { body } = await (await api()).readNamespacedDeployment(deployment, k.namespace);
      return Math.max(body.spec?.replicas ?? 0, body.status?.replicas ?? 0);
    },
    async scaleToZero() {
      await (
        await api()
      ).patchNamespacedDeploymentScale(
        deployment,
        k.namespace,
        { spec: { replicas: 0 } },
        undefined,
        undefined,
        "vllm-tco-reap",
        undefined,
        undefined,
        {
          headers: { "Content-Type": "application/merge-patch+json" },
        },
      );
    },
  };
}

/**
 * The load balancer's request count over the window (CloudWatch), as one aggregate "replica". The ALB
 * publishes no RequestCount datapoint for a minute without requests, so a missing datapoint counts as
 * zero only for minutes the target group reported HealthyHostCount: those minutes prove the balancer
 * was there to count. No HealthyHostCount at all is no series, so `unknown`.
 */
export async function observeCloudWatch(
  cfg: StackConfig,
  loadBalancer: string,
  targetGroup: string,
  windowSeconds: number,
  now: number,
) {
  const { CloudWatchClient, GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
  const cw = new CloudWatchClient({
    region: cfg.aws?.region ?? "us-east-1",
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3000, requestTimeout: 10000 },
  });
  const base = { source: `cloudwatch ${loadBalancer}`, windowStart: now - windowSeconds, windowEnd: now };
  const metric = (id: string, name: string, stat: string, dims: Record<string, string>) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/ApplicationELB",
        MetricName: name,
        Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: stat,
    },
  });
  try {
    const res = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date((now - windowSeconds) * 1000),
        EndTime: new Date(now * 1000),
        MetricDataQueries: [
          metric("requests", "RequestCount", "Sum", { LoadBalancer: loadBalancer }),
          metric("healthy", "HealthyHostCount", "Maximum", {
            LoadBalancer: loadBalancer,
            TargetGroup: targetGroup,
          }),
        ],
      }),
    );
    const series = (id: string) => {
      const r = res.MetricDataResults?.find((m) => m.Id === id);
      return new Map(
        (r?.Timestamps ?? []).map((t, i) => [new Date(t).getTime() / 1000, r!.Values![i]!] as const),
      );
    };
    const requests = series("requests");
    const healthy = series("healthy");
    const minutes = [...new Set([...healthy.keys(), ...requests.keys()])].sort((a, b) => a - b);
    const running = minutes.map((t) => [t, requests.get(t) ?? 0] as const);
    return {
      ...base,
      replicas:
        healthy.size || requests.size ? [{ replica: loadBalancer, running, waiting: [], success: [] }] : [],
    };
  } catch (e) {
    return { ...base, replicas: [], error: (e as Error).message };
  }
}
