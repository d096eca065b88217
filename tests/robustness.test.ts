/**
 * How robust the verdict is: each assumption that is not a published price is varied over its stated
 * range, and the value where the verdict changes is reported. Checked against a brute force through
 * the stack file itself (the setting a user would change), not through the analysis's own hooks.
 */
import { describe, expect, it } from "vitest";
import { project } from "../cost/projection";
import { tornadoRows, tornadoSvg } from "../cost/report/tornado";
import { base, merge, resolve } from "./helpers";

/** A 70B fleet on owned servers close to Groq's price: the verdict is within reach of the assumptions. */
const close = merge(base.kubernetes, {
  scaling: { min: 1, max: 4 },
  // Four 4-GPU replicas span two nodes: a shared cache.
  kubernetes: { modelCacheAccessMode: "ReadWriteMany" },
  workload: {
    requestsPerMonth: 16e6,
    inputTokensPerRequest: 2000,
    outputTokensPerRequest: 400,
    cachedInputShare: 0.4,
    peakToAverage: 1.5,
  },
  compare: { apis: ["gpt-5-mini", "gpt-4.1"] },
});

const verdictWith = (patch: Record<string, unknown>) => project(resolve(merge(close, patch))).verdict.option;

describe("robustness of the verdict", () => {
  const p = project(resolve(close));
  const r = p.robustness;
  const row = (key: string) => r.rows.find((x) => x.key === key)!;

  it("a close call is fragile, and the line says which assumption moves it and to what", () => {
    expect(p.verdict.option).toBe("managed:groq");
    expect(r.robust).toBe(false);
    expect(r.summary).toMatch(/^fragile: it changes with .*-month depreciation life \(→ owned/);
  });

  it("the depreciation life where it changes agrees with a brute force through ownership.depreciationMonths", () => {
    const at = row("depreciationMonths").changes[0]!;
    expect(at.to).toBe("owned");
    expect(verdictWith({ ownership: { depreciationMonths: Math.ceil(at.at) } })).toBe("owned");
    expect(verdictWith({ ownership: { depreciationMonths: Math.floor(at.at) - 1 } })).toBe("managed:groq");
  });

  it("the resale value where it changes agrees with a brute force through ownership.residualValuePercent", () => {
    const at = row("residualValuePercent").changes[0]!;
    expect(verdictWith({ ownership: { residualValuePercent: Math.ceil(at.at) } })).toBe("owned");
    expect(verdictWith({ ownership: { residualValuePercent: Math.floor(at.at) - 1 } })).toBe("managed:groq");
  });

  it("an assumption that never changes it says so, and its range ends agree (brute force: cost of capital 0% and 12%)", () => {
    const c = row("costOfCapitalPercent");
    expect(c.changes).toEqual([]);
    // Owned servers only get dearer with a cost of capital; Groq stays the verdict at both ends.
    expect(verdictWith({ ownership: { costOfCapitalPercent: 12 } })).toBe("managed:groq");
    expect(c.leadAtHighUsd).toBeGreaterThanOrEqual(c.leadAtLowUsd);
  });

  it("the example stacks' verdicts are robust (the chosen API is several times cheaper than the stack)", () => {
    const onprem = project(resolve(merge(base.kubernetes, { scaling: { min: 1, max: 2 } })));
    expect(onprem.robustness.robust).toBe(true);
    expect(onprem.robustness.summary).toMatch(/^robust: none of \d+ assumptions changes it/);
  });

  it("self-host cost gets a band from the throughput model's measured error, low ≤ stack ≤ high", () => {
    const b = r.selfHostBand!;
    const own = p.selfHosted.breakdown.total / 1e6;
    expect(b.lowUsd).toBeLessThanOrEqual(own + 0.01);
    expect(b.highUsd).toBeGreaterThanOrEqual(own - 0.01);
    expect(b.highUsd).toBeGreaterThan(b.lowUsd);
  });

  it("a managed-open stack has no owned-cost band and no spot rows when it rents nothing", () => {
    const m = project(resolve(base.managed as never)).robustness;
    expect(m.selfHostBand).toBeUndefined();
  });

  it("the tornado draws one bar per row, widest swing first, flipping rows marked", () => {
    const svg = tornadoSvg(r);
    expect(svg.match(/<rect /g)).toHaveLength(r.rows.length);
    const rows = tornadoRows(r);
    const swings = rows.map((x) => Math.abs(x.leadAtHighUsd - x.leadAtLowUsd));
    expect(swings).toEqual([...swings].sort((a, b) => b - a));
    expect(svg.match(/class="row flips"/g)?.length).toBe(r.rows.filter((x) => x.changes.length).length);
  });
});
