/**
 * Autoscaling proven by the real controllers (tests/controllers.ts): KEDA's operator and metrics
 * adapter, the HPA controller in kube-controller-manager, kube-scheduler and kwok's fake GPU nodes act
 * on the onprem stack's rendered engine Deployment and ScaledObject, driven by vLLM metrics that a real
 * Prometheus scrapes from a stand-in exporter. The timescale is compressed the way a user can set it:
 * `scaling.pollingSeconds: 1`, `scaling.cooldownSeconds: 0` (the HPA's scale-down stabilisation),
 * `scaling.idleMinutes: 1` (KEDA's cooldownPeriod), and the cluster's HPA sync period at 1 s.
 *
 * Not proven here (no kubelet, GPU or network): that containers start, probes pass, the image pulls
 * and the model loads; the HTTP add-on's interceptor, which holds requests while the first engine
 * loads (its module is not served here, so its HTTPScaledObject is not applied).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REAP_EXIT } from "../cli/reap";
import { readStackFile } from "../cost/config/stack-file";
import { planStack } from "../infra/plan/run";
import { Controllers } from "./controllers";
import { KubeApiServer, type KubeObject } from "./kube-apiserver";
import { SENTINELS } from "./program-helpers";
import { Prometheus, runReap, sleep, StandInReplica } from "./reap-harness";

const NS = "vllm-scaling";
const MAX = 2;
const IDLE_SECONDS = 60;
const server = new KubeApiServer();
const controllers = new Controllers(server);
/** One exporter standing for the fleet: the ScaledObject's queries sum over the namespace. */
const exporter = new StandInReplica("llama-3.3-70b");
const prometheus = new Prometheus();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "controllers-"));
let stackFile = "";

/** Replica counts seen by a watcher that samples the Deployment every 250 ms for the whole test. */
const seen: { at: number; replicas: number }[] = [];
let watching = true;

const deployment = async () =>
  (await server.get("apps/v1", "Deployment", NS, "vllm-engine")).body as KubeObject & {
    spec: { replicas: number };
    status?: { replicas?: number; readyReplicas?: number };
  };
const scaledObject = async () =>
  (await server.get("keda.sh/v1alpha1", "ScaledObject", NS, "vllm-engine")).body as KubeObject;
const replicas = async () => (await deployment()).spec.replicas;

/** Waits until the Deployment asks for `n` replicas. */
const reach = (n: number, ms = 45_000) =>
  controllers.until(`vllm-engine at ${n} replica(s)`, async () => (await replicas()) === n, ms);

const load = (waiting: number, running: number) => {
  exporter.waiting = waiting;
  exporter.running = running;
};

beforeAll(async () => {
  await server.start({ controllerManager: true, scheduler: true, aggregation: true, hpaSyncSeconds: 1 });
  await server.installCrds([
    path.join(__dirname, "contracts/crds/monitoring.coreos.com_servicemonitors.yaml"),
  ]);
  await controllers.start();
  // One 8-GPU server (the example's two TP-4 engines), and a CPU node for the router.
  await controllers.addNode("gpu-node-0", { count: 8, product: "NVIDIA-H100-80GB-HBM3" });
  await controllers.addNode("cpu-node-0");
  await exporter.start();
  await prometheus.start([exporter.port], { labels: { namespace: NS } });
  await prometheus.waitForTargets(1);

  // The onprem example, told where its Prometheus is and which claim holds the weights, on a
  // compressed timescale; scaling to zero.
  const example = fs.readFileSync(path.join(__dirname, "../stacks/Pulumi.onprem.yaml"), "utf8");
  stackFile = path.join(dir, "Pulumi.scaling.yaml");
  fs.writeFileSync(
    stackFile,
    example
      .replace(
        /  vllm-tco:kubernetes:\n(    .*\n)+/,
        [
          "  vllm-tco:kubernetes:",
          `    namespace: ${NS}`,
          "    keda: true",
          "    routing: prefix",
          `    kubeconfig: ${server.kubeconfig}`,
          `    prometheusAddress: "${prometheus.url}"`,
          "    existingClaim: models",
          "",
        ].join("\n"),
      )
      .replace(
        /  vllm-tco:scaling:\n(    .*\n)+/,
        [
          "  vllm-tco:scaling:",
          "    min: 0",
          `    max: ${MAX}`,
          "    pollingSeconds: 1",
          "    cooldownSeconds: 0",
          `    idleMinutes: ${IDLE_SECONDS / 60}`,
          "",
        ].join("\n"),
      ),
  );
  const r = await planStack(readStackFile(stackFile), { secretValues: SENTINELS });
  expect(r.error).toBeUndefined();
  await server.ensureNamespace(NS);
  // The weights' claim the stack names, bound to a volume (no storage provisioner here).
  await controllers.apply({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "models" },
    spec: {
      capacity: { storage: "500Gi" },
      accessModes: ["ReadWriteOnce"],
      hostPath: { path: "/tmp/models" },
      storageClassName: "",
      claimRef: { namespace: NS, name: "models" },
    },
  });
  await controllers.apply({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "models", namespace: NS },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "500Gi" } },
      storageClassName: "",
      volumeName: "models",
    },
  });
  const objects = r.resources
    .filter((x) => x.type.startsWith("kubernetes:"))
    .map((x) => x.inputs as never as KubeObject)
    // The HTTP add-on is not installed (its module is not served here).
    .filter((o) => o.kind !== "Namespace" && o.kind !== "HTTPScaledObject");
  for (const o of objects) await controllers.apply({ ...o, metadata: { ...o.metadata, namespace: NS } });
  void (async () => {
    while (watching) {
      const n = await replicas().catch(() => undefined);
      if (n !== undefined) seen.push({ at: Date.now(), replicas: n });
      await sleep(250);
    }
  })();
}, 180_000);

afterAll(async () => {
  watching = false;
  await prometheus.stop();
  await exporter.stop();
  await controllers.stop();
  await server.stop();
}, 60_000);

let lastPods = "";

describe("KEDA and the HPA scale the onprem engines on vLLM's metrics", () => {
  it("nothing queued or running: KEDA takes the fresh Deployment to scaling.min (0)", async () => {
    load(0, 0);
    await reach(0);
  }, 60_000);

  it("0 → 1: load appearing in the metrics activates the engine Deployment, and kwok runs its pod on the GPU node", async () => {
    load(1, 0);
    await reach(1);
    await controllers
      .until(
        "an engine pod Running on the fake GPU node",
        async () => {
          const pods = (await server.request("GET", `/api/v1/namespaces/${NS}/pods`)).body["items"] as {
            metadata: { name: string };
            spec: { nodeName?: string };
            status: { phase?: string };
          }[];
          lastPods = JSON.stringify(pods.map((p) => [p.metadata.name, p.spec.nodeName, p.status]));
          return pods.some(
            (p) =>
              p.metadata.name.startsWith("vllm-engine-") &&
              p.spec.nodeName === "gpu-node-0" &&
              p.status.phase === "Running",
          );
        },
        // Not a speed check: kwok marks a pod Running when its watch sees it, and under load its
        // watch restarts (a re-list) can hold that for tens of seconds.
        60_000,
      )
      .catch((e: Error) => {
        throw new Error(`${e.message}\npods: ${lastPods}`);
      });
  }, 120_000);

  it(`1 → N: a queue far beyond the target scales out through the HPA to scaling.max (${MAX}) and no further`, async () => {
    const from = Date.now();
    // 50 waiting against a target of 5 a replica asks for 10 replicas: capped at max.
    load(50, 64);
    await reach(MAX);
    await sleep(3000);
    expect(Math.max(...seen.filter((s) => s.at >= from).map((s) => s.replicas))).toBe(MAX);
    const hpa = (
      await server.request(
        "GET",
        `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/keda-hpa-vllm-engine`,
      )
    ).body as {
      spec: { maxReplicas: number; minReplicas: number };
    };
    expect(hpa.spec).toMatchObject({ maxReplicas: MAX, minReplicas: 1 });
  }, 60_000);

  it("load gone but a request still running: back to one engine, and never to zero while it runs (longer than KEDA's cooldown)", async () => {
    load(0, 1);
    await reach(1);
    const from = Date.now();
    await sleep((IDLE_SECONDS + 5) * 1000);
    const during = seen.filter((s) => s.at >= from).map((s) => s.replicas);
    expect(during.length).toBeGreaterThan(100);
    expect(Math.min(...during)).toBe(1);
  }, 120_000);

  it("nothing running: the fleet returns to scaling.min (0) after KEDA's cooldown, not before", async () => {
    const from = Date.now();
    load(0, 0);
    await reach(0, (IDLE_SECONDS + 30) * 1000);
    // KEDA counts the cooldown from the last poll that saw activity.
    expect(Date.now() - from).toBeGreaterThanOrEqual((IDLE_SECONDS - 5) * 1000);
  }, 120_000);
});

describe("the reaper's pause and resume, honoured by the real KEDA", () => {
  const reap = (extra: string[] = []) =>
    runReap({
      stackFile,
      windowSeconds: 6,
      toleranceSeconds: 2.5,
      auditLog: path.join(dir, "audit.jsonl"),
      extra,
    });

  it("reap --apply pauses through the annotation (a stale write still refused while KEDA writes the same object): KEDA takes the engines to 0 and holds them there while the metrics say busy; --resume hands back and KEDA scales up again", async () => {
    // One engine up, then idle within KEDA's cooldown: the reaper's to stop.
    load(1, 0);
    await reach(1);
    // The exporter answers as that engine's pod (Prometheus adds the namespace from the target): the
    // reaper reads only series of pods the Deployment owns.
    let pods: string[] = [];
    await controllers.until(
      "one vllm-engine pod",
      async () => (pods = await server.podNames(NS, "vllm-engine")).length === 1,
      60_000,
    );
    exporter.labels = { pod: pods[0]! };
    load(0, 0);
    await sleep(7500); // Prometheus holds a whole 6 s idle window of 1 s scrapes

    // Someone edits the ScaledObject between the reaper's last read and its write, while KEDA writes
    // the same object: the real server refuses the stale write, and nothing is paused.
    let race: ((method: string, url: string) => Promise<void>) | undefined = async (method, url) => {
      if (method !== "PATCH" || !url.includes("/scaledobjects/vllm-engine")) return;
      race = undefined;
      const edit = await server.request(
        "PATCH",
        `/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/vllm-engine`,
        { metadata: { labels: { "edited-by": "someone-else" } } },
        "application/merge-patch+json",
      );
      expect(edit.status).toBe(200);
    };
    const proxy = await server.proxy(async (method, url) => {
      if (race) await race(method, url);
    });
    const raced = path.join(dir, "Pulumi.raced.yaml");
    fs.writeFileSync(
      raced,
      fs
        .readFileSync(stackFile, "utf8")
        .replace(
          `kubeconfig: ${server.kubeconfig}`,
          `kubeconfig: ${server.writeKubeconfig(proxy.url, "kubeconfig-race")}`,
        ),
    );
    const stale = await runReap({
      stackFile: raced,
      windowSeconds: 6,
      toleranceSeconds: 2.5,
      auditLog: path.join(dir, "audit.jsonl"),
      extra: ["--apply"],
    });
    await proxy.close();
    expect(stale.code, JSON.stringify(stale.record)).toBe(REAP_EXIT.unknown);
    expect(stale.record.result).toBe("no action: the fleet changed before the action");
    expect(
      (await scaledObject()).metadata.annotations?.["autoscaling.keda.sh/paused-replicas"],
    ).toBeUndefined();
    expect(await replicas()).toBe(1);

    const applied = await reap(["--apply"]);
    expect(applied.code, JSON.stringify(applied.record)).toBe(REAP_EXIT.idle);
    expect(applied.record.result).toBe("applied");
    expect((await scaledObject()).metadata.annotations).toMatchObject({
      "autoscaling.keda.sh/paused-replicas": "0",
    });
    await reach(0, 45_000);

    // Busy again while paused: KEDA must not scale (the pause holds).
    const from = Date.now();
    load(20, 8);
    await sleep(6000);
    expect(Math.max(...seen.filter((s) => s.at >= from).map((s) => s.replicas))).toBe(0);

    const resumed = await reap(["--resume"]);
    expect(resumed.code).toBe(0);
    expect(
      (await scaledObject()).metadata.annotations?.["autoscaling.keda.sh/paused-replicas"],
    ).toBeUndefined();
    await reach(MAX);
  }, 180_000);
});
