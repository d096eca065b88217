/**
 * Autoscaling (pure): a KEDA ScaledObject on vLLM's own Prometheus metrics, with scale to zero and
 * the KEDA HTTP add-on as the activator that holds requests while the first replica loads; or,
 * without KEDA, a HorizontalPodAutoscaler with a floor of one.
 */
import type { KubernetesServiceArgs } from "../component-args";
import { labels, type KubeNames } from "./names";
import { ROUTER_SERVICE_PORT, scalesFromZero } from "./router-manifests";

/** The HTTP add-on's external scaler, as installed by its Helm chart into the `keda` namespace. */
export const HTTP_ADDON_SCALER = "keda-add-ons-http-external-scaler.keda:9090";
/** Where in-cluster clients send requests when scaling from zero (with their Host header set to `host`). */
export const HTTP_ADDON_PROXY = "keda-add-ons-http-interceptor-proxy.keda:8080";

/** A non-streaming answer's headers arrive only when it is complete: as long as the AWS load balancer's idle timeout. */
export const RESPONSE_HEADER_SECONDS = 900;

/** PromQL over this stack's engines only. */
export function engineQueries(a: KubernetesServiceArgs, n: KubeNames) {
  const sel = `namespace="${n.namespace}",model_name="${a.model.servedName}"`;
  return {
    queue: `sum(vllm:num_requests_waiting{${sel}})`,
    running: `sum(vllm:num_requests_running{${sel}})`,
    requests: `sum(rate(vllm:request_success_total{${sel}}[1m])) * 60`,
  };
}

const DEFAULT_THRESHOLD = { queue: 5, running: 32, requests: 60 } as const;

export function scaledObject(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  const k = a.kubernetes;
  const s = a.scaling;
  const q = engineQueries(a, n);
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
    metadata: { name: n.engine, namespace: n.namespace, labels: labels(a, name, "engine") },
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
        ...(scalesFromZero(a)
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
export function httpScaledObject(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  return {
    apiVersion: "http.keda.sh/v1alpha1",
    kind: "HTTPScaledObject",
    metadata: {
      name: n.router,
      namespace: n.namespace,
      labels: labels(a, name, "router"),
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
      replicas: { min: 0, max: a.scaling.max },
      scaledownPeriod: a.scaling.idleMinutes * 60,
      // The CRD types targetValue as an integer: a fractional target rounds up (never to 0).
      scalingMetric: {
        concurrency: {
          targetValue: a.scaling.metric === "running" ? Math.max(1, Math.ceil(a.scaling.target)) : 32,
        },
      },
      // Hold a request for the whole cold start, and let a long non-streaming answer finish: the
      // interceptor's global defaults are seconds (KEDA_CONDITION_WAIT_TIMEOUT,
      // KEDA_RESPONSE_HEADER_TIMEOUT). Field from the pinned CRD (spec.timeouts).
      timeouts: {
        // Held from scale-from-zero to a ready engine: the image pull included (cost/cold-start.ts).
        conditionWait: `${a.engine.coldStart.budgetSeconds}s`,
        responseHeader: `${RESPONSE_HEADER_SECONDS}s`,
      },
    },
  };
}

/**
 * Without KEDA: an HPA on vLLM's metrics as prometheus-adapter's default rules serve them
 * (prometheus-community/helm-charts, charts/prometheus-adapter/templates/configmap.yaml, `rules.default`):
 * a gauge keeps its series name (`vllm:num_requests_waiting`); a counter `x_total` is served as `x`,
 * a per-second rate over 5 minutes (`vllm:request_success`). Never below one replica.
 */
export function hpaMetric(a: KubernetesServiceArgs): { name: string; averageValue: string } {
  const s = a.scaling;
  if (s.metric === "requests")
    // scaling.target is requests per minute; the adapter serves per second. Milli-units keep precision.
    return {
      name: "vllm:request_success",
      averageValue: `${Math.max(1, Math.round((s.target * 1000) / 60))}m`,
    };
  const name = s.metric === "queue" ? "vllm:num_requests_waiting" : "vllm:num_requests_running";
  return { name, averageValue: `${Math.max(1, Math.round(s.target * 1000))}m` };
}

export function horizontalPodAutoscaler(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  const s = a.scaling;
  const metric = hpaMetric(a);
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: n.engine, namespace: n.namespace, labels: labels(a, name, "engine") },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: n.engine },
      minReplicas: Math.max(1, s.min),
      maxReplicas: s.max,
      metrics: [
        {
          type: "Pods",
          pods: {
            metric: { name: metric.name },
            target: { type: "AverageValue", averageValue: metric.averageValue },
          },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: s.cooldownSeconds } },
    },
  };
}
