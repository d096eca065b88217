/**
 * `vllm-tco reap --stack NAME [--idle-minutes N] [--apply [--destroy]] [--resume] [--json]`: find GPUs
 * that sat idle and stop paying for them, through the platform's autoscaler. Dry run by default.
 * Exit status: 0 busy (or resumed), 10 idle, 12 unknown (no action), 13 the action failed, 2 bad input.
 */
import * as path from "node:path";
import { flagError } from "./flags";
import type { Io } from "./io";
import { loadStack, stacksDir } from "../cost/config/stack-file";
import { pulumiAutomation, type Automation } from "../infra/reap/automation";
import { observeEndpoints } from "../infra/reap/endpoints";
import { awsFleet } from "../infra/reap/aws-fleet";
import { observeCloudWatch } from "../infra/reap/cloudwatch";
import type { Fleet } from "../infra/reap/fleet";
import { redactCredentials } from "../infra/reap/guard";
import { kubernetesFleet } from "../infra/reap/kubernetes-fleet";
import { observePrometheus } from "../infra/reap/prometheus";
import { reap, resume, type Observe } from "../infra/reap/reap";
import type { AuditRecord } from "../infra/reap/audit";
import type { AwsStackConfig, KubernetesStackConfig } from "../cost/config/stack-config";

export const REAP_EXIT = { busy: 0, idle: 10, unknown: 12, failed: 13 } as const;

export interface ReapDeps {
  readonly fleet?: Fleet;
  readonly automation?: Automation;
  readonly now?: () => Date;
}

/** The stack's outputs, read through the Automation API (needs the Pulumi CLI and the stack's backend). */
async function stackOutputs(
  stack: string,
  workDir: string,
  automation: Automation,
): Promise<Record<string, unknown>> {
  let outputs: Record<string, { value: unknown }>;
  try {
    outputs = await (await automation.selectStack(stack, workDir)).outputs();
  } catch (e) {
    throw flagError(
      "group",
      undefined,
      `was not given, and the stack's outputs could not be read (${(e as Error).message.split("\n")[0]}); pass --group with the \`groupName\` stack output`,
    );
  }
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v?.value]));
}

/** A string output the stack must have, or the flag that replaces it. */
function outputString(outputs: Record<string, unknown>, key: string, flag: string, stack: string): string {
  const v = outputs[key];
  if (typeof v !== "string" || !v)
    throw flagError(
      flag,
      undefined,
      `was not given, and stack ${stack} has no \`${key}\` output (is it deployed?); pass --${flag}`,
    );
  return v;
}

/** Flags whose value, when given, must not be empty (an empty --group would name no group at all), by option key. */
const NON_EMPTY = {
  stack: "stack",
  stackFile: "stack-file",
  group: "group",
  prometheus: "prometheus",
  selector: "selector",
  loadBalancer: "load-balancer",
  targetGroup: "target-group",
  auditLog: "audit-log",
  source: "source",
} as const;

export interface ReapOptions {
  readonly stack?: string;
  readonly stackFile?: string;
  readonly idleMinutes?: string;
  readonly apply?: boolean;
  readonly destroy?: boolean;
  readonly resume?: boolean;
  readonly json?: boolean;
  readonly source?: string;
  readonly prometheus?: string;
  readonly selector?: string;
  readonly endpoint?: string[];
  readonly group?: string;
  readonly loadBalancer?: string;
  readonly targetGroup?: string;
  readonly auditLog?: string;
  readonly toleranceSeconds?: string;
  readonly timeoutSeconds?: string;
}

export async function reapCli(o: ReapOptions, io: Io, deps: ReapDeps = {}): Promise<number> {
  for (const [key, flag] of Object.entries(NON_EMPTY)) {
    const v = o[key as keyof typeof NON_EMPTY];
    if (v !== undefined && v.trim() === "")
      throw flagError(flag, v, "is empty; give a value or leave the flag out");
  }
  for (const e of o.endpoint ?? [])
    if (e.trim() === "") throw flagError("endpoint", e, "is empty; give each replica's base URL");
  const cfg = loadStack({
    ...(o.stack && { stack: o.stack }),
    ...(o.stackFile && { stackFile: o.stackFile }),
  });
  if (cfg.platform === "managed")
    throw flagError(
      "stack",
      cfg.stack,
      "is a managed-open stack: it bills per token and has no GPUs to reap",
    );
  const idleMinutes = o.idleMinutes === undefined ? cfg.scaling.idleMinutes : Number(o.idleMinutes);
  if (!(idleMinutes > 0 && idleMinutes <= 10_080))
    throw flagError(
      "idle-minutes",
      o.idleMinutes,
      "must be a number of minutes above 0, at most 10080 (a week)",
    );
  const timeout = o.timeoutSeconds === undefined ? 120 : Number(o.timeoutSeconds);
  if (!(timeout > 0 && timeout <= 3600))
    throw flagError("timeout-seconds", o.timeoutSeconds, "must be a number of seconds between 1 and 3600");
  if (o.resume && (o.apply || o.destroy))
    throw flagError("resume", true, "undoes a pause on its own; drop --apply and --destroy");
  if (o.destroy && !o.apply)
    throw flagError("destroy", true, "only acts with --apply; without it the run is a dry run anyway");

  const root = path.dirname(stacksDir());
  // On AWS the stack's outputs name the group and the load balancer's metric dimensions; a flag given
  // wins. They are read only when a flag does not already say it.
  const source =
    o.source ??
    (cfg.platform === "aws" && !o.prometheus && !cfg.metrics.prometheusUrl ? "cloudwatch" : "prometheus");
  let opts = o;
  if (cfg.platform === "aws") {
    const needsLb = !o.resume && source === "cloudwatch" && (!o.loadBalancer || !o.targetGroup);
    const outputs =
      (!o.group && !deps.fleet) || needsLb
        ? await stackOutputs(cfg.stack, root, deps.automation ?? pulumiAutomation)
        : {};
    opts = {
      ...o,
      source,
      ...(!o.group && !deps.fleet && { group: outputString(outputs, "groupName", "group", cfg.stack) }),
      ...(needsLb && {
        loadBalancer:
          o.loadBalancer ?? outputString(outputs, "loadBalancerArnSuffix", "load-balancer", cfg.stack),
        targetGroup:
          o.targetGroup ?? outputString(outputs, "targetGroupArnSuffix", "target-group", cfg.stack),
      }),
    };
  }
  let fleet = deps.fleet;
  if (!fleet) fleet = cfg.platform === "aws" ? awsFleet(cfg, opts.group!) : kubernetesFleet(cfg);

  const auditLog = o.auditLog ?? path.join(root, ".vllm-tco", "reap-audit.jsonl");
  if (o.resume) {
    const record = await resume({
      config: cfg,
      fleet,
      auditLog,
      deadlineMs: timeout * 1000,
      ...(deps.now && { now: deps.now }),
    });
    io.out(
      o.json ? redactCredentials(JSON.stringify(record, null, 2)) : `${record.reason}\n${record.result}`,
    );
    return record.result.startsWith("failed") ? REAP_EXIT.failed : 0;
  }

  const { observe, observeMs, defaultTolerance } = observerFor(opts, cfg, idleMinutes);
  const tolerance = o.toleranceSeconds === undefined ? defaultTolerance : Number(o.toleranceSeconds);
  if (!(tolerance >= 0))
    throw flagError("tolerance-seconds", o.toleranceSeconds, "must be zero or more seconds");
  io.err(
    `vllm-tco: reading ${opts.source ?? "prometheus"} metrics for ${fleet.target} over ${Math.round(idleMinutes * 60)} s${observeMs ? " (sampling: this takes the whole window)" : ""}…`,
  );
  const record = await reap({
    config: cfg,
    idleMinutes,
    observe,
    fleet,
    apply: o.apply === true,
    ...(o.destroy && { destroy: { automation: deps.automation ?? pulumiAutomation, workDir: root } }),
    auditLog,
    toleranceSeconds: tolerance,
    deadlineMs: timeout * 1000,
    observeMs,
    ...(deps.now && { now: deps.now }),
    log: (line) => io.err(line),
  });
  printRecord(record, o.json === true, io);
  if (record.result.startsWith("failed")) return REAP_EXIT.failed;
  return REAP_EXIT[record.decision as keyof typeof REAP_EXIT];
}

interface Observer {
  readonly observe: Observe;
  /** Milliseconds the observation takes (sampling waits out the window). */
  readonly observeMs: number;
  /** The tolerance that suits the source's sampling. */
  readonly defaultTolerance: number;
}

/**
 * The default Prometheus is the in-cluster Service KEDA queries, which no machine outside the cluster
 * resolves: say how to reach it from here.
 */
export function offClusterHint(url: string): string {
  const u = new URL(url);
  const [svc, ns] = u.hostname.split(".");
  const port = u.port || "9090";
  return `${url} is the in-cluster address (kubernetes.prometheusAddress), which resolves only inside the cluster: from here run \`kubectl -n ${ns ?? "monitoring"} port-forward svc/${svc} ${port}\` and pass --prometheus http://localhost:${port}, or set vllm-tco:metrics.prometheusUrl`;
}

/** Where the metrics come from, checked: Prometheus, the replicas' /metrics, or the ALB's CloudWatch count. */
function observerFor(
  o: ReapOptions,
  cfg: AwsStackConfig | KubernetesStackConfig,
  idleMinutes: number,
): Observer {
  const selector = o.selector ?? `model_name="${cfg.model.servedName}"`;
  let observeMs = 0;
  let defaultTolerance = 60;
  let observe: Observe;
  const source = o.source ?? "prometheus";
  switch (source) {
    case "prometheus": {
      // The Prometheus KEDA already queries is the natural default on kubernetes.
      const url = o.prometheus ?? cfg.metrics.prometheusUrl ?? cfg.kubernetes?.prometheusAddress;
      if (!url)
        throw flagError(
          "prometheus",
          undefined,
          "is required: the Prometheus URL that scrapes the replicas (or set vllm-tco:metrics.prometheusUrl)",
        );
      if (!/^https?:\/\//.test(url))
        throw flagError("prometheus", redactCredentials(url), "must be an http:// or https:// URL");
      const inCluster = !o.prometheus && !cfg.metrics.prometheusUrl;
      observe = async (windowSeconds, now) => {
        const seen = await observePrometheus({ url, selector, windowSeconds, now });
        return inCluster && seen.error && /ENOTFOUND|EAI_AGAIN/.test(seen.error)
          ? { ...seen, error: `${seen.error} (${offClusterHint(url)})` }
          : seen;
      };
      break;
    }
    case "endpoints": {
      const endpoints = o.endpoint ?? [];
      if (!endpoints.length)
        throw flagError(
          "endpoint",
          undefined,
          "give each replica's base URL with --endpoint (repeatable) for --source endpoints",
        );
      const interval = (windowSeconds: number) => Math.max(1, windowSeconds / 20);
      observe = (windowSeconds) =>
        observeEndpoints({ endpoints, windowSeconds, intervalSeconds: interval(windowSeconds) });
      // Sampling waits out the window; a gap of one missed sample is tolerated, two are not.
      observeMs = idleMinutes * 60 * 1000;
      defaultTolerance = Math.max(60, 2.5 * interval(idleMinutes * 60));
      break;
    }
    case "cloudwatch": {
      const lb = o.loadBalancer;
      const tg = o.targetGroup;
      if (cfg.platform !== "aws" || !lb || !tg)
        throw flagError(
          "source",
          "cloudwatch",
          "needs an aws stack, --load-balancer app/… and --target-group targetgroup/… (the ALB's metric dimensions)",
        );
      observe = async (windowSeconds, now) => observeCloudWatch(cfg, lb, tg, windowSeconds, now);
      // The ALB publishes a datapoint a minute, a few minutes late.
      defaultTolerance = 240;
      break;
    }
    default:
      throw flagError("source", source, "must be prometheus, endpoints or cloudwatch");
  }

  return { observe, observeMs, defaultTolerance };
}

function printRecord(record: AuditRecord, json: boolean, io: Io): void {
  if (json) io.out(redactCredentials(JSON.stringify(record, null, 2)));
  else {
    io.out(`${record.decision}: ${record.reason}`);
    for (const r of record.evidence.replicas)
      io.out(
        `  ${r.replica}: running ≤ ${r.maxRunning}, waiting ≤ ${r.maxWaiting}, completed ${r.completed}${r.covered ? "" : " (does not cover the window)"}`,
      );
    io.out(record.result);
  }
}
