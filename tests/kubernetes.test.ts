import { describe, expect, it } from "vitest";
import { renderKubernetes } from "../infra/kubernetes/manifests";
import { probeTimings } from "../infra/vllm/engine";
import type { PlanResult } from "../infra/plan/run";
import { base, kubeArgs, merge, resolve } from "./helpers";
import { validateManifest } from "./kubernetes-schemas";
import { find, plan, secretExposure, SENTINELS } from "./program-helpers";

const K = "kubernetes:";
const VS = "vllm-tco:kubernetes:VllmService::vllm";

/** The Kubernetes objects a run registered, as manifests (typed resources carry apiVersion and kind). */
function manifests(r: PlanResult) {
  return r.resources
    .filter((x) => x.type.startsWith(K))
    .map(
      (x) =>
        x.inputs as {
          apiVersion: string;
          kind: string;
          metadata: { name: string };
          spec?: Record<string, unknown>;
        },
    );
}

function engineContainer(r: PlanResult) {
  const dep = find(r, "kubernetes:apps/v1:Deployment", "vllm-engine").inputs as never as {
    spec: {
      replicas: number;
      template: { spec: { containers: Record<string, never>[]; terminationGracePeriodSeconds: number } };
    };
  };
  return { dep, c: dep.spec.template.spec.containers[0]! as Record<string, unknown> };
}

describe("kubernetes platform: the onprem example stack", async () => {
  const r = await plan("onprem");

  it("registers exactly the expected resources, all under the VllmService", () => {
    expect(r.error).toBeUndefined();
    const kinds = r.resources.map((x) => `${x.type} ${x.name}`).sort();
    expect(kinds).toEqual(
      [
        "pulumi:pulumi:Stack vllm-tco-onprem",
        "vllm-tco:cost:CostReport cost",
        "vllm-tco:kubernetes:VllmService vllm",
        "pulumi:providers:kubernetes vllm-cluster",
        "kubernetes:core/v1:Namespace vllm-namespace",
        "kubernetes:core/v1:Secret vllm-hf-token",
        "kubernetes:core/v1:Secret vllm-api-key",
        "kubernetes:core/v1:PersistentVolumeClaim vllm-model-cache",
        "kubernetes:apps/v1:Deployment vllm-engine",
        "kubernetes:core/v1:Service vllm-engine",
        "kubernetes:core/v1:ServiceAccount vllm-router",
        "kubernetes:rbac.authorization.k8s.io/v1:Role vllm-router",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding vllm-router",
        "kubernetes:apps/v1:Deployment vllm-router",
        "kubernetes:core/v1:Service vllm-router",
        "kubernetes:policy/v1:PodDisruptionBudget vllm-engine",
        "kubernetes:policy/v1:PodDisruptionBudget vllm-router",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy vllm-engine",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy vllm-router",
        "kubernetes:keda.sh/v1alpha1:ScaledObject vllm-scaledobject",
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor vllm-servicemonitor",
      ].sort(),
    );
    for (const x of r.resources.filter((x) => x.type.startsWith(K) || x.type.startsWith("pulumi:providers")))
      expect(x.parent).toBe(VS);
  });

  it("validates every Kubernetes object against the upstream schemas", () => {
    const results = manifests(r).map(validateManifest);
    expect(results.filter((x) => x === "validated")).toHaveLength(manifests(r).length);
  });

  it("runs the pinned image with engine flags resolved from model and GPU", () => {
    const { dep, c } = engineContainer(r);
    expect(c["image"]).toBe("vllm/vllm-openai:v0.11.0");
    // The image's own entrypoint, pinned; the model by flag, which the API server reads.
    expect(c["command"]).toEqual(["python3", "-m", "vllm.entrypoints.openai.api_server"]);
    const args = c["args"] as string[];
    expect(args.slice(0, 15)).toEqual([
      "--model",
      "meta-llama/Llama-3.3-70B-Instruct",
      "--served-model-name",
      "llama-3.3-70b",
      "--host",
      "0.0.0.0",
      "--port",
      "8000",
      "--tensor-parallel-size",
      "4",
      "--max-model-len",
      "16384",
      "--gpu-memory-utilization",
      "0.9",
      "--max-num-seqs",
    ]);
    expect(Number(args[15])).toBeGreaterThan(1);
    expect(args.slice(16)).toEqual(["--enable-prefix-caching"]);
    expect(c["resources"]).toMatchObject({
      limits: { "nvidia.com/gpu": "4" },
      requests: { "nvidia.com/gpu": "4" },
    });
    expect(dep.spec.replicas).toBe(1);
    const pod = dep.spec.template.spec as unknown as Record<string, unknown>;
    expect(pod["nodeSelector"]).toEqual({ "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" });
    expect(pod["tolerations"]).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod["securityContext"]).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    // UID 1000 has no passwd entry: torch's getpass.getuser() needs USER or LOGNAME at import.
    const env = c["env"] as { name: string; value?: string }[];
    expect(env.filter((e) => e.name === "USER" || e.name === "LOGNAME").map((e) => e.value)).toEqual([
      "vllm",
      "vllm",
    ]);
    expect((pod["volumes"] as unknown[])[1]).toEqual({
      name: "shm",
      emptyDir: { medium: "Memory", sizeLimit: "16Gi" },
    });
  });

  it("a 70B model gets a startup budget that covers its load: 141 GB at 200 MB/s + 120 s init, × 1.5", () => {
    const { c } = engineContainer(r);
    expect(c["startupProbe"]).toEqual({
      httpGet: { path: "/health", port: "http" },
      periodSeconds: 10,
      failureThreshold: 124,
      timeoutSeconds: 5,
    });
    expect(c["livenessProbe"]).toMatchObject({ periodSeconds: 30, failureThreshold: 5, timeoutSeconds: 10 });
  });

  it("reads secrets through secretKeyRef; the values exist only in Secrets, marked secret", () => {
    const { c } = engineContainer(r);
    expect(c["env"]).toContainEqual({
      name: "HF_TOKEN",
      valueFrom: { secretKeyRef: { name: "vllm-hf-token", key: "value" } },
    });
    expect(c["env"]).toContainEqual({
      name: "VLLM_API_KEY",
      valueFrom: { secretKeyRef: { name: "vllm-api-key", key: "value" } },
    });
    for (const s of Object.values(SENTINELS)) {
      const places = secretExposure(r, s);
      expect(places.length).toBe(1);
      expect(places.every((p) => p.marked && p.resource.startsWith("kubernetes:core/v1:Secret"))).toBe(true);
    }
  });

  it("routes by prefix through the production-stack router with pod-reading RBAC only", () => {
    const router = find(r, "kubernetes:apps/v1:Deployment", "vllm-router").inputs as never as {
      spec: { template: { spec: { containers: { args: string[]; image: string }[] } } };
    };
    const args = router.spec.template.spec.containers[0]!.args;
    expect(args.join(" ")).toBe(
      "--host 0.0.0.0 --port 8000 --service-discovery k8s --k8s-namespace vllm --k8s-label-selector app.kubernetes.io/name=vllm,app.kubernetes.io/instance=vllm,app.kubernetes.io/component=engine --k8s-port 8000 --routing-logic prefixaware --engine-stats-interval 15 --request-stats-window 60",
    );
    expect(
      (find(r, "kubernetes:rbac.authorization.k8s.io/v1:Role", "vllm-router").inputs as { rules: unknown })
        .rules,
    ).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
  });

  it("admits only the router and Prometheus to the engines' port", () => {
    const np = find(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "vllm-engine").inputs as {
      spec: { ingress: unknown[] };
    };
    expect(np.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                "app.kubernetes.io/name": "vllm",
                "app.kubernetes.io/instance": "vllm",
                "app.kubernetes.io/component": "router",
              },
            },
          },
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ],
        ports: [{ protocol: "TCP", port: 8000 }],
      },
    ]);
  });

  it("scales on vLLM's own queue and running metrics with the configured floor", () => {
    const so = find(r, "kubernetes:keda.sh/v1alpha1:ScaledObject", "vllm-scaledobject").inputs as {
      spec: Record<string, unknown>;
    };
    expect(so.spec).toMatchObject({
      minReplicaCount: 1,
      maxReplicaCount: 2,
      pollingInterval: 15,
      cooldownPeriod: 900,
    });
    expect(so.spec["triggers"]).toEqual([
      {
        type: "prometheus",
        name: "queue",
        metadata: {
          serverAddress: "http://prometheus-operated.monitoring:9090",
          query: 'sum(vllm:num_requests_waiting{namespace="vllm",model_name="llama-3.3-70b"})',
          threshold: "5",
          activationThreshold: "0",
        },
      },
      {
        type: "prometheus",
        name: "running",
        metadata: {
          serverAddress: "http://prometheus-operated.monitoring:9090",
          query: 'sum(vllm:num_requests_running{namespace="vllm",model_name="llama-3.3-70b"})',
          threshold: "32",
          activationThreshold: "0",
        },
      },
    ]);
  });

  it("logs the cost report and exports it with the endpoint and autoscaler", () => {
    expect(r.logs[0]!.message).toMatch(/^vllm-tco cost · stack onprem · kubernetes · llama-3.3-70b bf16/);
    expect(r.outputs).toMatchObject({
      cost: { version: "1", fullReport: "npx vllm-tco cost --stack onprem --json" },
      endpoint: "http://vllm-router.vllm.svc:80/v1",
      serviceName: "vllm-router",
      autoscaler: "keda",
    });
  });
});

describe("one engine per pod", () => {
  it("a replica of 8 GPUs at tensor parallel 4 runs as two 4-GPU engine pods, without --data-parallel-size; KEDA counts engines", async () => {
    const r = await plan("onprem", { gpu: { count: 8, tensorParallel: 4 }, scaling: { min: 1, max: 1 } });
    const engine = find(r, "kubernetes:apps/v1:Deployment", "vllm-engine").inputs as {
      spec: {
        replicas: number;
        template: {
          spec: { containers: { args: string[]; resources: { limits: Record<string, string> } }[] };
        };
      };
    };
    const c = engine.spec.template.spec.containers[0]!;
    expect(c.resources.limits["nvidia.com/gpu"]).toBe("4");
    expect(c.args).not.toContain("--data-parallel-size");
    expect(c.args[c.args.indexOf("--tensor-parallel-size") + 1]).toBe("4");
    // One replica (scaling.min 1 = max 1) of two engines: two pods, and KEDA holds 2..2.
    expect(engine.spec.replicas).toBe(2);
    const so = find(r, "kubernetes:keda.sh/v1alpha1:ScaledObject", "vllm-scaledobject").inputs as {
      spec: { minReplicaCount: number; maxReplicaCount: number };
    };
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 2]);
  });
});

describe("kubernetes platform: variants", () => {
  it("scale to zero: minReplicaCount 0, the HTTP add-on holds requests, the router is ready only with an engine", async () => {
    const r = await plan("onprem", { scaling: { min: 0 } });
    const so = find(r, "kubernetes:keda.sh/v1alpha1:ScaledObject", "vllm-scaledobject").inputs as {
      spec: { minReplicaCount: number; triggers: { type: string }[] };
    };
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers.at(-1)).toEqual({
      type: "external-push",
      name: "held-requests",
      metadata: {
        scalerAddress: "keda-add-ons-http-external-scaler.keda:9090",
        httpScaledObject: "vllm-router",
      },
    });
    const http = find(r, "kubernetes:http.keda.sh/v1alpha1:HTTPScaledObject", "vllm-activator")
      .inputs as Record<string, never>;
    expect(http["metadata"]).toMatchObject({
      annotations: { "httpscaledobject.keda.sh/skip-scaledobject-creation": "true" },
    });
    expect(http["spec"]).toEqual({
      hosts: ["llama-3.3-70b.vllm"],
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "vllm-engine",
        service: "vllm-router",
        port: 80,
      },
      replicas: { min: 0, max: 2 },
      scaledownPeriod: 900,
      scalingMetric: { concurrency: { targetValue: 32 } },
      // Held for the whole cold start (image 120 s + weights 706 s + engine 120 s = 946 s, × 1.5),
      // answered within the load balancer's idle timeout.
      timeouts: { conditionWait: "1419s", responseHeader: "900s" },
    });
    const router = find(r, "kubernetes:apps/v1:Deployment", "vllm-router").inputs as never as {
      spec: { template: { spec: { containers: { readinessProbe: unknown }[] } } };
    };
    expect(router.spec.template.spec.containers[0]!.readinessProbe).toMatchObject({
      exec: {
        command: [
          "python3",
          "-c",
          'import urllib.request; urllib.request.urlopen("http://vllm-engine.vllm.svc:8000/health", timeout=3)',
        ],
      },
    });
    expect(r.outputs["endpoint"]).toBe("http://keda-add-ons-http-interceptor-proxy.keda:8080/v1");
    for (const m of manifests(r)) validateManifest(m);
  });

  it("without KEDA: a HorizontalPodAutoscaler with a floor of one, and the cost model prices that floor", async () => {
    const r = await plan("onprem", { scaling: { min: 0 }, kubernetes: { keda: false } });
    expect(r.resources.some((x) => x.type.includes("ScaledObject"))).toBe(false);
    const hpa = find(r, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "vllm-engine").inputs as {
      spec: Record<string, unknown>;
    };
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
    expect(r.outputs["autoscaler"]).toBe("hpa");
    expect(
      resolve(merge(base.kubernetes, { scaling: { min: 0 }, kubernetes: { keda: false } }) as never).scaling
        .min,
    ).toBe(1);
    for (const m of manifests(r)) validateManifest(m);
  });

  it.each([
    ["session", ["--routing-logic", "session", "--session-key", "x-session-id"]],
    ["roundrobin", ["--routing-logic", "roundrobin"]],
  ])("routing: %s", async (routing, expected) => {
    const r = await plan("onprem", { kubernetes: { routing } });
    const args = (
      find(r, "kubernetes:apps/v1:Deployment", "vllm-router").inputs as never as {
        spec: { template: { spec: { containers: { args: string[] }[] } } };
      }
    ).spec.template.spec.containers[0]!.args;
    const i = args.indexOf("--routing-logic");
    expect(args.slice(i, i + expected.length)).toEqual(expected);
  });

  it("existing secrets are referenced, never created", async () => {
    const r = await plan(
      "onprem",
      { secrets: { hfToken: { kubernetesSecret: { name: "hf", key: "token" } } } },
      { hfToken: SENTINELS.hfToken },
    );
    expect(r.resources.some((x) => x.type === "kubernetes:core/v1:Secret")).toBe(false);
    expect(engineContainer(r).c["env"]).toContainEqual({
      name: "HF_TOKEN",
      valueFrom: { secretKeyRef: { name: "hf", key: "token" } },
    });
  });

  it("a ServiceMonitor by default (the default Prometheus address is the Operator's); scrape annotations when turned off", async () => {
    const r = await plan("onprem");
    const sm = find(r, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "vllm-servicemonitor")
      .inputs as {
      metadata: { labels: Record<string, string> };
    };
    expect(validateManifest(sm as never)).toBe("validated");
    // kube-prometheus-stack's Prometheus selects ServiceMonitors by its release label.
    expect(sm.metadata.labels["release"]).toBe("kube-prometheus-stack");
    const engine = find(r, "kubernetes:apps/v1:Deployment", "vllm-engine").inputs as never as {
      spec: { template: { metadata: { annotations?: unknown } } };
    };
    expect(engine.spec.template.metadata.annotations).toBeUndefined();
    const plain = renderKubernetes(kubeArgs({ kubernetes: { serviceMonitor: false } }), "vllm", {})
      .engine as never as {
      spec: { template: { metadata: { annotations: unknown } } };
    };
    expect(plain.spec.template.metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8000",
      "prometheus.io/path": "/metrics",
    });
  });

  it("bad config stops the program before any resource is registered", async () => {
    const r = await plan("onprem", { gpu: { count: 1 } });
    expect(r.error).toContain("vllm-tco:gpu.count: 1× h100-sxm cannot hold llama-3.3-70b bf16");
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});

describe("probe budgets", () => {
  it.each([
    ["llama-3.1-8b", { id: "llama-3.1-8b" }, 60, 600],
    ["llama-3.3-70b", { id: "llama-3.3-70b", maxModelLen: 16384 }, 124, 1240],
  ])("%s: startup failureThreshold and budget (never below 10 minutes)", (_m, model, threshold, budget) => {
    const t = probeTimings(resolve(merge(base.kubernetes, { model, gpu: { count: 4 } }) as never));
    expect(t.startup.failureThreshold).toBe(threshold);
    expect(t.startupBudgetSeconds).toBe(budget);
  });
});
