/**
 * `vllm-tco plan --stack NAME [--json]`: the stack's Pulumi program under the mock runtime, with no
 * Pulumi CLI, credentials or network. Prints the resource tree with the inputs that matter, the cost
 * report and the policy pack's verdicts. Exit status: 0 done, 2 bad input, 3 a mandatory budget or
 * policy stops the update (as `pulumi preview` would).
 */
import type { Io } from "./io";
import { readStackFile, stackFile } from "../cost/config/stack-file";
import { flagError } from "./flags";
import { requirementsFor } from "../infra/kubernetes/requirements";
import { evaluate, type Violation } from "../infra/policy/rules";
import { resolveStackConfig } from "../cost/config/stack-config";
import { planStack, SECRET_PLACEHOLDER, type RecordedResource } from "../infra/plan/run";
import { CostReport } from "../infra/cost-report";
import { coldStart } from "../cost/cold-start";
import { describeRootVolume } from "../cost/catalog/root-volume";

export const EXIT_BLOCKED = 3;

/** Inputs with every secret path replaced by the placeholder: the plan never prints a secret. */
export function redacted(r: RecordedResource): Record<string, unknown> {
  const copy = structuredClone(r.inputs);
  for (const p of r.secretPaths) {
    const keys = p.replace(/\[(\d+)\]/g, ".$1").split(".");
    let at: Record<string, unknown> = copy;
    for (const k of keys.slice(0, -1)) at = (at[k] ?? {}) as Record<string, unknown>;
    at[keys[keys.length - 1]!] = SECRET_PLACEHOLDER;
  }
  return copy;
}

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Obj)[k] : undefined), o);

/** The few inputs a reader checks first, per resource type. */
const SUMMARY: Record<string, readonly string[]> = {
  "aws:ec2/launchTemplate:LaunchTemplate": ["instanceType", "imageId", "metadataOptions.httpTokens"],
  "aws:autoscaling/group:Group": ["minSize", "maxSize", "healthCheckType", "healthCheckGracePeriod"],
  "aws:lb/targetGroup:TargetGroup": ["port", "healthCheck.path", "stickiness.type"],
  "aws:lb/loadBalancer:LoadBalancer": ["internal", "idleTimeout"],
  "aws:lb/listener:Listener": ["port", "protocol"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "evaluationPeriods", "threshold"],
  "aws:autoscaling/policy:Policy": ["policyType", "adjustmentType", "scalingAdjustment"],
  "aws:bedrock/inferenceProfile:InferenceProfile": ["modelSource.copyFrom"],
  "aws:budgets/budget:Budget": ["limitAmount", "timeUnit"],
  "kubernetes:apps/v1:Deployment": ["spec.replicas", "spec.template.spec.containers.0.image"],
  "kubernetes:keda.sh/v1alpha1:ScaledObject": ["spec.minReplicaCount", "spec.maxReplicaCount"],
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ["spec.minReplicas", "spec.maxReplicas"],
  "kubernetes:core/v1:PersistentVolumeClaim": ["spec.resources.requests.storage"],
};

function summary(r: RecordedResource): string {
  const inputs = redacted(r);
  const fields = SUMMARY[r.type] ?? [];
  const parts = fields
    .map((f) => [f.split(".").pop(), get(inputs, f)] as const)
    .filter(([, v]) => v !== undefined);
  return parts.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
}

function tree(resources: readonly RecordedResource[]): string[] {
  const key = (r: RecordedResource) => `${r.type}::${r.name}`;
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    if (r.type === "pulumi:pulumi:Stack") continue;
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const s = summary(r);
      lines.push(`${"  ".repeat(depth)}+ ${r.type}  ${r.name}${s ? `  (${s})` : ""}`);
      walk(key(r), depth + 1);
    }
  };
  walk(undefined, 1);
  return lines;
}

export interface PlanOptions {
  readonly stack?: string;
  readonly stackFile?: string;
  readonly json?: boolean;
}

export async function planCli(o: PlanOptions, io: Io): Promise<number> {
  const values = { stack: o.stack, "stack-file": o.stackFile, json: o.json === true };
  if (o.stack && o.stackFile)
    throw flagError("stack-file", o.stackFile, "give --stack or --stack-file, not both");
  const file = values["stack-file"] ?? stackFile(values.stack ?? "aws-h100");
  const raw = readStackFile(file, values["stack-file"] ? undefined : (values.stack ?? "aws-h100"));
  // Config errors surface here (exit 2), exactly as the CLI's other commands report them.
  const cfg = resolveStackConfig(raw.namespace, raw.stack, raw.providerConfig);
  const result = await planStack(raw);
  // The one cold-start budget every timer of the stack uses (cost/cold-start.ts), and who uses it.
  const start = coldStart(cfg);
  const violations: Violation[] = result.error
    ? []
    : evaluate(
        result.resources.map((r) => ({
          type: r.type,
          name: r.name,
          props: r.inputs,
          secretPaths: r.secretPaths,
        })),
      );
  const blocked = result.error !== undefined || violations.some((v) => v.enforcementLevel === "mandatory");
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          version: "1",
          stack: raw.stack,
          resources: result.resources.map((r) => ({
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            inputs: redacted(r),
          })),
          cost:
            (result.resources.find((r) => r.type === CostReport.TYPE)?.inputs["document"] as
              object | undefined) ?? null,
          violations,
          assumes: requirementsFor(
            result.resources.map((r) => r.type),
            cfg.kubernetes,
          ),
          coldStart: start,
          ...(result.error && { error: result.error }),
        },
        null,
        2,
      ),
    );
  } else {
    io.out(
      `vllm-tco plan · stack ${raw.stack} · the Pulumi program under the mock runtime (no cloud calls)\n`,
    );
    io.out(`resources (${result.resources.length - 1}):`);
    io.out(tree(result.resources).join("\n"));
    io.out("");
    if (start.totalSeconds > 0) {
      io.out(
        `cold start: ${start.totalSeconds} s (boot ${start.bootSeconds} + image ${start.imagePullSeconds} + weights ${start.weightsSeconds} + engine ${start.engineInitSeconds}); timers allow ${start.budgetSeconds} s (${cfg.platform === "aws" ? "health-check grace period, instance warm-up, wake cooldown" : "the HTTP add-on's wait"}), the startup probe ${start.containerBudgetSeconds} s`,
      );
      if (start.volume)
        io.out(
          `root volume: ${start.volume.sizeGb} GB gp3 (${describeRootVolume(start.volume)}), ${start.volume.throughputMiBps} MiB/s and ${start.volume.iops} IOPS; weights ${start.volume.weightsOnVolume ? "on it" : "on the local NVMe"}, read at ${Math.round(start.volume.weightsMegabytesPerSecond)} MB/s`,
        );
      io.out("");
    }
    const needs = requirementsFor(
      result.resources.map((r) => r.type),
      cfg.kubernetes,
    );
    if (needs.length > 0) {
      io.out("assumes in the cluster:");
      for (const n of needs) io.out(`  ${n.component} ${n.minimum} or newer (${n.kind}): ${n.why}`);
      io.out("");
    }
    // What the program logged, as a real preview shows it: the compact cost report, then any warning.
    for (const l of result.logs) io.out(l.severity === "info" ? l.message : `${l.severity}: ${l.message}`);
    io.out("");
    if (result.error) io.out(`the update stops: ${result.error}`);
    io.out(violations.length === 0 ? "policies: all passed" : `policies: ${violations.length} violation(s)`);
    for (const v of violations)
      io.out(`  [${v.enforcementLevel}] ${v.policy}${v.resource ? ` ${v.resource}` : ""}: ${v.message}`);
  }
  return blocked ? EXIT_BLOCKED : 0;
}
