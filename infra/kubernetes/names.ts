/**
 * Names and labels for everything the kubernetes platform renders, derived from the component's name
 * (never hard-coded), with Kubernetes' recommended `app.kubernetes.io/*` labels.
 */
import type { StackConfig } from "../../cost/config/stack-config";

export interface KubeNames {
  readonly namespace: string;
  readonly engine: string;
  readonly router: string;
  readonly cache: string;
  readonly hfToken: string;
  readonly apiKey: string;
  readonly host: string;
}

/** The name the program gives the stack's platform component; the reaper finds its objects by it. */
export const COMPONENT_NAME = "vllm";

export function kubeNames(cfg: StackConfig, name: string): KubeNames {
  const k = cfg.kubernetes!;
  return {
    namespace: k.namespace,
    engine: `${name}-engine`,
    router: `${name}-router`,
    cache: `${name}-model-cache`,
    hfToken: `${name}-hf-token`,
    apiKey: `${name}-api-key`,
    host: k.host ?? `${cfg.model.servedName}.${k.namespace}`,
  };
}

export type Component = "engine" | "router";

/** The Kubernetes name of one component's objects (Deployment, Service, budget, policy). */
export function componentName(n: KubeNames, component: Component): string {
  return component === "engine" ? n.engine : n.router;
}

/** Labels that select one component's pods (stable: never include the version). */
export function selectorLabels(name: string, component: Component): Record<string, string> {
  return {
    "app.kubernetes.io/name": "vllm",
    "app.kubernetes.io/instance": name,
    "app.kubernetes.io/component": component,
  };
}

export function labels(cfg: StackConfig, name: string, component: Component): Record<string, string> {
  return {
    ...selectorLabels(name, component),
    "app.kubernetes.io/version": component === "engine" ? cfg.vllm.version : routerVersion(cfg),
    "app.kubernetes.io/part-of": "vllm-tco",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

function routerVersion(cfg: StackConfig): string {
  // Label values allow at most 63 characters of [A-Za-z0-9._-].
  return cfg
    .kubernetes!.routerImage.split(":")
    .pop()!
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 63);
}

/** A ClusterIP Service in front of one component's pods, port `port` → the pods' `http` port. */
export function clusterIpService(
  cfg: StackConfig,
  name: string,
  n: KubeNames,
  component: Component,
  port: number,
) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: componentName(n, component),
      namespace: n.namespace,
      labels: labels(cfg, name, component),
    },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(name, component),
      ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
    },
  };
}
