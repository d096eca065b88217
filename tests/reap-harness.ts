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

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
  private server?: http.Server;
  constructor(readonly model: string) {}

  render(): string {
    const l = `engine="0",model_name="${this.model}"`;
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

  async start(targets: readonly number[]): Promise<this> {
    const probe = http.createServer();
    const port = await listen(probe);
    await new Promise<void>((ok) => probe.close(() => ok()));
    const config = [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: vllm",
      "    static_configs:",
      `      - targets: [${targets.map((p) => `"127.0.0.1:${p}"`).join(", ")}]`,
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

/** A Kubernetes API server holding one Deployment; it records every call. */
export class FakeKubernetes {
  replicas = 2;
  readonly calls: RecordedCall[] = [];
  port = 0;
  private server?: http.Server;

  async start(namespace: string, name: string): Promise<this> {
    const base = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
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
        const json = (o: unknown) =>
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(o));
        const pathname = new URL(req.url!, "http://localhost").pathname;
        if (req.method === "GET" && pathname === base)
          return json({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace },
            spec: { replicas: this.replicas },
            status: { replicas: this.replicas },
          });
        if (req.method === "PATCH" && pathname === `${base}/scale`) {
          this.replicas = JSON.parse(body).spec.replicas;
          return json({
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            metadata: { name, namespace },
            spec: { replicas: this.replicas },
          });
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
    await new Promise<void>((ok) => this.server?.close(() => ok()));
  }
}
