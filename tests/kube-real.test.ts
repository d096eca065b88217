/**
 * The kubernetes platform against a real API server (tests/kube-apiserver.ts): every object the onprem
 * stack renders is accepted with strict field validation, CRDs included, and the reaper's pause and
 * resume land on a real ScaledObject, with the real resourceVersion precondition refusing a stale write.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REAP_EXIT } from "../cli/reap";
import { readStackFile } from "../cost/config/stack-file";
import { planStack, type PlanResult } from "../infra/plan/run";
import { KubeApiServer, type KubeObject } from "./kube-apiserver";
import { plan, SENTINELS } from "./program-helpers";
import { Prometheus, runReap, sleep, StandInReplica } from "./reap-harness";
import { readmeReapLines } from "./readme-lines";
import { runChild } from "./child";

const CRDS = [
  "keda.sh_scaledobjects.yaml",
  "http.keda.sh_httpscaledobjects.yaml",
  "monitoring.coreos.com_servicemonitors.yaml",
].map((f) => path.join(__dirname, "contracts/crds", f));

function kubeObjects(r: PlanResult): KubeObject[] {
  return r.resources
    .filter((x) => x.type.startsWith("kubernetes:"))
    .map((x) => x.inputs as never as KubeObject);
}

const server = new KubeApiServer();

beforeAll(async () => {
  await server.start({ controllerManager: true });
  await server.installCrds(CRDS);
}, 600_000);

afterAll(async () => {
  await server.stop();
});

describe("a real kube-apiserver accepts what the onprem stack renders", () => {
  it.each([
    ["the onprem example", "onprem-example", {}],
    ["scale to zero (KEDA HTTP add-on)", "onprem-zero", { scaling: { min: 0 } }],
    ["without KEDA (HorizontalPodAutoscaler)", "onprem-hpa", { kubernetes: { keda: false } }],
    [
      "scrape annotations instead of a ServiceMonitor",
      "onprem-annotations",
      { kubernetes: { serviceMonitor: false } },
    ],
  ])("%s: every object created with strict field validation", async (_name, namespace, patch) => {
    const r = await plan("onprem", {
      ...patch,
      kubernetes: { ...(patch as { kubernetes?: object }).kubernetes, namespace },
    });
    expect(r.error).toBeUndefined();
    await server.ensureNamespace(namespace);
    const objects = kubeObjects(r).filter((o) => o.kind !== "Namespace");
    expect(objects.length).toBeGreaterThan(8);
    const refused: string[] = [];
    for (const o of objects) {
      const a = await server.create(o, o.metadata.namespace ?? namespace);
      if (a.status !== 201)
        refused.push(`${o.kind} ${o.metadata.name}: HTTP ${a.status} ${String(a.body["message"])}`);
    }
    expect(refused).toEqual([]);
  });
});

/** Polls `read` until `ok` holds (controllers act asynchronously), returning the last value. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}

/**
 * Each stand-in answers as one of the engine pods the controllers created, once there is one per
 * stand-in: its series carry the pod's name and namespace, as service discovery labels a pod's.
 */
async function answerAsEnginePods(replicas: readonly StandInReplica[], ns: string): Promise<void> {
  const pods = await until(
    () => server.podNames(ns, "vllm-engine"),
    (p) => p.length === replicas.length,
  );
  replicas.forEach((r, k) => (r.labels = { namespace: ns, pod: pods[k]! }));
}

describe("the controllers find what the selectors name (no kubelet: pods stay Pending)", () => {
  const ns = "onprem-example";
  const list = async (p: string) =>
    ((await server.request("GET", p)).body["items"] ?? []) as {
      metadata: { name: string; labels?: Record<string, string> };
      status?: Record<string, unknown>;
      endpoints?: unknown[];
    }[];

  it("the Deployments' pods exist and each PodDisruptionBudget counts them (the disruption controller's own matching)", async () => {
    const pods = await until(
      () => list(`/api/v1/namespaces/${ns}/pods`),
      (ps) =>
        ps.some((p) => p.metadata.name.startsWith("vllm-engine-")) &&
        ps.some((p) => p.metadata.name.startsWith("vllm-router-")),
    );
    for (const name of ["vllm-engine", "vllm-router"]) {
      const own = pods.filter((p) => p.metadata.name.startsWith(`${name}-`)).length;
      expect(own).toBeGreaterThanOrEqual(1);
      const pdb = await until(
        async () => (await server.get("policy/v1", "PodDisruptionBudget", ns, name)).body,
        (b) => Number((b["status"] as { expectedPods?: number } | undefined)?.expectedPods ?? 0) > 0,
      );
      expect((pdb["status"] as { expectedPods: number }).expectedPods, name).toBe(own);
    }
  }, 60_000);

  it("every Service's and NetworkPolicy's selector matches pods, by the API server's label matching", async () => {
    const r = await plan("onprem", { kubernetes: { namespace: ns } });
    const selectors: [string, Record<string, string>][] = [];
    for (const o of kubeObjects(r)) {
      const spec = o["spec"] as {
        selector?: Record<string, string>;
        podSelector?: { matchLabels?: Record<string, string> };
      };
      if (o.kind === "Service" && spec.selector)
        selectors.push([`Service ${o.metadata.name}`, spec.selector]);
      if (o.kind === "NetworkPolicy" && spec.podSelector?.matchLabels)
        selectors.push([`NetworkPolicy ${o.metadata.name}`, spec.podSelector.matchLabels]);
    }
    expect(selectors.length).toBeGreaterThanOrEqual(4);
    for (const [what, labels] of selectors) {
      const selector = encodeURIComponent(
        Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      );
      const matched = await list(`/api/v1/namespaces/${ns}/pods?labelSelector=${selector}`);
      expect(matched.length, what).toBeGreaterThan(0);
    }
  });

  it("strict validation is real: a ScaledObject with a misplaced field is refused, not silently pruned", async () => {
    const r = await plan("onprem", { kubernetes: { namespace: ns } });
    const so = kubeObjects(r).find((o) => o.kind === "ScaledObject")!;
    const bad = {
      ...so,
      metadata: { ...so.metadata, name: "misplaced" },
      spec: { ...(so["spec"] as object), pollingIntervall: 15 },
    };
    const a = await server.create(bad as KubeObject, ns);
    expect(a.status).toBe(400);
    expect(String(a.body["message"])).toContain('unknown field "spec.pollingIntervall"');
  });
});

describe("vllm-tco reap on a real API server (Prometheus scraping vLLM /metrics stand-ins)", () => {
  const WINDOW_SECONDS = 6;
  // One engine (the stack's floor), one stand-in answering as its pod.
  const replicas = [new StandInReplica("llama-3.1-8b")];
  const prometheus = new Prometheus();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-real-"));
  let race: ((method: string, url: string) => Promise<void>) | undefined;
  let proxy: { url: string; close: () => Promise<void> };
  const stackFile = (ns: string, keda: boolean) => {
    const file = path.join(dir, `Pulumi.${ns}.yaml`);
    fs.writeFileSync(
      file,
      [
        "config:",
        "  vllm-tco:platform: kubernetes",
        "  vllm-tco:model: { id: llama-3.1-8b }",
        `  vllm-tco:kubernetes: { namespace: ${ns}, keda: ${keda}, kubeconfig: ${server.writeKubeconfig(proxy.url, `kubeconfig-${ns}`)} }`,
        `  vllm-tco:metrics: { prometheusUrl: "${prometheus.url}" }`,
        "  vllm-tco:workload: { requestsPerMonth: 1000000 }",
        "  vllm-tco:scaling: { min: 1, max: 2 }",
      ].join("\n"),
    );
    return file;
  };
  const reap = (file: string, extra: string[] = []) =>
    runReap({
      stackFile: file,
      windowSeconds: WINDOW_SECONDS,
      toleranceSeconds: 2.5,
      auditLog: path.join(dir, "audit.jsonl"),
      extra,
    });

  /** Creates the stack's engine Deployment and its autoscaler on the real server. */
  const deploy = async (file: string, ns: string) => {
    const r = await planStack(readStackFile(file), { secretValues: SENTINELS });
    expect(r.error).toBeUndefined();
    await server.ensureNamespace(ns);
    for (const o of kubeObjects(r).filter((o) => o.kind !== "Namespace")) {
      const a = await server.create(o, ns);
      expect(a.status, `${o.kind} ${o.metadata.name}`).toBe(201);
    }
    // The controllers write the Deployment's status as they create its pods; the reaper compares
    // resourceVersions, so (rightly) it abstains while that happens. Start once the status has settled.
    const rv = async () => (await server.get("apps/v1", "Deployment", ns, "vllm-engine")).body as KubeObject;
    let last = "";
    await until(
      async () => {
        await sleep(400);
        const d = await rv();
        const same = d.metadata.resourceVersion === last;
        last = d.metadata.resourceVersion ?? "";
        return same;
      },
      (same) => same,
    );
    // A whole window of the stand-in answering as the pod before the reaper looks.
    await answerAsEnginePods(replicas, ns);
    await sleep((WINDOW_SECONDS + 2) * 1000);
  };
  const scaledObject = async (ns: string) =>
    (await server.get("keda.sh/v1alpha1", "ScaledObject", ns, "vllm-engine")).body as KubeObject;

  beforeAll(async () => {
    proxy = await server.proxy(async (method, url) => {
      if (race) await race(method, url);
    });
    for (const r of replicas) await r.start();
    await prometheus.start(replicas.map((r) => r.port));
    await prometheus.waitForTargets(replicas.length);
  }, 60_000);

  afterAll(async () => {
    await prometheus.stop();
    for (const r of replicas) await r.stop();
    await proxy.close();
  });

  it("with KEDA: dry run changes nothing; a write made stale by a change in between is refused by the server (409); --apply pauses the real ScaledObject; --resume removes the pause", async () => {
    const file = stackFile("reap-keda", true);
    await deploy(file, "reap-keda");
    const before = await scaledObject("reap-keda");

    const dry = await reap(file);
    expect(dry.code).toBe(REAP_EXIT.idle);
    expect(dry.record.result).toContain("dry run");
    expect((await scaledObject("reap-keda")).metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    // Someone edits the ScaledObject after the reaper's last read and before its write.
    race = async (method, url) => {
      if (method !== "PATCH" || !url.includes("/scaledobjects/vllm-engine")) return;
      race = undefined;
      const edit = await server.request(
        "PATCH",
        "/apis/keda.sh/v1alpha1/namespaces/reap-keda/scaledobjects/vllm-engine",
        { metadata: { labels: { "edited-by": "someone-else" } } },
        "application/merge-patch+json",
      );
      expect(edit.status).toBe(200);
    };
    const stale = await reap(file, ["--apply"]);
    expect(stale.code).toBe(REAP_EXIT.unknown);
    expect(stale.record.result).toBe("no action: the fleet changed before the action");
    expect(
      (await scaledObject("reap-keda")).metadata.annotations?.["autoscaling.keda.sh/paused-replicas"],
    ).toBeUndefined();

    const applied = await reap(file, ["--apply"]);
    expect(applied.code).toBe(REAP_EXIT.idle);
    expect(applied.record.result).toBe("applied");
    expect((await scaledObject("reap-keda")).metadata.annotations).toMatchObject({
      "autoscaling.keda.sh/paused-replicas": "0",
    });

    const resumed = await reap(file, ["--resume"]);
    expect(resumed.code).toBe(0);
    expect(
      (await scaledObject("reap-keda")).metadata.annotations?.["autoscaling.keda.sh/paused-replicas"],
    ).toBeUndefined();
  }, 60_000);

  it("without KEDA: --apply scales the real Deployment to zero with the resourceVersion it saw; --resume restores the floor", async () => {
    const file = stackFile("reap-plain", false);
    await deploy(file, "reap-plain");
    const replicasNow = async () =>
      (
        (await server.get("apps/v1", "Deployment", "reap-plain", "vllm-engine")).body["spec"] as {
          replicas: number;
        }
      ).replicas;
    expect(await replicasNow()).toBe(1);
    const applied = await reap(file, ["--apply"]);
    expect(applied.record).toMatchObject({ result: "applied" });
    expect(applied.code).toBe(REAP_EXIT.idle);
    expect(await replicasNow()).toBe(0);
    const resumed = await reap(file, ["--resume"]);
    expect(resumed.code).toBe(0);
    expect(await replicasNow()).toBe(1);
  }, 60_000);

  it("a pod the Deployment's selector matches but no ReplicaSet of it owns is not the fleet: its idle series are no evidence, nothing is written", async () => {
    const ns = "reap-plain";
    const d = (await server.get("apps/v1", "Deployment", ns, "vllm-engine")).body as KubeObject & {
      spec: { selector: { matchLabels: Record<string, string> }; template: { spec: unknown } };
    };
    // Someone runs a bare pod with the engine's labels (a debug copy): the selector matches it.
    const impostor = await server.create(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "vllm-engine-impostor", namespace: ns, labels: d.spec.selector.matchLabels },
        spec: d.spec.template.spec,
      } as KubeObject,
      ns,
    );
    expect(impostor.status).toBe(201);
    replicas[0]!.labels = { namespace: ns, pod: "vllm-engine-impostor" };
    await sleep((WINDOW_SECONDS + 2) * 1000);
    const file = stackFile(ns, false);
    const before = (await server.get("apps/v1", "Deployment", ns, "vllm-engine")).body as KubeObject;
    // Its own audit log: the teardowns above would double the window (hysteresis) back into the
    // minutes before the impostor appeared.
    const r = await runReap({
      stackFile: file,
      windowSeconds: WINDOW_SECONDS,
      toleranceSeconds: 2.5,
      auditLog: path.join(dir, "audit-impostor.jsonl"),
      extra: ["--apply"],
    });
    expect(r.code, JSON.stringify(r.record)).toBe(REAP_EXIT.unknown);
    expect(r.record.reason).toContain(
      "come from pod vllm-engine-impostor, not one of the 1 pod(s) Deployment reap-plain/vllm-engine owns",
    );
    const after = (await server.get("apps/v1", "Deployment", ns, "vllm-engine")).body as KubeObject;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  }, 60_000);
});

describe("every onprem `reap` line of the README runs as written: the shipped bundle in a project copy, against the real API server and a real Prometheus", () => {
  const ns = "vllm"; // the onprem example's own namespace
  const replicas = [new StandInReplica("llama-3.3-70b"), new StandInReplica("llama-3.3-70b")];
  const prometheus = new Prometheus();
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "readme-reap-"));
  const ROOT = path.join(__dirname, "..");
  const lines = readmeReapLines("onprem");

  /** The user's project: the package's bundle and the example stack, told where the cluster and Prometheus are. */
  const copyProject = () => {
    fs.mkdirSync(path.join(project, "dist"));
    fs.mkdirSync(path.join(project, "stacks"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.copyFileSync(path.join(ROOT, "dist/cli.js"), path.join(project, "dist/cli.js"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
    const example = fs.readFileSync(path.join(ROOT, "stacks/Pulumi.onprem.yaml"), "utf8");
    expect(example).toContain("  vllm-tco:kubernetes:\n");
    fs.writeFileSync(
      path.join(project, "stacks/Pulumi.onprem.yaml"),
      example.replace(
        "  vllm-tco:kubernetes:\n",
        `  vllm-tco:kubernetes:\n    kubeconfig: ${server.writeKubeconfig(server.url, "kubeconfig-readme")}\n`,
      ) + `  vllm-tco:metrics:\n    prometheusUrl: "${prometheus.url}"\n`,
    );
  };

  beforeAll(async () => {
    for (const r of replicas) await r.start();
    await prometheus.start(replicas.map((r) => r.port));
    copyProject();
    const r = await planStack(readStackFile(path.join(project, "stacks/Pulumi.onprem.yaml")), {
      secretValues: SENTINELS,
    });
    expect(r.error).toBeUndefined();
    await server.ensureNamespace(ns);
    for (const o of kubeObjects(r).filter((o) => o.kind !== "Namespace"))
      expect((await server.create(o, ns)).status, `${o.kind} ${o.metadata.name}`).toBe(201);
    // Two engines run (the example's scaling.max), one per stand-in replica.
    const scaled = await server.request(
      "PATCH",
      `/apis/apps/v1/namespaces/${ns}/deployments/vllm-engine`,
      { spec: { replicas: 2 } },
      "application/merge-patch+json",
    );
    expect(scaled.status).toBe(200);
    await until(
      async () => (await server.get("apps/v1", "Deployment", ns, "vllm-engine")).body,
      (d) => (d["status"] as { replicas?: number } | undefined)?.replicas === 2,
    );
    await answerAsEnginePods(replicas, ns);
    await prometheus.waitForTargets(2);
    await sleep(9000);
  }, 90_000);

  afterAll(async () => {
    await prometheus.stop();
    for (const r of replicas) await r.stop();
  });

  it("the README has the onprem forms: dry run, --apply, --resume, endpoints", () => {
    expect(
      lines.map((l) => l.replace("npx vllm-tco reap --stack onprem", "").trim().split(" ")[0] ?? ""),
    ).toEqual(["", "--apply", "--resume", "--source"]);
  });

  const paused = async () =>
    ((await server.get("keda.sh/v1alpha1", "ScaledObject", ns, "vllm-engine")).body as KubeObject).metadata
      .annotations?.["autoscaling.keda.sh/paused-replicas"];

  it.each(lines.map((l) => [l]))(
    "%s",
    async (line) => {
      // The endpoints are the README's placeholders; here they are the stand-in replicas.
      const argv = line
        .replace(/^npx vllm-tco /, "")
        .replace("http://10.0.0.5:8000", `http://127.0.0.1:${replicas[0]!.port}`)
        .replace("http://10.0.0.6:8000", `http://127.0.0.1:${replicas[1]!.port}`)
        .split(/\s+/);
      // A compressed window (flags a user can pass too), and the decision as JSON.
      const extra = argv.includes("--resume")
        ? ["--json"]
        : ["--idle-minutes", "0.1", "--tolerance-seconds", "2.5", "--json"];
      // Asynchronously (tests/child.ts): the stand-in replicas answer from this process.
      const r = await runChild(process.execPath, [path.join(project, "dist/cli.js"), ...argv, ...extra], {
        cwd: project,
        timeoutMs: 60_000,
      });
      const out = `${r.stderr}\n${r.stdout}`;
      if (argv.includes("--resume")) {
        expect(r.status, out).toBe(0);
        expect(await paused()).toBeUndefined();
        return;
      }
      expect(r.status, out).toBe(REAP_EXIT.idle);
      const record = JSON.parse(r.stdout) as { result: string };
      if (argv.includes("--apply")) {
        expect(record.result).toBe("applied");
        expect(await paused()).toBe("0");
      } else {
        expect(record.result).toMatch(/^dry run: would scale to zero/);
        expect(await paused()).toBeUndefined();
      }
    },
    60_000,
  );
});
