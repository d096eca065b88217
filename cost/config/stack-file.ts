/**
 * Reads a Pulumi stack file (`stacks/Pulumi.<stack>.yaml`) without the Pulumi CLI: the same keys
 * `pulumi.Config` would hand the program. Secret keys must be encrypted (`secure:`); their values are
 * never needed for cost and are never decrypted here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, NAMESPACE, show } from "./errors";
import { SECRET_KEYS } from "./schema";
import { resolveStackConfig, type StackConfig } from "./stack-config";
import { readCache } from "../catalog/price-cache";
import { withModelConfigFile } from "./model-config-file";

export interface RawStack {
  readonly stack: string;
  readonly file: string;
  /** The `vllm-tco:` namespace, prefix removed. */
  readonly namespace: Record<string, unknown>;
  /** Keys of other namespaces (`aws:region`), as written. */
  readonly providerConfig: Record<string, unknown>;
  /** Which secret keys are set (encrypted) in the file. */
  readonly secretsSet: readonly string[];
}

/** The stacks folder of this project: `stacks/` beside `Pulumi.yaml`. */
export function stacksDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return path.join(dir, "stacks");
    dir = path.dirname(dir);
  }
  return path.resolve("stacks");
}

export function listStacks(dir = stacksDir()): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * `Pulumi.<stack>.yaml` in `./stacks` of the current directory (the user's own project), else in this
 * project's `stacks/` (the bundled examples).
 */
export function stackFile(stack: string, dir?: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stack))
    throw new ConfigError(
      [
        {
          path: "--stack",
          found: show(stack),
          message: "is not a stack name (letters, digits, `.`, `_`, `-`); give a file with --stack-file",
        },
      ],
      "command line",
    );
  const local = path.resolve("stacks", `Pulumi.${stack}.yaml`);
  if (dir === undefined && fs.existsSync(local)) return local;
  dir ??= stacksDir();
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(dir) ? listStacks(dir) : [];
    throw new ConfigError(
      [
        {
          path: "--stack",
          found: show(stack),
          message: `no stack file ${file}; known stacks: ${known.join(", ") || "(none)"}`,
        },
      ],
      "command line",
    );
  }
  return file;
}

/** Split a stack file's `config:` map into our namespace and the rest; check secrets are encrypted. */
export function splitConfig(config: Record<string, unknown>, stack: string, file: string): RawStack {
  const namespace: Record<string, unknown> = {};
  const providerConfig: Record<string, unknown> = {};
  const secretsSet: string[] = [];
  const problems = [];
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(`${NAMESPACE}:`)) {
      providerConfig[key] = value;
      continue;
    }
    const name = key.slice(NAMESPACE.length + 1);
    if ((SECRET_KEYS as readonly string[]).includes(name)) {
      const encrypted = value !== null && typeof value === "object" && "secure" in value;
      if (!encrypted)
        problems.push({
          path: key,
          found: "(a plain value, not shown)",
          message: `must be a Pulumi secret: run \`pulumi config set --secret ${key} <value>\` so it is stored encrypted`,
        });
      else secretsSet.push(name);
      continue;
    }
    namespace[name] = value;
  }
  if (problems.length) throw new ConfigError(problems, `stack ${stack}`);
  // model.configFile is read here, with the other file reads, relative to the stack file.
  const resolved = withModelConfigFile(namespace, path.dirname(path.resolve(file)), stack);
  return { stack, file, namespace: resolved, providerConfig, secretsSet };
}

export function readStackFile(file: string, stack?: string): RawStack {
  const name = stack ?? /Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ?? path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(
      [
        {
          path: "--stack-file",
          found: show(file),
          message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path`,
        },
      ],
      "command line",
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigError(
      [
        {
          path: file,
          found: "(unparsable YAML)",
          message: `is not valid YAML: ${(e as Error).message.split("\n")[0]}`,
        },
      ],
      `stack ${name}`,
    );
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === null || typeof config !== "object" || Array.isArray(config))
    throw new ConfigError(
      [
        {
          path: `${file}: config`,
          found: show(config),
          message: "a stack file needs a `config:` map of `vllm-tco:` settings",
        },
      ],
      `stack ${name}`,
    );
  return splitConfig(config as Record<string, unknown>, name, file);
}

/** Load and resolve a stack by name (`stacks/`) or by path, with the live-price cache when there is one. */
export function loadStack(opts: {
  stack?: string;
  stackFile?: string;
  dir?: string;
  now?: Date;
}): StackConfig {
  const file = opts.stackFile ?? stackFile(opts.stack ?? "aws-h100", opts.dir);
  const raw = readStackFile(file, opts.stackFile ? undefined : opts.stack);
  const { cache, warning } = readCache();
  return resolveStackConfig(raw.namespace, raw.stack, raw.providerConfig, {
    cache,
    ...(opts.now && { now: opts.now }),
    ...(warning && { warnings: [warning] }),
  });
}
