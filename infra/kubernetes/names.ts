/**
 * Names and labels for everything the kubernetes platform renders, derived from the component's name
 * (never hard-coded), with Kubernetes' recommended `app.kubernetes.io/*` labels.
 */
import type { ResolvedKubernetes } from "../../cost/config/stack-config";
import type { KubernetesServiceArgs } from "../component-args";

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

/** Names from the component's name; the reaper finds the same objects with the resolved stack. */
export function kubeNames(
  a: { readonly kubernetes: ResolvedKubernetes; readonly model: { readonly servedName: string } },
  name: string,
): KubeNames {
  const k = a.kubernetes;
  return {
    namespace: k.namespace,
    engine: `${name}-engine`,
    router: `${name}-router`,
    cache: `${name}-model-cache`,
    hfToken: `${name}-hf-token`,
    apiKey: `${name}-api-key`,
    host: k.host ?? `${a.model.servedName}.${k.namespace}`,
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

export function labels(a: KubernetesServiceArgs, name: string, component: Component): Record<string, string> {
  return {
    ...selectorLabels(name, component),
    "app.kubernetes.io/version": component === "engine" ? a.engine.version : routerVersion(a),
    "app.kubernetes.io/part-of": "vllm-tco",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

function routerVersion(a: KubernetesServiceArgs): string {
  // Label values allow at most 63 characters of [A-Za-z0-9._-].
  return a.kubernetes.routerImage
    .split(":")
    .pop()!
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 63);
}

/** A ClusterIP Service in front of one component's pods, port `port` → the pods' `http` port. */
export function clusterIpService(
  a: KubernetesServiceArgs,
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
      labels: labels(a, name, component),
    },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(name, component),
      ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
    },
  };
}
