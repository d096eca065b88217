/**
 * `vllm-tco reap` against a real Prometheus scraping stand-in vLLM replicas, and a recording
 * Kubernetes API. The scenarios run in order on one Prometheus (each needs a window of history).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "../infra/reap/audit";
import { REAP_EXIT } from "../cli/reap";
import { FakeKubernetes, Prometheus, runReap, sleep, StandInReplica } from "./reap-harness";

const WINDOW_SECONDS = 6;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-"));
const replicas = [new StandInReplica("llama-3.1-8b"), new StandInReplica("llama-3.1-8b")];
const k8s = new FakeKubernetes();
const prometheus = new Prometheus();
let stackFile = "";
let logCount = 0;

/** A fresh audit log per scenario unless one is given (hysteresis reads it). */
const freshLog = () => path.join(dir, `audit-${++logCount}.jsonl`);

async function reap(extra: string[], auditLog = freshLog()) {
  const r = await runReap({
    stackFile,
    windowSeconds: WINDOW_SECONDS,
    toleranceSeconds: 2.5,
    auditLog,
    extra,
  });
  return { ...r, auditLog };
}

beforeAll(async () => {
  // Each stand-in's series carry the pod it stands for, as service discovery labels a pod's series.
  replicas.forEach((r, i) => (r.labels = { namespace: "vllm", pod: k8s.podNames()[i]! }));
  for (const r of replicas) await r.start();
  await k8s.start("vllm", "vllm-engine");
  await prometheus.start(replicas.map((r) => r.port));
  stackFile = path.join(dir, "Pulumi.reap-test.yaml");
  fs.writeFileSync(
    stackFile,
    [
      "config:",
      "  vllm-tco:platform: kubernetes",
      "  vllm-tco:model: { id: llama-3.1-8b }",
      `  vllm-tco:kubernetes: { namespace: vllm, kubeconfig: ${k8s.kubeconfig(dir)} }`,
      `  vllm-tco:metrics: { prometheusUrl: "${prometheus.url}" }`,
      "  vllm-tco:workload: { requestsPerMonth: 1000000 }",
    ].join("\n"),
  );
  await prometheus.waitForTargets(2);
  // A full window of idle history, plus slack.
  await sleep((WINDOW_SECONDS + 3) * 1000);
}, 60_000);

afterAll(async () => {
  await prometheus.stop();
  for (const r of replicas) await r.stop();
  await k8s.stop();
});

describe("vllm-tco reap with Prometheus", () => {
  it("idle past the window, dry run: says what it would do and sends nothing", async () => {
    const r = await reap([]);
    expect(r.code).toBe(REAP_EXIT.idle);
    expect(r.record).toMatchObject({
      decision: "idle",
      reason: "all 2 replica(s) idle for the whole window",
      action: { kind: "scale-to-zero", target: "ScaledObject vllm/vllm-engine", dryRun: true },
      result: "dry run: would scale to zero ScaledObject vllm/vllm-engine; pass --apply to do it",
    });
    expect(
      r.record.evidence.replicas.map((x: { maxRunning: number; covered: boolean }) => [
        x.maxRunning,
        x.covered,
      ]),
    ).toEqual([
      [0, true],
      [0, true],
    ]);
    expect(k8s.writes).toEqual([]);
  });

  let appliedLog = "";
  it("idle past the window with --apply: pauses the ScaledObject at zero (KEDA scales the engines down), with the version it saw", async () => {
    const rv = String(k8s.rv);
    const r = await reap(["--apply"]);
    appliedLog = r.auditLog;
    expect(r.code).toBe(REAP_EXIT.idle);
    expect(r.record).toMatchObject({
      decision: "idle",
      action: { kind: "scale-to-zero", target: "ScaledObject vllm/vllm-engine", dryRun: false },
      result: "applied",
    });
    // Through the autoscaler, never the Deployment behind KEDA's back; a stale version would be refused.
    expect(k8s.writes).toEqual([
      {
        method: "PATCH",
        url: "/apis/keda.sh/v1alpha1/namespaces/vllm/scaledobjects/vllm-engine?fieldManager=vllm-tco-reap",
        contentType: "application/merge-patch+json",
        body: `{"metadata":{"resourceVersion":"${rv}","annotations":{"autoscaling.keda.sh/paused-replicas":"0"}}}`,
      },
    ]);
    expect(k8s.replicas).toBe(0);
    // The record is in the audit log, exactly as printed.
    expect(readAudit(r.auditLog)).toEqual([r.record]);
    k8s.calls.length = 0;
  });

  it("--resume hands the fleet back to KEDA: the pause annotation is removed", async () => {
    const r = await reap(["--resume"]);
    expect(r.code).toBe(0);
    expect(r.record).toMatchObject({ decision: "resume", action: { kind: "resume" }, result: "applied" });
    expect(k8s.writes.map((w) => w.body)).toEqual([
      '{"metadata":{"annotations":{"autoscaling.keda.sh/paused-replicas":null}}}',
    ]);
    expect(k8s.annotations).toEqual({});
    k8s.calls.length = 0;
    k8s.scaleTo(2); // KEDA brings the fleet back to its floor
  });

  it("traffic that comes and goes around the threshold causes no repeated teardown (hysteresis)", async () => {
    replicas[0]!.running = 1;
    await sleep(2000);
    replicas[0]!.running = 0;
    await sleep((WINDOW_SECONDS + 1) * 1000);
    // Without the earlier teardown, this moment would read idle again …
    const fresh = await reap([]);
    expect(fresh.record.decision).toBe("idle");
    // … but after it the window doubles, and the traffic inside it keeps the fleet up.
    const r = await reap(["--apply"], appliedLog);
    expect(r.record.decision).toBe("busy");
    expect(r.record.evidence.windowSeconds).toBe(2 * WINDOW_SECONDS);
    expect(r.record.reason).toMatch(/\(window 2× idleMinutes: 1 teardown\(s\) in the last 24 h\)$/);
    expect(k8s.writes).toEqual([]);
  }, 30_000);

  it("busy: waiting requests and completed requests keep the fleet, with no call to the cluster", async () => {
    replicas[1]!.waiting = 3;
    replicas[0]!.success += 5;
    await sleep(2500);
    const r = await reap(["--apply"]);
    expect(r.code).toBe(REAP_EXIT.busy);
    expect(r.record.decision).toBe("busy");
    const byReplica = Object.fromEntries(
      r.record.evidence.replicas.map((x: { replica: string }) => [x.replica, x]),
    );
    expect(byReplica[`127.0.0.1:${replicas[1]!.port}`]).toMatchObject({ maxWaiting: 3 });
    expect(byReplica[`127.0.0.1:${replicas[0]!.port}`]).toMatchObject({ completed: 5 });
    expect(r.record.result).toBe("no action: the fleet is busy");
    expect(k8s.writes).toEqual([]);
    replicas[1]!.waiting = 0;
  }, 30_000);

  it("a replica missing from the series is unknown: no action, its own exit status", async () => {
    await sleep((WINDOW_SECONDS + 1) * 1000);
    k8s.scaleTo(3);
    const r = await reap(["--apply"]);
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record).toMatchObject({
      decision: "unknown",
      reason: "series for 2 replica(s), but 3 exist: a replica is not reporting",
      result: "no action: the decision is unknown",
    });
    expect(k8s.writes).toEqual([]);
    k8s.scaleTo(2);
  }, 30_000);

  it("stale data (a replica stopped reporting) is unknown", async () => {
    await replicas[1]!.stop();
    await sleep(4000);
    const r = await reap(["--apply"]);
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toMatch(
      new RegExp(
        `^stale series: replica 127\\.0\\.0\\.1:${replicas[1]!.port} stopped reporting vllm:num_requests_running \\d+ s before the window closed$`,
      ),
    );
    expect(k8s.writes).toEqual([]);
  }, 30_000);

  it("Prometheus stopped is unknown, with a clear message and no action", async () => {
    await prometheus.stop();
    const r = await reap(["--apply"]);
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toBe(`metrics source unavailable: ${prometheus.url}: ECONNREFUSED`);
    expect(k8s.writes).toEqual([]);
  });
});
