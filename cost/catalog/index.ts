export * from "./source";
export * from "./gpus";
export * from "./instances";
export * from "./models";
export * from "./apis";
export * from "./managed";
export * from "./ownership";
export * from "./quality";

/** The date of the newest figure in the bundled catalog; the report prints it so its age is visible. */
export const CATALOG_AS_OF = "2026-11";

/** Levenshtein distance, for "did you mean" suggestions on catalog keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The key nearest to `value` (case-insensitive), or undefined when nothing is reasonably close. */
export function nearest(value: string, keys: readonly string[]): string | undefined {
  // Edit distance is O(|value| × |key|): a value far longer than any key is no typo of one, and a
  // hostile 20 KB name must not cost seconds a suggestion.
  const longest = keys.reduce((m, k) => Math.max(m, k.length), 0);
  if (value.length > 2 * longest + 8) return undefined;
  const v = value.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of keys) {
    const kl = k.toLowerCase();
    const d = kl.startsWith(v) || v.startsWith(kl) ? 1 : distance(v, kl);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(2, Math.ceil(v.length / 3)) ? best : undefined;
}
