/**
 * Least-privilege IAM documents for the GPU hosts (pure): read exactly the stack's two secrets, write
 * metrics only to the vllm-tco namespace and logs only to the stack's log group, and (with a warm
 * pool) complete lifecycle actions only on the stack's group. SSH is replaced by SSM Session Manager
 * (the AmazonSSMManagedInstanceCore managed policy).
 */
import { METRIC_NAMESPACE } from "./user-data";

export const SSM_MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

export function assumeRolePolicy() {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

export interface HostPolicyArgs {
  readonly secretArns: readonly string[];
  readonly logGroupArn: string;
  /** ARN pattern of the stack's Auto Scaling group, when a warm pool needs lifecycle completion. */
  readonly groupArnPattern?: string;
}

export function hostPolicy(a: HostPolicyArgs) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadOwnSecrets",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [...a.secretArns],
      },
      {
        Sid: "PublishQueueMetrics",
        Effect: "Allow",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        // PutMetricData has no resource ARNs; the namespace condition is its only scope.
        Condition: { StringEquals: { "cloudwatch:namespace": METRIC_NAMESPACE } },
      },
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [a.logGroupArn, `${a.logGroupArn}:log-stream:*`],
      },
      ...(a.groupArnPattern
        ? [
            {
              Sid: "CompleteWarmPoolLaunch",
              Effect: "Allow",
              Action: "autoscaling:CompleteLifecycleAction",
              Resource: a.groupArnPattern,
            },
          ]
        : []),
    ],
  };
}
