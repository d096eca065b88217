/**
 * The bundled per-token prices and quality scores, checked against data we did not type in: the
 * price data of @pydantic/genai-prices (pinned dev dependency; its bundled copy, never fetched) and
 * the quality snapshot's own conventions.
 */
import { findProvider } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { APIS, ARENA_TEXT, MANAGED_OFFERS, MODELS, type TokenPrices } from "../cost/catalog";

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
};
const HOST_PROVIDER = { bedrock: "aws", together: "together", groq: "groq", fireworks: "fireworks" };

type Price = number | { base: number };
interface GenaiModel {
  id: string;
  prices: { input_mtok?: Price; cache_read_mtok?: Price; output_mtok?: Price };
}

/** The standard-tier price: a tiered price's base (prompts under the long-context threshold). */
const base = (p: Price | undefined) => (typeof p === "object" ? p.base : p);

function published(provider: string, model: string): TokenPrices | undefined {
  const p = findProvider({ providerId: provider }) as unknown as { models: GenaiModel[] } | undefined;
  const m = p?.models.find(
    (x) => x.id === model || x.id === model.replace(/^accounts\/fireworks\/models\//, ""),
  );
  if (!m || Array.isArray(m.prices)) return undefined;
  const cached = base(m.prices.cache_read_mtok);
  return {
    inputPerMillion: base(m.prices.input_mtok)!,
    ...(cached !== undefined && { cachedInputPerMillion: cached }),
    outputPerMillion: base(m.prices.output_mtok)!,
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
  it("every catalog model and API carries a dated, sourced score from the one snapshot", () => {
    const all = [...Object.values(MODELS), ...Object.values(APIS)];
    const urls = new Set(all.map((x) => x.quality?.source.url));
    expect(urls.size).toBe(1);
    for (const x of all) {
      const q = x.quality!;
      expect(q, x.key).toBeDefined();
      expect(q.source.asOf).toBe("2025-12");
      expect(q.source.url).toMatch(/^https:\/\/github\.com\/lmarena\/arena-catalog\/blob\/[0-9a-f]{40}\//);
      expect(q.low).toBeLessThanOrEqual(q.score);
      expect(q.high).toBeGreaterThanOrEqual(q.score);
      // A 95% interval on the arena is a few points to a few dozen, never hundreds.
      expect(q.high - q.low).toBeLessThan(60);
    }
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
