/**
 * More than one quality index: a stack compares lanes on one index (`compare.qualityIndex`, default
 * the newest that rates its model), a lane that index does not rate is shown as unrated and never
 * dropped, and a score from one index is never read on another's scale.
 */
import { describe, expect, it } from "vitest";
import { toUsd } from "../cost/money";
import { project, rank } from "../cost/projection";
import { base, errorOf, merge, resolve, runCli } from "./helpers";

const gptOss = merge(base.kubernetes, {
  model: { id: "gpt-oss-120b" },
  gpu: { type: "h100-sxm", count: 1 },
  scaling: { min: 1, max: 4 },
  workload: {
    requestsPerMonth: 8_000_000,
    inputTokensPerRequest: 2000,
    outputTokensPerRequest: 400,
    cachedInputShare: 0.4,
  },
});

describe("the quality index a stack compares on", () => {
  it("defaults to the newest index that rates the stack's model: AA v4.1 for gpt-oss-120b, LMArena for Llama 3.1 8B", () => {
    expect(resolve(gptOss).compare.qualityIndex.id).toBe("aa-intelligence");
    expect(resolve(base.aws).compare.qualityIndex.id).toBe("lmarena-text");
  });

  it("on AA v4.1 a gpt-oss-120b stack is set against today's APIs, each with its AA score", () => {
    const cfg = resolve(gptOss);
    const keys = cfg.compare.apis.map((a) => a.key);
    for (const today of ["gpt-5.5", "claude-opus-4.8", "gemini-3.1-pro", "deepseek-v4-pro", "kimi-k2.6"])
      expect(keys).toContain(today);
    // The stack's model on the same scale: gpt-oss-120b (high) 24 on the v4.1 leaderboard.
    expect(cfg.model.quality).toMatchObject({ index: "aa-intelligence", score: 24 });
    expect(cfg.compare.apis.find((a) => a.key === "gpt-5.5")!.quality).toMatchObject({ score: 55 });
  });

  it("a lane the chosen index does not rate is shown as unrated with the reason, not dropped", () => {
    // gpt-4o-mini is rated on LMArena only: compared on AA it is still priced, and says why it is out.
    const p = project(resolve(merge(gptOss, { compare: { apis: ["gpt-4o-mini", "gpt-5.5"] } })));
    const lane = p.lanes.find((l) => l.option.id === "api:gpt-4o-mini")!;
    expect(lane).toBeDefined();
    expect(lane.option.quality).toBeUndefined();
    expect(lane.eligible).toBe(false);
    expect(lane.excluded).toBe(
      "unrated on AA Intelligence Index v4.1 (compare.qualityIndex: aa-intelligence), so not shown to meet the bar",
    );
    const row = rank(p).find((r) => r.label === "OpenAI gpt-4o-mini")!;
    expect(row.qualityScore).toBeNull();
  });

  it("compare.qualityIndex lmarena-text puts the same stack on the older index, and the other lanes with it", () => {
    const cfg = resolve(merge(gptOss, { compare: { qualityIndex: "lmarena-text" } }));
    expect(cfg.model.quality).toMatchObject({ index: "lmarena-text", score: 1352.5 });
    // Its default APIs are the ones LMArena rates; every one carries an LMArena score.
    expect(cfg.compare.apis.map((a) => a.key)).toContain("gpt-4o-mini");
    expect(cfg.compare.apis.every((a) => a.quality?.index === "lmarena-text")).toBe(true);
  });

  it("a numeric bar on another index's scale is refused, naming the setting, the value and both fixes", () => {
    expect(errorOf(merge(gptOss, { compare: { qualityBar: 1400 } }))).toBe(
      "invalid stack test:\n  - vllm-tco:compare.qualityBar: is not a score on AA Intelligence Index v4.1 (0–100), the index this stack compares on: give a score on that scale, or set compare.qualityIndex to the index the score is from (found 1400)",
    );
    expect(errorOf(merge(base.aws, { compare: { qualityBar: 40 } }))).toContain(
      "is not a score on LMArena text (800–2000)",
    );
    expect(errorOf(merge(gptOss, { compare: { qualityIndex: "mmlu" } }))).toContain(
      "vllm-tco:compare.qualityIndex",
    );
  });

  it("model.intelligenceIndex rates an uncatalogued model on AA, and holds the other lanes to it", () => {
    const custom = {
      id: "acme/agent-32b",
      parameters: 32.8e9,
      layers: 64,
      kvHeads: 8,
      headDim: 128,
      contextLength: 131072,
      intelligenceIndex: 41,
    };
    const p = project(resolve(merge(base.kubernetes, { model: custom })));
    expect(p.config.compare.qualityIndex.id).toBe("aa-intelligence");
    expect(p.config.compare.qualityBar).toEqual({ kind: "stack-model", minScore: 41, minLow: 41 });
    const meets = (k: string) => p.lanes.find((l) => l.option.id === `api:${k}`)!.meetsQualityBar;
    // DeepSeek V4 Flash 40 ±1 reaches 41 (a tie); GPT-5.4 nano 38 ±1 does not; GPT-5.5 55 does.
    expect([meets("deepseek-v4-flash"), meets("gpt-5.4-nano"), meets("gpt-5.5")]).toEqual([
      true,
      false,
      true,
    ]);
    expect(errorOf(merge(base.kubernetes, { model: { ...custom, intelligenceIndex: 101 } }))).toContain(
      "vllm-tco:model.intelligenceIndex",
    );
  });

  it("an API's monthly bill on today's field, by hand: Claude Opus 4.8 for 8M requests of 2,000 in / 400 out", () => {
    // Input 16e9 tokens: 60% at $5/M ($48,000), 40% cached at $0.50/M ($3,200); output 3.2e9 at
    // $25/M ($80,000); reasoning at max effort, 1 hidden per visible token, billed as output
    // ($80,000); 2 h of labour at $96 ($192). Total $211,392.
    const p = project(resolve(gptOss));
    const opus = p.lanes.find((l) => l.option.id === "api:claude-opus-4.8")!;
    expect(toUsd(opus.breakdown.total)).toBeCloseTo(211_392, 6);
  });

  it("cost --json and compare --json carry the index every score is on", async () => {
    const cost = await runCli("cost", "--stack", "aws-h100", "--json");
    expect(cost.code).toBe(0);
    const doc = JSON.parse(cost.out) as { qualityBar: { index: string; indexName: string } };
    expect(doc.qualityBar).toMatchObject({ index: "lmarena-text", indexName: "LMArena text" });
    const compare = await runCli("compare", "--stack", "aws-h100", "--json");
    const ranked = JSON.parse(compare.out) as {
      version: string;
      qualityIndex: { id: string };
      options: { label: string; qualityScore: number | null }[];
    };
    expect(ranked.version).toBe("2");
    expect(ranked.qualityIndex.id).toBe("lmarena-text");
    // gpt-4o-mini's LMArena score, rounded as the snapshot holds it.
    expect(ranked.options.find((o) => o.label === "OpenAI gpt-4o-mini")!.qualityScore).toBe(1317.3);
  });
});
