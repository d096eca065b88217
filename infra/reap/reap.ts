/**
 * One reaper run: ask the platform how many replicas exist, read their metrics over the idle window
 * (stretched by hysteresis after recent teardowns), decide, act only on `idle` with `--apply`, and
 * append the decision to the audit log. Dependencies are passed in so tests can point them at
 * loopback servers.
 */
import type { StackConfig } from "../stack-config";
import { appendAudit, hysteresisFactor, readAudit, type AuditRecord } from "./audit";
import { destroyGpuResources, type Automation } from "./automation";
import { decide, type Observation } from "./decide";
import type { Fleet } from "./platforms";

export type Observe = (windowSeconds: number, now: number) => Promise<Omit<Observation, "expectedReplicas">>;

export interface ReapRun {
  readonly config: StackConfig;
  readonly idleMinutes: number;
  readonly observe: Observe;
  readonly fleet: Fleet;
  readonly apply: boolean;
  readonly destroy?: { readonly automation: Automation; readonly workDir: string };
  readonly auditLog: string;
  /** Seconds of slack at each end of the window (about two scrape intervals). */
  readonly toleranceSeconds: number;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

export async function reap(run: ReapRun): Promise<AuditRecord> {
  const now = run.now?.() ?? new Date();
  const stack = run.config.stack;
  const factor = hysteresisFactor(readAudit(run.auditLog), stack, now);
  const windowSeconds = Math.round(run.idleMinutes * 60 * factor);

  let expectedReplicas: number | undefined;
  let platformError: string | undefined;
  try {
    expectedReplicas = await run.fleet.replicas();
  } catch (e) {
    platformError = `cannot read ${run.fleet.target}: ${(e as Error).message}`;
  }
  const obs = await run.observe(windowSeconds, now.getTime() / 1000);
  const verdict = decide(
    { ...obs, ...(expectedReplicas !== undefined && { expectedReplicas }) },
    run.toleranceSeconds,
  );
  const reason =
    verdict.decision === "unknown" && platformError && !obs.error
      ? platformError
      : factor > 1
        ? `${verdict.reason} (window ${factor}× idleMinutes: ${Math.log2(factor)} teardown(s) in the last 24 h)`
        : verdict.reason;

  const kind = run.destroy ? "destroy" : "scale-to-zero";
  const act = verdict.decision === "idle" && (expectedReplicas ?? 0) > 0;
  let result = "nothing to do";
  if (act && !run.apply)
    result = `dry run: would ${kind === "destroy" ? "destroy the GPU resources of" : "scale to zero"} ${run.fleet.target}; pass --apply to do it`;
  else if (act) {
    try {
      if (run.destroy) {
        const targets = await destroyGpuResources(
          run.destroy.automation,
          stack,
          run.destroy.workDir,
          run.log ?? (() => undefined),
        );
        run.log?.(`destroyed ${targets.length} GPU resource(s): ${targets.join(", ")}`);
      } else await run.fleet.scaleToZero();
      result = "applied";
    } catch (e) {
      result = `failed: ${(e as Error).message}`;
    }
  } else if (verdict.decision === "unknown") result = "no action: the decision is unknown";
  else if (verdict.decision === "busy") result = "no action: the fleet is busy";

  const record: AuditRecord = {
    time: now.toISOString(),
    stack,
    decision: verdict.decision,
    reason,
    evidence: verdict.evidence,
    action: { kind: act ? kind : "none", ...(act && { target: run.fleet.target }), dryRun: !run.apply },
    result,
  };
  appendAudit(run.auditLog, record);
  return record;
}
