/**
 * Upstream schema validation for every Kubernetes object the kit renders: the kubernetes-models
 * classes (generated from the Kubernetes OpenAPI spec and the CRDs' schemas) throw on any field that
 * does not fit.
 */
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from "kubernetes-models/v1";

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, unknown> = {
  "v1/Namespace": Namespace,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

/**
 * Kinds no published model package covers. The KEDA HTTP add-on's HTTPScaledObject is one: its
 * fields are checked by targeted assertions instead.
 */
export const UNMODELLED = new Set(["http.keda.sh/v1alpha1/HTTPScaledObject"]);

/** Validates an object; throws with the kind, the name and the schema's complaint. */
export function validateManifest(obj: {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
}): "validated" | "unmodelled" {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (UNMODELLED.has(key)) return "unmodelled";
  const model = MODELS[key] as Model | undefined;
  if (!model) throw new Error(`no schema for ${key}: add its kubernetes-models class`);
  try {
    new model(obj as never).validate();
  } catch (e) {
    throw new Error(`${key} ${obj.metadata?.name}: ${(e as Error).message}`);
  }
  return "validated";
}
