/** The reaper's audit log: one JSON line per decision, appended, never rewritten. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Decision, Verdict } from "./decide";
import { redactCredentials } from "./guard";

export interface AuditRecord {
  readonly time: string;
  readonly stack: string;
  readonly decision: Decision | "resume";
  readonly reason: string;
  readonly evidence: Verdict["evidence"];
  readonly action: {
    readonly kind: "none" | "scale-to-zero" | "destroy" | "resume";
    readonly target?: string;
    readonly dryRun: boolean;
  };
  readonly result: string;
}

export function appendAudit(file: string, record: AuditRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The last guard: no credential from a URL or an error reaches the log.
  fs.appendFileSync(file, `${redactCredentials(JSON.stringify(record))}\n`);
}

export function readAudit(file: string): AuditRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as AuditRecord];
      } catch {
        return []; // a torn last line from a crash is skipped, not fatal
      }
    });
}

/**
 * Hysteresis: each teardown applied to this stack in the last 24 hours doubles the idle window the
 * next one needs (up to 8×), so traffic that comes and goes around the threshold cannot cause a
 * teardown every window.
 */
export function hysteresisFactor(records: readonly AuditRecord[], stack: string, now: Date): number {
  const recent = records.filter(
    (r) =>
      r.stack === stack &&
      (r.action.kind === "scale-to-zero" || r.action.kind === "destroy") &&
      r.result === "applied" &&
      now.getTime() - new Date(r.time).getTime() < 24 * 3600 * 1000,
  ).length;
  return Math.min(8, 2 ** recent);
}
