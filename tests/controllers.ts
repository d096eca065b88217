/**
 * The real autoscaling controllers beside the test API server (tests/kube-apiserver.ts): KEDA's
 * operator and metrics adapter and kwok, built at pinned releases by scripts/build-controllers.sh.
 *
 * - KEDA's CRDs are installed from the same release's module.
 * - The operator and the adapter run as processes on loopback with the admin kubeconfig; they talk
 *   over KEDA's own mutual-TLS gRPC channel, with a CA and a certificate made here (what KEDA's cert
 *   rotation would otherwise keep in a Secret).
 * - The adapter serves external.metrics.k8s.io through the aggregation layer: its APIService names a
 *   Service of type ExternalName `localhost`, which the API server resolves to `https://localhost:<port>`
 *   (k8s.io/apiserver's ResolveCluster), so no Service IP or kube-proxy is needed.
 * - kwok keeps fake GPU nodes alive and marks the pods scheduled onto them Running and Ready.
 *
 * What this does not run: a kubelet (no container starts, probes are not evaluated), a GPU, the image
 * pull and model load, and KEDA's HTTP add-on (its module is not served here).
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  cachedBinaries,
  makeCa,
  makeLeaf,
  startLogged,
  stopProcesses,
  type KubeApiServer,
  type KubeObject,
} from "./kube-apiserver";
import { freePort } from "./free-port";
import { HttpAddonScalerStandIn } from "./http-addon-scaler";

/** keda-operator, keda-adapter, kwok and crds/ (scripts/build-controllers.sh). */
export const controllerBinaries = () =>
  cachedBinaries("VLLM_TCO_CONTROLLERS_BIN", "scripts/build-controllers.sh");

export const KEDA_NAMESPACE = "keda";
const ADAPTER_SERVICE = "keda-metrics-apiserver";

export class Controllers {
  private procs: ChildProcess[] = [];
  private logs: string[] = [];
  readonly dir: string;
  /** The HTTP add-on's external scaler, stood in (tests/http-addon-scaler.ts). */
  addon?: HttpAddonScalerStandIn;

  constructor(private readonly server: KubeApiServer) {
    this.dir = fs.mkdtempSync(path.join(server.dir, "controllers-"));
  }

  async start(): Promise<this> {
    const bin = controllerBinaries();
    const s = this.server;
    await s.installCrds(
      fs
        .readdirSync(path.join(bin, "crds"))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => path.join(bin, "crds", f)),
    );
    await s.ensureNamespace(KEDA_NAMESPACE);

    // KEDA's gRPC channel between the adapter and the operator is mutual TLS: one CA, one certificate
    // for both ends (ca.crt, tls.crt, tls.key: the names KEDA reads from its cert dir).
    const certs = path.join(this.dir, "certs");
    fs.mkdirSync(certs);
    const ca = makeCa(certs, "keda-ca");
    // The API server checks the adapter's certificate for the APIService's Service name.
    const leaf = makeLeaf(certs, ca, "keda", {
      serverAuth: true,
      clientAuth: true,
      names: [`${ADAPTER_SERVICE}.${KEDA_NAMESPACE}.svc`],
    });
    fs.copyFileSync(ca.cert, path.join(certs, "ca.crt"));
    fs.copyFileSync(leaf.cert, path.join(certs, "tls.crt"));
    fs.copyFileSync(leaf.key, path.join(certs, "tls.key"));
    const noCa = path.join(this.dir, "no-custom-ca");
    fs.mkdirSync(noCa);

    this.addon = await new HttpAddonScalerStandIn(bin).start();
    const env = {
      ...process.env,
      KUBECONFIG: s.kubeconfig,
      WATCH_NAMESPACE: "",
      POD_NAMESPACE: KEDA_NAMESPACE,
      POD_NAME: "keda-operator-0",
      KEDA_CLUSTER_OBJECT_NAMESPACE: KEDA_NAMESPACE,
    };
    const grpc = await freePort();
    // Only the add-on's scaler address goes through the proxy; every loopback server is reached directly.
    const operatorEnv = { ...env, HTTPS_PROXY: this.addon.proxyUrl, NO_PROXY: "127.0.0.1,localhost" };
    this.run("keda-operator", path.join(bin, "keda-operator"), operatorEnv, [
      `--kubeconfig=${s.kubeconfig}`,
      "--leader-elect=false",
      `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      `--health-probe-bind-address=127.0.0.1:${await freePort()}`,
      `--metrics-service-bind-address=127.0.0.1:${grpc}`,
      `--cert-dir=${certs}`,
      `--ca-dir=${noCa}`,
      "--enable-cert-rotation=false",
      "--zap-log-level=info",
    ]);
    const adapterPort = await freePort();
    this.run("keda-adapter", path.join(bin, "keda-adapter"), env, [
      `--secure-port=${adapterPort}`,
      "--bind-address=127.0.0.1",
      `--cert-dir=${certs}`,
      `--tls-cert-file=${path.join(certs, "tls.crt")}`,
      `--tls-private-key-file=${path.join(certs, "tls.key")}`,
      `--lister-kubeconfig=${s.kubeconfig}`,
      `--authentication-kubeconfig=${s.kubeconfig}`,
      `--authorization-kubeconfig=${s.kubeconfig}`,
      `--metrics-service-address=localhost:${grpc}`,
      `--port=${await freePort()}`,
      "--zap-log-level=info",
    ]);

    // The aggregation layer's route to the adapter: ExternalName localhost, the adapter's port.
    await this.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: ADAPTER_SERVICE, namespace: KEDA_NAMESPACE },
      spec: { type: "ExternalName", externalName: "localhost" },
    });
    await this.apply({
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.external.metrics.k8s.io" },
      spec: {
        group: "external.metrics.k8s.io",
        version: "v1beta1",
        service: { namespace: KEDA_NAMESPACE, name: ADAPTER_SERVICE, port: adapterPort },
        caBundle: Buffer.from(fs.readFileSync(ca.cert)).toString("base64"),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
    await this.until("the external metrics API to be available", async () => {
      const r = await s.request(
        "GET",
        "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.external.metrics.k8s.io",
      );
      const c = ((r.body["status"] as { conditions?: { type: string; status: string }[] })?.conditions ??
        []) as { type: string; status: string }[];
      return c.some((x) => x.type === "Available" && x.status === "True");
    });

    this.run("kwok", path.join(bin, "kwok"), env, [
      `--kubeconfig=${s.kubeconfig}`,
      `--config=${path.join(bin, "kwok-stages.yaml")}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      `--server-address=127.0.0.1:${await freePort()}`,
      "--node-ip=10.0.0.1",
      "--cidr=10.0.0.0/24",
      "--node-lease-duration-seconds=40",
    ]);
    return this;
  }

  /**
   * A fake node kwok keeps Ready. With `gpu`, shaped like a GPU node the kit targets: the GPU product
   * label, the GPU taint and `gpu.count` allocatable `nvidia.com/gpu`; without, a CPU node (the router).
   */
  async addNode(name: string, gpu?: { count: number; product: string }): Promise<void> {
    const capacity = {
      cpu: "192",
      memory: "2Ti",
      pods: "110",
      ...(gpu && { "nvidia.com/gpu": String(gpu.count) }),
    };
    await this.apply({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        labels: {
          type: "kwok",
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          ...(gpu && { "nvidia.com/gpu.product": gpu.product }),
        },
      },
      spec: gpu ? { taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }] } : {},
      status: { capacity, allocatable: capacity },
    });
    await this.until(`node ${name} Ready and schedulable`, async () => {
      const n = (await this.server.request("GET", `/api/v1/nodes/${name}`)).body as {
        spec?: { taints?: { key: string }[] };
        status?: { conditions?: { type: string; status: string }[] };
      };
      return (
        (n.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True") &&
        !(n.spec?.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/"))
      );
    });
  }

  async apply(o: KubeObject | Record<string, unknown>): Promise<void> {
    const r = await this.server.create(o as KubeObject);
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`${String(o["kind"])}: HTTP ${r.status} ${JSON.stringify(r.body["message"])}`);
  }

  /** Polls `ok` (up to `ms`), failing with the controllers' recent logs. */
  async until(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await ok().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}:\n${this.recentLogs()}\n${this.server.recentLogs(10)}`);
  }

  /** The last `n` lines each process wrote (for a failing test's message). */
  recentLogs(n = 8): string {
    const by = new Map<string, string[]>();
    for (const l of this.logs) {
      const name = l.slice(0, l.indexOf(":"));
      by.set(name, [...(by.get(name) ?? []), l].slice(-n));
    }
    return [...by.values()].flat().join("");
  }

  private run(name: string, cmd: string, env: NodeJS.ProcessEnv, args: string[]): void {
    // VLLM_TCO_CONTROLLERS_LOGS=<folder> keeps each process's whole log there, for debugging.
    const dir = process.env["VLLM_TCO_CONTROLLERS_LOGS"];
    this.procs.push(
      startLogged(name, cmd, args, this.logs, {
        keep: 400,
        env,
        ...(dir && { file: path.join(dir, `${name}.log`) }),
      }),
    );
  }

  async stop(): Promise<void> {
    await this.addon?.stop();
    await stopProcesses(this.procs);
  }
}
