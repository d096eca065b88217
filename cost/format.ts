/**
 * Number formatting for reports without Intl: `toLocaleString` costs ~50 µs a call, and line-item
 * formulas are built on every evaluation the break-even solver makes.
 */
export function formatNumber(n: number, maxDecimals = 1): string {
  const fixed = Math.abs(n).toFixed(maxDecimals);
  const [whole, frac = ""] = fixed.split(".");
  const trimmed = frac.replace(/0+$/, "");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 && Number(fixed) !== 0 ? "-" : ""}${grouped}${trimmed ? `.${trimmed}` : ""}`;
}

/** Compact token counts: 1.8B, 200M, 12.3k. */
export function formatTokens(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toPrecision(3)}B`;
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${Math.round(n)}`;
}
