/**
 * Config errors that name the setting, the value found, what is allowed and how to fix it.
 * One ConfigError carries every problem found, so a user fixes a stack file in one pass.
 */
import type { core } from "zod";
import { nearest } from "../catalog";
import { redact } from "./redact";

export interface ConfigProblem {
  /** Full setting path, e.g. `vllm-tco:gpu.count`. */
  readonly path: string;
  /** The value found, JSON-encoded (`(missing)` when absent). */
  readonly found: string;
  /** What is wrong and what to do about it. */
  readonly message: string;
}

/** Problems listed in one message; the rest are counted ("and N more"): a fix starts at the top. */
const MAX_LISTED = 20;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly where = "stack config",
  ) {
    // Redacted as a whole: a credential can sit in a key's name (the path), not only in a value.
    super(
      redact(
        `invalid ${where}:\n` +
          problems
            .slice(0, MAX_LISTED)
            .map((p) => `  - ${p.path}: ${p.message} (found ${p.found})`)
            .join("\n") +
          (problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : ""),
      ),
    );
  }
}

export const NAMESPACE = "vllm-tco";

export function settingPath(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (head === undefined) return `${NAMESPACE}:`;
  // Another namespace's key (`aws:region`) is named as the stack file writes it.
  const ns = head.includes(":") ? "" : `${NAMESPACE}:`;
  return `${ns}${head}${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}`;
}

/** Credential shapes are never echoed: the one redaction pass (./redact.ts). */
export const redactSecrets = redact;

export function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  const s = redactSecrets(JSON.stringify(value) ?? String(value));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function at(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** A zod issue as a problem that says what is allowed, in the contract's words rather than zod's. */
export function fromZodIssue(issue: core.$ZodIssue, root: unknown): ConfigProblem {
  const found = at(root, issue.path);
  const path = settingPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const keys = issue.keys.map((k) => `\`${k}\``).join(", ");
      return {
        path,
        found: show(issue.keys),
        message: `unknown setting ${keys}; remove it or check its spelling against the contract in cost/config/schema.ts`,
      };
    }
    case "invalid_value":
      return {
        path,
        found: show(found),
        message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "invalid_type":
      return {
        path,
        found: show(found),
        message:
          found === undefined ? `is required (${issue.expected})` : `must be ${article(issue.expected)}`,
      };
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const word = issue.code === "too_small" ? "at least" : "at most";
      const strict = issue.inclusive === false ? (issue.code === "too_small" ? "above" : "below") : word;
      const unit = issue.origin === "array" ? " entries" : issue.origin === "string" ? " characters" : "";
      return { path, found: show(found), message: `must be ${strict} ${String(bound)}${unit}` };
    }
    default:
      return { path, found: show(found), message: issue.message };
  }
}

function article(type: string): string {
  if (type === "int") return "a whole number";
  if (type === "array") return "a list";
  if (type === "object") return "a map of settings";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Problems collect here so one run reports all of them. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  add(path: PropertyKey[], found: unknown, message: string): void {
    this.list.push({ path: settingPath(path), found: show(found), message });
  }
}

export function unknownKey(
  p: Problems,
  path: PropertyKey[],
  value: string,
  keys: readonly string[],
  what: string,
): void {
  const guess = nearest(value, keys);
  p.add(
    path,
    value,
    `is not ${what} in the catalog; ${guess ? `did you mean "${guess}"? ` : ""}known: ${keys.join(", ")}`,
  );
}
