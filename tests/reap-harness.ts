/**
 * Loopback servers for the reaper's tests: stand-in vLLM replicas exposing the real metric names and
 * types, a real Prometheus (Debian's package) scraping them every second, and a Kubernetes API server
 * that records what it is asked.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "./helpers";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `vllm-tco reap --json` on a stack file with a window of `windowSeconds`, its printed record parsed. */
export async function runReap(o: {
  readonly stackFile: string;
  readonly windowSeconds: number;
  readonly toleranceSeconds: number;
  readonly auditLog: string;
  readonly extra?: readonly string[];
}) {
  const r = await runCli(
    "reap",
    "--stack-file",
    o.stackFile,
    "--idle-minutes",
    String(o.windowSeconds / 60),
    "--tolerance-seconds",
    String(o.toleranceSeconds),
    "--audit-log",
    o.auditLog,
    "--json",
    ...(o.extra ?? []),
  );
  return { ...r, record: r.out ? JSON.parse(r.out) : undefined };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return (server.address() as AddressInfo).port;
}

/** A vLLM replica's /metrics, as vLLM V1 exposes them, with values the test drives. */
export class StandInReplica {
  running = 0;
  waiting = 0;
  success = 0;
  port = 0;
  /**
   * Labels its series carry besides the engine's, e.g. `{ namespace, pod }`: what Prometheus' service
   * discovery adds to a pod's series through a ServiceMonitor (set them as the pod it stands for).
   */
  labels: Record<string, string> = {};
  private server?: http.Server;
  constructor(readonly model: string) {}

  render(): string {
    const extra = Object.entries(this.labels).map(([k, v]) => `,${k}="${v}"`);
    const l = `engine="0",model_name="${this.model}"${extra.join("")}`;
    return [
      "# HELP vllm:num_requests_running Number of requests in model execution batches.",
      "# TYPE vllm:num_requests_running gauge",
      `vllm:num_requests_running{${l}} ${this.running.toFixed(1)}`,
      "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
      "# TYPE vllm:num_requests_waiting gauge",
      `vllm:num_requests_waiting{${l}} ${this.waiting.toFixed(1)}`,
      "# HELP vllm:request_success_total Count of successfully processed requests.",
      "# TYPE vllm:request_success_total counter",
      `vllm:request_success_total{${l},finished_reason="stop"} ${this.success.toFixed(1)}`,
      `vllm:request_success_total{${l},finished_reason="length"} 0.0`,
      "",
    ].join("\n");
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(this.render());
    });
    this.port = await listen(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((ok) => this.server?.close(() => ok()));
    this.server?.closeAllConnections();
  }
}

/** A real Prometheus server on a free loopback port, scraping the given targets every second. */
export class Prometheus {
  url = "";
  private proc?: ChildProcess;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "prom-"));

  /**
   * `honorLabels`: keep the targets' own `instance` labels (one exporter standing for many replicas).
   * `labels`: added to every scraped series, as a ServiceMonitor's relabelling adds `namespace`.
   */
  async start(
    targets: readonly number[],
    opts: { honorLabels?: boolean; labels?: Record<string, string> } = {},
  ): Promise<this> {
    const probe = http.createServer();
    const port = await listen(probe);
    await new Promise<void>((ok) => probe.close(() => ok()));
    const config = [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: vllm",
      ...(opts.honorLabels ? ["    honor_labels: true"] : []),
      "    static_configs:",
      `      - targets: [${targets.map((p) => `"127.0.0.1:${p}"`).join(", ")}]`,
      ...(opts.labels
        ? [
            `        labels: { ${Object.entries(opts.labels)
              .map(([k, v]) => `${k}: "${v}"`)
              .join(", ")} }`,
          ]
        : []),
    ].join("\n");
    fs.writeFileSync(path.join(this.dir, "prometheus.yml"), config);
    this.proc = spawn(
      process.env["PROMETHEUS"] ?? "prometheus",
      [
        `--config.file=${path.join(this.dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(this.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      { stdio: "ignore" },
    );
    this.url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${this.url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return this;
      await sleep(200);
    }
    throw new Error("Prometheus did not become ready in 20 s");
  }

  /** Waits until every target has been scraped successfully. */
  async waitForTargets(n: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const res = (await (await fetch(`${this.url}/api/v1/query?query=sum(up)`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      if (Number(res.data.result[0]?.value[1] ?? 0) >= n) return;
      await sleep(200);
    }
    throw new Error(`Prometheus did not scrape ${n} targets in 20 s`);
  }

  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise<void>((ok) => this.proc!.once("exit", () => ok()));
    this.proc.kill("SIGTERM");
    await exited;
  }
}

export interface RecordedCall {
  readonly method: string;
  readonly url: string;
  readonly contentType?: string;
  readonly body: string;
}

/**
 * A scripted stand-in for the Kubernetes API (not a real API server): one Deployment and its KEDA
 * ScaledObject, with resourceVersions that move on every change and merge-patch writes refused with
 * 409 when they carry a stale `metadata.resourceVersion`, as the real server does. Faults are set per
 * test: `hang` never answers a method, `fail` answers it with a status, `malformed` drops the
 * Deployment's spec. It records every call.
 */
export class FakeKubernetes {
  replicas = 2;
  rv = 100;
  annotations: Record<string, string> = {};
  /** The ScaledObject's target; undefined: the stack's own Deployment. */
  scaleTargetRef: Record<string, string> | undefined;
  hang = new Set<string>();
  fail = new Map<string, number>();
  malformed = false;
  /** Pods that match the Deployment's selector but another ReplicaSet (another owner) controls. */
  strangers: string[] = [];
  readonly calls: RecordedCall[] = [];
  port = 0;
  private server?: http.Server;

  /** The pods the Deployment owns: one per replica, named as its ReplicaSet names them. */
  podNames(name = "vllm-engine"): string[] {
    return Array.from({ length: this.replicas }, (_, i) => `${name}-5d8f9c7b6-p${i}`);
  }

  /** The fleet changes (an autoscaler or a person scaled it): new count, new resourceVersion. */
  scaleTo(replicas: number): void {
    this.replicas = replicas;
    this.rv++;
  }

  async start(namespace: string, name: string): Promise<this> {
    const deployment = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
    const scaledObject = `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects/${name}`;
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        this.calls.push({
          method: req.method!,
          url: req.url!,
          ...(req.headers["content-type"] && { contentType: req.headers["content-type"] }),
          body,
        });
        if (this.hang.has(req.method!)) return; // never answers
        const reply = (status: number, o: unknown) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(o));
        const failing = this.fail.get(req.method!);
        if (failing)
          return reply(failing, {
            kind: "Status",
            status: "Failure",
            message: "injected failure",
            code: failing,
          });
        const pathname = new URL(req.url!, "http://localhost").pathname;
        const meta = { name, namespace, resourceVersion: String(this.rv) };
        const selector = { "app.kubernetes.io/name": name };
        const deploymentObject = () => ({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { ...meta, uid: "uid-deployment" },
          ...(!this.malformed && {
            spec: { replicas: this.replicas, selector: { matchLabels: selector } },
            status: { replicas: this.replicas },
          }),
        });
        const owned = (kind: string, uid: string) => [{ kind, name: "x", uid, controller: true }];
        const listOf = (items: unknown[]) => ({ kind: "List", metadata: {}, items });
        const scaledObjectObject = () => ({
          apiVersion: "keda.sh/v1alpha1",
          kind: "ScaledObject",
          metadata: { ...meta, annotations: this.annotations },
          spec: { scaleTargetRef: this.scaleTargetRef ?? { name } },
        });
        if (req.method === "GET" && pathname === deployment) return reply(200, deploymentObject());
        if (req.method === "GET" && pathname === `/apis/apps/v1/namespaces/${namespace}/replicasets`)
          return reply(
            200,
            listOf([
              {
                metadata: {
                  name: `${name}-5d8f9c7b6`,
                  uid: "uid-rs",
                  ownerReferences: owned("Deployment", "uid-deployment"),
                },
              },
              {
                metadata: {
                  name: "other-rs",
                  uid: "uid-other-rs",
                  ownerReferences: owned("Deployment", "uid-other"),
                },
              },
            ]),
          );
        if (req.method === "GET" && pathname === `/api/v1/namespaces/${namespace}/pods`)
          return reply(
            200,
            listOf([
              ...this.podNames(name).map((p) => ({
                metadata: { name: p, ownerReferences: owned("ReplicaSet", "uid-rs") },
              })),
              ...this.strangers.map((p) => ({
                metadata: { name: p, ownerReferences: owned("ReplicaSet", "uid-other-rs") },
              })),
            ]),
          );
        if (req.method === "GET" && pathname === scaledObject) return reply(200, scaledObjectObject());
        if (req.method === "PATCH" && (pathname === deployment || pathname === scaledObject)) {
          const patch = JSON.parse(body) as {
            metadata?: { resourceVersion?: string; annotations?: Record<string, string | null> };
            spec?: { replicas?: number };
          };
          const expected = patch.metadata?.resourceVersion;
          if (expected !== undefined && expected !== String(this.rv))
            return reply(409, {
              kind: "Status",
              status: "Failure",
              reason: "Conflict",
              message:
                "the object has been modified; please apply your changes to the latest version and try again",
              code: 409,
            });
          for (const [k, v] of Object.entries(patch.metadata?.annotations ?? {}))
            if (v === null) delete this.annotations[k];
            else this.annotations[k] = v;
          if (patch.spec?.replicas !== undefined) this.replicas = patch.spec.replicas;
          // KEDA's answer to the pause: the target goes to zero.
          if (this.annotations["autoscaling.keda.sh/paused-replicas"] === "0") this.replicas = 0;
          this.rv++;
          return reply(200, pathname === deployment ? deploymentObject() : scaledObjectObject());
        }
        res.writeHead(404).end();
      });
    });
    this.port = await listen(this.server);
    return this;
  }

  /** Mutating calls only (what a dry run or an unknown decision must never send). */
  get writes(): RecordedCall[] {
    return this.calls.filter((c) => c.method !== "GET");
  }

  kubeconfig(dir: string): string {
    const file = path.join(dir, "kubeconfig.yaml");
    fs.writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: loopback, cluster: { server: 'http://127.0.0.1:" + this.port + "' } }]",
        "users: [{ name: test, user: { token: test-token } }]",
        "contexts: [{ name: loopback, context: { cluster: loopback, user: test } }]",
        "current-context: loopback",
      ].join("\n"),
    );
    return file;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => this.server?.close(() => ok()));
  }
}

/** A series sampled every `step` seconds over [start, end], with the value `at(t)` gives. */
export function series(start: number, end: number, step: number, at: (t: number) => number) {
  const out: [number, number][] = [];
  for (let t = start; t <= end + 1e-9; t += step) out.push([t, at(t)]);
  return out;
}
