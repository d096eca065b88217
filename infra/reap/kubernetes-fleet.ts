/**
 * The kubernetes platform's fleet: the engine Deployment, paused through its autoscaler.
 *
 * With KEDA the reaper never scales the Deployment behind KEDA's back (KEDA would scale it straight
 * back to `minReplicaCount`): it sets `autoscaling.keda.sh/paused-replicas: "0"` on the ScaledObject,
 * which makes KEDA scale the target to zero and hold it there until the annotation is removed (KEDA
 * docs, "Pause autoscaling"). Without KEDA the Deployment is scaled to zero, which an HPA leaves alone
 * ("scaling is disabled" while the target has zero replicas, Kubernetes HPA documentation).
 * Every write carries the resourceVersion the decision saw, so the API server refuses it (409) if the
 * object changed in between.
 */
import type { KubernetesStackConfig } from "../../cost/config/stack-config";
import { COMPONENT_NAME, kubeNames } from "../kubernetes/names";
import { FleetChanged, replicaCount, type Fleet, type FleetState, type OwnedPods } from "./fleet";
import { within } from "./guard";

export const PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas";
/** KEDA's other pause: the target stays at whatever count it has. */
export const PAUSED = "autoscaling.keda.sh/paused";
const MERGE_PATCH = { headers: { "Content-Type": "application/merge-patch+json" } };

type Obj = {
  metadata?: {
    name?: string;
    uid?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind?: string; uid?: string; controller?: boolean }[];
  };
  spec?: unknown;
  status?: unknown;
};
type List = { items?: Obj[]; metadata?: { continue?: string } };

/** The most pods or ReplicaSets one list may hold: a fleet is a handful; more is not the reaper's to read. */
const LIST_LIMIT = 1000;

/** The object's controlling owner (the one ownerReference with `controller: true`). */
const controllerOf = (o: Obj) => o.metadata?.ownerReferences?.find((r) => r.controller === true);

type KubeConfig = import("@kubernetes/client-node").KubeConfig;

/**
 * The stack's kubeconfig, or one error that names the problem and the fix. Without any kubeconfig the
 * client silently falls back to http://localhost:8080, which surfaced as a bare ECONNREFUSED.
 */
export function loadKubeConfig(
  k8s: typeof import("@kubernetes/client-node"),
  k: KubernetesStackConfig["kubernetes"],
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  const kc = new k8s.KubeConfig();
  // A load that fails says which file, why (its error code or first line) and the fix.
  const load = (read: () => void, explain: (why: string) => string) => {
    try {
      read();
    } catch (e) {
      throw new Error(explain((e as { code?: string }).code ?? (e as Error).message.split("\n")[0]!));
    }
  };
  if (k.kubeconfig)
    load(
      () => kc.loadFromFile(k.kubeconfig!),
      (why) =>
        `cannot read kubernetes.kubeconfig ${k.kubeconfig} (${why}): point vllm-tco:kubernetes.kubeconfig at your cluster's kubeconfig, or remove it to use $KUBECONFIG or ~/.kube/config`,
    );
  else
    load(
      () => kc.loadFromDefault(),
      (why) =>
        `cannot read the kubeconfig KUBECONFIG=${env["KUBECONFIG"] ?? "~/.kube/config"} names (${why}): set KUBECONFIG or vllm-tco:kubernetes.kubeconfig to your cluster's kubeconfig`,
    );
  if (k.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(k.context))
      throw new Error(
        `kubernetes.context ${k.context} is not in the kubeconfig (it has: ${names.join(", ") || "none"}): set vllm-tco:kubernetes.context to one of them`,
      );
    kc.setCurrentContext(k.context);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!k.kubeconfig && (!server || server === "http://localhost:8080"))
    throw new Error(
      `no kubeconfig found (${env["KUBECONFIG"] ? `KUBECONFIG=${env["KUBECONFIG"]} names none that loads` : "KUBECONFIG is unset"}, no ~/.kube/config, not inside a cluster): set vllm-tco:kubernetes.kubeconfig or KUBECONFIG to your cluster's kubeconfig`,
    );
  return kc;
}

/** The calls the reaper makes, each with its deadline, a 409 as FleetChanged, errors that say which call. */
function kubeApi(cfg: KubernetesStackConfig, callTimeoutMs: number) {
  const k = cfg.kubernetes;
  const n = kubeNames(cfg, COMPONENT_NAME);
  const ns = n.namespace;
  let server = "the cluster";
  // The kubeconfig is read and the clients made once per run, not once per call.
  let made: ReturnType<typeof makeClients> | undefined;
  const makeClients = async () => {
    const k8s = await import("@kubernetes/client-node");
    const kc = loadKubeConfig(k8s, k);
    server = kc.getCurrentCluster()?.server ?? server;
    return {
      apps: kc.makeApiClient(k8s.AppsV1Api),
      core: kc.makeApiClient(k8s.CoreV1Api),
      custom: kc.makeApiClient(k8s.CustomObjectsApi),
    };
  };
  const clients = () => (made ??= makeClients());
  // A connection that fails names the address and what to check, not only the socket error.
  const unreachable = (code: string | undefined) =>
    code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ETIMEDOUT"
      ? `: cannot reach the Kubernetes API at ${server} (${code}); check that the kubeconfig's current context${k.context ? ` (${k.context})` : ""} is the cluster, and that it is reachable from here (VPN, kubectl get ns)`
      : "";
  const call = <T>(what: string, work: () => Promise<{ body: T }>): Promise<T> =>
    within(
      work().then(
        (r) => r.body,
        (e: {
          statusCode?: number;
          body?: { message?: string };
          message?: string;
          code?: string;
          cause?: { code?: string };
        }) => {
          if (e.statusCode === 409)
            throw new FleetChanged(`${what}: the object changed since it was read (409 Conflict)`);
          const hint = unreachable(e.code ?? e.cause?.code);
          throw new Error(
            `${what}${hint || `: ${e.statusCode ? `HTTP ${e.statusCode} ` : ""}${e.body?.message ?? e.message ?? "failed"}`}`,
          );
        },
      ),
      callTimeoutMs,
      what,
    );
  const readDeployment = async () => {
    const { apps } = await clients();
    const d = await call<Obj>(
      `GET deployment ${ns}/${n.engine}`,
      () => apps.readNamespacedDeployment(n.engine, ns) as never,
    );
    const spec = d.spec as { replicas?: unknown } | undefined;
    if (!spec || typeof spec !== "object")
      throw new Error(`deployment ${ns}/${n.engine} has no spec in the API's answer`);
    const desired = replicaCount(spec.replicas, "spec.replicas");
    const status = (d.status ?? {}) as { replicas?: unknown };
    const running = status.replicas === undefined ? 0 : replicaCount(status.replicas, "status.replicas");
    const rv = d.metadata?.resourceVersion;
    if (!rv) throw new Error(`deployment ${ns}/${n.engine} has no metadata.resourceVersion`);
    return { replicas: Math.max(desired, running), rv, object: d };
  };
  /**
   * The pods the Deployment owns, as Kubernetes controllers tell ownership: the ReplicaSets its
   * selector matches whose controller is this Deployment (by uid), and the pods whose controller is
   * one of those. The metrics the reaper reads must be these pods' and no others'.
   */
  const ownedPods = async (d: Obj): Promise<OwnedPods> => {
    const { apps, core } = await clients();
    const uid = d.metadata?.uid;
    const match = (d.spec as { selector?: { matchLabels?: Record<string, unknown> } }).selector?.matchLabels;
    if (!uid || !match || typeof match !== "object" || Object.keys(match).length === 0)
      throw new Error(
        `deployment ${ns}/${n.engine} has no metadata.uid or spec.selector.matchLabels: its pods cannot be told apart`,
      );
    const selector = Object.entries(match)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(",");
    const list = async (what: string, work: () => Promise<{ body: unknown }>) => {
      const l = await call<List>(`LIST ${what} ${ns} (${selector})`, work as never);
      if (l.metadata?.continue)
        throw new Error(
          `more than ${LIST_LIMIT} ${what} in ${ns} match ${selector}: not a fleet the reaper reads`,
        );
      return l.items ?? [];
    };
    const sets = await list("replicasets", () =>
      apps.listNamespacedReplicaSet(ns, undefined, undefined, undefined, undefined, selector, LIST_LIMIT),
    );
    const ours = new Set(
      sets
        .filter((r) => controllerOf(r)?.uid === uid)
        .map((r) => r.metadata?.uid)
        .filter(Boolean),
    );
    const pods = await list("pods", () =>
      core.listNamespacedPod(ns, undefined, undefined, undefined, undefined, selector, LIST_LIMIT),
    );
    return {
      owner: `Deployment ${ns}/${n.engine}`,
      namespace: ns,
      names: pods
        .filter((p) => ours.has(controllerOf(p)?.uid))
        .map((p) => p.metadata?.name ?? "")
        .filter(Boolean)
        .sort(),
    };
  };
  const readScaledObject = async () => {
    const { custom } = await clients();
    const so = await call<Obj>(
      `GET scaledobject ${ns}/${n.engine}`,
      () => custom.getNamespacedCustomObject("keda.sh", "v1alpha1", ns, "scaledobjects", n.engine) as never,
    );
    const rv = so.metadata?.resourceVersion;
    if (!rv) throw new Error(`scaledobject ${ns}/${n.engine} has no metadata.resourceVersion`);
    return { rv, annotations: so.metadata?.annotations ?? {}, spec: so.spec };
  };
  const patchScaledObject = async (metadata: Record<string, unknown>, what: string) => {
    const { custom } = await clients();
    await call(
      what,
      () =>
        custom.patchNamespacedCustomObject(
          "keda.sh",
          "v1alpha1",
          ns,
          "scaledobjects",
          n.engine,
          { metadata },
          undefined,
          "vllm-tco-reap",
          undefined,
          MERGE_PATCH,
        ) as never,
    );
  };
  const patchDeployment = async (body: Record<string, unknown>, what: string) => {
    const { apps } = await clients();
    await call(
      what,
      () =>
        apps.patchNamespacedDeployment(
          n.engine,
          ns,
          body,
          undefined,
          undefined,
          "vllm-tco-reap",
          undefined,
          undefined,
          MERGE_PATCH,
        ) as never,
    );
  };
  return { ns, n, readDeployment, ownedPods, readScaledObject, patchScaledObject, patchDeployment };
}

type KubeApi = ReturnType<typeof kubeApi>;

export function kubernetesFleet(cfg: KubernetesStackConfig, callTimeoutMs = 10_000): Fleet {
  const api = kubeApi(cfg, callTimeoutMs);
  return cfg.kubernetes.keda ? kedaFleet(cfg, api) : deploymentFleet(cfg, api);
}

/** With KEDA: pause the ScaledObject at zero (KEDA scales the engines down and holds them). */
function kedaFleet(cfg: KubernetesStackConfig, api: KubeApi): Fleet {
  const { ns, n, readDeployment, ownedPods, readScaledObject, patchScaledObject } = api;
  /** The Deployment and its ScaledObject, checked to be the reaper's to pause; their version. */
  const read = async () => {
    const d = await readDeployment();
    const so = await readScaledObject();
    // Act only on the stack's own target, never over an operator: a ScaledObject that scales
    // something else, or that someone already paused, is not the reaper's to write.
    const ref = (
      so.spec as { scaleTargetRef?: { name?: unknown; kind?: unknown; apiVersion?: unknown } } | undefined
    )?.scaleTargetRef;
    if (
      !ref ||
      ref.name !== n.engine ||
      (ref.kind !== undefined && ref.kind !== "Deployment") ||
      (ref.apiVersion !== undefined && ref.apiVersion !== "apps/v1")
    )
      throw new Error(
        `ScaledObject ${ns}/${n.engine} scales ${JSON.stringify(ref ?? null)}, not the stack's Deployment ${n.engine}: not the reaper's to pause`,
      );
    const paused = Object.entries(so.annotations).find(
      ([k, v]) => k === PAUSED_REPLICAS || (k === PAUSED && v !== "false"),
    );
    if (paused)
      throw new Error(
        `ScaledObject ${ns}/${n.engine} is already paused (${paused[0]}: "${paused[1]}"): left as it is; \`vllm-tco reap --resume\` removes a pause`,
      );
    return { deployment: d, replicas: d.replicas, version: `deployment@${d.rv} scaledobject@${so.rv}` };
  };
  return {
    target: `ScaledObject ${ns}/${n.engine}`,
    async state(): Promise<FleetState> {
      const { deployment, ...state } = await read();
      return { ...state, pods: await ownedPods(deployment.object) };
    },
    async pause(seen) {
      // The compare-and-act re-read needs the versions only, not the pod list again.
      const now = await read();
      if (now.version !== seen.version)
        throw new FleetChanged(
          `the fleet changed during the window (${seen.replicas} → ${now.replicas} replica(s); ${seen.version} → ${now.version})`,
        );
      const rv = /scaledobject@(\S+)/.exec(now.version)![1]!;
      await patchScaledObject(
        { resourceVersion: rv, annotations: { [PAUSED_REPLICAS]: "0" } },
        `PATCH scaledobject ${ns}/${n.engine}`,
      );
      return `annotated ScaledObject ${ns}/${n.engine} ${PAUSED_REPLICAS}="0": KEDA takes the engines to zero and holds them there`;
    },
    async resume() {
      const so = await readScaledObject();
      if (!(PAUSED_REPLICAS in so.annotations))
        return `ScaledObject ${ns}/${n.engine} was not paused: nothing to do`;
      await patchScaledObject(
        { annotations: { [PAUSED_REPLICAS]: null } },
        `PATCH scaledobject ${ns}/${n.engine}`,
      );
      return `removed ${PAUSED_REPLICAS} from ScaledObject ${ns}/${n.engine}: KEDA scales the engines again (min ${cfg.scaling.min})`;
    },
  };
}

/** Without KEDA: the Deployment itself, with the same resourceVersion precondition. */
function deploymentFleet(cfg: KubernetesStackConfig, api: KubeApi): Fleet {
  const { ns, n, readDeployment, ownedPods, patchDeployment } = api;
  return {
    target: `deployment ${ns}/${n.engine}`,
    async state() {
      const d = await readDeployment();
      return { replicas: d.replicas, version: `deployment@${d.rv}`, pods: await ownedPods(d.object) };
    },
    async pause(seen) {
      const d = await readDeployment();
      if (`deployment@${d.rv}` !== seen.version)
        throw new FleetChanged(
          `the fleet changed during the window (${seen.replicas} → ${d.replicas} replica(s))`,
        );
      await patchDeployment(
        { metadata: { resourceVersion: d.rv }, spec: { replicas: 0 } },
        `PATCH deployment ${ns}/${n.engine}`,
      );
      return `scaled deployment ${ns}/${n.engine} to 0 (its HPA stays idle while the target is at zero)`;
    },
    async resume() {
      const replicas = Math.max(1, cfg.scaling.min);
      await patchDeployment({ spec: { replicas } }, `PATCH deployment ${ns}/${n.engine}`);
      return `scaled deployment ${ns}/${n.engine} to ${replicas}: its HPA takes over again`;
    },
  };
}
