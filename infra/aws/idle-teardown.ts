/**
 * Idle teardown, declaratively (pure): the alarm that empties the group after `idleMinutes` without a
 * request, and the alarm that wakes an empty group when requests meet no healthy host. Both read the
 * load balancer's own CloudWatch metrics, so nothing on the hosts has to be alive to decide.
 */
import type { AwsFleetArgs } from "../component-args";

export interface AlarmDims {
  /** `app/<name>/<id>` */
  readonly loadBalancer: string;
  /** `targetgroup/<name>/<id>` */
  readonly targetGroup: string;
}

/** A CloudWatch metric-math alarm, as both teardown alarms are written. */
export interface MathAlarm {
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: string;
  readonly treatMissingData: string;
  readonly alarmDescription: string;
  readonly metricQueries: MetricQuery[];
}

export interface MetricQuery {
  readonly id: string;
  readonly returnData: boolean;
  readonly expression?: string;
  readonly label?: string;
  readonly metric?: {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    stat: string;
    period: number;
  };
}

const albMetric = (id: string, metricName: string, dimensions: Record<string, string>, stat: string) => ({
  id,
  returnData: false,
  metric: { namespace: "AWS/ApplicationELB", metricName, dimensions, stat, period: 60 },
});

const healthyHosts = (d: AlarmDims) =>
  albMetric(
    "healthy",
    "HealthyHostCount",
    { LoadBalancer: d.loadBalancer, TargetGroup: d.targetGroup },
    "Maximum",
  );

/**
 * The idle alarm: `idleMinutes` consecutive minutes in which a healthy host served no request.
 *
 * Why "a healthy host" is part of it: CloudWatch re-invokes an Auto Scaling action on every
 * evaluation while the alarm stays in ALARM (Amazon EC2 Auto Scaling User Guide, "Step and simple
 * scaling policies": the alarm keeps invoking the policy), and the 503s a cold fleet answers are not
 * in `RequestCount`. An alarm on requests alone would stay in ALARM at zero and, once the wake
 * policy's cooldown ended, set the capacity back to 0 and terminate the host that was still loading.
 * A loading host is not healthy in the target group, so the expression is 0 and the alarm returns to
 * OK the minute a wake-up starts. `FILL(requests, 0)`: the ALB publishes no RequestCount datapoint
 * for a minute without requests (CloudWatch metric math, FILL).
 */
export function idleAlarm(cfg: AwsFleetArgs, d: AlarmDims): MathAlarm {
  const minutes = cfg.scaling.idleMinutes;
  return {
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    // No datapoint at all: no host and no target group traffic; nothing to scale in.
    treatMissingData: "notBreaching",
    alarmDescription: `No request reached a healthy host for ${minutes} minutes: scale the GPU fleet to zero (vllm-tco)`,
    metricQueries: [
      albMetric("requests", "RequestCount", { LoadBalancer: d.loadBalancer }, "Sum"),
      healthyHosts(d),
      {
        id: "idle",
        expression: "IF(FILL(requests, 0) == 0 AND FILL(healthy, 0) >= 1, 1, 0)",
        label: "healthy hosts with no request",
        returnData: true,
      },
    ],
  };
}

/**
 * The wake alarm: in the same minute, the load balancer answered a request itself (5xx: no target)
 * and the target group had no healthy host. Metric math keeps a real 5xx from a running fleet from
 * firing it.
 */
export function wakeAlarm(d: AlarmDims): MathAlarm {
  return {
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmDescription: "Requests reached an empty fleet: start one GPU host (vllm-tco)",
    metricQueries: [
      albMetric("rejected", "HTTPCode_ELB_5XX_Count", { LoadBalancer: d.loadBalancer }, "Sum"),
      healthyHosts(d),
      // FILL: a minute with no HealthyHostCount datapoint is a minute with no healthy host.
      {
        id: "wake",
        expression: "IF(rejected > 0 AND FILL(healthy, 0) < 1, 1, 0)",
        label: "requests with no healthy host",
        returnData: true,
      },
    ],
  };
}
