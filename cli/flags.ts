/** Command-line values checked where they enter: one ConfigError (exit 2) naming the flag, the value and what is allowed. */
import { ConfigError, show } from "../cost/config/errors";
import { nearest } from "../cost/catalog";

export function flagError(flag: string, value: unknown, message: string): ConfigError {
  return new ConfigError([{ path: `--${flag}`, found: show(value), message }], "command line");
}

export function number(
  flag: string,
  raw: string | undefined,
  check: (n: number) => boolean,
  allowed: string,
): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(n) || !check(n))
    throw flagError(flag, raw, `must be ${allowed}`);
  return n;
}

/** A catalog key, or an error with the nearest key and the known ones. */
export function catalogKey<T>(
  flag: string,
  value: string | undefined,
  table: Readonly<Record<string, T>>,
  what: string,
): T {
  const key = value ?? "";
  if (Object.hasOwn(table, key)) return table[key]!;
  const guess = nearest(key, Object.keys(table));
  throw flagError(
    flag,
    value,
    `is not a catalog ${what}; ${guess ? `did you mean "${guess}"? ` : ""}known: ${Object.keys(table).join(", ")}`,
  );
}
