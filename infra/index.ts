/**
 * The Pulumi program's entry, and the only place that reads Pulumi configuration: the `vllm-tco:`
 * namespace is validated and resolved once (infra/stack-config.ts), then handed to the program.
 * Config errors become a RunError: one clear message in `pulumi preview`, no stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS } from "../cost/config/schema";
import { ConfigError, NAMESPACE } from "../cost/config/errors";
import { runProgram, type ProgramSecrets, type StackOutputs } from "./program";
import { readCache } from "../cost/catalog/price-cache";
import type { PriceContext } from "../cost/config/prices";
import { resolveStackConfig, type StackConfig } from "../cost/config/stack-config";
import { withModelConfigFile } from "../cost/config/model-config-file";
import { stacksDir } from "../cost/config/stack-file";

/** Structured config arrives as JSON text; plain strings stay strings. */
function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * Whether the engine delivered `key` as a secret. The SDK exports this from its runtime but leaves it
 * out of the type declarations; without it (a future SDK) the check is skipped, never wrongly failed.
 */
function isSecret(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return runtime.isConfigSecret?.(key) ?? true;
}

function livePrices(): PriceContext {
  const { cache, warning } = readCache();
  return { cache, ...(warning && { warnings: [warning] }) };
}

function readConfig(): { config: StackConfig; secrets: ProgramSecrets } {
  const all = pulumi.runtime.allConfig();
  const namespace: Record<string, unknown> = {};
  const providerConfig: Record<string, unknown> = {};
  const problems = [];
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(`${NAMESPACE}:`)) {
      providerConfig[key] = decode(value);
      continue;
    }
    const name = key.slice(NAMESPACE.length + 1);
    if ((SECRET_KEYS as readonly string[]).includes(name)) {
      if (!isSecret(key))
        problems.push({
          path: key,
          found: "(a plain value, not shown)",
          message: `must be a Pulumi secret: run \`pulumi config set --secret ${key} <value>\``,
        });
      continue;
    }
    namespace[name] = decode(value);
  }
  if (problems.length) throw new ConfigError(problems, `stack ${pulumi.getStack()}`);
  const cfg = new pulumi.Config(NAMESPACE);
  const hfToken = cfg.getSecret("hfToken");
  const apiKey = cfg.getSecret("apiKey");
  return {
    // The same live-price cache `vllm-tco cost` uses, so the preview shows the same figures.
    // model.configFile is relative to the stack file, in the project's stackConfigDir (stacks/).
    config: resolveStackConfig(
      withModelConfigFile(namespace, stacksDir(), pulumi.getStack()),
      pulumi.getStack(),
      providerConfig,
      livePrices(),
    ),
    secrets: { ...(hfToken && { hfToken }), ...(apiKey && { apiKey }) },
  };
}

export = async (): Promise<StackOutputs> => {
  let resolved: ReturnType<typeof readConfig>;
  try {
    resolved = readConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return runProgram(resolved.config, resolved.secrets);
};
