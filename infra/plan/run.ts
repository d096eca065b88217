/**
 * Runs a stack's Pulumi program (infra/index.ts, the same code `pulumi preview` runs) under Pulumi's
 * mock runtime and records every resource it registers: type, name, parent, inputs, and which input
 * paths were Pulumi secrets. Used by `vllm-tco plan` and by the program tests. One run per process
 * state: the mock runtime is process-wide, so callers run stacks one after another.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RawStack } from "../../cost/config/stack-file";
import { mockCall, mockState } from "./mocks";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** `type::name` of the parent resource; undefined for children of the stack itself. */
  readonly parent?: string;
  readonly custom: boolean;
  /** Inputs as the provider would receive them (secrets in plain text here: see `secretPaths`). */
  readonly inputs: Record<string, unknown>;
  /** Dotted paths of inputs that were Pulumi secrets. */
  readonly secretPaths: readonly string[];
}

export interface LogLine {
  readonly severity: "info" | "warn" | "error";
  readonly message: string;
}

export interface PlanResult {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
  readonly logs: readonly LogLine[];
  /** The program's error (config or budget gate), when it stopped. */
  readonly error?: string;
}

export const SECRET_PLACEHOLDER = "[secret]";

/** Pulumi's wire signature for special values; the mock runtime hands secrets over wrapped in it. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Inputs with secret wrappers removed, and the dotted paths where they were. */
export function unwrapSecrets(
  value: unknown,
  path = "",
  paths: string[] = [],
): { value: unknown; paths: string[] } {
  if (Array.isArray(value))
    return { value: value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, paths).value), paths };
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      paths.push(path || "(root)");
      return { value: unwrapSecrets(obj["value"], path, []).value, paths };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj))
      out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, paths).value;
    return { value: out, paths };
  }
  return { value, paths };
}

/** Config as the Pulumi engine would hand it over: `ns:key` → string (structured values as JSON). */
export function engineConfig(raw: RawStack, secretValues: Readonly<Record<string, string>>) {
  const config: Record<string, string> = {};
  const put = (key: string, value: unknown) =>
    (config[key] = typeof value === "string" ? value : JSON.stringify(value));
  for (const [k, v] of Object.entries(raw.providerConfig)) put(k, v);
  for (const [k, v] of Object.entries(raw.namespace)) put(`vllm-tco:${k}`, v);
  const secretKeys: string[] = [];
  for (const name of raw.secretsSet) {
    put(`vllm-tco:${name}`, secretValues[name] ?? SECRET_PLACEHOLDER);
    secretKeys.push(`vllm-tco:${name}`);
  }
  for (const [name, value] of Object.entries(secretValues)) {
    if (raw.secretsSet.includes(name)) continue;
    put(`vllm-tco:${name}`, value);
    secretKeys.push(`vllm-tco:${name}`);
  }
  return { config, secretKeys };
}

export interface PlanOptions {
  /** Values for secret keys (tests use sentinels); encrypted values in the file become "[secret]". */
  readonly secretValues?: Readonly<Record<string, string>>;
  /** Run the program as `pulumi up` runs it rather than as a preview (tests of what only an update does). */
  readonly update?: boolean;
}

export async function planStack(raw: RawStack, opts: PlanOptions = {}): Promise<PlanResult> {
  const recorded = new Map<
    string,
    { type: string; name: string; custom: boolean; inputs: Record<string, unknown>; secretPaths: string[] }
  >();
  const parents = new Map<string, string>();
  const order: string[] = [];
  const logs: LogLine[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const key = `${args.type}::${args.name}`;
        const { value, paths } = unwrapSecrets(args.inputs);
        recorded.set(key, {
          type: args.type,
          name: args.name,
          custom: args.custom !== false,
          inputs: value as Record<string, unknown>,
          secretPaths: paths,
        });
        order.push(key);
        return mockState(args);
      },
      call: mockCall,
    },
    "vllm-tco",
    raw.stack,
    // A preview, as `pulumi preview` runs the program: what only an update does (stopping a deployment
    // that cannot work) is the update's, and `plan` shows the preview's warning instead.
    opts.update !== true,
  );
  const { config, secretKeys } = engineConfig(raw, opts.secretValues ?? {});
  pulumi.runtime.setAllConfig(config, secretKeys);

  // Capture the program's log lines (a real preview shows them in the CLI).
  const log = pulumi.log as unknown as Record<"info" | "warn" | "error", (msg: string) => Promise<void>>;
  const saved = { info: log.info, warn: log.warn, error: log.error };
  for (const severity of ["info", "warn", "error"] as const)
    log[severity] = async (message: string) => void logs.push({ severity, message });

  // The program's own return value, Outputs intact: the Stack's resolved outputs have lost which
  // values were secret, so they are never what the plan prints.
  let outputs: Record<string, unknown> = {};
  let error: string | undefined;
  try {
    // `export =` arrives as the module itself (CommonJS) or as its default (ESM interop).
    const mod = (await import("../index")) as unknown as { default?: () => Promise<Record<string, unknown>> };
    const program = (mod.default ?? mod) as () => Promise<Record<string, unknown>>;
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((t) => {
        const parent = t.opts.parent as
          (pulumi.Resource & { __pulumiType?: string; __name?: string }) | undefined;
        const parentKey =
          parent && parent.__pulumiType !== "pulumi:pulumi:Stack"
            ? `${parent.__pulumiType}::${parent.__name}`
            : undefined;
        if (parentKey) parents.set(`${t.type}::${t.name}`, parentKey);
        return undefined;
      });
      // The program's own failure (config, budget gate) is caught here, inside the stack, so the
      // Stack resource completes and no promise is left rejected behind it.
      try {
        outputs = await program();
        return outputs;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
        return {};
      }
    });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    Object.assign(log, saved);
  }
  await pulumi.runtime.disconnect().catch(() => undefined);

  const resources: RecordedResource[] = order.map((key) => {
    const parent = parents.get(key);
    return { ...recorded.get(key)!, ...(parent && { parent }) };
  });
  return {
    stack: raw.stack,
    resources,
    outputs: await resolveOutputs(outputs),
    logs,
    ...(error && { error }),
  };
}

/** Stack outputs may hold Outputs: unwrap them (secrets shown as the placeholder). */
async function resolveOutputs(value: unknown): Promise<Record<string, unknown>> {
  const resolve = async (v: unknown): Promise<unknown> => {
    if (pulumi.Output.isInstance(v)) {
      if (await pulumi.isSecret(v)) return SECRET_PLACEHOLDER;
      return resolve(await new Promise((res) => v.apply(res)));
    }
    if (Array.isArray(v)) return Promise.all(v.map(resolve));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await resolve(x);
      return out;
    }
    return v;
  };
  return (await resolve(value)) as Record<string, unknown>;
}
