/**
 * Prices a stack's config resolves to (pure): the catalog, replaced by fresh live-price cache entries
 * for the stack's region, replaced in turn by the stack's own overrides; and the compared APIs and
 * managed-open offers with their overrides.
 */
import {
  APIS,
  CATALOG_REGION,
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

/**
 * Catalog prices, replaced by cache entries younger than `maxAgeDays` for the stack's region. The
 * catalog's rows are us-east-1's: in any other region an instance type is priced only from the cache
 * (or the stack's overrides), never at another region's rate.
 */
function withCachedPrices(
  region: string,
  maxAgeDays: number,
  ctx: PriceContext,
): { instances: Record<string, InstanceType>; unpriced: Set<string> } {
  const now = ctx.now ?? new Date();
  // No prototype, like the catalog: a key from a stack file is only ever an own entry.
  const out: Record<string, InstanceType> = Object.assign(Object.create(null), INSTANCE_TYPES);
  const unpriced = new Set(region === CATALOG_REGION ? [] : Object.keys(INSTANCE_TYPES));
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
    if (od) unpriced.delete(key);
    if (!od && !spot) continue;
    out[key] = {
      ...base,
      onDemandUsdPerHour: od?.usdPerHour ?? base.onDemandUsdPerHour,
      spotUsdPerHour: spot?.usdPerHour ?? base.spotUsdPerHour,
      sources: { ...base.sources, ...(od && { onDemand: src(od) }), ...(spot && { spot: src(spot) }) },
    };
  }
  for (const key of unpriced) out[key] = outOfRegion(out[key]!, region);
  return { instances: out, unpriced };
}

/**
 * An instance type outside the catalog's region: its us-east-1 rates kept only as placeholders that
 * every source marks as another region's estimate. The stack's own instance is refused without a
 * regional on-demand price (resolvePrices), and a rented alternative without one is left out
 * (projection); a spot or savings-plan rate the cache or the stack does not give stays marked.
 */
function outOfRegion(i: InstanceType, region: string): InstanceType {
  const mark = (s: Source): Source =>
    s.origin === "cache" ? s : { ...s, title: `${s.title} (not ${region}'s price)`, estimate: true };
  return {
    ...i,
    sources: {
      onDemand: mark(i.sources.onDemand),
      spot: mark(i.sources.spot),
      savingsPlan: mark(i.sources.savingsPlan),
    },
  };
}

export function resolvePrices(
  p: Problems,
  c: ParsedStackConfig,
  /** The API keys to compare: `compare.apis`, or the default for the stack's quality index. */
  apiKeys: readonly string[],
  stack: string,
  region: string,
  ctx: PriceContext,
) {
  const { instances, unpriced } = withCachedPrices(region, c.prices.maxAgeDays, ctx);
  for (const [key, o] of Object.entries(c.prices.instances)) {
    if (o.onDemand !== undefined) unpriced.delete(key);
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
  const own = c.platform === "aws" ? c.aws?.instanceType : undefined;
  if (own && unpriced.has(own))
    p.add(
      c.aws?.region ? ["aws", "region"] : ["aws:region"],
      region,
      `has no ${own} price: the bundled catalog holds ${CATALOG_REGION}'s. Run \`vllm-tco prices refresh --region ${region} --instance-types ${own}\` (AWS credentials with pricing:GetProducts), or set prices.instances.${own}.onDemand (and .spot) to ${region}'s published rates`,
    );
  for (const key of Object.keys(c.prices.apis)) {
    if (!APIS[key]) unknownKey(p, ["prices", "apis", key], key, Object.keys(APIS), "an API");
  }
  const apis: ApiOffer[] = [];
  apiKeys.forEach((key, i) => {
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
            source:
              (o.input ?? o.cachedInput ?? o.output)
                ? stackOverride(stack, `prices.apis.${key}`)
                : base.source,
            ...(o.reasoningTokensPerOutputToken !== undefined && {
              reasoning: {
                perOutputToken: o.reasoningTokensPerOutputToken,
                low: o.reasoningTokensPerOutputToken,
                high: o.reasoningTokensPerOutputToken,
                effort: base.reasoning?.effort ?? "as the stack measured it",
                source: stackOverride(stack, `prices.apis.${key}.reasoningTokensPerOutputToken`),
              },
            }),
          }
        : base,
    );
  });
  const routing = c.workload.routing;
  if (routing && !apiKeys.includes(routing.api))
    p.add(
      ["workload", "routing", "api"],
      routing.api,
      `must be one of compare.apis (${apiKeys.join(", ")}): the hybrid is priced with the compared API's prices; add it to compare.apis`,
    );
  return { instances, apis, unpriced };
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
