/**
 * A real Kubernetes control plane on loopback for the tests: etcd (Debian's package), kube-apiserver
 * and kube-controller-manager built from k8s.io/kubernetes by scripts/build-kube.sh (cached by
 * version). The API server serves a certificate it generates for 127.0.0.1 and trusts one bearer token
 * in system:masters; a service-account signing key is generated per run. No node, no kubelet: pods
 * stay Pending. What this proves and what it does not is in the README ("Testing against a real API
 * server").
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { freePort } from "./free-port";

const ROOT = path.resolve(__dirname, "..");

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  [k: string]: unknown;
};

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * A folder of binaries a build script caches: the one `envVar` names (the test command builds them
 * before vitest starts), else built or reused now by `script` (which prints the folder).
 */
export function cachedBinaries(envVar: string, script: string): string {
  const given = process.env[envVar];
  if (given) return given;
  return execFileSync("bash", [path.join(ROOT, script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

/** kube-apiserver and kube-controller-manager (scripts/build-kube.sh). */
export const kubeBinaries = () => cachedBinaries("VLLM_TCO_KUBE_BIN", "scripts/build-kube.sh");

export class KubeApiServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-"));
  readonly token = crypto.randomBytes(24).toString("hex");
  url = "";
  kubeconfig = "";
  private ca = "";
  private procs: ChildProcess[] = [];
  private logs: string[] = [];

  /**
   * `aggregation`: the aggregation layer (a front-proxy CA and client certificate), so an extension
   * API server such as KEDA's metrics adapter can be registered with an APIService. `scheduler`: the
   * real kube-scheduler. `hpaSyncSeconds`: the HPA controller's sync period (a cluster setting;
   * default 15 s), compressed for the controllers tier.
   */
  async start(
    opts: {
      controllerManager?: boolean;
      scheduler?: boolean;
      aggregation?: boolean;
      hpaSyncSeconds?: number;
    } = {},
  ): Promise<this> {
    const bin = kubeBinaries();
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    this.run("etcd", "etcd", [
      "--data-dir",
      path.join(this.dir, "etcd"),
      "--listen-client-urls",
      `http://127.0.0.1:${etcdClient}`,
      "--advertise-client-urls",
      `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls",
      `http://127.0.0.1:${etcdPeer}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster",
      `default=http://127.0.0.1:${etcdPeer}`,
    ]);
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const saKey = path.join(this.dir, "sa.key");
    const saPub = path.join(this.dir, "sa.pub");
    fs.writeFileSync(saKey, privateKey, { mode: 0o600 });
    fs.writeFileSync(saPub, publicKey);
    const tokens = path.join(this.dir, "tokens.csv");
    fs.writeFileSync(tokens, `${this.token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
    const certs = path.join(this.dir, "certs");
    this.run("kube-apiserver", path.join(bin, "kube-apiserver"), [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${certs}`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-account-issuer=https://kubernetes.default.svc",
      `--token-auth-file=${tokens}`,
      "--authorization-mode=RBAC",
      "--service-cluster-ip-range=10.96.0.0/16",
      ...(opts.aggregation ? this.aggregationFlags() : []),
    ]);
    this.url = `https://127.0.0.1:${apiPort}`;
    await this.waitReady(path.join(certs, "apiserver.crt"));
    this.kubeconfig = this.writeKubeconfig(this.url);
    if (opts.controllerManager)
      this.run("kube-controller-manager", path.join(bin, "kube-controller-manager"), [
        `--kubeconfig=${this.kubeconfig}`,
        `--service-account-private-key-file=${saKey}`,
        "--use-service-account-credentials=false",
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${await freePort()}`,
        // Node lifecycle lifts the not-ready taint from kwok's nodes once they report Ready (the
        // scheduler tier); without nodes it has nothing to do.
        `--controllers=*,-nodeipam,${opts.scheduler ? "" : "-nodelifecycle,"}-cloud-node-lifecycle`,
        ...(opts.hpaSyncSeconds ? [`--horizontal-pod-autoscaler-sync-period=${opts.hpaSyncSeconds}s`] : []),
      ]);
    if (opts.scheduler)
      this.run("kube-scheduler", path.join(bin, "kube-scheduler"), [
        `--kubeconfig=${this.kubeconfig}`,
        `--authentication-kubeconfig=${this.kubeconfig}`,
        `--authorization-kubeconfig=${this.kubeconfig}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        `--secure-port=${await freePort()}`,
      ]);
    return this;
  }

  /**
   * The front proxy's CA and client certificate: the API server presents the certificate when it
   * forwards a request to an aggregated API, which trusts the CA (published in kube-system's
   * extension-apiserver-authentication ConfigMap) for the X-Remote-* identity headers.
   */
  private aggregationFlags(): string[] {
    const d = path.join(this.dir, "front-proxy");
    fs.mkdirSync(d);
    const ca = makeCa(d, "front-proxy-ca");
    const client = makeLeaf(d, ca, "front-proxy-client", { clientAuth: true });
    return [
      `--requestheader-client-ca-file=${ca.cert}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      `--proxy-client-cert-file=${client.cert}`,
      `--proxy-client-key-file=${client.key}`,
    ];
  }

  /** The log lines the control plane's processes wrote last (for a failing test's message). */
  recentLogs(n = 40): string {
    return this.logs.slice(-n).join("");
  }

  private run(name: string, cmd: string, args: string[]): void {
    this.procs.push(startLogged(name, cmd, args, this.logs, { keep: 200 }));
  }

  private async waitReady(caFile: string): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (fs.existsSync(caFile)) {
        this.ca = fs.readFileSync(caFile, "utf8");
        const r = await this.request("GET", "/readyz").catch(() => undefined);
        if (r?.status === 200) return;
      }
      await new Promise((ok) => setTimeout(ok, 300));
    }
    throw new Error(`kube-apiserver did not become ready:\n${this.logs.slice(-20).join("")}`);
  }

  /** A kubeconfig for `server` (this API server, or a proxy in front of it) with the admin token. */
  writeKubeconfig(server: string, name = "kubeconfig"): string {
    const file = path.join(this.dir, name);
    const cluster = server.startsWith("https:")
      ? { server, "certificate-authority-data": Buffer.from(this.ca).toString("base64") }
      : { server };
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test", cluster }],
        users: [{ name: "admin", user: { token: this.token } }],
        contexts: [{ name: "test", context: { cluster: "test", user: "admin" } }],
        "current-context": "test",
      }),
      { mode: 0o600 },
    );
    return file;
  }

  /** One request to the API server as the admin, verifying its certificate. */
  request(
    method: string,
    urlPath: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = https.request(
        `${this.url}${urlPath}`,
        {
          method,
          ca: this.ca,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "application/json",
            ...(data !== undefined && { "content-type": contentType }),
          },
          timeout: 20_000,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => {
            let parsed: Record<string, unknown> = {};
            try {
              parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              parsed = { text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
      req.on("error", reject);
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  /** The REST path of a kind's collection, from the server's own discovery (CRDs included). */
  async collection(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      const d = await this.request("GET", base);
      const resources = (d.body["resources"] ?? []) as { name: string; kind: string; namespaced: boolean }[];
      const r = resources.find((x) => x.kind === kind && !x.name.includes("/"));
      if (r) return `${base}${r.namespaced && namespace ? `/namespaces/${namespace}` : ""}/${r.name}`;
      // A CRD just created takes a moment to be served.
      await new Promise((ok) => setTimeout(ok, 200));
    }
    throw new Error(`the API server does not serve ${apiVersion} ${kind}`);
  }

  /** Creates an object with strict field validation: an unknown or duplicated field is an error, not dropped. */
  async create(obj: KubeObject, namespace = obj.metadata.namespace): Promise<Answer> {
    const url = await this.collection(obj.apiVersion, obj.kind, namespace);
    return this.request("POST", `${url}?fieldValidation=Strict&fieldManager=vllm-tco-test`, obj);
  }

  async get(apiVersion: string, kind: string, namespace: string, name: string): Promise<Answer> {
    return this.request("GET", `${await this.collection(apiVersion, kind, namespace)}/${name}`);
  }

  /**
   * The names of a Deployment's pods in `namespace` (the controllers create them for its ReplicaSet,
   * named after it): those whose name starts with `deployment-`.
   */
  async podNames(namespace: string, deployment: string): Promise<string[]> {
    const r = await this.request("GET", `/api/v1/namespaces/${namespace}/pods`);
    return ((r.body["items"] ?? []) as KubeObject[])
      .map((p) => p.metadata.name)
      .filter((n) => n.startsWith(`${deployment}-`))
      .sort();
  }

  async ensureNamespace(name: string): Promise<void> {
    const r = await this.request("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
    if (r.status !== 201 && r.status !== 409) throw new Error(`namespace ${name}: HTTP ${r.status}`);
  }

  /** Installs CRDs from YAML files (the pinned published ones) and waits until each is established. */
  async installCrds(files: readonly string[]): Promise<void> {
    for (const file of files) {
      for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
        const crd = doc.toJSON() as KubeObject | null;
        if (!crd) continue;
        const r = await this.create(crd);
        if (r.status !== 201 && r.status !== 409)
          throw new Error(`CRD ${crd.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body["message"])}`);
        for (let i = 0; i < 100; i++) {
          const g = await this.request(
            "GET",
            `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
          );
          const conditions = ((g.body["status"] as { conditions?: { type: string; status: string }[] })
            ?.conditions ?? []) as { type: string; status: string }[];
          if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
          await new Promise((ok) => setTimeout(ok, 100));
        }
      }
    }
  }

  /**
   * A plain-HTTP loopback proxy in front of the API server, for races the test makes happen: `before`
   * runs (and may change objects through `request`) before each request is forwarded as it came.
   */
  async proxy(
    before: (method: string, url: string) => Promise<void>,
  ): Promise<{ url: string; close: () => Promise<void> }> {
    const upstream = new URL(this.url);
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void before(req.method ?? "GET", req.url ?? "/").then(() => {
          const out = https.request(
            {
              host: upstream.hostname,
              port: upstream.port,
              path: req.url,
              method: req.method,
              headers: req.headers,
              ca: this.ca,
            },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          out.on("error", () => res.writeHead(502).end());
          out.end(Buffer.concat(chunks));
        });
      });
    });
    const port = await new Promise<number>((ok) =>
      server.listen(0, "127.0.0.1", () => ok((server.address() as net.AddressInfo).port)),
    );
    return {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((ok) => {
          server.closeAllConnections();
          server.close(() => ok());
        }),
    };
  }

  async stop(): Promise<void> {
    await stopProcesses(this.procs);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts a server process whose output lines go to `logs` (the last `keep` chunks, each prefixed
 * with its name, for a failing test's message) and, when `file` is given, whole to that file.
 */
export function startLogged(
  name: string,
  cmd: string,
  args: readonly string[],
  logs: string[],
  opts: { keep: number; env?: NodeJS.ProcessEnv; file?: string },
): ChildProcess {
  const p = spawn(cmd, [...args], { env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  const push = (line: string) => {
    logs.push(`${name}: ${line}`);
    if (logs.length > opts.keep) logs.shift();
  };
  const keep = (b: Buffer) => {
    if (opts.file) fs.appendFileSync(opts.file, b);
    push(b.toString());
  };
  p.stdout!.on("data", keep);
  p.stderr!.on("data", keep);
  p.on("error", (e) => push(`${e.message}\n`));
  p.on("exit", (code) => push(`exited ${code}\n`));
  return p;
}

/** Stops processes last-started first: SIGTERM, then SIGKILL after 5 s. */
export async function stopProcesses(procs: readonly ChildProcess[]): Promise<void> {
  for (const p of [...procs].reverse()) {
    if (p.exitCode !== null) continue;
    const exited = new Promise<void>((ok) => p.once("exit", () => ok()));
    p.kill("SIGTERM");
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
    if (p.exitCode === null) p.kill("SIGKILL");
  }
}

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });

/** A self-signed CA in `dir` (openssl, from Debian's base system). */
export function makeCa(dir: string, name: string): KeyPair {
  const pair = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    pair.key,
    "-out",
    pair.cert,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return pair;
}

/** A certificate `ca` signs for `cn`, for loopback names, as a server, a client or both. */
export function makeLeaf(
  dir: string,
  ca: KeyPair,
  cn: string,
  use: { serverAuth?: boolean; clientAuth?: boolean; names?: readonly string[] },
): KeyPair {
  const pair = { cert: path.join(dir, `${cn}.crt`), key: path.join(dir, `${cn}.key`) };
  const csr = path.join(dir, `${cn}.csr`);
  const ext = path.join(dir, `${cn}.ext`);
  const usage = [use.serverAuth && "serverAuth", use.clientAuth && "clientAuth"].filter(Boolean).join(",");
  fs.writeFileSync(
    ext,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usage}`,
      ...(use.serverAuth
        ? [
            `subjectAltName=${["localhost", ...(use.names ?? [])].map((n) => `DNS:${n}`).join(",")},IP:127.0.0.1`,
          ]
        : []),
    ].join("\n"),
  );
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", pair.key, "-out", csr]);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    pair.cert,
  ]);
  return pair;
}
