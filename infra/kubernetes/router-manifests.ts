/**
 * The routing tier (pure): the vLLM production-stack router, which discovers engine pods through the
 * Kubernetes API and sends requests sharing a prefix (or a session) to the same replica, so its
 * prefix cache keeps hitting. RBAC is limited to reading pods in the serving namespace.
 */
import type { KubernetesServiceArgs } from "../component-args";
import type { SecretKeyRef } from "./engine-manifests";
import { clusterIpService, labels, selectorLabels, type KubeNames } from "./names";

const ROUTER_PORT = 8000;
export const ROUTER_SERVICE_PORT = 80;
/** The header the router's session routing keys on; clients set it to their conversation id. */
export const SESSION_HEADER = "x-session-id";

const LOGIC = { prefix: "prefixaware", session: "session", roundrobin: "roundrobin" } as const;

/** Scale-from-zero is on when KEDA may take the engines to zero: the activator then fronts the router. */
export function scalesFromZero(a: KubernetesServiceArgs): boolean {
  return a.kubernetes.keda && a.scaling.min === 0;
}

export function routerArgs(a: KubernetesServiceArgs, name: string, n: KubeNames): string[] {
  const k = a.kubernetes;
  const selector = Object.entries(selectorLabels(name, "engine"))
    .map(([key, v]) => `${key}=${v}`)
    .join(",");
  return [
    "--host",
    "0.0.0.0",
    "--port",
    String(ROUTER_PORT),
    "--service-discovery",
    "k8s",
    "--k8s-namespace",
    n.namespace,
    "--k8s-label-selector",
    selector,
    "--k8s-port",
    String(a.engine.port),
    "--routing-logic",
    LOGIC[k.routing],
    ...(k.routing === "session" ? ["--session-key", SESSION_HEADER] : []),
    "--engine-stats-interval",
    String(a.scaling.pollingSeconds),
    "--request-stats-window",
    "60",
  ];
}

export function routerRbac(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  const meta = { name: n.router, namespace: n.namespace, labels: labels(a, name, "router") };
  return {
    serviceAccount: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta,
      automountServiceAccountToken: true,
    },
    role: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta,
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
    },
    roleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n.router },
      subjects: [{ kind: "ServiceAccount", name: n.router, namespace: n.namespace }],
    },
  };
}

/**
 * `apiKey`: the engines' key. The router discovers each engine's model through `GET /v1/models`,
 * which vLLM guards with the key, sending `Authorization: Bearer $VLLM_API_KEY` when that variable
 * is set (production-stack src/vllm_router/service_discovery.py, `_get_model_name`; the Helm chart
 * passes the same Secret). Without it every engine is dropped and each request gets "model not found".
 */
export function routerDeployment(
  a: KubernetesServiceArgs,
  name: string,
  n: KubeNames,
  apiKey?: SecretKeyRef,
) {
  const k = a.kubernetes;
  // When engines can be at zero, the router reports ready only while an engine answers: the KEDA
  // HTTP add-on's interceptor then holds requests during a cold start instead of the router
  // answering 503 with no backend.
  const engineHealth = `http://${n.engine}.${n.namespace}.svc:${a.engine.port}/health`;
  const readiness = scalesFromZero(a)
    ? {
        exec: {
          command: [
            "python3",
            "-c",
            `import urllib.request; urllib.request.urlopen("${engineHealth}", timeout=3)`,
          ],
        },
        periodSeconds: 5,
        timeoutSeconds: 5,
        failureThreshold: 1,
      }
    : {
        httpGet: { path: "/health", port: "http" },
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
      };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: n.router, namespace: n.namespace, labels: labels(a, name, "router") },
    spec: {
      replicas: k.routerReplicas,
      selector: { matchLabels: selectorLabels(name, "router") },
      template: {
        metadata: { labels: labels(a, name, "router") },
        spec: {
          serviceAccountName: n.router,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "router",
              image: k.routerImage,
              args: routerArgs(a, name, n),
              ...(apiKey && { env: [{ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: apiKey } }] }),
              ports: [{ name: "http", containerPort: ROUTER_PORT, protocol: "TCP" }],
              resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
              readinessProbe: readiness,
              livenessProbe: {
                httpGet: { path: "/health", port: "http" },
                periodSeconds: 20,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
        },
      },
    },
  };
}

export function routerService(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  return clusterIpService(a, name, n, "router", ROUTER_SERVICE_PORT);
}
