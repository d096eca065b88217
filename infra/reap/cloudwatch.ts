/**
 * Observations from the load balancer's CloudWatch metrics (no Prometheus on the AWS hosts needed).
 */
import type { StackConfig } from "../../cost/config/stack-config";

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
      // The balancer counts requests, nothing else: that one series must cover the window.
      required: ["running"] as const,
      aggregate: true,
      replicas:
        healthy.size || requests.size ? [{ replica: loadBalancer, running, waiting: [], success: [] }] : [],
    };
  } catch (e) {
    return { ...base, replicas: [], error: (e as Error).message };
  }
}
