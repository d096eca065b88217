/**
 * What the cluster must run for the kubernetes platform's custom resources to work, by the kind that
 * needs it. The versions are those whose published CRDs the tests validate every rendered object
 * against (tests/contracts/crds/, with their sources); older releases lack fields the kit sets.
 */
export interface ClusterRequirement {
  /** The custom resource that needs it, as `group/version Kind`. */
  readonly kind: string;
  readonly component: string;
  readonly minimum: string;
  readonly why: string;
}

export const CLUSTER_REQUIREMENTS: readonly ClusterRequirement[] = [
  {
    kind: "keda.sh/v1alpha1 ScaledObject",
    component: "KEDA",
    minimum: "v2.16",
    why: "Prometheus and external-push triggers, HPA behaviour under `advanced`",
  },
  {
    kind: "http.keda.sh/v1alpha1 HTTPScaledObject",
    component: "KEDA HTTP add-on",
    minimum: "v0.14",
    why: "`spec.timeouts` holds requests for the whole cold start (older interceptors give up within seconds)",
  },
  {
    kind: "monitoring.coreos.com/v1 ServiceMonitor",
    component: "Prometheus Operator (e.g. kube-prometheus-stack)",
    minimum: "v0.85",
    why: "scrapes the engines' /metrics for KEDA's Prometheus queries",
  },
];

/** The requirements of the custom resources a plan registers (resource types as Pulumi names them). */
export function requirementsFor(resourceTypes: readonly string[]): ClusterRequirement[] {
  return CLUSTER_REQUIREMENTS.filter((r) => {
    const [groupVersion, kind] = r.kind.split(" ");
    return resourceTypes.includes(`kubernetes:${groupVersion}:${kind}`);
  });
}
