/** Shared test fixtures: a minimal valid namespace per platform, and a resolver that returns the error text. */
import { main } from "../cli/main";
import {
  resolveStackConfig,
  type KubernetesStackConfig,
  type StackConfig,
} from "../cost/config/stack-config";
import { project } from "../cost/projection";
import { kubernetesArgs, type KubernetesServiceArgs } from "../infra/component-args";
import { ConfigError } from "../cost/config/errors";

export const base = {
  aws: {
    platform: "aws",
    model: { id: "llama-3.1-8b" },
    aws: { instanceType: "p5.4xlarge" },
    workload: { monthlyInputTokens: 1e9, monthlyOutputTokens: 2e8 },
  },
  kubernetes: {
    platform: "kubernetes",
    model: { id: "llama-3.3-70b", maxModelLen: 16384 },
    gpu: { type: "h100-sxm", count: 4 },
    workload: { requestsPerMonth: 1e6 },
  },
  managed: {
    platform: "managed",
    model: { id: "llama-3.3-70b" },
    managed: { host: "bedrock" },
    workload: { monthlyInputTokens: 6e8, monthlyOutputTokens: 1.2e8 },
  },
} as const;

/** The onprem example's scaling and workload (stacks/Pulumi.onprem.yaml), for tests that vary the rest. */
export const onpremLoad = {
  scaling: { min: 1, max: 2 },
  workload: {
    requestsPerMonth: 8e6,
    inputTokensPerRequest: 2000,
    outputTokensPerRequest: 400,
    cachedInputShare: 0.4,
    peakToAverage: 1.5,
  },
} as const;

type Obj = Record<string, unknown>;

/** Deep-merge `patch` into `target` (objects merge, everything else replaces). */
export function merge(target: Obj, patch: Obj): Obj {
  const out: Obj = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const t = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && t && typeof t === "object" && !Array.isArray(t)
        ? merge(t as Obj, v as Obj)
        : v;
  }
  return out;
}

export function resolve(raw: Obj, stack = "test"): StackConfig {
  return resolveStackConfig(raw, stack);
}

/** The kubernetes component's arguments for the base kubernetes stack patched, as the program maps them. */
export function kubeArgs(patch: Obj = {}): KubernetesServiceArgs {
  const cfg = resolve(merge(base.kubernetes, patch)) as KubernetesStackConfig;
  return kubernetesArgs(cfg, project(cfg));
}

/** The ConfigError message for a raw namespace, or "ok". */
export function errorOf(raw: Obj): string {
  try {
    resolveStackConfig(raw, "test");
    return "ok";
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

/** Runs the CLI in-process and returns its exit status and what it printed. */
export async function runCli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
