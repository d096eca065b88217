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
}

/** The source used for any figure a stack's config overrides. */
export function stackOverride(stack: string, path: string): Source {
  return { title: `stack ${stack}: ${path}`, url: `stacks/Pulumi.${stack}.yaml`, asOf: "stack config" };
}

/** The reference sheet the catalog was seeded from. */
export const REFERENCE_SHEET = "shared/data/reference-prices.md";
