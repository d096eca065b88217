/**
 * The vLLM engine tier (pure): Deployment, Service, model-cache claim and metrics scraping. Secret
 * values never appear here: the pods read them through secretKeyRef.
 */
import type { KubernetesServiceArgs } from "../component-args";
import { clusterIpService, labels, selectorLabels, type KubeNames } from "./names";

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface EngineSecrets {
  readonly hfToken?: SecretKeyRef;
  readonly apiKey?: SecretKeyRef;
}

const GiB = 1024 ** 3;
const MODELS_PATH = "/models";

/** Claim size: twice the weights (a download next to a cached copy), at least 50 GiB. */
export function modelCacheGi(a: KubernetesServiceArgs): number {
  return a.kubernetes.modelCacheGi ?? Math.max(50, Math.ceil((2 * a.model.weightBytes) / GiB));
}

/** Host memory the engine needs: weights stream through it on load, plus CPU-side buffers. */
function memoryGi(a: KubernetesServiceArgs): number {
  return Math.ceil((a.model.weightBytes * 1.2) / GiB) + 16;
}

export function modelCacheClaim(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  const k = a.kubernetes;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: n.cache, namespace: n.namespace, labels: labels(a, name, "engine") },
    spec: {
      accessModes: [k.modelCacheAccessMode],
      ...(k.storageClass && { storageClassName: k.storageClass }),
      resources: { requests: { storage: `${modelCacheGi(a)}Gi` } },
    },
  };
}

export function engineDeployment(
  a: KubernetesServiceArgs,
  name: string,
  n: KubeNames,
  secrets: EngineSecrets,
) {
  const k = a.kubernetes;
  const e = a.engine;
  const probe = (t: { periodSeconds: number; failureThreshold: number; timeoutSeconds: number }) => ({
    httpGet: { path: e.probes.path, port: "http" },
    ...t,
  });
  const gpus = String(a.gpu.count);
  const env = [
    ...(secrets.hfToken ? [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: secrets.hfToken } }] : []),
    ...(secrets.apiKey ? [{ name: "VLLM_API_KEY", valueFrom: { secretKeyRef: secrets.apiKey } }] : []),
    // Non-root: every cache vLLM, Hugging Face and Triton write goes to the claim or /tmp.
    { name: "HF_HOME", value: `${MODELS_PATH}/huggingface` },
    { name: "VLLM_CACHE_ROOT", value: `${MODELS_PATH}/vllm` },
    { name: "HOME", value: "/tmp" },
    // UID 1000 has no passwd entry in the image: torch's inductor calls getpass.getuser() at import
    // (a torch.compile decorator in vLLM's model code), which raises without USER or LOGNAME.
    { name: "USER", value: "vllm" },
    { name: "LOGNAME", value: "vllm" },
    { name: "TORCHINDUCTOR_CACHE_DIR", value: `${MODELS_PATH}/torchinductor` },
  ];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: n.engine, namespace: n.namespace, labels: labels(a, name, "engine") },
    spec: {
      // The autoscaler owns the count after creation (the component ignores later drift).
      replicas: a.scaling.min,
      selector: { matchLabels: selectorLabels(name, "engine") },
      // GPUs are the scarce resource: replace a replica in place rather than ask for a spare set.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      template: {
        metadata: {
          labels: labels(a, name, "engine"),
          ...(!k.serviceMonitor && {
            annotations: {
              "prometheus.io/scrape": "true",
              "prometheus.io/port": String(e.port),
              "prometheus.io/path": "/metrics",
            },
          }),
        },
        spec: {
          terminationGracePeriodSeconds: e.drainSeconds + 30,
          nodeSelector: { "nvidia.com/gpu.product": a.gpu.type.productLabel, ...k.nodeSelector },
          tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "vllm",
              image: e.image,
              command: [...e.command],
              args: [...e.args],
              ports: [{ name: "http", containerPort: e.port, protocol: "TCP" }],
              env,
              resources: {
                requests: {
                  cpu: String(4 * a.gpu.count),
                  memory: `${memoryGi(a)}Gi`,
                  "nvidia.com/gpu": gpus,
                },
                limits: { memory: `${memoryGi(a)}Gi`, "nvidia.com/gpu": gpus },
              },
              startupProbe: probe(e.probes.startup),
              readinessProbe: probe(e.probes.readiness),
              livenessProbe: probe(e.probes.liveness),
              // Stay in the endpoints' drain window so the router stops sending before vLLM exits.
              lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", `sleep ${e.drainSeconds}`] } } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              volumeMounts: [
                { name: "models", mountPath: MODELS_PATH },
                { name: "shm", mountPath: "/dev/shm" },
              ],
            },
          ],
          volumes: [
            { name: "models", persistentVolumeClaim: { claimName: k.existingClaim ?? n.cache } },
            // NCCL needs shared memory for tensor parallelism; the container default is 64 MiB.
            { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } },
          ],
        },
      },
    },
  };
}

export function engineService(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  return clusterIpService(a, name, n, "engine", a.engine.port);
}

export function engineServiceMonitor(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: n.engine,
      namespace: n.namespace,
      labels: { ...a.kubernetes.serviceMonitorLabels, ...labels(a, name, "engine") },
    },
    spec: {
      selector: { matchLabels: selectorLabels(name, "engine") },
      endpoints: [{ port: "http", path: "/metrics", interval: `${a.scaling.pollingSeconds}s` }],
    },
  };
}
