/**
 * Hardening (pure): disruption budgets that keep a voluntary drain from taking every replica at once,
 * and a NetworkPolicy that admits only the router (and Prometheus) to the engines' model port, and
 * only the configured client namespaces (and the activator) to the router.
 */
import type { KubernetesServiceArgs } from "../component-args";
import { componentName, labels, selectorLabels, type Component, type KubeNames } from "./names";
import { scalesFromZero } from "./router-manifests";

export function disruptionBudget(a: KubernetesServiceArgs, name: string, n: KubeNames, component: Component) {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      name: componentName(n, component),
      namespace: n.namespace,
      labels: labels(a, name, component),
    },
    // maxUnavailable rather than minAvailable: it stays satisfiable at zero replicas.
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(name, component) } },
  };
}

const ns = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});

export function networkPolicies(a: KubernetesServiceArgs, name: string, n: KubeNames) {
  const k = a.kubernetes;
  const engine = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: n.engine, namespace: n.namespace, labels: labels(a, name, "engine") },
    spec: {
      podSelector: { matchLabels: selectorLabels(name, "engine") },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: selectorLabels(name, "router") } }, ns(k.monitoringNamespace)],
          ports: [{ protocol: "TCP", port: a.engine.port }],
        },
      ],
    },
  };
  const clients = [...new Set([n.namespace, ...k.clientNamespaces, ...(scalesFromZero(a) ? ["keda"] : [])])];
  const router = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: n.router, namespace: n.namespace, labels: labels(a, name, "router") },
    spec: {
      podSelector: { matchLabels: selectorLabels(name, "router") },
      policyTypes: ["Ingress"],
      ingress: [{ from: clients.map(ns), ports: [{ protocol: "TCP", port: 8000 }] }],
    },
  };
  return { engine, router };
}
