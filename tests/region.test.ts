/**
 * Region-true prices: the bundled instance rows are us-east-1's, so a stack elsewhere is priced from
 * the price cache or its own overrides for that region, or refused with the fix; never at another
 * region's rate in silence.
 */
import { describe, expect, it } from "vitest";
import { resolveStackConfig } from "../cost/config/stack-config";
import { project } from "../cost/projection";
import { base, errorOf, merge } from "./helpers";

const FETCHED = "2026-11-30T00:00:00Z";
const NOW = new Date("2026-12-01T00:00:00Z");

describe("an AWS stack outside the catalog's region", () => {
  it("with no regional price is refused, naming aws:region, the region and both fixes", () => {
    const msg = errorOf(merge(base.aws, { aws: { region: "eu-central-1" } }));
    expect(msg).toContain("vllm-tco:aws.region");
    expect(msg).toContain('"eu-central-1"');
    expect(msg).toContain("vllm-tco prices refresh --region eu-central-1 --instance-types p5.4xlarge");
    expect(msg).toContain("prices.instances.p5.4xlarge.onDemand");
  });

  it("the provider's aws:region is named as the stack file writes it", () => {
    let msg = "";
    try {
      resolveStackConfig(base.aws, "t", { "aws:region": "eu-central-1" });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/ aws:region: has no p5\.4xlarge price/);
  });

  it("is priced at the cached eu-central-1 rate, and its sources say so", () => {
    const cache = {
      version: 1 as const,
      entries: {
        "eu-central-1/p5.4xlarge": {
          onDemand: { usdPerHour: 8.21, fetchedAt: FETCHED, source: "AWS Price List API" },
        },
      },
    };
    const cfg = resolveStackConfig(
      merge(base.aws, { aws: { region: "eu-central-1" } }),
      "t",
      {},
      { cache, now: NOW },
    );
    const p = project(cfg);
    const serving = p.selfHosted.breakdown.lineItems.find((i) => i.name.startsWith("GPU instances serving"))!;
    // Hand-derived: the unit price is the cached regional rate, not us-east-1's $6.88.
    expect(serving.unitPrice).toBe(8.21);
    expect(serving.source.title).toContain("eu-central-1");
    expect(p.warnings.join("\n")).toMatch(
      /eu-central-1: the load balancer, NAT gateway, EBS and egress are priced at us-east-1 rates/,
    );
  });

  it("a us-east-1 cache entry does not price an eu-central-1 stack", () => {
    const cache = {
      version: 1 as const,
      entries: {
        "us-east-1/p5.4xlarge": {
          onDemand: { usdPerHour: 6.5, fetchedAt: FETCHED, source: "AWS Price List API" },
        },
      },
    };
    expect(() =>
      resolveStackConfig(merge(base.aws, { aws: { region: "eu-central-1" } }), "t", {}, { cache, now: NOW }),
    ).toThrow(/has no p5\.4xlarge price/);
  });

  it("a stack override of the on-demand rate is enough, and is the rate billed", () => {
    const cfg = resolveStackConfig(
      merge(base.aws, {
        aws: { region: "eu-central-1" },
        prices: { instances: { "p5.4xlarge": { onDemand: 9 } } },
      }),
      "t",
    );
    const serving = project(cfg).selfHosted.breakdown.lineItems.find((i) =>
      i.name.startsWith("GPU instances serving"),
    )!;
    expect(serving.unitPrice).toBe(9);
  });
});

describe("a Kubernetes stack in another region", () => {
  it("leaves the rented lanes out (no regional price) and says why, instead of pricing them at us-east-1", () => {
    const cfg = resolveStackConfig(base.kubernetes, "t", { "aws:region": "eu-central-1" });
    const p = project(cfg);
    expect(p.lanes.filter((l) => l.option.kind === "rented")).toEqual([]);
    expect(p.warnings.join("\n")).toMatch(
      /renting p5\.48xlarge is not compared: there is no eu-central-1 price/,
    );
  });

  it("in us-east-1 the rented lanes are there", () => {
    const p = project(resolveStackConfig(base.kubernetes, "t"));
    expect(p.lanes.filter((l) => l.option.kind === "rented").length).toBeGreaterThan(0);
  });
});
