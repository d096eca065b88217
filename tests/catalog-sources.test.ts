/**
 * The bundled per-token prices and quality scores, checked against data we did not type in: the
 * price data of @pydantic/genai-prices (pinned dev dependency; its bundled copy, never fetched) and
 * the quality snapshot's own conventions.
 */
import { findProvider } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { AA_INTELLIGENCE, APIS, ARENA_TEXT, MANAGED_OFFERS, MODELS, type TokenPrices } from "../cost/catalog";

/** Where each catalog entry sits in genai-prices: provider id and model id. */
const API_IDS: Record<string, [string, string]> = {
  "gpt-4o-mini": ["openai", "gpt-4o-mini"],
  "gpt-4o": ["openai", "gpt-4o"],
  "gpt-4.1": ["openai", "gpt-4.1"],
  "gpt-5": ["openai", "gpt-5"],
  "gpt-5-mini": ["openai", "gpt-5-mini"],
  "gpt-5.1": ["openai", "gpt-5.1"],
  "claude-sonnet-4.5": ["anthropic", "claude-sonnet-4-5"],
  "claude-haiku-4.5": ["anthropic", "claude-haiku-4-5"],
  "claude-opus-4.5": ["anthropic", "claude-opus-4-5"],
  "gemini-2.5-flash": ["google", "gemini-2.5-flash"],
  "gemini-2.5-flash-lite": ["google", "gemini-2.5-flash-lite"],
  "gemini-3-flash": ["google", "gemini-3-flash-preview"],
  "gemini-3-pro": ["google", "gemini-3-pro-preview"],
  "gpt-5.5": ["openai", "gpt-5.5"],
  "gpt-5.4-mini": ["openai", "gpt-5.4-mini"],
  "gpt-5.4-nano": ["openai", "gpt-5.4-nano"],
  "claude-opus-4.8": ["anthropic", "claude-opus-4-8"],
  "claude-sonnet-4.6": ["anthropic", "claude-sonnet-4-6"],
  "gemini-3.1-pro": ["google", "gemini-3.1-pro-preview"],
  "gemini-3.5-flash": ["google", "gemini-3.5-flash"],
  "gemini-3.1-flash-lite": ["google", "gemini-3.1-flash-lite"],
  "deepseek-v4-pro": ["deepseek", "deepseek-v4-pro"],
  "deepseek-v4-flash": ["deepseek", "deepseek-v4-flash"],
  "kimi-k2.6": ["moonshotai", "kimi-k2.6"],
  "glm-5.1": ["zhipuai", "GLM-5.1"],
};
const HOST_PROVIDER = { bedrock: "aws", together: "together", groq: "groq", fireworks: "fireworks" };

type Price = number | { base: number };
interface Prices {
  input_mtok?: Price;
  cache_read_mtok?: Price;
  output_mtok?: Price;
}
interface Constrained {
  constraint?: { type: string; start_date?: string; start_time?: string; end_time?: string };
  prices: Prices;
}
interface GenaiModel {
  id: string;
  prices: Prices | Constrained[];
}

/**
 * A price that varies with the time of day (DeepSeek since 2026-08-17): the newest dated price off
 * peak, the time windows' price for their hours, averaged over the 24 hours of a day. Computed here
 * from the package's own rows, apart from the catalog's arithmetic.
 */
function dayAveraged(rows: Constrained[]): Prices {
  const dated = rows.filter((r) => !r.constraint || r.constraint.type === "start_date");
  const offPeak = dated.sort((a, b) =>
    (a.constraint?.start_date ?? "").localeCompare(b.constraint?.start_date ?? ""),
  )[dated.length - 1]!.prices;
  const windows = rows.filter((r) => r.constraint?.type === "time_of_date");
  const hours = (r: Constrained) =>
    Number(r.constraint!.end_time!.slice(0, 2)) - Number(r.constraint!.start_time!.slice(0, 2));
  const peakHours = windows.reduce((s, r) => s + hours(r), 0);
  const avg = (k: keyof Prices) => {
    const total =
      (24 - peakHours) * (base(offPeak[k]) ?? 0) +
      windows.reduce((s, r) => s + hours(r) * (base(r.prices[k]) ?? 0), 0);
    return Math.round((total / 24) * 1e6) / 1e6;
  };
  return {
    input_mtok: avg("input_mtok"),
    cache_read_mtok: avg("cache_read_mtok"),
    output_mtok: avg("output_mtok"),
  };
}

/** The standard-tier price: a tiered price's base (prompts under the long-context threshold). */
const base = (p: Price | undefined) => (typeof p === "object" ? p.base : p);

function published(provider: string, model: string): TokenPrices | undefined {
  const p = findProvider({ providerId: provider }) as unknown as { models: GenaiModel[] } | undefined;
  const m = p?.models.find(
    (x) => x.id === model || x.id === model.replace(/^accounts\/fireworks\/models\//, ""),
  );
  if (!m) return undefined;
  const at = Array.isArray(m.prices) ? dayAveraged(m.prices) : m.prices;
  const cached = base(at.cache_read_mtok);
  return {
    inputPerMillion: base(at.input_mtok)!,
    ...(cached !== undefined && { cachedInputPerMillion: cached }),
    outputPerMillion: base(at.output_mtok)!,
  };
}

const prices = (t: TokenPrices) => ({
  inputPerMillion: t.inputPerMillion,
  ...(t.cachedInputPerMillion !== undefined && { cachedInputPerMillion: t.cachedInputPerMillion }),
  outputPerMillion: t.outputPerMillion,
});

describe("bundled prices agree with @pydantic/genai-prices 0.1.8", () => {
  it("every API in the catalog has a mapping", () => {
    expect(Object.keys(APIS).sort()).toEqual(Object.keys(API_IDS).sort());
  });

  it.each(Object.entries(API_IDS))("%s", (key, [provider, model]) => {
    const theirs = published(provider, model);
    expect(theirs, `${provider}/${model} in genai-prices`).toBeDefined();
    expect(prices(APIS[key]!)).toEqual(theirs);
  });

  it.each(MANAGED_OFFERS.map((o) => [`${o.host} · ${o.model}`, o] as const))("%s", (_name, offer) => {
    const theirs = published(HOST_PROVIDER[offer.host], offer.hostModelId);
    // Fireworks' 70B rows are absent there: they are priced by size from Fireworks' own page.
    if (!theirs) {
      expect(offer.source.title).toContain("by base-model size");
      return;
    }
    expect(prices(offer)).toEqual(theirs);
  });
});

describe("quality figures", () => {
  it("every catalog model and API is rated on at least one index, each score dated and sourced to its index", () => {
    const all = [...Object.values(MODELS), ...Object.values(APIS)];
    for (const x of all) {
      const ratings = Object.entries(x.ratings ?? {});
      expect(ratings.length, x.key).toBeGreaterThan(0);
      for (const [index, q] of ratings) {
        expect(q.index, x.key).toBe(index);
        expect(q.low).toBeLessThanOrEqual(q.score);
        expect(q.high).toBeGreaterThanOrEqual(q.score);
        if (index === "lmarena-text") {
          expect(q.source.asOf).toBe("2025-12");
          expect(q.source.url).toMatch(
            /^https:\/\/github\.com\/lmarena\/arena-catalog\/blob\/[0-9a-f]{40}\//,
          );
          // A 95% interval on the arena is a few points to a few dozen, never hundreds.
          expect(q.high - q.low).toBeLessThan(60);
        } else {
          expect(q.source.asOf).toBe("2026-06");
          expect(q.source.url).toBe(
            "https://artificialanalysis.ai/articles/artificial-analysis-intelligence-index-v4-1",
          );
          // AA: a 95% interval under ±1% of the index.
          expect([q.score - q.low, q.high - q.score]).toEqual([1, 1]);
          expect(q.score).toBeGreaterThanOrEqual(0);
          expect(q.score).toBeLessThanOrEqual(100);
        }
      }
    }
  });

  it("the AA v4.1 announcement's own figures are the catalog's (Opus 4.8 56, GPT-5.5 55, Gemini 3.1 Pro 46, DeepSeek V4 Pro 44, MiniMax M3 44)", () => {
    const s = (k: keyof typeof AA_INTELLIGENCE) => AA_INTELLIGENCE[k].score;
    expect([
      s("Claude Opus 4.8 (max)"),
      s("GPT-5.5 (xhigh)"),
      s("Gemini 3.1 Pro Preview"),
      s("DeepSeek V4 Pro (Max)"),
      s("MiniMax-M3"),
    ]).toEqual([56, 55, 46, 44, 44]);
  });

  it("scores order the well-known pairs as the leaderboard does (a newer, larger model above its predecessor)", () => {
    const s = (k: keyof typeof ARENA_TEXT) => ARENA_TEXT[k].score;
    expect(s("llama-3.1-70b-instruct")).toBeGreaterThan(s("llama-3.1-8b-instruct"));
    expect(s("llama-3.3-70b-instruct")).toBeGreaterThan(s("llama-3.1-70b-instruct"));
    expect(s("gpt-4.1-2025-04-14")).toBeGreaterThan(s("gpt-4o-2024-08-06"));
    expect(s("claude-sonnet-4-5-20250929")).toBeGreaterThan(s("claude-haiku-4-5-20251001"));
    expect(s("gemini-3-pro")).toBeGreaterThan(s("gemini-2.5-flash"));
  });
});
