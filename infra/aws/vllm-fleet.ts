import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsFleetArgs } from "../component-args";
import { assumeRolePolicy, hostPolicy, SSM_MANAGED_POLICY } from "./iam-policies";
import { idleAlarm, wakeAlarm, type AlarmDims, type MathAlarm } from "./idle-teardown";
import { LoadBalancer } from "./load-balancer";
import { Network } from "./network";
import {
  groupInputs,
  groupNamePrefix,
  launchTemplateInputs,
  inFlightTracking,
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
  /** What `aws secretsmanager get-secret-value --secret-id` takes for each secret: its fixed name, or the ARN the stack gave. */
  readonly secretIds: pulumi.Output<{ apiKey: string; hfToken?: string }>;
  readonly usage: pulumi.Output<string>;
  readonly coldStartMinutes: number;
  /**
   * What `vllm-tco reap --source cloudwatch` needs, exported so `reap --stack` finds it: the ALB's and
   * target group's metric dimensions (their ARN suffixes) and the region.
   */
  readonly metricDimensions: pulumi.Output<{ loadBalancer: string; targetGroup: string; region: string }>;

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

    const { apiKey, hfToken, secretVersions } = fleetSecrets(name, args, child);
    const { profile, logGroup, logGroupName } = hostIdentity(
      name,
      cfg,
      { apiKey, ...(hfToken && { hfToken }) },
      child,
    );
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
        // Known at preview: secrets and logs are named, not referred to by ARNs created later.
        userData: Buffer.from(
          userData(cfg, {
            apiKeySecretId: apiKey.id,
            ...(hfToken && { hfTokenSecretId: hfToken.id }),
            region: a.region,
            logGroup: logGroupName,
            ...(warm && { warmPoolHook: WARM_POOL_HOOK }),
          }),
        ).toString("base64"),
      }),
      // The user data names the log group and the secrets: they exist, values stored, before a host boots.
      { ...child, dependsOn: [logGroup, ...secretVersions] },
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
        estimatedInstanceWarmup: e.coldStart.budgetSeconds,
        targetTrackingConfiguration: targetTracking(cfg, {
          albResourceLabel: pulumi.interpolate`${lb.arnSuffix}/${lb.targetGroupArnSuffix}`,
          groupName: group.name,
        }),
      },
      child,
    );
    new aws.autoscaling.Policy(
      `${name}-in-flight`,
      {
        autoscalingGroupName: group.name,
        policyType: "TargetTrackingScaling",
        estimatedInstanceWarmup: e.coldStart.budgetSeconds,
        targetTrackingConfiguration: inFlightTracking(cfg, group.name),
      },
      child,
    );
    if (s.min === 0) scaleToZero(name, cfg, group, lb, child);

    this.coldStartMinutes = Math.ceil(e.coldStart.totalSeconds / 60);
    this.endpoint = pulumi.interpolate`${lb.url}/v1`;
    this.groupName = group.name;
    this.metricDimensions = pulumi
      .all([lb.arnSuffix, lb.targetGroupArnSuffix])
      .apply(([loadBalancer, targetGroup]) => ({ loadBalancer, targetGroup, region: cfg.aws.region }));
    this.secretIds = pulumi.output({ apiKey: apiKey.id, ...(hfToken && { hfToken: hfToken.id }) });
    this.usage = pulumi.interpolate`KEY=$(aws secretsmanager get-secret-value --secret-id ${apiKey.id} --query SecretString --output text); curl ${this.endpoint}/chat/completions -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"model": "${cfg.model.servedName}", "messages": [{"role": "user", "content": "Hello"}]}'${s.min === 0 ? `  (an idle fleet is at zero: the first request gets 503 and starts a host; retry with backoff for ~${this.coldStartMinutes} minutes)` : ""}`;
    this.registerOutputs({
      endpoint: this.endpoint,
      groupName: this.groupName,
      secretIds: this.secretIds,
      usage: this.usage,
    });
  }

  outputs(): Record<string, unknown> {
    return {
      endpoint: this.endpoint,
      groupName: this.groupName,
      loadBalancerArnSuffix: this.metricDimensions.loadBalancer,
      targetGroupArnSuffix: this.metricDimensions.targetGroup,
      region: this.metricDimensions.region,
      secretIds: this.secretIds,
      usage: this.usage,
      coldStartMinutes: this.coldStartMinutes,
    };
  }
}

/**
 * Secrets: referenced when the stack names existing ones, else stored from the Pulumi secrets under
 * fixed names (`vllm-tco/<stack>/<component>-<secret>`). Hosts fetch them by name, so the user data
 * and the hosts' policy are known before anything is created, and every policy rule runs in the
 * preview rather than half-way through an update.
 */
export interface FleetSecret {
  /** What the host passes to `--secret-id`: the fixed name, or the ARN the stack gave. */
  readonly id: string;
  /** What the hosts' policy grants: the ARN the stack gave, or the name's ARN pattern. */
  readonly arn: (region: string, account: string) => string;
}

export function storedSecretName(stack: string, component: string, suffix: string): string {
  return `vllm-tco/${stack}/${component}-${suffix}`;
}

function fleetSecrets(name: string, args: AwsVllmFleetArgs, child: pulumi.CustomResourceOptions) {
  const cfg = args;
  const secretVersions: aws.secretsmanager.SecretVersion[] = [];
  const stored = (suffix: string, value: pulumi.Output<string>, generated = false): FleetSecret => {
    const secretName = storedSecretName(cfg.stack, name, suffix);
    const secret = new aws.secretsmanager.Secret(
      `${name}-${suffix}`,
      {
        name: secretName,
        description: `vllm-tco ${suffix} for stack ${cfg.stack}`,
        // Deleted at once on destroy: the name is fixed, and a name inside its recovery window cannot
        // be reused by the next `pulumi up`. The values live in the stack's config or are regenerated.
        recoveryWindowInDays: 0,
      },
      child,
    );
    const version = new aws.secretsmanager.SecretVersion(
      `${name}-${suffix}`,
      { secretId: secret.id, secretString: pulumi.secret(value) },
      // A generated key is drawn again at every update (a data source); keep the first one, so hosts
      // keep working and a second preview shows no change. Rotating it is explicit (README).
      generated ? { ...child, ignoreChanges: ["secretString"] } : child,
    );
    secretVersions.push(version);
    // Secrets Manager appends six random characters to a secret's name in its ARN.
    return {
      id: secretName,
      arn: (region, account) => `arn:aws:secretsmanager:${region}:${account}:secret:${secretName}-??????`,
    };
  };
  const existing = (arn: string): FleetSecret => ({ id: arn, arn: () => arn });
  const generatedKey = () =>
    pulumi.secret(
      aws.secretsmanager
        .getRandomPasswordOutput({ passwordLength: 48, excludePunctuation: true }, child)
        .apply((r) => r.randomPassword!),
    );
  const apiKey = cfg.secrets.apiKey?.awsSecretArn
    ? existing(cfg.secrets.apiKey.awsSecretArn)
    : args.apiKey
      ? stored("api-key", args.apiKey)
      : stored("api-key", generatedKey(), true);
  const hfToken = cfg.secrets.hfToken?.awsSecretArn
    ? existing(cfg.secrets.hfToken.awsSecretArn)
    : args.hfToken
      ? stored("hf-token", args.hfToken)
      : undefined;

  return { apiKey, hfToken, secretVersions };
}

/** The hosts' role: read their two secrets, write their logs and metrics, SSM instead of SSH. */
function hostIdentity(
  name: string,
  cfg: AwsFleetArgs,
  { apiKey, hfToken }: { apiKey: FleetSecret; hfToken?: FleetSecret },
  child: pulumi.CustomResourceOptions,
) {
  const a = cfg.aws;
  // A fixed name, like the secrets': the user data names it, and must be known at preview.
  const logGroupName = `/vllm-tco/${cfg.stack}/${name}`;
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { name: logGroupName, retentionInDays: 30 },
    child,
  );
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
      policy: identity.accountId.apply((account) =>
        JSON.stringify(
          hostPolicy({
            secretArns: [apiKey, ...(hfToken ? [hfToken] : [])].map((x) => x.arn(a.region, account)),
            logGroupArn: `arn:aws:logs:${a.region}:${account}:log-group:${logGroupName}`,
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

  return { profile, logGroup, logGroupName };
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
  // One host per wake-up; the cooldown spans the whole cold start so waiting requests do not start more.
  const wake = new aws.autoscaling.Policy(
    `${name}-wake`,
    {
      autoscalingGroupName: group.name,
      policyType: "SimpleScaling",
      adjustmentType: "ChangeInCapacity",
      scalingAdjustment: 1,
      cooldown: e.coldStart.budgetSeconds,
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
