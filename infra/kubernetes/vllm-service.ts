import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesServiceArgs } from "../component-args";
import { HTTP_ADDON_PROXY } from "./autoscaling-manifests";
import { renderKubernetes, secretManifest, secretRefs, type Manifest } from "./manifests";
import { kubeNames } from "./names";
import { ROUTER_SERVICE_PORT, scalesFromZero, SESSION_HEADER } from "./router-manifests";

/** The component's arguments (plain: they decide which resources exist), and the secrets' values. */
export interface VllmServiceArgs extends KubernetesServiceArgs {
  /** Hugging Face token as a Pulumi secret; ignored when `secrets.hfToken` references an existing Secret. */
  readonly hfToken?: pulumi.Output<string>;
  /** vLLM API key as a Pulumi secret; ignored when `secrets.apiKey` references an existing Secret. */
  readonly apiKey?: pulumi.Output<string>;
}

/** Typed resource args from a rendered manifest (the renderers are schema-checked in tests). */
const as = <T>(m: Manifest): T => m as unknown as T;

/**
 * vLLM on any Kubernetes cluster reached by a kubeconfig: engines with GPU scheduling, a model cache
 * and probes sized for the load; a prefix-aware router; KEDA (or HPA) autoscaling with scale to
 * zero; disruption budgets, network policies and metrics scraping.
 */
export class VllmService extends pulumi.ComponentResource {
  /** URL in-cluster clients call (OpenAI-compatible, `/v1/...`). */
  readonly endpoint: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly autoscaler: pulumi.Output<"keda" | "hpa">;
  /** How a client calls the service and what routing needs from it. */
  readonly usage: pulumi.Output<string>;

  constructor(name: string, args: VllmServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("vllm-tco:kubernetes:VllmService", name, {}, opts);
    const a: KubernetesServiceArgs = args;
    const k = a.kubernetes;
    const n = kubeNames(a, name);
    const provider = new k8s.Provider(
      `${name}-cluster`,
      { ...(k.kubeconfig && { kubeconfig: k.kubeconfig }), ...(k.context && { context: k.context }) },
      { parent: this },
    );
    const refs = secretRefs(a, name, {
      hfToken: args.hfToken !== undefined,
      apiKey: args.apiKey !== undefined,
    });
    const m = renderKubernetes(a, name, refs);
    const namespace =
      m.namespace &&
      new k8s.core.v1.Namespace(`${name}-namespace`, as(m.namespace), { parent: this, provider });
    const child = { parent: this, provider, ...(namespace && { dependsOn: [namespace] }) };

    // Secrets from Pulumi secrets: created only where the stack does not reference existing ones.
    const secret = (
      suffix: string,
      value: pulumi.Output<string> | undefined,
      secretName: string,
      referenced: boolean,
    ) => {
      if (!value || referenced) return;
      const manifest = secretManifest(a, name, secretName);
      new k8s.core.v1.Secret(
        `${name}-${suffix}`,
        { ...as<k8s.core.v1.SecretArgs>(manifest), stringData: { value: pulumi.secret(value) } },
        child,
      );
    };
    secret("hf-token", args.hfToken, n.hfToken, a.secrets.hfToken?.kubernetesSecret !== undefined);
    secret("api-key", args.apiKey, n.apiKey, a.secrets.apiKey?.kubernetesSecret !== undefined);

    if (m.modelCache) new k8s.core.v1.PersistentVolumeClaim(`${name}-model-cache`, as(m.modelCache), child);
    // The autoscaler owns the replica count once the Deployment exists.
    new k8s.apps.v1.Deployment(`${name}-engine`, as(m.engine), {
      ...child,
      ignoreChanges: ["spec.replicas"],
    });
    const engineService = new k8s.core.v1.Service(`${name}-engine`, as(m.engineService), child);
    new k8s.core.v1.ServiceAccount(`${name}-router`, as(m.routerServiceAccount), child);
    new k8s.rbac.v1.Role(`${name}-router`, as(m.routerRole), child);
    new k8s.rbac.v1.RoleBinding(`${name}-router`, as(m.routerRoleBinding), child);
    new k8s.apps.v1.Deployment(`${name}-router`, as(m.router), child);
    const routerService = new k8s.core.v1.Service(`${name}-router`, as(m.routerService), child);
    new k8s.policy.v1.PodDisruptionBudget(`${name}-engine`, as(m.engineBudget), child);
    new k8s.policy.v1.PodDisruptionBudget(`${name}-router`, as(m.routerBudget), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-engine`, as(m.engineNetworkPolicy), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-router`, as(m.routerNetworkPolicy), child);
    if (m.horizontalPodAutoscaler)
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-engine`, as(m.horizontalPodAutoscaler), child);
    const custom = (suffix: string, manifest?: Manifest) =>
      manifest && new k8s.apiextensions.CustomResource(`${name}-${suffix}`, as(manifest), child);
    custom("scaledobject", m.scaledObject);
    custom("activator", m.httpScaledObject);
    custom("servicemonitor", m.serviceMonitor);

    const direct = pulumi.interpolate`http://${routerService.metadata.name}.${n.namespace}.svc:${ROUTER_SERVICE_PORT}/v1`;
    this.endpoint = scalesFromZero(a) ? pulumi.output(`http://${HTTP_ADDON_PROXY}/v1`) : direct;
    this.serviceName = routerService.metadata.name;
    this.autoscaler = pulumi.output(k.keda ? ("keda" as const) : ("hpa" as const));
    const routing = {
      prefix: "requests sharing a prompt prefix go to the same replica",
      session: `send a \`${SESSION_HEADER}\` header per conversation to keep it on one replica`,
      roundrobin: "requests are spread evenly",
    }[k.routing];
    const host = scalesFromZero(a) ? ` -H 'Host: ${n.host}'` : "";
    this.usage = pulumi.interpolate`curl ${this.endpoint}/chat/completions${host} -H 'Authorization: Bearer $VLLM_API_KEY' -H 'Content-Type: application/json' -d '{"model": "${a.model.servedName}", "messages": [{"role": "user", "content": "Hello"}]}'  (routing: ${routing}; engines behind ${engineService.metadata.name})`;
    this.registerOutputs({
      endpoint: this.endpoint,
      serviceName: this.serviceName,
      autoscaler: this.autoscaler,
      usage: this.usage,
    });
  }
}
