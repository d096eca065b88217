/**
 * Autoscaling (pure): a KEDA ScaledObject on vLLM's own Prometheus metrics, with scale to zero and
 * the KEDA HTTP add-on as the activator that holds requests while the first replica loads; or,
 * without KEDA, a HorizontalPodAutoscaler with a floor of one.
 */
import type { StackConfig } from "../stack-config";
import { labels, type KubeNames } from "./names";
import { ROUTER_SERVICE_PORT, scalesFromZero } from "./router-manifests";

/** The HTTP add-on's external scaler, as installed by its Helm chart into the `keda` namespace. */
export const HTTP_ADDON_SCALER = "keda-add-ons-http-external-scaler.keda:9090";
/** Where in-cluster clients send requests when scaling from zero (with their Host header set to `host`). */
export const HTTP_ADDON_PROXY = "keda-add-ons-http-interceptor-proxy.keda:8080";

/** PromQL over this stack's engines only. */
export function engineQueries(cfg: StackConfig, n: KubeNames) {
  const sel = `namespace="${n.namespace}",model_name="${cfg.model.servedName}"`;
  return {
    queue: `sum(vllm:num_requests_waiting{${sel}})`,
    running: `sum(vllm:num_requests_running{${sel}})`,
    requests: `sum(rate(vllm:request_success_total{${sel}}[1m])) * 60`,
  };
}

const DEFAULT_THRESHOLD = { queue: 5, running: 32, requests: 60 } as const;

export function scaledObject(cfg: StackConfig, name: string, n: KubeNames) {
  const k = cfg.kubernetes!;
  const s = cfg.scaling;
  const q = engineQueries(cfg, n);
  // The configured metric uses the configured target; the others keep their defaults so a long queue
  // or a full batch still adds replicas.
  const threshold = (m: keyof typeof q) => String(m === s.metric ? s.target : DEFAULT_THRESHOLD[m]);
  const prometheus = (m: keyof typeof q) => ({
    type: "prometheus",
    name: m,
    metadata: {
      serverAddress: k.prometheusAddress,
      query: q[m],
      threshold: threshold(m),
      activationThreshold: "0",
    },
  });
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: n.engine, namespace: n.namespace, labels: labels(cfg, name, "engine") },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: n.engine },
      minReplicaCount: s.min,
      maxReplicaCount: s.max,
      pollingInterval: s.pollingSeconds,
      // KEDA's cooldownPeriod only governs the last step, to zero: the idle window.
      cooldownPeriod: s.idleMinutes * 60,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: { scaleDown: { stabilizationWindowSeconds: s.cooldownSeconds } },
        },
      },
      triggers: [
        prometheus("queue"),
        prometheus("running"),
        ...(s.metric === "requests" ? [prometheus("requests")] : []),
        // Requests held by the interceptor wake the engines from zero (no vLLM metric exists then).
        ...(scalesFromZero(cfg)
          ? [
              {
                type: "external-push",
                name: "held-requests",
                metadata: { scalerAddress: HTTP_ADDON_SCALER, httpScaledObject: n.router },
              },
            ]
          : []),
      ],
    },
  };
}

/**
 * The activator's route: requests for `host` go through the interceptor to the router; the
 * interceptor holds them while the router has no ready endpoint (no engine up yet). Scaling stays
 * with the ScaledObject above (`skip-scaledobject-creation`).
 */
export function httpScaledObject(cfg: StackConfig, name: string, n: KubeNames) {
  return {
    apiVersion: "http.keda.sh/v1alpha1",
    kind: "HTTPScaledObject",
    metadata: {
      name: n.router,
      namespace: n.namespace,
      labels: labels(cfg, name, "router"),
      annotations: { "httpscaledobject.keda.sh/skip-scaledobject-creation": "true" },
    },
    spec: {
      hosts: [n.host],
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: n.engine,
        service: n.router,
        port: ROUTER_SERVICE_PORT,
      },
      replicas: { min: 0, max: cfg.scaling.max },
      scaledownPeriod: cfg.scaling.idleMinutes * 60,
      scalingMetric: {
        concurrency: { targetValue: cfg.scaling.metric === "running" ? cfg.scaling.target : 32 },
      },
    },
  };
}

/**
 * Without KEDA: an HPA on the queue-depth metric as exposed by prometheus-adapter (its default rule
 * renames `vllm:num_requests_waiting` to `vllm_num_requests_waiting`), never below one replica.
 */
export function horizontalPodAutoscaler(cfg: StackConfig, name: string, n: KubeNames) {
  const s = cfg.scaling;
  const metric = {
    queue: "vllm_num_requests_waiting",
    running: "vllm_num_requests_running",
    requests: "vllm_request_success_per_minute",
  }[s.metric];
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: n.engine, namespace: n.namespace, labels: labels(cfg, name, "engine") },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: n.engine },
      minReplicas: Math.max(1, s.min),
      maxReplicas: s.max,
      metrics: [
        {
          type: "Pods",
          pods: {
            metric: { name: metric },
            target: { type: "AverageValue", averageValue: String(s.target) },
          },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: s.cooldownSeconds } },
    },
  };
}
