/**
 * The hybrid lane: a share of the traffic (the hard share) on a frontier API, the rest on the stack's
 * own deployment. Both parts are priced at their own volumes with their own line items (each keeps
 * its labour: the hybrid runs both), so the hybrid is a cost curve like any other lane.
 */
import type { Quality } from "./catalog";
import type { Breakdown, CostOption } from "./options";

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

export function hybridOption(self: CostOption, api: CostOption, apiShare: number): CostOption {
  const rest = 1 - apiShare;
  const prefix = (b: Breakdown, label: string) =>
    b.lineItems.map((i) => ({
      name: `${label}: ${i.name}`,
      monthly: i.monthly,
      quantity: i.quantity,
      unit: i.unit,
      unitPrice: i.unitPrice,
      source: i.source,
      get formula() {
        return i.formula;
      },
    }));
  return {
    id: `hybrid:${api.id}:${apiShare}`,
    label: `hybrid: ${pct(apiShare)} on ${api.label}, ${pct(rest)} on ${self.label}`,
    kind: "hybrid",
    at: (s) => {
      const a = api.at(s * apiShare);
      const b = rest > 0 ? self.at(s * rest) : undefined;
      return {
        total: (a.total + (b?.total ?? 0)) as Breakdown["total"],
        lineItems: [...prefix(a, "hard share"), ...(b ? prefix(b, "rest") : [])],
        ...(b?.plan && { plan: b.plan }),
      };
    },
    get breakpoints() {
      return rest > 0 ? self.breakpoints.map((x) => x / rest) : [];
    },
    maxScale: rest > 0 ? self.maxScale / rest : Infinity,
    ...(self.replica && { replica: self.replica }),
    ...weaker(self.quality, api.quality),
  };
}

/** A hybrid is as good as its weaker part (the open model's share, usually); unrated if either is. */
function weaker(a: Quality | undefined, b: Quality | undefined): { quality?: Quality } {
  if (!a || !b) return {};
  return { quality: a.score <= b.score ? a : b };
}

/**
 * The API share at or above `minShare` (and below 100%: all of it on the API is the API's own lane)
 * that makes the hybrid cheapest at the stack's volume. The cost is piecewise linear in the share, so
 * the minimum lies at an end or next to a step of the self-hosted part; a 1% grid plus both sides of
 * every step finds it.
 */
export function cheapestSplit(self: CostOption, api: CostOption, minShare: number): number {
  const most = 0.99;
  const candidates = new Set<number>([minShare, most]);
  for (let k = Math.ceil(minShare * 100); k <= most * 100; k++) candidates.add(k / 100);
  // The self-hosted part steps at scale b, i.e. at API share 1 − b: take both sides of the step.
  for (const b of self.breakpoints)
    for (const share of [1 - b, 1 - b + 1e-9]) if (share >= minShare && share <= most) candidates.add(share);
  let best = minShare;
  let bestCost = Infinity;
  for (const share of [...candidates].sort((x, y) => x - y)) {
    if (share < minShare) continue;
    const option = hybridOption(self, api, share);
    if (option.maxScale < 1) continue;
    const cost = option.at(1).total;
    if (cost < bestCost) {
      best = share;
      bestCost = cost;
    }
  }
  return best;
}
