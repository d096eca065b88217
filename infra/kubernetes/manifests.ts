/**
 * Every object the kubernetes platform applies, rendered from the stack config (pure). The component
 * registers exactly these; tests validate each against the upstream schemas.
 */
import type { StackConfig } from "../../cost/config/stack-config";
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
  cfg: StackConfig,
  name: string,
  secrets: EngineSecrets,
): KubernetesManifests {
  const k = cfg.kubernetes!;
  const n = kubeNames(cfg, name);
  const rbac = routerRbac(cfg, name, n);
  const policies = networkPolicies(cfg, name, n);
  return {
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
    ...(!k.existingClaim && { modelCache: modelCacheClaim(cfg, name, n) }),
    engine: engineDeployment(cfg, name, n, secrets),
    engineService: engineService(cfg, name, n),
    routerServiceAccount: rbac.serviceAccount,
    routerRole: rbac.role,
    routerRoleBinding: rbac.roleBinding,
    router: routerDeployment(cfg, name, n, secrets.apiKey),
    routerService: routerService(cfg, name, n),
    engineBudget: disruptionBudget(cfg, name, n, "engine"),
    routerBudget: disruptionBudget(cfg, name, n, "router"),
    engineNetworkPolicy: policies.engine,
    routerNetworkPolicy: policies.router,
    ...(k.keda
      ? { scaledObject: scaledObject(cfg, name, n) }
      : { horizontalPodAutoscaler: horizontalPodAutoscaler(cfg, name, n) }),
    ...(scalesFromZero(cfg) && { httpScaledObject: httpScaledObject(cfg, name, n) }),
    ...(k.serviceMonitor && { serviceMonitor: engineServiceMonitor(cfg, name, n) }),
  };
}

/**
 * Where the engines read each secret: an existing Secret the stack references, or one the component
 * creates from the stack's Pulumi secret (key `value`), or none.
 */
export function secretRefs(
  cfg: StackConfig,
  name: string,
  has: { hfToken: boolean; apiKey: boolean },
): EngineSecrets {
  const n = kubeNames(cfg, name);
  const ref = (existing: { name: string; key: string } | undefined, given: boolean, secretName: string) =>
    existing ?? (given ? { name: secretName, key: "value" } : undefined);
  const hfToken = ref(cfg.secrets.hfToken?.kubernetesSecret, has.hfToken, n.hfToken);
  const apiKey = ref(cfg.secrets.apiKey?.kubernetesSecret, has.apiKey, n.apiKey);
  return { ...(hfToken && { hfToken }), ...(apiKey && { apiKey }) };
}

/** A Secret the component creates from a Pulumi secret: the manifest without its value. */
export function secretManifest(cfg: StackConfig, name: string, secretName: string): Manifest {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: secretName, namespace: cfg.kubernetes!.namespace, labels: labels(cfg, name, "engine") },
  };
}
