import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsFleetArgs } from "../component-args";
import { assumeRolePolicy, hostPolicy, SSM_MANAGED_POLICY } from "./iam-policies";
import { coldStartMinutes, idleAlarm, wakeAlarm, type AlarmDims, type MathAlarm } from "./idle-teardown";
import { LoadBalancer } from "./load-balancer";
import { Network } from "./network";
import {
  groupInputs,
  groupNamePrefix,
  launchTemplateInputs,
  targetTracking,
  WARM_POOL_HOOK,
} from "./fleet-inputs";
import { userData } from "./user-data";

/** The component's arguments, and the secrets' values. */
export interface AwsVllmFleetArgs extends AwsFleetArgs {
  /** Hugging Face token (Pulumi secret); ignored when `secrets.hfToken.awsSecretArn` is set. */
  readonly hfToken?: pulumi.Output<string>;
  /** vLLM API key (Pulumi secret); ignored when `secrets.apiKey.awsSecretArn` is set; generated when neither. */
  readonly apiKey?: pulumi.Output<string>;
}

/**
 * vLLM on rented EC2 GPU instances: an Auto Scaling group of private hosts running the pinned vLLM
 * container, behind a health-checked, sticky load balancer, scaling on load, to zero when idle and
 * back from zero on demand.
 */
export class AwsVllmFleet extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly groupName: pulumi.Output<string>;
  readonly secretArns: pulumi.Output<{ apiKey: string; hfToken?: string }>;
  readonly usage: pulumi.Output<string>;
  readonly coldStartMinutes: number;

  constructor(name: string, args: AwsVllmFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("vllm-tco:aws:VllmFleet", name, {}, opts);
    const cfg: AwsFleetArgs = args;
    const a = cfg.aws;
    const e = cfg.engine;
    const child = { parent: this };

    const network = new Network(
      `${name}-net`,
      {
        ...(a.vpcId && {
          vpcId: a.vpcId,
          publicSubnetIds: a.publicSubnetIds,
          privateSubnetIds: a.privateSubnetIds,
        }),
      },
      child,
    );
    const cidrs = a.ingressCidrs ? pulumi.output(a.ingressCidrs) : network.cidrBlock.apply((c) => [c]);
    const internal = cfg.loadBalancerInternal;
    const lb = new LoadBalancer(
      `${name}-lb`,
      {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        ingressCidrs: cidrs,
        internal,
        allowOpenIngress: a.allowOpenIngress,
        port: e.port,
        drainSeconds: e.drainSeconds,
        ...(a.certificateArn && { certificateArn: a.certificateArn }),
      },
      child,
    );

    const { apiKeyArn, hfTokenArn } = fleetSecrets(name, args, child);
    const { profile, logGroup } = hostIdentity(name, cfg, { apiKeyArn, hfTokenArn }, child);
    const warm = a.warmPool?.enabled === true;

    const imageId = a.amiId
      ? pulumi.output(a.amiId)
      : aws.ssm.getParameterOutput({ name: a.amiSsmParameter }, child).value;
    const template = new aws.ec2.LaunchTemplate(
      `${name}-host`,
      launchTemplateInputs(name, cfg, {
        imageId,
        instanceProfileArn: profile.arn,
        hostSecurityGroupId: lb.hostSecurityGroupId,
        userData: pulumi.all([apiKeyArn, hfTokenArn, logGroup.name]).apply(([api, hf, logs]) =>
          Buffer.from(
            userData(cfg, {
              apiKeySecretArn: api,
              ...(hf && { hfTokenSecretArn: hf }),
              region: a.region,
              logGroup: logs,
              ...(warm && { warmPoolHook: WARM_POOL_HOOK }),
            }),
          ).toString("base64"),
        ),
      }),
      child,
    );

    const group = new aws.autoscaling.Group(
      `${name}-fleet`,
      groupInputs(name, cfg, {
        privateSubnetIds: network.privateSubnetIds,
        targetGroupArn: lb.targetGroupArn,
        template: { id: template.id, version: template.latestVersion.apply(String) },
      }),
      // The alarms and target tracking own the desired count after creation.
      { ...child, ignoreChanges: ["desiredCapacity"] },
    );

    const s = cfg.scaling;
    new aws.autoscaling.Policy(
      `${name}-load`,
      {
        autoscalingGroupName: group.name,
        policyType: "TargetTrackingScaling",
        estimatedInstanceWarmup: e.probes.startupBudgetSeconds,
        targetTrackingConfiguration: targetTracking(cfg, {
          albResourceLabel: pulumi.interpolate`${lb.arnSuffix}/${lb.targetGroupArnSuffix}`,
          groupName: group.name,
        }),
      },
      child,
    );
    if (s.min === 0) scaleToZero(name, cfg, group, lb, child);

    this.coldStartMinutes = coldStartMinutes(e.expectedLoadSeconds);
    this.endpoint = pulumi.interpolate`${lb.url}/v1`;
    this.groupName = group.name;
    this.secretArns = pulumi
      .all([apiKeyArn, hfTokenArn])
      .apply(([apiKey, hfToken]) => ({ apiKey, ...(hfToken && { hfToken }) }));
    this.usage = pulumi.interpolate`KEY=$(aws secretsmanager get-secret-value --secret-id ${apiKeyArn} --query SecretString --output text); curl ${this.endpoint}/chat/completions -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"model": "${cfg.model.servedName}", "messages": [{"role": "user", "content": "Hello"}]}'${s.min === 0 ? `  (an idle fleet is at zero: the first request gets 503 and starts a host; retry with backoff for ~${this.coldStartMinutes} minutes)` : ""}`;
    this.registerOutputs({
      endpoint: this.endpoint,
      groupName: this.groupName,
      secretArns: this.secretArns,
      usage: this.usage,
    });
  }

  outputs(): Record<string, unknown> {
    return {
      endpoint: this.endpoint,
      groupName: this.groupName,
      secretArns: this.secretArns,
      usage: this.usage,
      coldStartMinutes: this.coldStartMinutes,
    };
  }
}

/** Secrets: referenced when the stack names existing ones, else stored from the Pulumi secrets. */
function fleetSecrets(name: string, args: AwsVllmFleetArgs, child: pulumi.CustomResourceOptions) {
  const cfg = args;
  const stored = (suffix: string, value: pulumi.Output<string>, generated = false) => {
    const secret = new aws.secretsmanager.Secret(
      `${name}-${suffix}`,
      { description: `vllm-tco ${suffix} for stack ${cfg.stack}`, recoveryWindowInDays: 7 },
      child,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-${suffix}`,
      { secretId: secret.id, secretString: pulumi.secret(value) },
      // A generated key is drawn again at every update (a data source); keep the first one, so hosts
      // keep working and a second preview shows no change. Rotating it is explicit (README).
      generated ? { ...child, ignoreChanges: ["secretString"] } : child,
    );
    return secret.arn;
  };
  const generatedKey = () =>
    pulumi.secret(
      aws.secretsmanager
        .getRandomPasswordOutput({ passwordLength: 48, excludePunctuation: true }, child)
        .apply((r) => r.randomPassword!),
    );
  const apiKeyArn = cfg.secrets.apiKey?.awsSecretArn
    ? pulumi.output(cfg.secrets.apiKey.awsSecretArn)
    : args.apiKey
      ? stored("api-key", args.apiKey)
      : stored("api-key", generatedKey(), true);
  const hfTokenArn = cfg.secrets.hfToken?.awsSecretArn
    ? pulumi.output(cfg.secrets.hfToken.awsSecretArn)
    : args.hfToken
      ? stored("hf-token", args.hfToken)
      : undefined;

  return { apiKeyArn, hfTokenArn };
}

/** The hosts' role: read their two secrets, write their logs and metrics, SSM instead of SSH. */
function hostIdentity(
  name: string,
  cfg: AwsFleetArgs,
  { apiKeyArn, hfTokenArn }: { apiKeyArn: pulumi.Output<string>; hfTokenArn?: pulumi.Output<string> },
  child: pulumi.CustomResourceOptions,
) {
  const a = cfg.aws;
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: 30 }, child);
  const identity = aws.getCallerIdentityOutput({}, child);
  const warm = a.warmPool?.enabled === true;

  const role = new aws.iam.Role(
    `${name}-host`,
    { assumeRolePolicy: JSON.stringify(assumeRolePolicy()) },
    child,
  );
  new aws.iam.RolePolicyAttachment(
    `${name}-host-ssm`,
    { role: role.name, policyArn: SSM_MANAGED_POLICY },
    child,
  );
  new aws.iam.RolePolicy(
    `${name}-host`,
    {
      role: role.id,
      policy: pulumi
        .all([apiKeyArn, hfTokenArn, logGroup.arn, identity.accountId])
        .apply(([api, hf, logs, account]) =>
          JSON.stringify(
            hostPolicy({
              secretArns: hf ? [api, hf] : [api],
              logGroupArn: logs,
              ...(warm && {
                groupArnPattern: `arn:aws:autoscaling:${a.region}:${account}:autoScalingGroup:*:autoScalingGroupName/${groupNamePrefix(name, cfg)}*`,
              }),
            }),
          ),
        ),
    },
    child,
  );
  const profile = new aws.iam.InstanceProfile(`${name}-host`, { role: role.name }, child);

  return { profile, logGroup };
}

/** Scale to zero when idle and back from zero on demand (see idle-teardown.ts for the alarms' logic). */
function scaleToZero(
  name: string,
  cfg: AwsFleetArgs,
  group: aws.autoscaling.Group,
  lb: LoadBalancer,
  child: pulumi.CustomResourceOptions,
) {
  const e = cfg.engine;
  const dims = pulumi
    .all([lb.arnSuffix, lb.targetGroupArnSuffix])
    .apply(([loadBalancer, targetGroup]) => ({ loadBalancer, targetGroup }));
  const toZero = new aws.autoscaling.Policy(
    `${name}-to-zero`,
    {
      autoscalingGroupName: group.name,
      policyType: "SimpleScaling",
      adjustmentType: "ExactCapacity",
      scalingAdjustment: 0,
      cooldown: 60,
    },
    child,
  );
  // One host per wake-up; the cooldown spans a model load so waiting requests do not start more.
  const wake = new aws.autoscaling.Policy(
    `${name}-wake`,
    {
      autoscalingGroupName: group.name,
      policyType: "SimpleScaling",
      adjustmentType: "ChangeInCapacity",
      scalingAdjustment: 1,
      cooldown: e.probes.startupBudgetSeconds,
    },
    child,
  );
  const alarm = (suffix: string, make: (d: AlarmDims) => MathAlarm, action: pulumi.Output<string>) => {
    const m = dims.apply(make);
    new aws.cloudwatch.MetricAlarm(
      `${name}-${suffix}`,
      {
        evaluationPeriods: m.evaluationPeriods,
        datapointsToAlarm: m.datapointsToAlarm,
        threshold: m.threshold,
        comparisonOperator: m.comparisonOperator,
        treatMissingData: m.treatMissingData,
        alarmDescription: m.alarmDescription,
        metricQueries: m.metricQueries,
        alarmActions: [action],
      },
      child,
    );
  };
  alarm("idle", (d) => idleAlarm(cfg, d), toZero.arn);
  alarm("wake", wakeAlarm, wake.arn);
}
