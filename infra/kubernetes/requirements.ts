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
    // KEDA answers the HPA with an error for every metric of a ScaledObject when one of its scalers
    // fails (v2.21 GetScaledObjectMetrics; seen in tests/controllers.test.ts): the add-on's scaler
    // must answer the external-push trigger, or the fleet wakes from zero but never scales out.
    why: "`spec.timeouts` holds requests for the whole cold start (older interceptors give up within seconds); its external scaler must be running: while it is unreachable KEDA fails every metric of the ScaledObject and the HPA cannot scale out",
  },
  {
    kind: "monitoring.coreos.com/v1 ServiceMonitor",
    component: "Prometheus Operator (e.g. kube-prometheus-stack)",
    minimum: "v0.85",
    // The Operator labels each target's series with its `pod` and `namespace`: the reaper proves the
    // series are the Deployment's own pods by them (infra/reap/decide.ts provenanceProblem).
    why: "scrapes the engines' /metrics for KEDA's Prometheus queries, each series labelled with its pod and namespace (the Operator's default target labels; `vllm-tco reap` reads only the Deployment's own pods' series)",
  },
];

/** What the stack's config says the cluster's monitoring looks like (kubernetes.*). */
export interface MonitoringAssumptions {
  readonly serviceMonitorLabels: Readonly<Record<string, string>>;
  readonly prometheusAddress: string;
}

/**
 * The requirements of the custom resources a plan registers (resource types as Pulumi names them),
 * with the labels and address the stack assumes: a ServiceMonitor the Operator's selector does not
 * match is never scraped, and KEDA's queries then return nothing.
 */
export function requirementsFor(
  resourceTypes: readonly string[],
  monitoring?: MonitoringAssumptions,
): ClusterRequirement[] {
  return CLUSTER_REQUIREMENTS.filter((r) => {
    const [groupVersion, kind] = r.kind.split(" ");
    return resourceTypes.includes(`kubernetes:${groupVersion}:${kind}`);
  }).map((r) =>
    r.component.startsWith("Prometheus Operator") && monitoring
      ? {
          ...r,
          why: `${r.why}; its Prometheus must select ServiceMonitors labelled ${
            Object.entries(monitoring.serviceMonitorLabels)
              .map(([k, v]) => `${k}=${v}`)
              .join(",") || "(no labels)"
          } (kubernetes.serviceMonitorLabels; the kube-prometheus-stack chart selects release=<its release name>) and answer at ${monitoring.prometheusAddress} (kubernetes.prometheusAddress)`,
        }
      : r,
  );
}
