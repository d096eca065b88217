/**
 * Plausibility of an instance price, wherever it comes from (a fresh AWS answer or the cache on
 * disk), relative to the catalog's dated price for the same instance type and its GPU count:
 * an on-demand price within 0.2–5× the catalog's and $0.05–$50 per GPU-hour; a spot price between
 * 2% and 150% of the on-demand price. Outside that a price is far likelier a bad answer (a unit or
 * currency mix-up, a test endpoint) than a market move, and is not cached.
 */
export function implausible(
  kind: "on-demand" | "spot",
  usdPerHour: number,
  ref: { readonly onDemandUsdPerHour: number; readonly gpus: number },
): string | undefined {
  const perGpu = usdPerHour / ref.gpus;
  if (!Number.isFinite(usdPerHour) || usdPerHour <= 0) return `$${usdPerHour}/h is not a positive price`;
  if (kind === "on-demand") {
    if (usdPerHour < 0.2 * ref.onDemandUsdPerHour || usdPerHour > 5 * ref.onDemandUsdPerHour)
      return `$${usdPerHour}/h is outside 0.2–5× the catalog's $${ref.onDemandUsdPerHour}/h`;
    if (perGpu < 0.05 || perGpu > 50) return `$${perGpu.toFixed(4)} per GPU-hour is outside $0.05–$50`;
    return undefined;
  }
  if (usdPerHour < 0.02 * ref.onDemandUsdPerHour || usdPerHour > 1.5 * ref.onDemandUsdPerHour)
    return `spot $${usdPerHour}/h is outside 2–150% of the on-demand $${ref.onDemandUsdPerHour}/h`;
  return undefined;
}
