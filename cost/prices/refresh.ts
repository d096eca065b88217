/**
 * `vllm-tco prices refresh`: on-demand prices from the AWS Price List API and recent spot prices from
 * EC2, into the local cache. Uses the standard credential chain and the SDK's standard endpoint
 * settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_PRICING, AWS_ENDPOINT_URL_EC2). No credentials or no
 * network is a clear message and the catalog stays in use; a bad answer for one instance type is
 * reported and that type is left out of the cache.
 */
import { DescribeSpotPriceHistoryCommand, EC2Client, type SpotPrice } from "@aws-sdk/client-ec2";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { cacheKey, readCache, writeCache, type CachedPrice, type PriceCache } from "../catalog/price-cache";
import { INSTANCE_TYPES } from "../catalog";
import { implausible } from "../catalog/price-bounds";
import { parseOnDemand, parseSpot, REGION_LOCATIONS } from "./parse";

export interface RefreshOptions {
  readonly region: string;
  readonly instanceTypes: readonly string[];
  readonly cacheFile?: string;
  readonly now?: () => Date;
  /** Milliseconds one AWS call may take before it is aborted. Default 20 s. */
  readonly callTimeoutMs?: number;
  /** Milliseconds the whole refresh may take, every page of every type. Default 120 s. */
  readonly deadlineMs?: number;
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
/** Keep a missing network from hanging the command: socket timeouts, and an abort per call. */
const HTTP = { connectionTimeout: 3000, requestTimeout: 15000 };
const CALL_TIMEOUT_MS = 20_000;
const DEADLINE_MS = 120_000;
/** Pages followed per call: far more than the filters ever return. */
const MAX_PAGES = 20;

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
    name === "RequestTimeout" ||
    name === "AbortError"
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

/** Any other failure (HTTP 5xx, throttling, a malformed answer): reported, and what was fetched is kept. */
function serviceError(e: unknown, service: string): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  return `${service} answered an error (${[err.name, status && `HTTP ${status}`].filter(Boolean).join(", ") || "unknown"}: ${(err.message ?? String(e)).split("\n")[0]}); the prices fetched before it are kept, the rest stay from the catalog. Try again later.`;
}

export async function refreshPrices(opts: RefreshOptions): Promise<RefreshReport> {
  const now = opts.now ?? (() => new Date());
  // Each call has its own timeout, and all of them share one deadline: 20 slow pages must not add up.
  const overall = AbortSignal.timeout(opts.deadlineMs ?? DEADLINE_MS);
  const call = () => ({
    abortSignal: AbortSignal.any([AbortSignal.timeout(opts.callTimeoutMs ?? CALL_TIMEOUT_MS), overall]),
  });
  const file = opts.cacheFile;
  const problems: { instanceType: string; kind: "on-demand" | "spot"; problem: string }[] = [];
  const found = new Map<string, { onDemand?: CachedPrice; spot?: CachedPrice }>();
  const pricing = new PricingClient({ region: PRICING_REGION, maxAttempts: 2, requestHandler: HTTP });
  const ec2 = new EC2Client({ region: opts.region, maxAttempts: 2, requestHandler: HTTP });
  const deadline = () =>
    overall.aborted
      ? `the refresh ran past its ${(opts.deadlineMs ?? DEADLINE_MS) / 1000} s deadline; the prices fetched before it are kept, the rest stay from the catalog. Try again later.`
      : undefined;
  const ctx: FetchContext = { pricing, ec2, call, now, problems, found, deadline };
  let unavailable = await fetchOnDemand(opts, ctx);
  if (!unavailable) unavailable = await fetchSpot(opts, ctx);
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

/** A parsed price that fails the plausibility bounds becomes a reported problem (see parse.ts). */
function plausible(
  parsed: ReturnType<typeof parseOnDemand>,
  kind: "on-demand" | "spot",
  type: string,
  onDemand?: number,
): ReturnType<typeof parseOnDemand> {
  const ref = INSTANCE_TYPES[type];
  if (!parsed.ok || !ref) return parsed;
  const why = implausible(kind, parsed.usdPerHour, {
    onDemandUsdPerHour: onDemand ?? ref.onDemandUsdPerHour,
    gpus: ref.gpus,
  });
  return why ? { ok: false, problem: `implausible: ${why}` } : parsed;
}

interface FetchContext {
  readonly pricing: PricingClient;
  readonly ec2: EC2Client;
  readonly call: () => { abortSignal: AbortSignal };
  readonly now: () => Date;
  readonly problems: { instanceType: string; kind: "on-demand" | "spot"; problem: string }[];
  readonly found: Map<string, { onDemand?: CachedPrice; spot?: CachedPrice }>;
  /** Set once the whole refresh's deadline has passed: the message to report. */
  readonly deadline: () => string | undefined;
}

/** On-demand prices from the Price List API, one instance type at a time, every page followed. */
async function fetchOnDemand(opts: RefreshOptions, ctx: FetchContext): Promise<string | undefined> {
  const { pricing, call, now, problems, found } = ctx;
  const location = REGION_LOCATIONS[opts.region];
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
      // Every page: a product list split across pages must not read as "exactly one product".
      const priceList = await allPages(async (token) => {
        const res = await pricing.send(
          new GetProductsCommand({
            ServiceCode: "AmazonEC2",
            FormatVersion: "aws_v1",
            MaxResults: 10,
            ...(token && { NextToken: token }),
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
          call(),
        );
        return { items: res.PriceList, next: res.NextToken };
      });
      const parsed = plausible(parseOnDemand(priceList, type, location), "on-demand", type);
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
    return ctx.deadline() ?? describeUnavailable(e, "Price List") ?? serviceError(e, "the Price List API");
  }
  return undefined;
}

/** Spot prices from EC2's history of the last day, every page followed; checked against on-demand. */
async function fetchSpot(opts: RefreshOptions, ctx: FetchContext): Promise<string | undefined> {
  const { ec2, call, now, problems, found } = ctx;
  try {
    const history = await allPages<SpotPrice>(async (token) => {
      const res = await ec2.send(
        new DescribeSpotPriceHistoryCommand({
          InstanceTypes: [...opts.instanceTypes] as never,
          ProductDescriptions: ["Linux/UNIX"],
          StartTime: new Date(now().getTime() - 24 * 3600 * 1000),
          ...(token && { NextToken: token }),
        }),
        call(),
      );
      return { items: res.SpotPriceHistory, next: res.NextToken };
    });
    for (const type of opts.instanceTypes) {
      const onDemand = found.get(type)?.onDemand?.usdPerHour;
      const parsed = plausible(parseSpot(history, type, opts.region, now()), "spot", type, onDemand);
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
    return (
      ctx.deadline() ??
      describeUnavailable(e, "EC2 spot price history") ??
      serviceError(e, "EC2 spot price history")
    );
  }
  return undefined;
}

/** Every item of a paginated AWS answer, following `NextToken` (at most MAX_PAGES pages). */
async function allPages<T>(
  page: (token: string | undefined) => Promise<{ items?: readonly T[]; next?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const res = await page(token);
    items.push(...(res.items ?? []));
    token = res.next || undefined;
    if (!token) return items;
  }
  // More pages than any honest answer has: refuse the answer rather than price from part of it.
  throw new Error(`the answer ran past ${MAX_PAGES} pages; refusing a partial list`);
}
