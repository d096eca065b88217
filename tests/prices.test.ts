/**
 * Live prices against a loopback server that answers like the Price List API (awsJson1_1, price list
 * items as JSON strings) and EC2 (query protocol, XML), driven through the real AWS SDK clients.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { readCache, writeCache } from "../cost/catalog/price-cache";
import { refreshPrices } from "../cost/prices/refresh";
import { project } from "../cost/projection";
import { toDocument } from "../cost/report/json";
import { resolveStackConfig } from "../cost/config/stack-config";
import { base, merge } from "./helpers";

const NOW = new Date("2026-11-23T12:00:00Z");
const item = (type: string, usd: unknown, terms = true) =>
  JSON.stringify({
    product: {
      sku: `SKU${type}`,
      attributes: { instanceType: type, location: "US East (N. Virginia)", operatingSystem: "Linux" },
    },
    ...(terms && {
      terms: {
        OnDemand: {
          [`SKU${type}.JRTCKXETXF`]: {
            priceDimensions: {
              [`SKU${type}.JRTCKXETXF.6YS6EN2CT7`]: { unit: "Hrs", pricePerUnit: { USD: usd } },
            },
          },
        },
      },
    }),
  });
const PRICE_LISTS: Record<string, string[]> = {
  "p5.4xlarge": [item("p5.4xlarge", "6.8800000000")],
  "p5.48xlarge": [item("p5.48xlarge", "55.0400000000")],
  "g6e.xlarge": [item("g6e.xlarge", "one dollar")],
  "p4d.24xlarge": [item("p4d.24xlarge", "21.9576420000", false)],
  "p4de.24xlarge": [item("p4de.24xlarge", "27.44705"), item("p4de.24xlarge", "27.5")],
  "p5en.48xlarge": [],
};
const spot = (type: string, az: string, price: string, at: string) =>
  `<item><instanceType>${type}</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price}</spotPrice><timestamp>${at}</timestamp><availabilityZone>${az}</availabilityZone></item>`;
/**
 * The replayed spot history, stamped relative to `spotNow` (hours before it): the refresh refuses
 * points outside the last two days, so the CLI run (real clock) and the library runs (NOW) each get
 * a recent history.
 */
let spotNow = NOW;
const ago = (h: number) => new Date(spotNow.getTime() - h * 3600_000).toISOString();
const spotXml = () => `<?xml version="1.0" encoding="UTF-8"?>
<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><spotPriceHistorySet>
${spot("p5.4xlarge", "us-east-1a", "3.500000", ago(6))}
${spot("p5.4xlarge", "us-east-1a", "3.100000", ago(1))}
${spot("p5.4xlarge", "us-east-1b", "3.300000", ago(2))}
${spot("p5.4xlarge", "us-east-1c", "2.900000", ago(3))}
${spot("p5.48xlarge", "us-east-1a", "not-a-number", ago(3))}
</spotPriceHistorySet><nextToken></nextToken></DescribeSpotPriceHistoryResponse>`;

const requests: { target?: string; body: string }[] = [];
let server: http.Server;
let port = 0;
const saved = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = req.headers["x-amz-target"] as string | undefined;
      requests.push({ ...(target && { target }), body });
      if (target === "AWSPriceListService.GetProducts") {
        const filters = JSON.parse(body).Filters as { Field: string; Value: string }[];
        const type = filters.find((f) => f.Field === "instanceType")!.Value;
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        return res.end(JSON.stringify({ FormatVersion: "aws_v1", PriceList: PRICE_LISTS[type] ?? [] }));
      }
      if (body.includes("Action=DescribeSpotPriceHistory")) {
        res.writeHead(200, { "content-type": "text/xml" });
        return res.end(spotXml());
      }
      res.writeHead(400).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
afterEach(() => {
  process.env = { ...saved };
  requests.length = 0;
});

function useLoopback(endpoint = `http://127.0.0.1:${port}`) {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_PRICING: endpoint,
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_ACCESS_KEY_ID: "AKIDLOOPBACK",
    AWS_SECRET_ACCESS_KEY: "loopback-secret",
    AWS_EC2_METADATA_DISABLED: "true",
  });
}
const tmpCache = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "prices-")), "prices.json");
const TYPES = Object.keys(PRICE_LISTS);

describe("prices refresh against a replaying Price List / EC2 endpoint", () => {
  it("parses on-demand and spot prices, caches them with the time fetched, and reports bad answers", async () => {
    useLoopback();
    const file = tmpCache();
    const r = await refreshPrices({
      region: "us-east-1",
      instanceTypes: TYPES,
      cacheFile: file,
      now: () => NOW,
    });
    expect(r.unavailable).toBeUndefined();
    expect(r.updated).toEqual([
      { instanceType: "p5.4xlarge", onDemand: 6.88, spot: 3.1 },
      { instanceType: "p5.48xlarge", onDemand: 55.04 },
    ]);
    expect(r.problems).toEqual([
      {
        instanceType: "g6e.xlarge",
        kind: "on-demand",
        problem: 'the USD price "one dollar" is not a positive number',
      },
      { instanceType: "p4d.24xlarge", kind: "on-demand", problem: "the product has no on-demand terms" },
      {
        instanceType: "p4de.24xlarge",
        kind: "on-demand",
        problem: "several products matched (2); expected exactly one",
      },
      { instanceType: "p5en.48xlarge", kind: "on-demand", problem: "no product matched the filters" },
      { instanceType: "p5.48xlarge", kind: "spot", problem: "no usable spot price (1 malformed point)" },
      { instanceType: "g6e.xlarge", kind: "spot", problem: "no spot price history in the last day" },
      { instanceType: "p4d.24xlarge", kind: "spot", problem: "no spot price history in the last day" },
      { instanceType: "p4de.24xlarge", kind: "spot", problem: "no spot price history in the last day" },
      { instanceType: "p5en.48xlarge", kind: "spot", problem: "no spot price history in the last day" },
    ]);
    expect(readCache(file).cache).toEqual({
      version: 1,
      entries: {
        "us-east-1/p5.4xlarge": {
          onDemand: { usdPerHour: 6.88, fetchedAt: "2026-11-23T12:00:00.000Z", source: "AWS Price List API" },
          spot: {
            usdPerHour: 3.1,
            fetchedAt: "2026-11-23T12:00:00.000Z",
            source: "EC2 spot price history (median of each zone's latest)",
          },
        },
        "us-east-1/p5.48xlarge": {
          onDemand: {
            usdPerHour: 55.04,
            fetchedAt: "2026-11-23T12:00:00.000Z",
            source: "AWS Price List API",
          },
        },
      },
    });
  });

  it("asks with the filters that select shared-tenancy Linux with no pre-installed software", async () => {
    useLoopback();
    await refreshPrices({
      region: "us-east-1",
      instanceTypes: ["p5.4xlarge"],
      cacheFile: tmpCache(),
      now: () => NOW,
    });
    const get = JSON.parse(requests.find((r) => r.target)!.body);
    expect(get).toMatchObject({ ServiceCode: "AmazonEC2", FormatVersion: "aws_v1" });
    expect(get.Filters).toEqual([
      { Type: "TERM_MATCH", Field: "instanceType", Value: "p5.4xlarge" },
      { Type: "TERM_MATCH", Field: "location", Value: "US East (N. Virginia)" },
      { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
      { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
      { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
      { Type: "TERM_MATCH", Field: "licenseModel", Value: "No License required" },
      { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
    ]);
    const spotReq = new URLSearchParams(requests.find((r) => !r.target)!.body);
    expect(spotReq.get("InstanceType.1")).toBe("p5.4xlarge");
    expect(spotReq.get("ProductDescription.1")).toBe("Linux/UNIX");
    expect(spotReq.get("StartTime")).toBe("2026-11-22T12:00:00Z");
  });

  it("no network: a clear message, no crash, the cache untouched", async () => {
    useLoopback("http://127.0.0.1:9"); // discard port: nothing listens
    const file = tmpCache();
    const r = await refreshPrices({
      region: "us-east-1",
      instanceTypes: ["p5.4xlarge"],
      cacheFile: file,
      now: () => NOW,
    });
    expect(r.unavailable).toBe(
      "cannot reach the Price List endpoint (ECONNREFUSED); prices stay from the catalog. Check the network or AWS_ENDPOINT_URL settings.",
    );
    expect(fs.existsSync(file)).toBe(false);
  });

  it("no credentials: a clear message that names the chain, no crash", async () => {
    useLoopback();
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"]) delete process.env[k];
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
    });
    const r = await refreshPrices({
      region: "us-east-1",
      instanceTypes: ["p5.4xlarge"],
      cacheFile: tmpCache(),
      now: () => NOW,
    });
    expect(r.unavailable).toMatch(
      /^no AWS credentials found \(environment, shared config or SSO profile, container or instance role\)/,
    );
    expect(requests).toHaveLength(0);
  });
});

describe("price precedence: stack override, then a fresh cache entry, then the catalog", () => {
  const file = tmpCache();
  writeCache(
    {
      version: 1,
      entries: {
        "us-east-1/p5.4xlarge": {
          onDemand: { usdPerHour: 5.5, fetchedAt: "2026-11-20T12:00:00.000Z", source: "AWS Price List API" },
        },
        "us-east-1/p5.48xlarge": {
          onDemand: { usdPerHour: 50, fetchedAt: "2026-08-01T00:00:00.000Z", source: "AWS Price List API" },
        },
      },
    },
    file,
  );
  const cache = readCache(file).cache;
  const gpuLine = (raw: Record<string, unknown>) => {
    const cfg = resolveStackConfig(merge(base.aws, raw), "t", {}, { cache, now: NOW });
    const p = project(cfg);
    return { item: toDocument(p).selfHosted.lineItems[0]!, warnings: p.warnings };
  };

  it("a cache entry younger than prices.maxAgeDays wins over the catalog, and says how old it is", () => {
    const { item, warnings } = gpuLine({ scaling: { min: 1, max: 1 } });
    expect(item).toMatchObject({
      formula: "730 instance-h × $5.5/h",
      priceOrigin: "cache",
      ageDays: 3,
      asOf: "2026-11-20T12:00:00.000Z",
    });
    // No warning about the instance price; the other dated prices behind the verdict get their own.
    expect(warnings.filter((w) => w.includes("p5.4xlarge"))).toEqual([]);
  });

  it("a stack override wins over the cache", () => {
    const { item } = gpuLine({
      scaling: { min: 1, max: 1 },
      prices: { instances: { "p5.4xlarge": { onDemand: 4 } } },
    });
    expect(item).toMatchObject({ formula: "730 instance-h × $4/h", priceOrigin: "override", ageDays: null });
  });

  it("a cache entry older than the limit is not used: the catalog price is, with a warning", () => {
    const { item, warnings } = gpuLine({
      model: { id: "llama-3.1-8b" },
      aws: { instanceType: "p5.48xlarge" },
      scaling: { min: 1, max: 1 },
    });
    expect(item).toMatchObject({
      formula: "730 instance-h × $55.04/h",
      priceOrigin: "catalog",
      asOf: "2025-06",
    });
    expect(warnings[0]).toBe(
      "p5.48xlarge onDemand price ($55.04/h) is from the bundled catalog, 540 days old (prices.maxAgeDays 30): run `vllm-tco prices refresh`",
    );
    expect(warnings.slice(1).every((w) => w.startsWith("the verdict compares prices older than"))).toBe(true);
  });
});

describe("price list parsing", () => {
  it("accepts items as plain JSON text and as the SDK's String wrappers", async () => {
    const { parseOnDemand } = await import("../cost/prices/parse");
    const text = PRICE_LISTS["p5.4xlarge"]![0]!;
    expect(parseOnDemand([text], "p5.4xlarge")).toEqual({ ok: true, usdPerHour: 6.88 });
    expect(parseOnDemand([new String(text)], "p5.4xlarge")).toEqual({ ok: true, usdPerHour: 6.88 });
    expect(parseOnDemand(["{not json"], "p5.4xlarge")).toEqual({
      ok: false,
      problem: "the price list item is not valid JSON",
    });
    expect(parseOnDemand([text], "p5.48xlarge")).toEqual({
      ok: false,
      problem: 'the product\'s instanceType is "p5.4xlarge", not "p5.48xlarge"',
    });
  });
});

describe("vllm-tco prices refresh", () => {
  it("refreshes through the CLI into the cache the cost command reads", async () => {
    useLoopback();
    spotNow = new Date(); // the CLI refreshes on the real clock
    onTestFinished(() => {
      spotNow = NOW;
    });
    const file = tmpCache();
    process.env["VLLM_TCO_PRICE_CACHE"] = file;
    const { runCli } = await import("./helpers");
    const r = await runCli(
      "prices",
      "refresh",
      "--region",
      "us-east-1",
      "--instance-types",
      "p5.4xlarge",
      "--json",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      version: "1",
      region: "us-east-1",
      updated: [{ instanceType: "p5.4xlarge", onDemand: 6.88, spot: 3.1 }],
      problems: [],
      cacheFile: file,
    });
    const cost = JSON.parse((await runCli("cost", "--stack", "aws-h100", "--json")).out);
    expect(cost.selfHosted.lineItems[0]).toMatchObject({
      priceOrigin: "cache",
      formula: expect.stringMatching(/× \$6\.88\/h$/),
    });
  });

  it("exits 4 when some prices could not be fetched, 2 on a bad instance type", async () => {
    useLoopback();
    process.env["VLLM_TCO_PRICE_CACHE"] = tmpCache();
    const { runCli } = await import("./helpers");
    const partial = await runCli("prices", "refresh", "--instance-types", "p5.4xlarge,g6e.xlarge");
    expect(partial.code).toBe(4);
    expect(partial.err).toContain(
      'vllm-tco: g6e.xlarge on-demand: the USD price "one dollar" is not a positive number; not cached, the older price stays in use',
    );
    const bad = await runCli("prices", "refresh", "--instance-types", "p5.4xl");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--instance-types: is not a catalog instance type; did you mean "p5.4xlarge"?');
  });
});
