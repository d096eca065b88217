/**
 * A reaper run that cannot reach the cluster or its Prometheus says what is wrong and how to fix it,
 * instead of a bare socket error: a kubeconfig that cannot be read, none at all (the client's silent
 * fallback to localhost:8080), a context not in it, an API server that refuses the connection, and the
 * in-cluster Prometheus default used from outside the cluster. Each stays "unknown" (exit 12): no action.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../infra/reap/kubernetes-fleet";
import { REAP_EXIT } from "../cli/reap";
import { freePort } from "./free-port";
import { runCli } from "./helpers";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-messages-"));
const kube = (patch: Record<string, unknown>) =>
  ({ namespace: "vllm", ...patch }) as never as Parameters<typeof loadKubeConfig>[1];

function kubeconfigFor(server: string): string {
  const file = path.join(dir, `kubeconfig-${server.replace(/\W/g, "_")}`);
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: c, cluster: { server: " + server + ", insecure-skip-tls-verify: true } }]",
      "users: [{ name: u, user: { token: stand-in } }]",
      "contexts: [{ name: lab, context: { cluster: c, user: u } }]",
      "current-context: lab",
    ].join("\n"),
  );
  return file;
}

function stackFile(lines: string[]): string {
  const file = path.join(dir, `Pulumi.msg${fs.readdirSync(dir).length}.yaml`);
  fs.writeFileSync(
    file,
    [
      "config:",
      "  vllm-tco:platform: kubernetes",
      "  vllm-tco:model: { id: llama-3.1-8b }",
      "  vllm-tco:workload: { requestsPerMonth: 1000000 }",
      ...lines,
    ].join("\n"),
  );
  return file;
}

const reap = (file: string, ...extra: string[]) =>
  runCli("reap", "--stack-file", file, "--idle-minutes", "1", "--timeout-seconds", "5", ...extra);

describe("kubeconfig problems: one message with the fix", () => {
  const saved = { KUBECONFIG: process.env["KUBECONFIG"], HOME: process.env["HOME"] };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it("a stated kubeconfig that cannot be read names the setting, the file and both fixes", () => {
    expect(() => loadKubeConfig(k8s, kube({ kubeconfig: path.join(dir, "missing") }))).toThrow(
      `cannot read kubernetes.kubeconfig ${path.join(dir, "missing")} (ENOENT): point vllm-tco:kubernetes.kubeconfig at your cluster's kubeconfig, or remove it to use $KUBECONFIG or ~/.kube/config`,
    );
  });

  it("no kubeconfig anywhere is said as such (not the client's silent localhost:8080)", () => {
    delete process.env["KUBECONFIG"];
    process.env["HOME"] = fs.mkdtempSync(path.join(os.tmpdir(), "no-home-"));
    expect(() => loadKubeConfig(k8s, kube({}), {})).toThrow(
      /^no kubeconfig found \(KUBECONFIG is unset, no ~\/\.kube\/config, not inside a cluster\): set vllm-tco:kubernetes\.kubeconfig or KUBECONFIG/,
    );
  });

  it("a context the kubeconfig lacks lists the ones it has", () => {
    expect(() =>
      loadKubeConfig(k8s, kube({ kubeconfig: kubeconfigFor("https://127.0.0.1:1"), context: "prod" })),
    ).toThrow("kubernetes.context prod is not in the kubeconfig (it has: lab)");
  });

  it("an API server that refuses the connection: the address and what to check, and no action (exit 12)", async () => {
    const server = `https://127.0.0.1:${await freePort()}`;
    const file = stackFile([
      `  vllm-tco:kubernetes: { kubeconfig: ${kubeconfigFor(server)} }`,
      `  vllm-tco:metrics: { prometheusUrl: "http://127.0.0.1:${await freePort()}" }`,
    ]);
    const r = await reap(file);
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.out).toContain(
      `cannot reach the Kubernetes API at ${server} (ECONNREFUSED); check that the kubeconfig's current context is the cluster`,
    );
    expect(r.out).not.toContain("127.0.0.1:8080");
  });
});

describe("the in-cluster Prometheus default, used from outside the cluster", () => {
  it("says how to reach it from here: a port-forward and --prometheus, or metrics.prometheusUrl", async () => {
    // `.invalid` never resolves (RFC 6761): the off-cluster case, deterministically.
    const file = stackFile([
      `  vllm-tco:kubernetes: { kubeconfig: ${kubeconfigFor(`https://127.0.0.1:${await freePort()}`)}, prometheusAddress: "http://prometheus-operated.monitoring.invalid:9090" }`,
    ]);
    const r = await reap(file);
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.out).toContain(
      "is the in-cluster address (kubernetes.prometheusAddress), which resolves only inside the cluster: from here run `kubectl -n monitoring port-forward svc/prometheus-operated 9090` and pass --prometheus http://localhost:9090, or set vllm-tco:metrics.prometheusUrl",
    );
  });

  it("an address the user gave is not second-guessed", async () => {
    const file = stackFile([
      `  vllm-tco:kubernetes: { kubeconfig: ${kubeconfigFor(`https://127.0.0.1:${await freePort()}`)} }`,
    ]);
    const r = await reap(file, "--prometheus", "http://prometheus-operated.monitoring.invalid:9090");
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(r.out).toMatch(
      /metrics source unavailable: http:\/\/prometheus-operated\.monitoring\.invalid:9090: (ENOTFOUND|EAI_AGAIN)/,
    );
    expect(r.out).not.toContain("port-forward");
  });
});
