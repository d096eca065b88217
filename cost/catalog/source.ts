/** Where a figure comes from and when it was checked: every price in the catalog carries one. */
export interface Source {
  /** Short human name of the source, e.g. "AWS EC2 On-Demand pricing". */
  readonly title: string;
  /** Link to the page the figure was read from. */
  readonly url: string;
  /** When the figure was checked, `YYYY-MM` or `YYYY-MM-DD`. */
  readonly asOf: string;
  /** Set when the figure is our own estimate rather than a published number. */
  readonly estimate?: boolean;
  /** Where the cost model took it from: the bundled catalog (default), the live-price cache, the stack. */
  readonly origin?: "catalog" | "cache" | "override";
}

/** The source used for any figure a stack's config overrides. */
export function stackOverride(stack: string, path: string): Source {
  return {
    title: `stack ${stack}: ${path}`,
    url: `stacks/Pulumi.${stack}.yaml`,
    asOf: "stack config",
    origin: "override",
  };
}

/** The reference sheet the catalog was seeded from. */
export const REFERENCE_SHEET = "cost/catalog/reference-prices.md";

/** Days from a source's `asOf` (YYYY, YYYY-MM or an ISO date) to `now`; undefined for stack overrides. */
export function ageDays(source: Source, now: Date): number | undefined {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(source.asOf);
  if (!m) return undefined;
  const at =
    source.origin === "cache"
      ? new Date(source.asOf)
      : new Date(Date.UTC(+m[1]!, m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1));
  return Math.max(0, Math.floor((now.getTime() - at.getTime()) / 86_400_000));
}

/**
 * A lookup table keyed by user input: no prototype, so `table["constructor"]` or `table["__proto__"]`
 * is undefined like any unknown key, not an inherited function; frozen, so nothing rewrites it.
 */
export function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** One source for a figure blended from several (a mixed spot/on-demand rate): all titles, the oldest date. */
export function blendedSource(sources: readonly Source[]): Source {
  const [first, ...rest] = sources;
  if (!first) throw new Error("blendedSource: no source");
  if (rest.length === 0) return first;
  const oldest = [...sources].sort((a, b) => a.asOf.localeCompare(b.asOf))[0]!;
  return {
    title: sources.map((x) => x.title).join(" + "),
    url: first.url,
    asOf: oldest.asOf,
    ...(sources.some((x) => x.estimate) && { estimate: true }),
    ...(sources.some((x) => x.origin === "cache") && { origin: "cache" as const }),
  };
}
