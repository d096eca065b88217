/** Runs a stack (a bundled one, or a bundled one patched) under the mock runtime. */
import * as path from "node:path";
import { readStackFile, splitConfig, type RawStack } from "../cost/config/stack-file";
import { planStack, type PlanResult, type RecordedResource } from "../infra/plan/run";
import { merge } from "./helpers";

export const SENTINELS = {
  hfToken: "hf_SentinelTokenAbcdefghijklmnop0123",
  apiKey: "sk-SentinelKey-abcdefghijklmnop456",
};

export function rawStack(stack: string, patch: Record<string, unknown> = {}): RawStack {
  const raw = readStackFile(path.resolve(__dirname, `../stacks/Pulumi.${stack}.yaml`), stack);
  const config: Record<string, unknown> = { ...raw.providerConfig };
  const merged = merge(raw.namespace, patch);
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) config[`vllm-tco:${k}`] = v;
  return splitConfig(config, stack, raw.file);
}

export function plan(
  stack: string,
  patch: Record<string, unknown> = {},
  secrets: Partial<typeof SENTINELS> = SENTINELS,
): Promise<PlanResult> {
  return planStack(rawStack(stack, patch), { secretValues: secrets });
}

export function find(r: PlanResult, type: string, name: string): RecordedResource {
  const found = r.resources.find((x) => x.type === type && x.name === name);
  if (!found)
    throw new Error(`no ${type} ${name}; have:\n${r.resources.map((x) => `${x.type} ${x.name}`).join("\n")}`);
  return found;
}

/** Every string anywhere in `value`, with its path. */
export function strings(value: unknown, at = ""): [string, string][] {
  if (typeof value === "string") return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

/** Where a sentinel secret appears in plain inputs, and whether each place was a Pulumi secret. */
export function secretExposure(r: PlanResult, sentinel: string) {
  return r.resources.flatMap((res) =>
    strings(res.inputs)
      .filter(([, s]) => s.includes(sentinel))
      .map(([p]) => ({
        resource: `${res.type}::${res.name}`,
        path: p,
        marked: res.secretPaths.some((sp) => p === sp || p.startsWith(`${sp}.`) || p.startsWith(`${sp}[`)),
      })),
  );
}
