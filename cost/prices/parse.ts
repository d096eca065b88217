/**
 * Parsing the AWS answers (pure): the Price List API's GetProducts items (each a JSON string) and
 * EC2's spot price history. A malformed or ambiguous answer is a reported problem, never a price.
 */

/** Price List "location" names of the regions the catalog's instance types are sold in. */
export const REGION_LOCATIONS: Readonly<Record<string, string>> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "eu-west-1": "EU (Ireland)",
  "eu-west-2": "EU (London)",
  "eu-central-1": "EU (Frankfurt)",
  "eu-north-1": "EU (Stockholm)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
};

export type Parsed =
  { readonly ok: true; readonly usdPerHour: number } | { readonly ok: false; readonly problem: string };

const fail = (problem: string): Parsed => ({ ok: false, problem });

/**
 * The attributes a Linux, shared-tenancy, on-demand instance price carries (the request filters on
 * them; the answer is checked again, since a price for Windows, Dedicated or another region is still a
 * well-formed number).
 */
const EXPECTED_ATTRIBUTES = {
  operatingSystem: "Linux",
  tenancy: "Shared",
  preInstalledSw: "NA",
  licenseModel: "No License required",
  capacitystatus: "Used",
} as const;

/**
 * The on-demand $/hour in a GetProducts answer that should hold exactly one product: the instance
 * type, region (`location`) and the attributes above as asked, priced in USD per hour.
 */
export function parseOnDemand(
  priceList: readonly unknown[] | undefined,
  instanceType: string,
  location?: string,
): Parsed {
  if (!priceList || priceList.length === 0) return fail("no product matched the filters");
  if (priceList.length > 1)
    return fail(`several products matched (${priceList.length}); expected exactly one`);
  let item: unknown;
  try {
    // Each item is JSON text: a string, or the SDK's LazyJsonString (a String wrapper).
    const first = priceList[0];
    item = typeof first === "string" || first instanceof String ? JSON.parse(String(first)) : first;
  } catch {
    return fail("the price list item is not valid JSON");
  }
  const o = item as {
    product?: { attributes?: Record<string, string | undefined> };
    terms?: {
      OnDemand?: Record<
        string,
        { priceDimensions?: Record<string, { pricePerUnit?: { USD?: unknown }; unit?: string }> }
      >;
    };
  };
  const attrs = o.product?.attributes ?? {};
  const expected: Record<string, string> = {
    instanceType,
    ...(location && { location }),
    ...EXPECTED_ATTRIBUTES,
  };
  for (const [k, want] of Object.entries(expected))
    if (attrs[k] !== undefined && attrs[k] !== want)
      return fail(`the product's ${k} is ${JSON.stringify(attrs[k])}, not ${JSON.stringify(want)}`);
  const terms = Object.values(o.terms?.OnDemand ?? {});
  if (terms.length === 0) return fail("the product has no on-demand terms");
  if (terms.length > 1) return fail(`the product has ${terms.length} on-demand terms; expected one`);
  const dims = Object.values(terms[0]!.priceDimensions ?? {});
  if (dims.length !== 1) return fail(`the on-demand term has ${dims.length} price dimensions; expected one`);
  // Per hour only: "Hrs" is the Price List's hourly unit; anything else (per minute, per 1,000 hours,
  // a quantity) is refused, never converted on a guess.
  const unit = dims[0]!.unit;
  if (unit !== undefined && unit !== "Hrs")
    return fail(`the price is per ${JSON.stringify(unit)}, not per hour ("Hrs")`);
  const currencies = Object.keys(dims[0]!.pricePerUnit ?? {});
  if (!currencies.includes("USD"))
    return fail(`the price is in ${currencies.join(", ") || "no currency"}, not USD`);
  const raw = dims[0]!.pricePerUnit?.USD;
  const usd = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(usd) || usd <= 0)
    return fail(`the USD price ${JSON.stringify(raw)} is not a positive number`);
  return { ok: true, usdPerHour: usd };
}

export interface SpotPoint {
  readonly AvailabilityZone?: string;
  readonly InstanceType?: string;
  readonly SpotPrice?: string;
  readonly Timestamp?: Date | string;
}

/** Spot points older than this are not today's market (the request asks for the last day). */
export const SPOT_MAX_AGE_MS = 2 * 24 * 3600 * 1000;
/** Clocks differ a little; a point stamped further ahead than this is refused. */
const SPOT_FUTURE_SLACK_MS = 5 * 60 * 1000;

/**
 * The latest spot price in each availability zone of `region`, then the median across zones. Points
 * from another region's zones, outside the recent window, or two different prices for one zone at one
 * time are refused.
 */
export function parseSpot(
  history: readonly SpotPoint[] | undefined,
  instanceType: string,
  region?: string,
  now: Date = new Date(),
): Parsed {
  const latest = new Map<string, { at: number; usd: number }>();
  let bad = 0;
  const seen = new Map<string, number>();
  for (const p of history ?? []) {
    if (p.InstanceType !== instanceType) continue;
    if (region && p.AvailabilityZone && !p.AvailabilityZone.startsWith(region))
      return fail(`a spot price for zone ${p.AvailabilityZone}, outside ${region}`);
    // Decimal text only: Number("0x10") is 16 and Number("1e9") a billion.
    const usd =
      typeof p.SpotPrice === "string" && /^\d+(\.\d+)?$/.test(p.SpotPrice.trim()) ? Number(p.SpotPrice) : NaN;
    const at = p.Timestamp === undefined ? NaN : new Date(p.Timestamp).getTime();
    if (!p.AvailabilityZone || !Number.isFinite(usd) || usd <= 0 || !Number.isFinite(at)) {
      bad++;
      continue;
    }
    if (at > now.getTime() + SPOT_FUTURE_SLACK_MS || at < now.getTime() - SPOT_MAX_AGE_MS)
      return fail(
        `a spot price stamped ${new Date(at).toISOString()}, outside the last ${SPOT_MAX_AGE_MS / 3600_000} hours`,
      );
    const key = `${p.AvailabilityZone} ${at}`;
    const twin = seen.get(key);
    if (twin !== undefined && twin !== usd)
      return fail(
        `two spot prices for ${p.AvailabilityZone} at ${new Date(at).toISOString()} ($${twin} and $${usd})`,
      );
    seen.set(key, usd);
    const prev = latest.get(p.AvailabilityZone);
    if (!prev || at > prev.at) latest.set(p.AvailabilityZone, { at, usd });
  }
  if (latest.size === 0)
    return fail(
      bad
        ? `no usable spot price (${bad} malformed point${bad > 1 ? "s" : ""})`
        : "no spot price history in the last day",
    );
  const prices = [...latest.values()].map((x) => x.usd).sort((a, b) => a - b);
  const mid = Math.floor(prices.length / 2);
  return { ok: true, usdPerHour: prices.length % 2 ? prices[mid]! : (prices[mid - 1]! + prices[mid]!) / 2 };
}
