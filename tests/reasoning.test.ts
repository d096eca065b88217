/**
 * APIs priced as they bill: a reasoning API rated at its high-effort entry pays for its hidden
 * reasoning tokens at the output price, shown as its own line item; a stack can set its measured
 * figure; the verdict says when reasoning tokens decide it.
 */
import { describe, expect, it } from "vitest";
import { project } from "../cost/projection";
import { toUsd } from "../cost/money";
import { base, merge, onpremLoad, resolve } from "./helpers";

const REASONING = "reasoning tokens (billed as output)";

function apiLane(raw: Record<string, unknown>, id: string) {
  const p = project(resolve(raw));
  return p.lanes.find((l) => l.option.id === `api:${id}`)!;
}

describe("reasoning tokens", () => {
  const raw = merge(base.kubernetes, {
    workload: { monthlyInputTokens: 1e9, monthlyOutputTokens: 2e8, requestsPerMonth: undefined },
    compare: { apis: ["gpt-5-mini", "gpt-4o-mini", "claude-haiku-4.5"] },
  });

  it("gpt-5-mini (rated at high effort) bills 1 reasoning token per visible token at $2/M: 200M × $2 = $400", () => {
    const item = apiLane(raw, "gpt-5-mini").breakdown.lineItems.find((i) => i.name === REASONING)!;
    expect(item.quantity).toBeCloseTo(200, 9);
    expect(toUsd(item.monthly)).toBeCloseTo(400, 6);
    expect(item.source.estimate).toBe(true);
    expect(item.formula).toContain("at high effort");
  });

  it("APIs rated without reasoning (gpt-4o-mini, a non-thinking Claude entry) carry no reasoning item", () => {
    for (const id of ["gpt-4o-mini", "claude-haiku-4.5"])
      expect(apiLane(raw, id).breakdown.lineItems.map((i) => i.name)).not.toContain(REASONING);
  });

  it("a stack's measured figure replaces the estimate: 3 per visible token is 600M × $2 = $1,200", () => {
    const measured = merge(raw, { prices: { apis: { "gpt-5-mini": { reasoningTokensPerOutputToken: 3 } } } });
    const item = apiLane(measured, "gpt-5-mini").breakdown.lineItems.find((i) => i.name === REASONING)!;
    expect(toUsd(item.monthly)).toBeCloseTo(1200, 6);
    expect(item.source.origin).toBe("override");
    // The token prices keep their published source: only the reasoning figure is the stack's.
    const output = apiLane(measured, "gpt-5-mini").breakdown.lineItems.find(
      (i) => i.name === "output tokens",
    )!;
    expect(output.source.origin).toBeUndefined();
  });

  it("a negative or absurd figure is refused with its key", () => {
    expect(() =>
      resolve(merge(raw, { prices: { apis: { "gpt-5-mini": { reasoningTokensPerOutputToken: -1 } } } })),
    ).toThrow(/prices\.apis\.gpt-5-mini\.reasoningTokensPerOutputToken/);
  });

  it("the verdict says when reasoning tokens decide it (the issue's case: gpt-5-mini against Groq on the onprem workload)", () => {
    // onprem's workload with only reasoning APIs and Groq in reach: without reasoning gpt-5-mini
    // ($9,152) beats Groq ($12,160); billed as it bills ($15,552) it does not.
    const onprem = merge(base.kubernetes, {
      ...onpremLoad,
      compare: { apis: ["gpt-5-mini"] },
    });
    const p = project(resolve(onprem));
    const mini = p.lanes.find((l) => l.option.id === "api:gpt-5-mini")!;
    expect(toUsd(mini.breakdown.total)).toBeCloseTo(15552, 2);
    expect(p.verdict.option).toBe("managed:groq");
    expect(p.verdict.reason).toContain(
      "Reasoning tokens decide it: billed without them, OpenAI gpt-5-mini would be the cheapest ($9,152.00/month)",
    );
  });
});

describe("hybrid JSON labour", () => {
  it("a hybrid's operationsMonthlyUsd sums both parts' labour (never 0)", async () => {
    const { toDocument } = await import("../cost/report/json");
    const raw = merge(base.kubernetes, {
      compare: { apis: ["gpt-4.1", "gpt-4o-mini"] },
      workload: { routing: { api: "gpt-4.1", hardShare: 0.2 } },
    });
    const p = project(resolve(raw));
    const doc = toDocument(p);
    const hybrid = doc.lanes.find((l) => l.kind === "hybrid")!;
    const labour = p.lanes
      .find((l) => l.option.kind === "hybrid")!
      .breakdown.lineItems.filter((i) => /operations labour$/.test(i.name));
    expect(labour.length).toBe(2);
    expect(hybrid.operationsMonthlyUsd).toBeCloseTo(
      labour.reduce((a, i) => a + toUsd(i.monthly), 0),
      2,
    );
    expect(hybrid.operationsMonthlyUsd).toBeGreaterThan(0);
  });
});
