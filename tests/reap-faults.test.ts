/**
 * Fault injection for `vllm-tco reap --apply`: a scripted stand-in for Prometheus' HTTP API (it
 * answers the reaper's range-vector queries with whatever each case needs), a stand-in vLLM /metrics
 * and the scripted Kubernetes API stand-in. Every doubtful case must end `unknown` (exit 12) with no
 * write sent; a failed or hung action must end 13 with an audit line; no run outlives its deadline.
 * The real-Prometheus tests (reap.test.ts) cover the same paths against the real server.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../infra/reap/audit";
import { REAP_EXIT } from "../cli/reap";
import { runCli } from "./helpers";
import { runChild } from "./child";
import { FakeKubernetes, runReap, StandInReplica } from "./reap-harness";

const WINDOW = 60;
const STEP = 5;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-faults-"));
const k8s = new FakeKubernetes();
let promUrl = "";
let prom: http.Server;

type Values = [number, string][];
/** What the Prometheus stand-in answers, per metric and replica, given the query's evaluation time. */
let script: (metric: string, now: number) => Record<string, Values> | "hang" | "error";
/**
 * The labels each answered series carries besides its name, instance and model, by its place in the
 * answer: by default the namespace and pod Prometheus' service discovery gives the Deployment's pods.
 */
let labelsFor: (i: number) => Record<string, string> = (i) => ({
  namespace: "vllm",
  pod: k8s.podNames()[i] ?? "vllm-engine-gone",
});
let onQuery: () => void = () => undefined;

const clean = (now: number, value = "0"): Values => {
  const out: Values = [];
  for (let t = now - WINDOW + 1; t <= now; t += STEP) out.push([t, value]);
  return out;
};
const both = (v: (now: number) => Values) => (now: number) => ({
  "10.0.0.1:8000": v(now),
  "10.0.0.2:8000": v(now),
});
const allMetrics = (v: (now: number) => Values) => () => (metric: string, now: number) => {
  void metric;
  return both(v)(now);
};

beforeAll(async () => {
  prom = http.createServer((req, res) => {
    const u = new URL(req.url!, "http://localhost");
    const query = u.searchParams.get("query") ?? "";
    const metric = query.slice(0, query.indexOf("{"));
    const now = Number(u.searchParams.get("time"));
    onQuery();
    const answer = script(metric, now);
    if (answer === "hang") return; // never answers
    if (answer === "error")
      return res
        .writeHead(503, { "content-type": "application/json" })
        .end('{"status":"error","error":"overloaded"}');
    const result = Object.entries(answer).map(([instance, values], i) => ({
      metric: { __name__: metric, instance, model_name: "llama-3.1-8b", ...labelsFor(i) },
      values,
    }));
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ status: "success", data: { resultType: "matrix", result } }));
  });
  await new Promise<void>((ok) => prom.listen(0, "127.0.0.1", ok));
  promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;
  await k8s.start("vllm", "vllm-engine");
});
afterAll(async () => {
  prom.closeAllConnections();
  await new Promise<void>((ok) => prom.close(() => ok()));
  await k8s.stop();
});
beforeEach(() => {
  k8s.calls.length = 0;
  k8s.replicas = 2;
  k8s.annotations = {};
  k8s.scaleTargetRef = undefined;
  k8s.hang.clear();
  k8s.fail.clear();
  k8s.malformed = false;
  k8s.strangers = [];
  onQuery = () => undefined;
  script = allMetrics((now) => clean(now))();
  labelsFor = (i) => ({ namespace: "vllm", pod: k8s.podNames()[i] ?? "vllm-engine-gone" });
});

let n = 0;
function stackFile(prometheusUrl = promUrl): string {
  const file = path.join(dir, `Pulumi.faults-${++n}.yaml`);
  fs.writeFileSync(
    file,
    [
      "config:",
      "  vllm-tco:platform: kubernetes",
      "  vllm-tco:model: { id: llama-3.1-8b }",
      `  vllm-tco:kubernetes: { namespace: vllm, kubeconfig: ${k8s.kubeconfig(dir)} }`,
      `  vllm-tco:metrics: { prometheusUrl: "${prometheusUrl}" }`,
      "  vllm-tco:workload: { requestsPerMonth: 1000000 }",
    ].join("\n"),
  );
  return file;
}

async function reapApply(extra: string[] = [], file = stackFile()) {
  const audit = path.join(dir, `audit-${++n}.jsonl`);
  const started = Date.now();
  const r = await runReap({
    stackFile: file,
    windowSeconds: WINDOW,
    toleranceSeconds: 2 * STEP,
    auditLog: audit,
    extra: ["--apply", ...extra],
  });
  return { ...r, audit: readAudit(audit), seconds: (Date.now() - started) / 1000 };
}

const withValue = (at: number, value: string) => (now: number) =>
  clean(now).map(([t, v], i) => [t, i === at ? value : v] as [number, string]);

describe("doubtful metrics: unknown, exit 12, and no write", () => {
  it.each([
    ["NaN", withValue(5, "NaN"), "reported NaN for vllm:num_requests_running"],
    ["+Inf", withValue(5, "+Inf"), "reported NaN for vllm:num_requests_running"],
    ["-Inf", withValue(5, "-Inf"), "reported NaN for vllm:num_requests_running"],
    ["a negative gauge", withValue(5, "-1"), "reported -1 for vllm:num_requests_running"],
    ["non-numeric", withValue(5, "abc"), "reported NaN for vllm:num_requests_running"],
    [
      "a 20 s hole in the scrapes",
      (now: number) => clean(now).filter(([t]) => t < now - 40 || t > now - 20),
      "s gap (tolerance 10 s)",
    ],
    [
      "samples from the future",
      (now: number) => [...clean(now), [now + 600, "0"]] as Values,
      "outside the window",
    ],
    [
      "late series (start mid-window)",
      (now: number) => clean(now).slice(6),
      "into the window: it does not cover it",
    ],
    ["stale series (stop mid-window)", (now: number) => clean(now).slice(0, 6), "stale series"],
  ])("%s", async (_name, values, reason) => {
    script = (metric, now) => (metric === "vllm:num_requests_running" ? both(values)(now) : both(clean)(now));
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.decision).toBe("unknown");
    expect(r.record.reason).toContain(reason);
    expect(r.record.result).toBe("no action: the decision is unknown");
    expect(k8s.writes).toEqual([]);
  });

  it("a busy replica with one NaN scrape is busy, never idle (the reported bug)", async () => {
    script = (metric, now) => {
      if (metric === "vllm:num_requests_running")
        return {
          "10.0.0.1:8000": withValue(3, "NaN")(now).map(([t, v]) => [t, v === "NaN" ? v : "5"]),
          "10.0.0.2:8000": clean(now),
        };
      if (metric === "vllm:request_success_total")
        return { "10.0.0.1:8000": clean(now).map(([t], i) => [t, String(i)]), "10.0.0.2:8000": clean(now) };
      return both(clean)(now);
    };
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.busy);
    expect(k8s.writes).toEqual([]);
  });

  it("a missing metric (no vllm:num_requests_waiting at all)", async () => {
    script = (metric, now) => (metric === "vllm:num_requests_waiting" ? {} : both(clean)(now));
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toContain("has no vllm:num_requests_waiting series in the window");
    expect(k8s.writes).toEqual([]);
  });

  it("Prometheus answering an error, or not at all, is unknown within the deadline", async () => {
    script = () => "error";
    const failing = await reapApply();
    expect(failing.code).toBe(REAP_EXIT.unknown);
    expect(failing.record.reason).toContain("query failed (503): overloaded");
    script = () => "hang";
    const hung = await reapApply(["--timeout-seconds", "2"]);
    expect(hung.code).toBe(REAP_EXIT.unknown);
    expect(hung.record.reason).toMatch(/no answer within/);
    expect(hung.seconds).toBeLessThan(12);
    expect(k8s.writes).toEqual([]);
  }, 30_000);
});

describe("provenance: only the Deployment's own pods' series count, else unknown and no write", () => {
  it.each([
    [
      "a series from a pod the selector matches but another ReplicaSet owns",
      () => {
        k8s.strangers = ["vllm-engine-7c4d2-x1"];
        labelsFor = (i) => ({
          namespace: "vllm",
          pod: i === 0 ? "vllm-engine-7c4d2-x1" : k8s.podNames()[i]!,
        });
      },
      "come from pod vllm-engine-7c4d2-x1, not one of the 2 pod(s) Deployment vllm/vllm-engine owns",
    ],
    [
      "another team's namespace serving the same model",
      () => (labelsFor = (i) => ({ namespace: "team-b", pod: k8s.podNames()[i]! })),
      "come from namespace team-b",
    ],
    [
      "series with no pod or namespace label (a static scrape, an exporter standing in)",
      () => (labelsFor = () => ({})),
      "carry no pod and namespace labels",
    ],
    [
      "one instance whose series name two pods",
      () => {
        // Each metric's answer swaps which pod an instance claims: instance 0 is p1, then p0.
        let query = 0;
        onQuery = () => void query++;
        labelsFor = (i) => ({ namespace: "vllm", pod: k8s.podNames()[(i + query) % 2]! });
      },
      "one replica's data must be one pod's",
    ],
    [
      "two instances that both claim one pod (the count of reporting replicas would lie)",
      () => (labelsFor = () => ({ namespace: "vllm", pod: k8s.podNames()[0]! })),
      "is named by two replicas",
    ],
  ])("%s", async (_name, arrange, reason) => {
    arrange();
    const r = await reapApply();
    expect(r.code, JSON.stringify(r.record)).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toContain(reason);
    expect(r.record.result).toBe("no action: the decision is unknown");
    expect(k8s.writes).toEqual([]);
  });

  it("a fleet already at zero is idle, whatever its deleted pods' series say (nothing would be done)", async () => {
    k8s.replicas = 0;
    labelsFor = (i) => ({ namespace: "vllm", pod: `vllm-engine-5d8f9c7b6-gone${i}` });
    const r = await reapApply();
    expect(r.record.decision).toBe("idle");
    expect(r.record.reason).toBe("the fleet is already at zero replicas");
    expect(k8s.writes).toEqual([]);
  });

  it("work seen in a foreign series is still work (busy, no write either way)", async () => {
    labelsFor = () => ({});
    script = allMetrics((now) => clean(now, "3"))();
    const r = await reapApply();
    expect(r.record.decision).toBe("busy");
    expect(k8s.writes).toEqual([]);
  });
});

describe("the platform: malformed answers, a fleet that changes, hangs and refusals", () => {
  it("a Deployment answer without spec is unknown, not 'already at zero'", async () => {
    k8s.malformed = true;
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toBe(
      "cannot read ScaledObject vllm/vllm-engine: deployment vllm/vllm-engine has no spec in the API's answer",
    );
    expect(k8s.writes).toEqual([]);
  });

  it("a fleet that grows during the window is not paused (compare-and-act)", async () => {
    // The fleet grows while the metrics are read: 2 replicas at the start, 3 before the action.
    onQuery = () => (k8s.replicas === 2 ? k8s.scaleTo(3) : undefined);
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toContain("the fleet changed during the window (2 → 3 replica(s)");
    expect(r.record.result).toBe("no action: the fleet changed before the action");
    expect(k8s.writes).toEqual([]);
  });

  it("a write with a stale resourceVersion is refused by the server (409): unknown, nothing applied", async () => {
    k8s.fail.set("PATCH", 409);
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.result).toBe("no action: the fleet changed before the action");
    expect(k8s.annotations).toEqual({});
  });

  it("a 500 on the pause is a failed action (13) with its audit line", async () => {
    k8s.fail.set("PATCH", 500);
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.failed);
    expect(r.record.result).toMatch(/^failed: PATCH scaledobject vllm\/vllm-engine: HTTP 500/);
    expect(r.audit).toEqual([r.record]);
  });

  it("a GET that never answers is unknown within the deadline, with its audit line", async () => {
    k8s.hang.add("GET");
    const r = await reapApply(["--timeout-seconds", "2"]);
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toMatch(/no answer within/);
    expect(r.seconds).toBeLessThan(12);
    expect(r.audit).toHaveLength(1);
    expect(k8s.writes).toEqual([]);
  }, 30_000);

  it.each([
    ["a GET that never answers", "GET", REAP_EXIT.unknown],
    ["a PATCH received but never answered", "PATCH", REAP_EXIT.failed],
  ])(
    "the shipped bundle as a child process: %s ends the process itself within the deadline, with its audit line",
    async (_what, method, exit) => {
      // In-process runs prove the record; only a child process proves the process exits (a pending
      // socket would keep Node alive after the record is printed).
      k8s.hang.add(method);
      const audit = path.join(dir, `audit-child-${++n}.jsonl`);
      const started = Date.now();
      const r = await runChild(
        process.execPath,
        [
          path.join(__dirname, "../dist/cli.js"),
          "reap",
          "--stack-file",
          stackFile(),
          "--idle-minutes",
          String(WINDOW / 60),
          "--tolerance-seconds",
          String(2 * STEP),
          "--audit-log",
          audit,
          "--json",
          "--apply",
          "--timeout-seconds",
          "3",
        ],
        { timeoutMs: 30_000 },
      );
      expect(r.status, r.stderr).toBe(exit);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(readAudit(audit)).toHaveLength(1);
    },
    40_000,
  );

  it("a PATCH received but never answered is a failed action within the deadline, with its audit line", async () => {
    k8s.hang.add("PATCH");
    const r = await reapApply(["--timeout-seconds", "3"]);
    expect(r.code).toBe(REAP_EXIT.failed);
    expect(r.record.result).toMatch(/no answer within .*the call may still land; check the platform/);
    expect(r.seconds).toBeLessThan(15);
    expect(r.audit).toEqual([r.record]);
    expect(k8s.writes).toHaveLength(1); // it was received
  }, 30_000);

  it.each([
    [
      "paused at 3 replicas by an operator",
      { "autoscaling.keda.sh/paused-replicas": "3" },
      'paused-replicas: "3"',
    ],
    [
      "paused where it stands",
      { "autoscaling.keda.sh/paused": "true" },
      'autoscaling.keda.sh/paused: "true"',
    ],
  ])("a ScaledObject %s is left alone: unknown, no write", async (_name, annotations, shown) => {
    k8s.annotations = { ...annotations };
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toContain(
      `is already paused (${shown.startsWith("autoscaling") ? shown : `autoscaling.keda.sh/${shown}`}`,
    );
    expect(k8s.writes).toEqual([]);
    expect(k8s.annotations).toEqual(annotations);
  });

  it.each([
    ["a StatefulSet", { apiVersion: "apps/v1", kind: "StatefulSet", name: "vllm-engine" }],
    ["another Deployment", { name: "someone-elses-engine" }],
  ])("a ScaledObject that scales %s is not the reaper's: unknown, no write", async (_name, ref) => {
    k8s.scaleTargetRef = ref;
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toContain("not the stack's Deployment vllm-engine: not the reaper's to pause");
    expect(k8s.writes).toEqual([]);
  });

  it("a clean idle fleet is still paused (the reaper is not simply disabled), and --resume brings it back", async () => {
    const r = await reapApply();
    expect(r.code).toBe(REAP_EXIT.idle);
    expect(r.record.result).toBe("applied");
    expect(k8s.annotations).toEqual({ "autoscaling.keda.sh/paused-replicas": "0" });
    expect(k8s.replicas).toBe(0);
    const back = await runCli(
      "reap",
      "--stack-file",
      stackFile(),
      "--resume",
      "--audit-log",
      path.join(dir, "resume.jsonl"),
    );
    expect(back.code).toBe(0);
    expect(k8s.annotations).toEqual({});
  });
});

describe("no secrets in output", () => {
  it("credentials in the Prometheus URL never reach the output, the errors or the audit log", async () => {
    const withCredentials = promUrl.replace("http://", "http://admin:hunter2secret@");
    const r = await reapApply([], stackFile(withCredentials));
    script = () => "error";
    const failing = await reapApply(["--prometheus", withCredentials]);
    for (const text of [
      r.out,
      r.err,
      JSON.stringify(r.audit),
      failing.out,
      failing.err,
      JSON.stringify(failing.audit),
    ])
      expect(text).not.toContain("hunter2secret");
    expect(r.record.evidence.source).toBe(`prometheus ${promUrl.replace("http://", "http://***@")}`);
  });
});

describe("vLLM /metrics sampling", () => {
  it("a replica exposing NaN is unknown, not idle", async () => {
    const replica = await new StandInReplica("llama-3.1-8b").start();
    const original = replica.render.bind(replica);
    replica.render = () =>
      original().replace(
        'vllm:num_requests_running{engine="0",model_name="llama-3.1-8b"} 0.0',
        'vllm:num_requests_running{engine="0",model_name="llama-3.1-8b"} NaN',
      );
    k8s.replicas = 1;
    try {
      const r = await runCli(
        "reap",
        "--stack-file",
        stackFile(),
        "--source",
        "endpoints",
        "--endpoint",
        `http://127.0.0.1:${replica.port}`,
        "--idle-minutes",
        String(2 / 60),
        "--tolerance-seconds",
        "1",
        "--audit-log",
        path.join(dir, "ep.jsonl"),
        "--apply",
        "--json",
      );
      expect(r.code).toBe(REAP_EXIT.unknown);
      expect(JSON.parse(r.out).reason).toContain("reported NaN for vllm:num_requests_running");
      expect(k8s.writes).toEqual([]);
    } finally {
      await replica.stop();
    }
  });
});
