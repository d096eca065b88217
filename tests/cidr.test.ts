/**
 * One rule for "open to the internet" (cost/config/cidr.ts), asked by config, the load balancer's
 * scheme, the egress line item and the policy pack: they must agree on every range, split and IPv6
 * ones included. Expected values are hand-derived address counts.
 */
import { describe, expect, it } from "vitest";
import { admitsPublicInternet, allPrivate, publicIpv4Addresses } from "../cost/config/cidr";
import { loadBalancerInternal } from "../cost/config/network";
import { RESOURCE_RULES } from "../infra/policy/rules";
import { base, errorOf, merge, resolve } from "./helpers";
import { project } from "../cost/projection";

// Private and reserved IPv4 space (cidr.ts's NOT_PUBLIC), counted by hand:
// 0/8, 10/8, 127/8 = 3 × 2^24; 100.64/10 = 2^22; 169.254/16 = 2^16; 172.16/12 = 2^20;
// 192.168/16 = 2^16; 224/3 = 2^29.
const NOT_PUBLIC = 3 * 2 ** 24 + 2 ** 22 + 2 ** 16 + 2 ** 20 + 2 ** 16 + 2 ** 29;
// 0.0.0.0/1 holds 0/8, 10/8, 100.64/10, 127/8: public = 2^31 − 3 × 2^24 − 2^22.
const LOWER_HALF_PUBLIC = 2 ** 31 - 3 * 2 ** 24 - 2 ** 22;

describe("public addresses a set of ranges admits", () => {
  it.each([
    ["the whole IPv4 space", ["0.0.0.0/0"], 2 ** 32 - NOT_PUBLIC],
    ["a /1 whose first octet looks private", ["10.0.0.0/1"], LOWER_HALF_PUBLIC],
    ["two halves", ["0.0.0.0/1", "128.0.0.0/1"], 2 ** 32 - NOT_PUBLIC],
    ["an office's /28", ["203.0.113.0/28"], 16],
    ["private ranges only", ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"], 0],
    ["overlapping ranges count once", ["203.0.113.0/24", "203.0.113.0/28"], 256],
  ])("%s", (_name, cidrs, expected) => {
    expect(publicIpv4Addresses(cidrs)).toBe(expected);
  });
});

/** What each of the four places decides for one list of client ranges. */
function decisions(ingressCidrs: string[]) {
  const config = errorOf(merge(base.aws, { aws: { ingressCidrs } }));
  const internal = loadBalancerInternal({ allowOpenIngress: false, ingressCidrs });
  const openRule = RESOURCE_RULES.find((r) => r.name === "no-open-model-ingress")!;
  const policy = openRule.check(
    {
      type: "aws:ec2/securityGroup:SecurityGroup",
      name: "lb",
      props: { ingress: [{ fromPort: 80, toPort: 80, protocol: "tcp", cidrBlocks: ingressCidrs }] },
    },
    {},
  );
  return { config, internal, policyOpen: policy.length > 0 };
}

describe("config, load balancer and policy pack agree", () => {
  it.each([
    ["10.0.0.0/1", ["10.0.0.0/1"]],
    ["0.0.0.0/1 + 128.0.0.0/1", ["0.0.0.0/1", "128.0.0.0/1"]],
    ["0.0.0.0/0", ["0.0.0.0/0"]],
  ])(
    "%s is open: config refuses it, the policy flags it, and it would not be an internal balancer",
    (_n, cidrs) => {
      const d = decisions(cidrs);
      expect(d.config).toContain("vllm-tco:aws.ingressCidrs: together admit");
      expect(d.config).toContain("set aws.allowOpenIngress: true to mean it");
      expect(d.policyOpen).toBe(true);
      expect(d.internal).toBe(false);
      expect(admitsPublicInternet(cidrs)).toBe(true);
    },
  );

  it("an office's public /28: accepted, not open, but the balancer must face the internet and egress is billed", () => {
    const d = decisions(["203.0.113.0/28"]);
    expect(d).toEqual({ config: "ok", internal: false, policyOpen: false });
    const egress = project(
      resolve(merge(base.aws, { aws: { ingressCidrs: ["203.0.113.0/28"] } })),
    ).selfHosted.breakdown.lineItems.find((li) => li.name.startsWith("internet egress"))!;
    expect(egress.monthly).toBeGreaterThan(0);
  });

  it("private ranges only: accepted, an internal balancer, no egress", () => {
    const cidrs = ["10.0.0.0/8", "192.168.0.0/16"];
    expect(decisions(cidrs)).toEqual({ config: "ok", internal: true, policyOpen: false });
    expect(allPrivate(cidrs)).toBe(true);
    const egress = project(
      resolve(merge(base.aws, { aws: { ingressCidrs: cidrs } })),
    ).selfHosted.breakdown.lineItems.find((li) => li.name.startsWith("internet egress"))!;
    expect(egress.monthly).toBe(0);
  });

  it.each([["::/0"], ["::0/0"], ["2001:db8::/32"]])(
    "IPv6 %s in the IPv4 field is refused by config, named as IPv6",
    (cidr) => {
      expect(errorOf(merge(base.aws, { aws: { ingressCidrs: [cidr] } }))).toContain(
        `vllm-tco:aws.ingressCidrs[0]: is an IPv6 range; aws.ingressCidrs holds IPv4 ranges (for example 10.0.0.0/16) (found "${cidr}")`,
      );
    },
  );

  it("allowOpenIngress: true admits the open range on purpose", () => {
    expect(errorOf(merge(base.aws, { aws: { ingressCidrs: ["0.0.0.0/0"], allowOpenIngress: true } }))).toBe(
      "ok",
    );
  });
});
