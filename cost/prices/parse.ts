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

/** The on-demand $/hour in a GetProducts answer that should hold exactly one product. */
export function parseOnDemand(priceList: readonly unknown[] | undefined, instanceType: string): Parsed {
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
    product?: { attributes?: { instanceType?: string } };
    terms?: {
      OnDemand?: Record<
        string,
        { priceDimensions?: Record<string, { pricePerUnit?: { USD?: unknown }; unit?: string }> }
      >;
    };
  };
  const found = o.product?.attributes?.instanceType;
  if (found !== undefined && found !== instanceType)
    return fail(`the product is ${JSON.stringify(found)}, not ${instanceType}`);
  const terms = Object.values(o.terms?.OnDemand ?? {});
  if (terms.length === 0) return fail("the product has no on-demand terms");
  if (terms.length > 1) return fail(`the product has ${terms.length} on-demand terms; expected one`);
  const dims = Object.values(terms[0]!.priceDimensions ?? {});
  if (dims.length !== 1) return fail(`the on-demand term has ${dims.length} price dimensions; expected one`);
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

/** The latest spot price in each availability zone, then the median across zones. */
export function parseSpot(history: readonly SpotPoint[] | undefined, instanceType: string): Parsed {
  const latest = new Map<string, { at: number; usd: number }>();
  let bad = 0;
  for (const p of history ?? []) {
    if (p.InstanceType !== instanceType) continue;
    // Decimal text only: Number("0x10") is 16 and Number("1e9") a billion.
    const usd =
      typeof p.SpotPrice === "string" && /^\d+(\.\d+)?$/.test(p.SpotPrice.trim()) ? Number(p.SpotPrice) : NaN;
    const at = p.Timestamp === undefined ? NaN : new Date(p.Timestamp).getTime();
    if (!p.AvailabilityZone || !Number.isFinite(usd) || usd <= 0 || !Number.isFinite(at)) {
      bad++;
      continue;
    }
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
