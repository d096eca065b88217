import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HOST_ENDPOINTS } from "../../cost/catalog";
import type { ManagedModelArgs } from "../component-args";
import { invokePolicy, invokeRoleTrust, modelSourceArn } from "./bedrock-policies";

export interface ManagedModelInputs extends ManagedModelArgs {
  /** The host's API key as a Pulumi secret (OpenAI-compatible hosts). */
  readonly apiKey?: pulumi.Output<string>;
}

/**
 * An open-weight model on a managed host, billed per token. On Bedrock: an application inference
 * profile (usage and cost tagged per stack), an invoke-only role, a Budget at the projected spend with
 * alerts, and alarms on token usage above plan. On OpenAI-compatible hosts: the endpoint and the API
 * key as a Pulumi secret, and no cloud resource.
 */
export class ManagedModel extends pulumi.ComponentResource {
  readonly endpoint: pulumi.Output<string>;
  readonly model: pulumi.Output<string>;
  readonly usage: pulumi.Output<string>;
  readonly extra: Record<string, pulumi.Output<unknown>> = {};

  constructor(name: string, args: ManagedModelInputs, opts: pulumi.ComponentResourceOptions = {}) {
    super("vllm-tco:managed:ManagedModel", name, {}, opts);
    const cfg = args;
    const m = args.managed;
    const child = { parent: this };
    if (m.host !== "bedrock") {
      const base = HOST_ENDPOINTS[m.host];
      this.endpoint = pulumi.output(base);
      this.model = pulumi.output(m.offer.hostModelId);
      if (args.apiKey) this.extra["apiKey"] = pulumi.secret(args.apiKey);
      this.usage = pulumi.output(
        `curl ${base}/chat/completions -H "Authorization: Bearer $(pulumi stack output apiKey --show-secrets)" -H 'Content-Type: application/json' -d '{"model": "${m.offer.hostModelId}", "messages": [{"role": "user", "content": "Hello"}]}'`,
      );
      this.registerOutputs({ endpoint: this.endpoint, model: this.model });
      return;
    }

    const region = args.region;
    const identity = aws.getCallerIdentityOutput({}, child);
    const tags = { "vllm-tco:stack": cfg.stack };
    const profile = new aws.bedrock.InferenceProfile(
      `${name}-profile`,
      {
        name: `vllm-tco-${cfg.stack}-${cfg.model.servedName}`.replace(/[^A-Za-z0-9_-]/g, "-"),
        description: `vllm-tco stack ${cfg.stack}: ${cfg.model.key} on Bedrock`,
        modelSource: {
          copyFrom: identity.accountId.apply((account) =>
            modelSourceArn(region, account, m.offer.hostModelId),
          ),
        },
        tags,
      },
      child,
    );
    const role = new aws.iam.Role(
      `${name}-invoke`,
      { assumeRolePolicy: identity.accountId.apply((a) => JSON.stringify(invokeRoleTrust(a))), tags },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-invoke`,
      { role: role.id, policy: profile.arn.apply((arn) => JSON.stringify(invokePolicy(arn))) },
      child,
    );

    spendGuardrails(name, args, profile.arn, tags, child);

    this.endpoint = pulumi.output(`https://bedrock-runtime.${region}.amazonaws.com`);
    this.model = profile.arn;
    this.extra["invokeRoleArn"] = role.arn;
    this.usage = pulumi.interpolate`aws bedrock-runtime converse --region ${region} --model-id ${profile.arn} --messages '[{"role": "user", "content": [{"text": "Hello"}]}]'  (as a principal that assumed ${role.arn})`;
    this.registerOutputs({ endpoint: this.endpoint, model: this.model, usage: this.usage });
  }

  outputs(): Record<string, unknown> {
    return { endpoint: this.endpoint, model: this.model, usage: this.usage, ...this.extra };
  }
}

/** The Budget at the projected token bill with alerts, and alarms on daily token use above plan. */
function spendGuardrails(
  name: string,
  args: ManagedModelArgs,
  profileArn: pulumi.Output<string>,
  tags: Record<string, string>,
  child: pulumi.CustomResourceOptions,
): void {
  const cfg = args;
  const m = args.managed;
  new aws.budgets.Budget(
    `${name}-budget`,
    {
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: args.projectedMonthlyUsd.toFixed(2),
      limitUnit: "USD",
      // Cost allocation tag on the inference profile (activate `vllm-tco:stack` in Billing once).
      costFilters: [{ name: "TagKeyValue", values: [`user:vllm-tco:stack$${cfg.stack}`] }],
      notifications: m.alertThresholdsPercent.map((threshold) => ({
        comparisonOperator: "GREATER_THAN",
        threshold,
        thresholdType: "PERCENTAGE",
        notificationType: threshold >= 100 ? "FORECASTED" : "ACTUAL",
        subscriberEmailAddresses: m.alertEmails,
      })),
    },
    child,
  );

  const topic = new aws.sns.Topic(`${name}-usage`, { tags }, child);
  m.alertEmails.forEach(
    (email, i) =>
      new aws.sns.TopicSubscription(
        `${name}-usage-${i}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        child,
      ),
  );
  const limits = {
    inputTokensPerDay: args.alarmTokensPerDay.input,
    outputTokensPerDay: args.alarmTokensPerDay.output,
  };
  const alarm = (suffix: string, metricName: string, threshold: number) =>
    new aws.cloudwatch.MetricAlarm(
      `${name}-${suffix}`,
      {
        namespace: "AWS/Bedrock",
        metricName,
        dimensions: { ModelId: profileArn },
        statistic: "Sum",
        period: 86400,
        evaluationPeriods: 1,
        threshold,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmDescription: `${metricName} above ${m.usageAlarmFactor}× the planned volume of an active day (vllm-tco stack ${cfg.stack})`,
        alarmActions: [topic.arn],
        tags,
      },
      child,
    );
  alarm("input-tokens", "InputTokenCount", limits.inputTokensPerDay);
  alarm("output-tokens", "OutputTokenCount", limits.outputTokensPerDay);
}
