import { ARENA_TEXT, type Quality } from "./quality";
import { table, type Source } from "./source";

/** Per-token prices in dollars per million tokens. */
export interface TokenPrices {
  readonly inputPerMillion: number;
  /** Price for input served from the provider's prompt cache; absent where the provider has none. */
  readonly cachedInputPerMillion?: number;
  readonly outputPerMillion: number;
}

/**
 * Hidden reasoning ("thinking") tokens an API bills as output for each visible output token, at the
 * effort level its quality score was measured at. Providers bill them at the output price.
 */
export interface Reasoning {
  /** Reasoning tokens per visible output token (the central estimate). */
  readonly perOutputToken: number;
  /** The range the estimate is stated with: the robustness table sweeps it. */
  readonly low: number;
  readonly high: number;
  /** The effort level the quality score is for ("high", "dynamic thinking"). */
  readonly effort: string;
  readonly source: Source;
}

export interface ApiOffer extends TokenPrices {
  readonly key: string;
  readonly name: string;
  /** Its LMArena text score, to hold it to the stack's quality bar. */
  readonly quality: Quality;
  readonly source: Source;
  /** Present when the rated entry reasons before answering: its hidden tokens are billed. */
  readonly reasoning?: Reasoning;
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

/**
 * Reasoning tokens are billed as output (OpenAI: "reasoning tokens … are billed as output tokens";
 * Google: thinking tokens are priced as output, thinking on by default for 2.5 Flash and the Gemini 3
 * models). How many a chat answer spends is not published per model; the figure is our estimate,
 * stated with a wide range, and a stack sets its own measured figure in
 * prices.apis.<key>.reasoningTokensPerOutputToken (its usage reports' reasoning_tokens ÷ visible output).
 */
const openaiReasoning: Reasoning = {
  perOutputToken: 1,
  low: 0.5,
  high: 4,
  effort: "high",
  source: {
    title:
      "estimate: 1 reasoning token per visible output token at high effort (range 0.5–4); billed as output tokens (OpenAI reasoning guide)",
    url: "https://platform.openai.com/docs/guides/reasoning",
    asOf: "2026-09",
    estimate: true,
  },
};
const geminiThinking: Reasoning = {
  perOutputToken: 1,
  low: 0.3,
  high: 4,
  effort: "dynamic thinking (the default)",
  source: {
    title:
      "estimate: 1 thinking token per visible output token with dynamic thinking (range 0.3–4); billed as output tokens (Gemini API thinking guide)",
    url: "https://ai.google.dev/gemini-api/docs/thinking",
    asOf: "2026-09",
    estimate: true,
  },
};

function api(
  key: string,
  name: string,
  prices: readonly [input: number, cached: number | undefined, output: number],
  quality: Quality,
  source: Source,
  reasoning?: Reasoning,
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
    ...(reasoning && { reasoning }),
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
  "gpt-5": api("gpt-5", "OpenAI gpt-5", [1.25, 0.125, 10], ARENA_TEXT["gpt-5-high"], openai, openaiReasoning),
  "gpt-5-mini": api(
    "gpt-5-mini",
    "OpenAI gpt-5-mini",
    [0.25, 0.025, 2],
    ARENA_TEXT["gpt-5-mini-high"],
    openai,
    openaiReasoning,
  ),
  "gpt-5.1": api(
    "gpt-5.1",
    "OpenAI gpt-5.1",
    [1.25, 0.125, 10],
    ARENA_TEXT["gpt-5.1-high"],
    openai,
    openaiReasoning,
  ),
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
    geminiThinking,
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
    geminiThinking,
  ),
  "gemini-3-pro": api(
    "gemini-3-pro",
    "Google Gemini 3 Pro",
    [2, 0.2, 12],
    ARENA_TEXT["gemini-3-pro"],
    google,
    geminiThinking,
  ),
});
