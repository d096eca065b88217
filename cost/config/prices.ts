/**
 * Prices a stack's config resolves to (pure): the catalog, replaced by fresh live-price cache entries
 * for the stack's region, replaced in turn by the stack's own overrides; and the compared APIs and
 * managed-open offers with their overrides.
 */
import {
  APIS,
  INSTANCE_TYPES,
  offersFor,
  stackOverride,
  type ApiOffer,
  type InstanceType,
  type ManagedOffer,
  type Source,
} from "../catalog";
import { cacheKey, type CachedPrice, type PriceCache } from "../catalog/price-cache";
import { unknownKey, type Problems } from "./errors";
import type { ParsedStackConfig } from "./schema";

/** Live prices the resolver may use, and the time that decides their age. */
export interface PriceContext {
  readonly cache?: PriceCache;
  readonly now?: Date;
  /** Problems met while reading live prices (an unreadable cache), carried into the report. */
  readonly warnings?: readonly string[];
}

/** Catalog prices, replaced by cache entries younger than `maxAgeDays` for the stack's region. */
function withCachedPrices(
  region: string,
  maxAgeDays: number,
  ctx: PriceContext,
): Record<string, InstanceType> {
  const now = ctx.now ?? new Date();
  // No prototype, like the catalog: a key from a stack file is only ever an own entry.
  const out: Record<string, InstanceType> = Object.assign(Object.create(null), INSTANCE_TYPES);
  for (const [key, base] of Object.entries(INSTANCE_TYPES)) {
    const entry = ctx.cache?.entries[cacheKey(region, key)];
    const fresh = (c: CachedPrice | undefined) =>
      c && (now.getTime() - new Date(c.fetchedAt).getTime()) / 86_400_000 <= maxAgeDays;
    const src = (c: CachedPrice): Source => ({
      title: `${c.source}, ${region}`,
      url: "https://aws.amazon.com/ec2/pricing/",
      asOf: c.fetchedAt,
      origin: "cache",
    });
    const od = fresh(entry?.onDemand) ? entry!.onDemand! : undefined;
    const spot = fresh(entry?.spot) ? entry!.spot! : undefined;
    if (!od && !spot) continue;
    out[key] = {
      ...base,
      onDemandUsdPerHour: od?.usdPerHour ?? base.onDemandUsdPerHour,
      spotUsdPerHour: spot?.usdPerHour ?? base.spotUsdPerHour,
      sources: { ...base.sources, ...(od && { onDemand: src(od) }), ...(spot && { spot: src(spot) }) },
    };
  }
  return out;
}

export function resolvePrices(
  p: Problems,
  c: ParsedStackConfig,
  stack: string,
  region: string,
  ctx: PriceContext,
) {
  const instances = withCachedPrices(region, c.prices.maxAgeDays, ctx);
  for (const [key, o] of Object.entries(c.prices.instances)) {
    const base = instances[key];
    if (!base) {
      unknownKey(p, ["prices", "instances", key], key, Object.keys(INSTANCE_TYPES), "an instance type");
      continue;
    }
    const at = (k: string) => stackOverride(stack, `prices.instances.${key}.${k}`);
    instances[key] = {
      ...base,
      onDemandUsdPerHour: o.onDemand ?? base.onDemandUsdPerHour,
      spotUsdPerHour: o.spot ?? base.spotUsdPerHour,
      savingsPlanUsdPerHour: o.savingsPlan ?? base.savingsPlanUsdPerHour,
      sources: {
        onDemand: o.onDemand === undefined ? base.sources.onDemand : at("onDemand"),
        spot: o.spot === undefined ? base.sources.spot : at("spot"),
        savingsPlan: o.savingsPlan === undefined ? base.sources.savingsPlan : at("savingsPlan"),
      },
    };
  }
  for (const key of Object.keys(c.prices.apis)) {
    if (!APIS[key]) unknownKey(p, ["prices", "apis", key], key, Object.keys(APIS), "an API");
  }
  const apis: ApiOffer[] = [];
  c.compare.apis.forEach((key, i) => {
    const base = APIS[key];
    if (!base) return unknownKey(p, ["compare", "apis", i], key, Object.keys(APIS), "an API");
    const o = c.prices.apis[key];
    apis.push(
      o
        ? {
            ...base,
            inputPerMillion: o.input ?? base.inputPerMillion,
            outputPerMillion: o.output ?? base.outputPerMillion,
            ...((o.cachedInput ?? base.cachedInputPerMillion) !== undefined && {
              cachedInputPerMillion: o.cachedInput ?? base.cachedInputPerMillion,
            }),
            source: stackOverride(stack, `prices.apis.${key}`),
          }
        : base,
    );
  });
  const routing = c.workload.routing;
  if (routing && !c.compare.apis.includes(routing.api))
    p.add(
      ["workload", "routing", "api"],
      routing.api,
      `must be one of compare.apis (${c.compare.apis.join(", ")}): the hybrid is priced with the compared API's prices; add it to compare.apis`,
    );
  return { instances, apis };
}

export function managedOffers(c: ParsedStackConfig, modelKey: string, stack: string): ManagedOffer[] {
  return offersFor(modelKey).map((offer) => {
    const o = c.prices.managed[offer.host];
    if (!o) return offer;
    return {
      ...offer,
      inputPerMillion: o.input ?? offer.inputPerMillion,
      outputPerMillion: o.output ?? offer.outputPerMillion,
      ...((o.cachedInput ?? offer.cachedInputPerMillion) !== undefined && {
        cachedInputPerMillion: o.cachedInput ?? offer.cachedInputPerMillion,
      }),
      source: stackOverride(stack, `prices.managed.${offer.host}`),
    };
  });
}
