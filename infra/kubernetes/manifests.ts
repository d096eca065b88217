/**
 * Every object the kubernetes platform applies, rendered from the stack config (pure). The component
 * registers exactly these; tests validate each against the upstream schemas.
 */
import type { KubernetesServiceArgs } from "../component-args";
import { horizontalPodAutoscaler, httpScaledObject, scaledObject } from "./autoscaling-manifests";
import {
  engineDeployment,
  engineService,
  engineServiceMonitor,
  modelCacheClaim,
  type EngineSecrets,
} from "./engine-manifests";
import { disruptionBudget, networkPolicies } from "./hardening-manifests";
import { kubeNames, labels } from "./names";
import { routerDeployment, routerRbac, routerService, scalesFromZero } from "./router-manifests";

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export interface KubernetesManifests {
  readonly namespace?: Manifest;
  readonly modelCache?: Manifest;
  readonly engine: Manifest;
  readonly engineService: Manifest;
  readonly routerServiceAccount: Manifest;
  readonly routerRole: Manifest;
  readonly routerRoleBinding: Manifest;
  readonly router: Manifest;
  readonly routerService: Manifest;
  readonly engineBudget: Manifest;
  readonly routerBudget: Manifest;
  readonly engineNetworkPolicy: Manifest;
  readonly routerNetworkPolicy: Manifest;
  readonly scaledObject?: Manifest;
  readonly httpScaledObject?: Manifest;
  readonly horizontalPodAutoscaler?: Manifest;
  readonly serviceMonitor?: Manifest;
}

export function renderKubernetes(
  a: KubernetesServiceArgs,
  name: string,
  secrets: EngineSecrets,
): KubernetesManifests {
  const k = a.kubernetes;
  const n = kubeNames(a, name);
  const rbac = routerRbac(a, name, n);
  const policies = networkPolicies(a, name, n);
  const manifests: KubernetesManifests = {
    ...(k.createNamespace && {
      namespace: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: n.namespace,
          labels: { "app.kubernetes.io/part-of": "vllm-tco", "app.kubernetes.io/managed-by": "pulumi" },
        },
      },
    }),
    ...(!k.existingClaim && { modelCache: modelCacheClaim(a, name, n) }),
    engine: engineDeployment(a, name, n, secrets),
    engineService: engineService(a, name, n),
    routerServiceAccount: rbac.serviceAccount,
    routerRole: rbac.role,
    routerRoleBinding: rbac.roleBinding,
    router: routerDeployment(a, name, n, secrets.apiKey),
    routerService: routerService(a, name, n),
    engineBudget: disruptionBudget(a, name, n, "engine"),
    routerBudget: disruptionBudget(a, name, n, "router"),
    engineNetworkPolicy: policies.engine,
    routerNetworkPolicy: policies.router,
    ...(k.keda
      ? { scaledObject: scaledObject(a, name, n) }
      : { horizontalPodAutoscaler: horizontalPodAutoscaler(a, name, n) }),
    ...(scalesFromZero(a) && { httpScaledObject: httpScaledObject(a, name, n) }),
    ...(k.serviceMonitor && { serviceMonitor: engineServiceMonitor(a, name, n) }),
  };
  return k.waitForReady ? manifests : withoutReadinessWaits(manifests);
}

/** The kinds the Kubernetes provider waits on until pods run (its await logic), and the annotation that skips it. */
const AWAITED_KINDS = new Set(["Deployment", "Service", "PersistentVolumeClaim"]);
const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

function withoutReadinessWaits(m: KubernetesManifests): KubernetesManifests {
  const marked = Object.entries(m).map(([key, obj]) => {
    const o = obj as { kind: string; metadata: { annotations?: Record<string, string> } };
    if (!AWAITED_KINDS.has(o.kind)) return [key, obj];
    return [
      key,
      { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...SKIP_AWAIT } } },
    ];
  });
  return Object.fromEntries(marked) as KubernetesManifests;
}

/**
 * Where the engines read each secret: an existing Secret the stack references, or one the component
 * creates from the stack's Pulumi secret (key `value`), or none.
 */
export function secretRefs(
  a: KubernetesServiceArgs,
  name: string,
  has: { hfToken: boolean; apiKey: boolean },
): EngineSecrets {
  const n = kubeNames(a, name);
  const ref = (existing: { name: string; key: string } | undefined, given: boolean, secretName: string) =>
    existing ?? (given ? { name: secretName, key: "value" } : undefined);
  const hfToken = ref(a.secrets.hfToken?.kubernetesSecret, has.hfToken, n.hfToken);
  const apiKey = ref(a.secrets.apiKey?.kubernetesSecret, has.apiKey, n.apiKey);
  return { ...(hfToken && { hfToken }), ...(apiKey && { apiKey }) };
}

/** A Secret the component creates from a Pulumi secret: the manifest without its value. */
export function secretManifest(a: KubernetesServiceArgs, name: string, secretName: string): Manifest {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: secretName, namespace: a.kubernetes.namespace, labels: labels(a, name, "engine") },
  };
}
