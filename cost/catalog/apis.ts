import { ARENA_TEXT, type Quality } from "./quality";
import { table, type Source } from "./source";

/** Per-token prices in dollars per million tokens. */
export interface TokenPrices {
  readonly inputPerMillion: number;
  /** Price for input served from the provider's prompt cache; absent where the provider has none. */
  readonly cachedInputPerMillion?: number;
  readonly outputPerMillion: number;
}

export interface ApiOffer extends TokenPrices {
  readonly key: string;
  readonly name: string;
  /** Its LMArena text score, to hold it to the stack's quality bar. */
  readonly quality: Quality;
  readonly source: Source;
}

/**
 * Prices as published on each provider's pricing page, read from the machine-readable copy in
 * @pydantic/genai-prices 0.1.8 (npm, 2026-09-23), whose data cites those pages. Standard tier, prompts
 * under each provider's long-context threshold (200K–272K tokens), no batch discount.
 */
const pricing = (title: string, url: string): Source => ({
  title: `${title} (via @pydantic/genai-prices 0.1.8)`,
  url,
  asOf: "2026-09",
});
const openai = pricing("OpenAI API pricing", "https://developers.openai.com/api/docs/pricing");
const anthropic = pricing("Anthropic API pricing", "https://www.anthropic.com/pricing#api");
const google = pricing("Google Gemini API pricing", "https://ai.google.dev/gemini-api/docs/pricing");

function api(
  key: string,
  name: string,
  prices: readonly [input: number, cached: number | undefined, output: number],
  quality: Quality,
  source: Source,
): ApiOffer {
  const [i, c, o] = prices;
  return {
    key,
    name,
    inputPerMillion: i,
    ...(c === undefined ? {} : { cachedInputPerMillion: c }),
    outputPerMillion: o,
    quality,
    source,
  };
}

/**
 * The frontier and small APIs a stack is set against. Only APIs with both a current price and a
 * score on the catalog's LMArena snapshot are listed: newer generations (GPT-5.2 and later, Claude
 * 4.6 and later, Gemini 3.1) are priced but not yet rated there, and DeepSeek's API now serves V4,
 * which the snapshot does not rate. Reasoning APIs are rated at their high-effort entry.
 */
export const APIS: Readonly<Record<string, ApiOffer>> = table({
  "gpt-4o-mini": api(
    "gpt-4o-mini",
    "OpenAI gpt-4o-mini",
    [0.15, 0.075, 0.6],
    ARENA_TEXT["gpt-4o-mini-2024-07-18"],
    openai,
  ),
  "gpt-4o": api("gpt-4o", "OpenAI gpt-4o", [2.5, 1.25, 10], ARENA_TEXT["gpt-4o-2024-08-06"], openai),
  "gpt-4.1": api("gpt-4.1", "OpenAI gpt-4.1", [2, 0.5, 8], ARENA_TEXT["gpt-4.1-2025-04-14"], openai),
  "gpt-5": api("gpt-5", "OpenAI gpt-5", [1.25, 0.125, 10], ARENA_TEXT["gpt-5-high"], openai),
  "gpt-5-mini": api(
    "gpt-5-mini",
    "OpenAI gpt-5-mini",
    [0.25, 0.025, 2],
    ARENA_TEXT["gpt-5-mini-high"],
    openai,
  ),
  "gpt-5.1": api("gpt-5.1", "OpenAI gpt-5.1", [1.25, 0.125, 10], ARENA_TEXT["gpt-5.1-high"], openai),
  "claude-sonnet-4.5": api(
    "claude-sonnet-4.5",
    "Anthropic Claude Sonnet 4.5",
    [3, 0.3, 15],
    ARENA_TEXT["claude-sonnet-4-5-20250929"],
    anthropic,
  ),
  "claude-haiku-4.5": api(
    "claude-haiku-4.5",
    "Anthropic Claude Haiku 4.5",
    [1, 0.1, 5],
    ARENA_TEXT["claude-haiku-4-5-20251001"],
    anthropic,
  ),
  "claude-opus-4.5": api(
    "claude-opus-4.5",
    "Anthropic Claude Opus 4.5",
    [5, 0.5, 25],
    ARENA_TEXT["claude-opus-4-5-20251101"],
    anthropic,
  ),
  "gemini-2.5-flash": api(
    "gemini-2.5-flash",
    "Google Gemini 2.5 Flash",
    [0.3, 0.03, 2.5],
    ARENA_TEXT["gemini-2.5-flash"],
    google,
  ),
  // Rated as its September 2025 preview without thinking, the newest Flash-Lite the snapshot holds.
  "gemini-2.5-flash-lite": api(
    "gemini-2.5-flash-lite",
    "Google Gemini 2.5 Flash-Lite",
    [0.1, 0.01, 0.4],
    ARENA_TEXT["gemini-2.5-flash-lite-preview-09-2025-no-thinking"],
    google,
  ),
  // Priced as `gemini-3-flash-preview`, the id the Gemini API serves it under.
  "gemini-3-flash": api(
    "gemini-3-flash",
    "Google Gemini 3 Flash",
    [0.5, 0.05, 3],
    ARENA_TEXT["gemini-3-flash"],
    google,
  ),
  "gemini-3-pro": api(
    "gemini-3-pro",
    "Google Gemini 3 Pro",
    [2, 0.2, 12],
    ARENA_TEXT["gemini-3-pro"],
    google,
  ),
});
