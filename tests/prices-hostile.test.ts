/**
 * `prices refresh` against a scripted loopback Price List / EC2 endpoint that misbehaves: implausible
 * prices, answers split across pages, service errors, an endpoint that never answers; and a hand-edited
 * cache. Implausible prices are never cached; pages are followed; errors keep what was fetched (exit 4,
 * never 1); no call waits past its deadline; a bad cache entry falls back to the catalog with a warning.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readCache } from "../cost/catalog/price-cache";
import { runCli } from "./helpers";
import { refreshPrices } from "../cost/prices/refresh";
import { parseOnDemand, parseSpot } from "../cost/prices/parse";

const NOW = new Date("2026-11-23T12:00:00Z");
const item = (type: string, usd: string) =>
  JSON.stringify({
    product: { attributes: { instanceType: type } },
    terms: { OnDemand: { t: { priceDimensions: { d: { unit: "Hrs", pricePerUnit: { USD: usd } } } } } },
  });
const spotItem = (type: string, az: string, price: string) =>
  `<item><instanceType>${type}</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price}</spotPrice><timestamp>2026-11-23T11:00:00.000Z</timestamp><availabilityZone>${az}</availabilityZone></item>`;
const spotXml = (items: string, next = "") =>
  `<?xml version="1.0" encoding="UTF-8"?><DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><spotPriceHistorySet>${items}</spotPriceHistorySet><nextToken>${next}</nextToken></DescribeSpotPriceHistoryResponse>`;

/** What the stand-in answers: per-instance-type on-demand pages, spot pages, or a fault. */
let onDemand: Record<string, string[][]> = {};
let spotPages: string[] = [];
let fault: "none" | "spot-500" | "hang" | "slow" = "none";
let server: http.Server;
let url = "";
const saved = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (fault === "hang") return; // never answers
      if (fault === "slow") {
        // Each page answers in 400 ms and names a next page, forever.
        setTimeout(() => {
          res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
          res.end(JSON.stringify({ PriceList: [], NextToken: "more" }));
        }, 400);
        return;
      }
      if (req.headers["x-amz-target"] === "AWSPriceListService.GetProducts") {
        const q = JSON.parse(body) as { Filters: { Field: string; Value: string }[]; NextToken?: string };
        const type = q.Filters.find((f) => f.Field === "instanceType")!.Value;
        const pages = onDemand[type] ?? [[]];
        const i = q.NextToken ? Number(q.NextToken) : 0;
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        return res.end(
          JSON.stringify({ PriceList: pages[i], ...(i + 1 < pages.length && { NextToken: String(i + 1) }) }),
        );
      }
      if (fault === "spot-500")
        return res
          .writeHead(500, { "content-type": "text/xml" })
          .end(
            "<Response><Errors><Error><Code>InternalError</Code><Message>oops</Message></Error></Errors></Response>",
          );
      const i = Number(new URLSearchParams(body).get("NextToken") ?? 0);
      res.writeHead(200, { "content-type": "text/xml" });
      return res.end(spotXml(spotPages[i] ?? "", i + 1 < spotPages.length ? String(i + 1) : ""));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((ok) => server.close(() => ok()));
});
afterEach(() => {
  process.env = { ...saved };
  fault = "none";
});

const refresh = (instanceTypes: string[], callTimeoutMs?: number, deadlineMs?: number) => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_PRICING: url,
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ACCESS_KEY_ID: "AKIDLOOPBACK",
    AWS_SECRET_ACCESS_KEY: "loopback",
    AWS_EC2_METADATA_DISABLED: "true",
  });
  const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "prices-")), "prices.json");
  return refreshPrices({
    region: "us-east-1",
    instanceTypes,
    cacheFile,
    now: () => NOW,
    ...(callTimeoutMs && { callTimeoutMs }),
    ...(deadlineMs && { deadlineMs }),
  }).then((r) => ({ ...r, cached: readCache(cacheFile).cache.entries }));
};

describe("implausible prices are never cached", () => {
  it.each([
    ["a fraction of a cent an hour", "0.0000000001", "outside 0.2–5× the catalog's"],
    ["a billion an hour", "987654321.00", "outside 0.2–5× the catalog's"],
  ])("on-demand: %s", async (_n, usd, problem) => {
    onDemand = { "p5.4xlarge": [[item("p5.4xlarge", usd)]] };
    spotPages = [];
    const r = await refresh(["p5.4xlarge"]);
    expect(r.problems.find((p) => p.kind === "on-demand")!.problem).toContain(problem);
    expect(r.cached["us-east-1/p5.4xlarge"]?.onDemand).toBeUndefined();
  });

  it.each([
    ["1e9", "no usable spot price"],
    ["0x10", "no usable spot price"],
    ["200.0", "outside 2–150% of the on-demand"],
  ])("spot %s", async (price, problem) => {
    onDemand = { "p5.4xlarge": [[item("p5.4xlarge", "4.31")]] };
    spotPages = [spotItem("p5.4xlarge", "us-east-1a", price)];
    const r = await refresh(["p5.4xlarge"]);
    expect(r.problems.find((p) => p.kind === "spot")!.problem).toContain(problem);
    expect(r.cached["us-east-1/p5.4xlarge"]).toEqual({
      onDemand: { usdPerHour: 4.31, fetchedAt: NOW.toISOString(), source: "AWS Price List API" },
    });
  });
});

describe("pages, errors and deadlines", () => {
  it("follows NextToken on both APIs: two products split over pages are ambiguous; spot zones over pages count", async () => {
    onDemand = { "p5.4xlarge": [[item("p5.4xlarge", "6.88")], [item("p5.4xlarge", "7.00")]] };
    spotPages = [
      spotItem("p5.48xlarge", "us-east-1a", "20.0"),
      spotItem("p5.48xlarge", "us-east-1b", "30.0"),
    ];
    onDemand["p5.48xlarge"] = [[item("p5.48xlarge", "55.04")]];
    const r = await refresh(["p5.4xlarge", "p5.48xlarge"]);
    expect(r.problems).toContainEqual({
      instanceType: "p5.4xlarge",
      kind: "on-demand",
      problem: "several products matched (2); expected exactly one",
    });
    expect(r.updated).toContainEqual({ instanceType: "p5.48xlarge", onDemand: 55.04, spot: 25 });
  });

  it("a service error (HTTP 500) on spot keeps the on-demand prices already fetched, and reports it", async () => {
    onDemand = { "p5.4xlarge": [[item("p5.4xlarge", "6.88")]] };
    fault = "spot-500";
    const r = await refresh(["p5.4xlarge"]);
    expect(r.unavailable).toMatch(/^EC2 spot price history answered an error \(.*500/);
    expect(r.cached["us-east-1/p5.4xlarge"]?.onDemand?.usdPerHour).toBe(6.88);
  });

  it("an endpoint that never answers is given up within the deadline", async () => {
    fault = "hang";
    const started = Date.now();
    const r = await refresh(["p5.4xlarge"], 1000);
    // The per-call deadline aborts the request: reported as unreachable, catalog prices kept.
    expect(r.unavailable).toMatch(
      /^cannot reach the Price List endpoint \((TimeoutError|AbortError|RequestTimeout)\); prices stay from the catalog\./,
    );
    expect(r.updated).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});

describe("the cache is checked when read", () => {
  it("zero, negative, non-numeric and future-dated entries fall back to the catalog with a warning", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cache-")), "prices.json");
    const ok = { usdPerHour: 6.5, fetchedAt: "2026-11-20T00:00:00Z", source: "x" };
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        entries: {
          "us-east-1/p5.4xlarge": { onDemand: ok, spot: { ...ok, usdPerHour: 0 } },
          "us-east-1/p5.48xlarge": { onDemand: { ...ok, usdPerHour: -3 } },
          "us-east-1/p4d.24xlarge": { onDemand: { ...ok, usdPerHour: "cheap" } },
          "us-east-1/p4de.24xlarge": { onDemand: { ...ok, fetchedAt: "2999-01-01T00:00:00Z" } },
        },
      }),
    );
    const { cache, warning } = readCache(file);
    expect(Object.keys(cache.entries)).toEqual(["us-east-1/p5.4xlarge"]);
    expect(cache.entries["us-east-1/p5.4xlarge"]).toEqual({ onDemand: ok });
    expect(warning).toContain(
      "ignored 4 entries that are not a plausible price for a catalog instance type fetched in the past",
    );
  });

  it("absurd magnitudes (1e300, 1e15, 1e-300 $/h) and unknown instance types are ignored; the report prices from the catalog", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cache-"));
    const file = path.join(dir, "prices.json");
    const at = { fetchedAt: "2026-11-20T00:00:00Z", source: "x" };
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        entries: {
          "us-east-1/p5.4xlarge": {
            onDemand: { ...at, usdPerHour: 1e300 },
            spot: { ...at, usdPerHour: 1e-300 },
          },
          "us-east-1/p5.48xlarge": { onDemand: { ...at, usdPerHour: 1e15 } },
          "us-east-1/x9.huge": { onDemand: { ...at, usdPerHour: 5 } },
        },
      }),
    );
    const { cache, warning } = readCache(file);
    expect(cache.entries).toEqual({});
    expect(warning).toMatch(/ignored 4 entries/);
    const prev = process.env["VLLM_TCO_PRICE_CACHE"];
    process.env["VLLM_TCO_PRICE_CACHE"] = file;
    try {
      const r = await runCli("cost", "--stack", "aws-h100", "--json");
      expect(r.code, r.err).toBe(0);
      const doc = JSON.parse(r.out) as {
        selfHosted: { monthlyUsd: number; lineItems: { unitPriceUsd: number; name: string }[] };
      };
      expect(Number.isFinite(doc.selfHosted.monthlyUsd)).toBe(true);
      // The catalog's $6.88/h, not the poisoned cache's.
      expect(
        doc.selfHosted.lineItems.find((i) => i.name.startsWith("GPU instances serving"))!.unitPriceUsd,
      ).toBeCloseTo(6.88, 9);
      expect((await runCli("cost", "--stack", "aws-h100")).code).toBe(0);
    } finally {
      if (prev === undefined) delete process.env["VLLM_TCO_PRICE_CACHE"];
      else process.env["VLLM_TCO_PRICE_CACHE"] = prev;
    }
  });
});

describe("a price is money: unit, currency, product and market are checked, not trusted", () => {
  /** A Price List item as AWS writes it, with the fields a test changes. */
  const product = (attrs: Record<string, string>, dims: Record<string, unknown>) =>
    JSON.stringify({
      product: {
        attributes: {
          instanceType: "p5.4xlarge",
          location: "US East (N. Virginia)",
          operatingSystem: "Linux",
          tenancy: "Shared",
          preInstalledSw: "NA",
          licenseModel: "No License required",
          capacitystatus: "Used",
          ...attrs,
        },
      },
      terms: {
        OnDemand: { t: { priceDimensions: { d: { unit: "Hrs", pricePerUnit: { USD: "6.88" }, ...dims } } } },
      },
    });
  const loc = "US East (N. Virginia)";

  it("the honest product parses: $6.88 per hour", () => {
    expect(parseOnDemand([product({}, {})], "p5.4xlarge", loc)).toEqual({ ok: true, usdPerHour: 6.88 });
  });

  it.each([
    ["per minute", {}, { unit: "Min" }, 'the price is per "Min", not per hour ("Hrs")'],
    ["per 1,000 hours", {}, { unit: "1K Hrs" }, 'the price is per "1K Hrs", not per hour ("Hrs")'],
    ["in yuan", {}, { pricePerUnit: { CNY: "49.00" } }, "the price is in CNY, not USD"],
    [
      "Windows",
      { operatingSystem: "Windows" },
      {},
      'the product\'s operatingSystem is "Windows", not "Linux"',
    ],
    ["Dedicated", { tenancy: "Dedicated" }, {}, 'the product\'s tenancy is "Dedicated", not "Shared"'],
    [
      "another region",
      { location: "EU (Frankfurt)" },
      {},
      'the product\'s location is "EU (Frankfurt)", not "US East (N. Virginia)"',
    ],
    [
      "a reservation's capacity",
      { capacitystatus: "UnusedCapacityReservation" },
      {},
      'the product\'s capacitystatus is "UnusedCapacityReservation", not "Used"',
    ],
    [
      "another instance type",
      { instanceType: "p5.48xlarge" },
      {},
      'the product\'s instanceType is "p5.48xlarge", not "p5.4xlarge"',
    ],
  ])("%s is refused, not converted on a guess", (_what, attrs, dims, problem) => {
    expect(parseOnDemand([product(attrs, dims)], "p5.4xlarge", loc)).toEqual({ ok: false, problem });
  });

  const point = (az: string, price: string, at: string) => ({
    AvailabilityZone: az,
    InstanceType: "p5.4xlarge",
    SpotPrice: price,
    Timestamp: at,
  });
  const now = new Date("2026-11-23T12:00:00Z");

  it("spot: the median of each zone's latest point in the region, within the last two days", () => {
    const r = parseSpot(
      [
        point("us-east-1a", "3.00", "2026-11-23T11:00:00Z"),
        point("us-east-1a", "2.00", "2026-11-23T09:00:00Z"),
        point("us-east-1b", "4.00", "2026-11-23T10:00:00Z"),
      ],
      "p5.4xlarge",
      "us-east-1",
      now,
    );
    // Latest per zone: 3.00 and 4.00; median of two = 3.50.
    expect(r).toEqual({ ok: true, usdPerHour: 3.5 });
  });

  it.each([
    [
      "from 2019",
      [point("us-east-1a", "3.00", "2019-06-01T00:00:00Z")],
      /stamped 2019-06-01.*outside the last 48 hours/,
    ],
    [
      "from 2099",
      [point("us-east-1a", "3.00", "2099-01-01T00:00:00Z")],
      /stamped 2099-01-01.*outside the last 48 hours/,
    ],
    [
      "from another region",
      [point("eu-central-1a", "3.00", "2026-11-23T11:00:00Z")],
      /zone eu-central-1a, outside us-east-1/,
    ],
    [
      "two prices for one zone at one time",
      [
        point("us-east-1a", "3.00", "2026-11-23T11:00:00Z"),
        point("us-east-1a", "9.00", "2026-11-23T11:00:00Z"),
      ],
      /two spot prices for us-east-1a at 2026-11-23T11:00:00.000Z \(\$3 and \$9\)/,
    ],
  ])("spot %s is refused", (_what, history, problem) => {
    const r = parseSpot(history, "p5.4xlarge", "us-east-1", now);
    expect(r.ok).toBe(false);
    expect((r as { problem: string }).problem).toMatch(problem);
  });

  it("an answer that runs past the page cap is refused loudly, not priced from its first pages", async () => {
    onDemand = { "p5.4xlarge": Array.from({ length: 25 }, () => []) };
    const r = await refresh(["p5.4xlarge"]);
    expect(r.unavailable).toMatch(/the answer ran past 20 pages; refusing a partial list/);
    expect(r.updated).toEqual([]);
  });

  it("slow pages cannot add up: the whole refresh keeps one deadline", async () => {
    fault = "slow";
    const started = Date.now();
    // 400 ms a page, each within the 1 s per-call timeout, forever: only the overall deadline stops it.
    const r = await refresh(["p5.4xlarge"], 1000, 2000);
    expect(r.unavailable).toBe(
      "the refresh ran past its 2 s deadline; the prices fetched before it are kept, the rest stay from the catalog. Try again later.",
    );
    expect(Date.now() - started).toBeLessThan(6000);
  }, 20_000);
});
