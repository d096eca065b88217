/**
 * The `cost` stack output (cost/report/summary.ts) against the whole document `vllm-tco cost --json`
 * prints: the same verdict, and the cheapest alternative found here by brute force over the lanes.
 */
import { describe, expect, it } from "vitest";
import { costSummary } from "../cost/report/summary";
import type { CostDocument } from "../cost/report/json";
import { runCli } from "./helpers";

describe("the short cost output", () => {
  it.each(["aws-h100", "onprem", "managed"])(
    "%s: verdict, figure and cheapest eligible alternative",
    async (stack) => {
      const doc = JSON.parse((await runCli("cost", "--stack", stack, "--json")).out) as CostDocument;
      const s = costSummary(doc);
      expect(s.verdict).toBe(doc.verdict.summary);
      expect(s.stack.monthlyUsd).toBe(doc.selfHosted.monthlyUsd);
      // Brute force: every lane that is not the stack's own and counts for the verdict, cheapest first.
      let best: CostDocument["lanes"][number] | undefined;
      for (const l of doc.lanes)
        if (!l.stack && l.eligible && (!best || l.monthlyUsd < best.monthlyUsd)) best = l;
      expect(s.cheapestAlternative?.id).toBe(best?.id);
      expect(s.fullReport).toBe(`npx vllm-tco cost --stack ${stack} --json`);
      expect(JSON.stringify(s).length).toBeLessThan(2000);
    },
  );

  it("a break-even range reads as tokens a month", () => {
    const doc = {
      platform: "aws",
      breakEven: [
        {
          api: "gpt-4.1",
          name: "OpenAI gpt-4.1",
          monthlyOutputTokens: 2.5e9,
          cheaperBetween: [
            { fromOutputTokens: 2.5e9, toOutputTokens: 4e9 },
            { fromOutputTokens: 6e9, toOutputTokens: null },
          ],
        },
      ],
    } as unknown as CostDocument;
    const text = costSummary({
      ...doc,
      version: "1",
      stack: "x",
      verdict: { choice: "self-host", option: "o", runnerUp: null, summary: "s", reason: "r" },
      selfHosted: { option: "o", label: "l", monthlyUsd: 1 },
      lanes: [{ id: "api:gpt-4.1", name: "OpenAI gpt-4.1", stack: false, eligible: true, monthlyUsd: 2 }],
      budget: { ok: true },
    } as unknown as CostDocument).breakEven;
    expect(text).toBe("self-hosting is cheaper between 2.5B and 4B, above 6B output tokens a month");
  });
});
