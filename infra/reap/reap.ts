/**
 * One reaper run: read the fleet's state from the platform, read the replicas' metrics over the idle
 * window (stretched by hysteresis after recent teardowns), decide, and act only on `idle` with
 * `--apply`, only if the fleet is still as it was when the window began (compare-and-act), and only
 * through its autoscaler. Every call runs against the run's deadline, and every path, failures and
 * timeouts included, appends one audit line. Dependencies are passed in so tests can point them at
 * loopback servers.
 */
import type { StackConfig } from "../../cost/config/stack-config";
import { appendAudit, hysteresisFactor, readAudit, type AuditRecord } from "./audit";
import { destroyGpuResources, type Automation } from "./automation";
import { decide, type Observation, type Verdict } from "./decide";
import { FleetChanged, type Fleet, type FleetState } from "./fleet";
import { DeadlineError, redactCredentials, within } from "./guard";

export type Observe = (windowSeconds: number, now: number) => Promise<Omit<Observation, "expectedReplicas">>;

export interface ReapRun {
  readonly config: StackConfig;
  readonly idleMinutes: number;
  readonly observe: Observe;
  readonly fleet: Fleet;
  readonly apply: boolean;
  readonly destroy?: { readonly automation: Automation; readonly workDir: string };
  readonly auditLog: string;
  /** The longest a series may go without a sample (edges and gaps): about two scrape intervals. */
  readonly toleranceSeconds: number;
  /** Milliseconds the whole run may take beyond the time the observation itself needs. Default 120 s. */
  readonly deadlineMs?: number;
  /** Milliseconds the observation needs (sampling endpoints waits out the window). Default 0. */
  readonly observeMs?: number;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

const message = (e: unknown) => redactCredentials((e as Error).message ?? String(e));

export async function reap(run: ReapRun): Promise<AuditRecord> {
  const now = run.now?.() ?? new Date();
  const stack = run.config.stack;
  const factor = hysteresisFactor(readAudit(run.auditLog), stack, now);
  const windowSeconds = Math.round(run.idleMinutes * 60 * factor);
  const windowMs = run.observeMs ?? 0;
  const deadline = Date.now() + windowMs * factor + (run.deadlineMs ?? 120_000);
  const left = () => Math.max(1, deadline - Date.now());

  let seen: FleetState | undefined;
  let platformError: string | undefined;
  try {
    seen = await within(run.fleet.state(), left(), `reading ${run.fleet.target}`);
  } catch (e) {
    platformError = `cannot read ${run.fleet.target}: ${message(e)}`;
  }
  let obs: Omit<Observation, "expectedReplicas">;
  try {
    obs = await within(run.observe(windowSeconds, now.getTime() / 1000), left(), "reading the metrics");
  } catch (e) {
    obs = { source: "metrics", windowStart: 0, windowEnd: 0, replicas: [], error: message(e) };
  }
  let verdict: Verdict = decide(
    {
      ...obs,
      ...(seen !== undefined && { expectedReplicas: seen.replicas }),
      ...(seen?.pods && { expectedPods: seen.pods }),
    },
    run.toleranceSeconds,
  );
  // Both sides failing: name both, so the reader fixes the metrics and the platform in one go.
  let reason =
    verdict.decision === "unknown" && platformError
      ? obs.error
        ? `${verdict.reason}; and ${platformError}`
        : platformError
      : factor > 1
        ? `${verdict.reason} (window ${factor}× idleMinutes: ${Math.log2(factor)} teardown(s) in the last 24 h)`
        : verdict.reason;

  const kind = run.destroy ? "destroy" : "scale-to-zero";
  const act = verdict.decision === "idle" && seen !== undefined && seen.replicas > 0;
  let result = "nothing to do";
  if (act && !run.apply)
    result = `dry run: would ${kind === "destroy" ? "destroy the GPU resources of" : "scale to zero"} ${run.fleet.target}; pass --apply to do it`;
  else if (act) {
    try {
      if (run.destroy) {
        const current = await within(run.fleet.state(), left(), `re-reading ${run.fleet.target}`);
        if (current.version !== seen!.version)
          throw new FleetChanged(
            `the fleet changed during the window (${seen!.version} → ${current.version})`,
          );
        const { automation, workDir } = run.destroy;
        const targets = await within(
          destroyGpuResources(automation, stack, workDir, run.log ?? (() => undefined)),
          left(),
          "pulumi destroy of the GPU resources",
        );
        run.log?.(`destroyed ${targets.length} GPU resource(s): ${targets.join(", ")}`);
      } else {
        // Evaluated first: `run.log?.(await …)` would skip the call itself when there is no log.
        const done = await within(run.fleet.pause(seen!), left(), `pausing ${run.fleet.target}`);
        run.log?.(done);
      }
      result = "applied";
    } catch (e) {
      if (e instanceof FleetChanged) {
        verdict = { ...verdict, decision: "unknown" };
        reason = `${verdict.reason}, but ${message(e)}`;
        result = "no action: the fleet changed before the action";
      } else
        result = `failed: ${message(e)}${e instanceof DeadlineError ? " (the call may still land; check the platform)" : ""}`;
    }
  } else if (verdict.decision === "unknown") result = "no action: the decision is unknown";
  else if (verdict.decision === "busy") result = "no action: the fleet is busy";

  const record: AuditRecord = {
    time: now.toISOString(),
    stack,
    decision: verdict.decision,
    reason: redactCredentials(reason),
    evidence: verdict.evidence,
    action: {
      kind: act && result !== "no action: the fleet changed before the action" ? kind : "none",
      ...(act && { target: run.fleet.target }),
      dryRun: !run.apply,
    },
    result,
  };
  appendAudit(run.auditLog, record);
  return record;
}

/** `reap --resume`: hand the fleet back to its autoscaler, with an audit line either way. */
export async function resume(
  run: Pick<ReapRun, "config" | "fleet" | "auditLog" | "now" | "deadlineMs">,
): Promise<AuditRecord> {
  const now = run.now?.() ?? new Date();
  let result: string;
  let reason: string;
  try {
    reason = await within(run.fleet.resume(), run.deadlineMs ?? 120_000, `resuming ${run.fleet.target}`);
    result = "applied";
  } catch (e) {
    reason = `could not resume ${run.fleet.target}`;
    result = `failed: ${message(e)}`;
  }
  const record: AuditRecord = {
    time: now.toISOString(),
    stack: run.config.stack,
    decision: "resume",
    reason,
    evidence: { source: "platform", windowSeconds: 0, expectedReplicas: null, replicas: [] },
    action: { kind: "resume", target: run.fleet.target, dryRun: false },
    result,
  };
  appendAudit(run.auditLog, record);
  return record;
}
