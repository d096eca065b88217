/**
 * Hostile stack files, crafted by hand: each is refused with the key that is wrong, the fix, and no
 * echo of a credential; numbers past their stated bounds are refused before they reach the cost model.
 */
import { describe, expect, it } from "vitest";
import { checkBudget } from "../cost/budget";
import type { Micros } from "../cost/money";
import { base, errorOf, merge } from "./helpers";

const k = (patch: Record<string, unknown>) => errorOf(merge(base.kubernetes, patch));
const a = (patch: Record<string, unknown>) => errorOf(merge(base.aws, patch));

describe("refused with the key that is wrong", () => {
  it.each([
    [
      "an empty namespace",
      () => k({ kubernetes: { namespace: "" } }),
      "vllm-tco:kubernetes.namespace: must be a DNS label",
    ],
    [
      "a namespace that is no DNS label",
      () => k({ kubernetes: { namespace: "Bad_Name!" } }),
      "vllm-tco:kubernetes.namespace: must be a DNS label",
    ],
    ["an empty version", () => k({ vllm: { version: "" } }), "vllm-tco:vllm.version: must be an image tag"],
    [
      "a tag in vllm.image",
      () => k({ vllm: { image: "vllm/vllm-openai:latest" } }),
      "vllm-tco:vllm.image: must be an image repository without a tag",
    ],
    [
      "a router image without a tag",
      () => k({ kubernetes: { routerImage: "lmcache/lmstack-router" } }),
      "vllm-tco:kubernetes.routerImage: must be `repository:tag`",
    ],
    [
      "a javascript: Prometheus URL",
      () => k({ metrics: { prometheusUrl: "javascript:alert(1)" } }),
      "vllm-tco:metrics.prometheusUrl: must be an http:// or https:// URL",
    ],
    [
      "a file: Prometheus address",
      () => k({ kubernetes: { prometheusAddress: "file:///etc/passwd" } }),
      "vllm-tco:kubernetes.prometheusAddress: must be an http:// or https:// URL",
    ],
    ["gpu.type constructor", () => k({ gpu: { type: "constructor" } }), "vllm-tco:gpu.type: is not a GPU"],
    ["model.id __proto__", () => k({ model: { id: "__proto__" } }), "vllm-tco:model.id:"],
    [
      "aws.instanceType toString, blamed on itself",
      () => a({ aws: { instanceType: "toString" } }),
      "vllm-tco:aws.instanceType: is not an instance type",
    ],
    [
      "requests near 1e308",
      () => k({ workload: { requestsPerMonth: 1.7e308 } }),
      "vllm-tco:workload.requestsPerMonth:",
    ],
    ["scaling.max past its bound", () => k({ scaling: { max: 16384 } }), "vllm-tco:scaling.max:"],
  ])("%s", (_name, run, expected) => {
    expect(run()).toContain(expected);
  });

  it("aws.instanceType constructor is not blamed on gpu.type", () => {
    const e = a({ aws: { instanceType: "constructor" } });
    expect(e).toContain("vllm-tco:aws.instanceType:");
    expect(e).not.toContain("vllm-tco:gpu.type");
  });

  it("2,000 wrong items give a short message: the first 20, then a count", () => {
    const e = k({ compare: { apis: Array.from({ length: 2000 }, (_, i) => `no-such-api-${i}`) } });
    const lines = e.split("\n");
    expect(lines.length).toBeLessThanOrEqual(22);
    expect(lines.at(-1)).toBe("  … and 1980 more");
  });
});

describe("credentials are never echoed", () => {
  it.each([
    [
      "a plain token as secrets.hfToken",
      { secrets: { hfToken: "hf_AbCdEfGhIjKlMnOpQrStUv" } },
      "hf_AbCdEfGhIjKlMnOpQrStUv",
    ],
    [
      "a plain key as secrets.apiKey",
      { secrets: { apiKey: "sk-proj-AbCdEfGhIjKlMnOp" } },
      "sk-proj-AbCdEfGhIjKlMnOp",
    ],
    [
      "a token pasted into the served name",
      { model: { servedName: 5, huggingFaceId: "hf_AbCdEfGhIjKlMnOpQrStUv" } },
      "hf_AbCdEfGhIjKlMnOpQrStUv",
    ],
  ])("%s", (_name, patch, secret) => {
    const e = k(patch);
    expect(e).not.toBe("ok");
    expect(e).not.toContain(secret);
  });
});

describe("a mandatory budget fails closed", () => {
  it("a projection that is not finite breaks the rule instead of passing it", () => {
    const r = checkBudget({ monthlyUsd: 1000, enforce: "mandatory" }, NaN as Micros, {
      label: "x",
      total: 5 as Micros,
    });
    expect(r.ok).toBe(false);
    expect(r.violations[0]).toContain("not a finite amount");
    expect(checkBudget({ enforce: "mandatory" }, NaN as Micros).ok).toBe(true); // no rule, nothing to hold
  });
});

describe("did-you-mean stays bounded", () => {
  it("200 unknown compare.apis names of 20 KB each are refused without a suggestion search per name", async () => {
    const { nearest } = await import("../cost/catalog");
    const long = "x".repeat(20_000);
    expect(nearest(long, ["gpt-4o-mini", "gpt-5-mini"])).toBeUndefined();
    expect(nearest("gpt-5-mnii", ["gpt-4o-mini", "gpt-5-mini"])).toBe("gpt-5-mini");
  });
});
