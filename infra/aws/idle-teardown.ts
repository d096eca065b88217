/**
 * Idle teardown, declaratively (pure): the alarm that empties the group after `idleMinutes` without a
 * request, and the alarm that wakes an empty group when requests meet no healthy host. Both read the
 * load balancer's own CloudWatch metrics, so nothing on the hosts has to be alive to decide.
 */
import type { StackConfig } from "../stack-config";

export interface AlarmDims {
  /** `app/<name>/<id>` */
  readonly loadBalancer: string;
  /** `targetgroup/<name>/<id>` */
  readonly targetGroup: string;
}

/** The idle alarm: no request for `idleMinutes` consecutive minutes (no data counts as no request). */
export function idleAlarm(cfg: StackConfig, d: AlarmDims) {
  return {
    namespace: "AWS/ApplicationELB",
    metricName: "RequestCount",
    dimensions: { LoadBalancer: d.loadBalancer },
    statistic: "Sum",
    period: 60,
    evaluationPeriods: cfg.scaling.idleMinutes,
    datapointsToAlarm: cfg.scaling.idleMinutes,
    threshold: 0,
    comparisonOperator: "LessThanOrEqualToThreshold",
    // The ALB publishes no RequestCount datapoint for a minute without requests.
    treatMissingData: "breaching",
    alarmDescription: `No request for ${cfg.scaling.idleMinutes} minutes: scale the GPU fleet to zero (vllm-tco)`,
  };
}

/**
 * The wake alarm: in the same minute, the load balancer answered a request itself (5xx: no target)
 * and the target group had no healthy host. Metric math keeps a real 5xx from a running fleet from
 * firing it.
 */
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

export function wakeAlarm(d: AlarmDims): {
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData: string;
  alarmDescription: string;
  metricQueries: MetricQuery[];
} {
  return {
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmDescription: "Requests reached an empty fleet: start one GPU host (vllm-tco)",
    metricQueries: [
      {
        id: "rejected",
        returnData: false,
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "HTTPCode_ELB_5XX_Count",
          dimensions: { LoadBalancer: d.loadBalancer },
          stat: "Sum",
          period: 60,
        },
      },
      {
        id: "healthy",
        returnData: false,
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "HealthyHostCount",
          dimensions: { LoadBalancer: d.loadBalancer, TargetGroup: d.targetGroup },
          stat: "Maximum",
          period: 60,
        },
      },
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

/**
 * Minutes from a wake-up to the first answer: instance launch and boot (~3), image pull (~2), then
 * the weights at the configured load speed plus engine start-up. Shown in the outputs and README.
 */
export function coldStartMinutes(expectedLoadSeconds: number): number {
  return Math.ceil(5 + expectedLoadSeconds / 60);
}
