/**
 * `vllm-tco prices refresh`: on-demand prices from the AWS Price List API and recent spot prices from
 * EC2, into the local cache. Uses the standard credential chain and the SDK's standard endpoint
 * settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_PRICING, AWS_ENDPOINT_URL_EC2). No credentials or no
 * network is a clear message and the catalog stays in use; a bad answer for one instance type is
 * reported and that type is left out of the cache.
 */
import { DescribeSpotPriceHistoryCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { cacheKey, readCache, writeCache, type CachedPrice, type PriceCache } from "../catalog/price-cache";
import { parseOnDemand, parseSpot, REGION_LOCATIONS } from "./parse";

export interface RefreshOptions {
  readonly region: string;
  readonly instanceTypes: readonly string[];
  readonly cacheFile?: string;
  readonly now?: () => Date;
}

export interface RefreshReport {
  readonly region: string;
  readonly updated: readonly { instanceType: string; onDemand?: number; spot?: number }[];
  /** Per instance type and kind: what was wrong with the answer (nothing was cached for it). */
  readonly problems: readonly { instanceType: string; kind: "on-demand" | "spot"; problem: string }[];
  /** Set when the service could not be asked at all (credentials, network): the catalog stays in use. */
  readonly unavailable?: string;
  readonly cacheFile: string;
}

/** The Price List API lives in us-east-1 (and ap-south-1, eu-central-1); the location filter picks the region. */
const PRICING_REGION = "us-east-1";
/** Keep a missing network from hanging the command. */
const HTTP = { connectionTimeout: 3000, requestTimeout: 15000 };

/** A failure to reach the service at all, in words that say what to do. */
export function describeUnavailable(e: unknown, service: string): string | undefined {
  const err = e as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = err.name ?? "";
  if (name === "CredentialsProviderError" || /credential/i.test(err.message ?? ""))
    return `no AWS credentials found (environment, shared config or SSO profile, container or instance role); ${service} prices stay from the catalog. Configure credentials, e.g. \`aws configure sso\`, and run again.`;
  if (
    ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"].includes(err.code ?? "") ||
    name === "TimeoutError" ||
    name === "RequestTimeout"
  )
    return `cannot reach the ${service} endpoint (${err.code ?? name}); prices stay from the catalog. Check the network or AWS_ENDPOINT_URL settings.`;
  if (
    name === "AccessDeniedException" ||
    name === "UnauthorizedOperation" ||
    err.$metadata?.httpStatusCode === 403
  )
    return `the credentials may not call ${service} (${name || "403"}); grant ${service === "Price List" ? "pricing:GetProducts" : "ec2:DescribeSpotPriceHistory"}. Prices stay from the catalog.`;
  return undefined;
}

export async function refreshPrices(opts: RefreshOptions): Promise<RefreshReport> {
  const now = opts.now ?? (() => new Date());
  const location = REGION_LOCATIONS[opts.region];
  const file = opts.cacheFile;
  const problems: { instanceType: string; kind: "on-demand" | "spot"; problem: string }[] = [];
  const found = new Map<string, { onDemand?: CachedPrice; spot?: CachedPrice }>();
  const pricing = new PricingClient({ region: PRICING_REGION, maxAttempts: 2, requestHandler: HTTP });
  const ec2 = new EC2Client({ region: opts.region, maxAttempts: 2, requestHandler: HTTP });
  let unavailable: string | undefined;
  try {
    for (const type of opts.instanceTypes) {
      if (!location) {
        problems.push({
          instanceType: type,
          kind: "on-demand",
          problem: `no Price List location known for region ${opts.region}`,
        });
        continue;
      }
      const filter = (Field: string, Value: string) => ({ Type: "TERM_MATCH" as const, Field, Value });
      const res = await pricing.send(
        new GetProductsCommand({
          ServiceCode: "AmazonEC2",
          FormatVersion: "aws_v1",
          MaxResults: 10,
          Filters: [
            filter("instanceType", type),
            filter("location", location),
            filter("operatingSystem", "Linux"),
            filter("tenancy", "Shared"),
            filter("preInstalledSw", "NA"),
            filter("licenseModel", "No License required"),
            filter("capacitystatus", "Used"),
          ],
        }),
      );
      const parsed = parseOnDemand(res.PriceList, type);
      if (parsed.ok)
        found.set(type, {
          onDemand: {
            usdPerHour: parsed.usdPerHour,
            fetchedAt: now().toISOString(),
            source: "AWS Price List API",
          },
        });
      else problems.push({ instanceType: type, kind: "on-demand", problem: parsed.problem });
    }
  } catch (e) {
    unavailable = describeUnavailable(e, "Price List");
    if (!unavailable) throw e;
  }
  if (!unavailable) {
    try {
      const res = await ec2.send(
        new DescribeSpotPriceHistoryCommand({
          InstanceTypes: [...opts.instanceTypes] as never,
          ProductDescriptions: ["Linux/UNIX"],
          StartTime: new Date(now().getTime() - 24 * 3600 * 1000),
        }),
      );
      for (const type of opts.instanceTypes) {
        const parsed = parseSpot(res.SpotPriceHistory, type);
        if (parsed.ok)
          found.set(type, {
            ...found.get(type),
            spot: {
              usdPerHour: parsed.usdPerHour,
              fetchedAt: now().toISOString(),
              source: "EC2 spot price history (median of each zone's latest)",
            },
          });
        else problems.push({ instanceType: type, kind: "spot", problem: parsed.problem });
      }
    } catch (e) {
      unavailable = describeUnavailable(e, "EC2 spot price history");
      if (!unavailable) throw e;
    }
  }
  // Write what was fetched and valid; untouched entries keep their older prices and dates.
  const { cache } = readCache(file);
  const entries = { ...cache.entries };
  for (const [type, prices] of found)
    entries[cacheKey(opts.region, type)] = { ...entries[cacheKey(opts.region, type)], ...prices };
  const next: PriceCache = { version: 1, entries };
  if (found.size > 0) writeCache(next, file);
  return {
    region: opts.region,
    updated: [...found].map(([instanceType, p]) => ({
      instanceType,
      ...(p.onDemand && { onDemand: p.onDemand.usdPerHour }),
      ...(p.spot && { spot: p.spot.usdPerHour }),
    })),
    problems,
    ...(unavailable && { unavailable }),
    cacheFile: file ?? "",
  };
}
