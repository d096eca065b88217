import { AA_INTELLIGENCE, ARENA_TEXT, type Quality, type Ratings } from "./quality";
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
  /** Its scores on the quality indexes that rate it, to hold it to the stack's quality bar. */
  readonly ratings: Ratings;
  /** Its score on the index the stack compares on: set when a stack is resolved, never in the catalog. */
  readonly quality?: Quality;
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
const deepseek = pricing(
  "DeepSeek API pricing, from 2026-08-17, peak and off-peak averaged over the day",
  "https://api-docs.deepseek.com/quick_start/pricing",
);
const moonshot = pricing("Moonshot Kimi API pricing", "https://platform.moonshot.ai/docs/pricing/chat");
// Zhipu publishes yuan; the package converts at its stated rate, and the catalog takes its dollars.
const zhipu = pricing("Zhipu AI open platform pricing (CNY, in USD)", "https://open.bigmodel.cn/pricing");

/**
 * Reasoning tokens are billed as output (OpenAI: "reasoning tokens … are billed as output tokens";
 * Anthropic: extended-thinking tokens are billed as output; Google: thinking tokens are priced as
 * output, thinking on by default for 2.5 Flash and the Gemini 3 models; DeepSeek and Moonshot bill
 * their thinking modes' tokens as output). How many a chat answer spends is not published per model:
 * the central figure (1 hidden per visible token) is our estimate. Its high end is a measurement:
 * Epoch AI found reasoning models' answers to benchmark questions ~8× as long as non-reasoning
 * models' (2025-04-17), i.e. ~7 hidden tokens per visible one on hard questions. A stack sets its own
 * measured figure in prices.apis.<key>.reasoningTokensPerOutputToken (its usage reports'
 * reasoning_tokens ÷ visible output). AA publishes output tokens per Intelligence Index task since
 * v4.1; the catalog's read of its leaderboard does not include them (see quality-and-current-prices.md).
 */
const EPOCH_OUTPUT_LENGTH =
  "Epoch AI: reasoning answers ~8× non-reasoning on benchmark questions (2025-04-17)";
function reasoningEstimate(effort: string, low: number, guide: string, url: string): Reasoning {
  return {
    perOutputToken: 1,
    low,
    high: 7,
    effort,
    source: {
      title: `estimate: 1 reasoning token per visible output token at ${effort} (range ${low}–7; the high end from ${EPOCH_OUTPUT_LENGTH}); billed as output tokens (${guide})`,
      url,
      asOf: "2026-09",
      estimate: true,
    },
  };
}
const openaiReasoning = reasoningEstimate(
  "high",
  0.5,
  "OpenAI reasoning guide",
  "https://platform.openai.com/docs/guides/reasoning",
);
const openaiXhigh = reasoningEstimate(
  "xhigh",
  0.5,
  "OpenAI reasoning guide",
  "https://platform.openai.com/docs/guides/reasoning",
);
const geminiThinking = reasoningEstimate(
  "dynamic thinking (the default)",
  0.3,
  "Gemini API thinking guide",
  "https://ai.google.dev/gemini-api/docs/thinking",
);
const claudeThinking = reasoningEstimate(
  "max effort (extended thinking)",
  0.5,
  "Anthropic extended thinking guide",
  "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking",
);
const deepseekThinking = reasoningEstimate(
  "thinking mode, max effort",
  0.5,
  "DeepSeek API pricing: output includes the chain of thought",
  "https://api-docs.deepseek.com/quick_start/pricing",
);
const glmThinking = reasoningEstimate(
  "thinking (the default)",
  0.5,
  "Zhipu AI GLM thinking mode",
  "https://docs.bigmodel.cn/cn/guide/start/model-overview",
);
const kimiThinking = reasoningEstimate(
  "thinking (the default)",
  0.5,
  "Moonshot Kimi API pricing",
  "https://platform.moonshot.ai/docs/pricing/chat",
);

function api(
  key: string,
  name: string,
  prices: readonly [input: number, cached: number | undefined, output: number],
  ratings: Ratings,
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
    ratings,
    source,
    ...(reasoning && { reasoning }),
  };
}

const arena = (entry: keyof typeof ARENA_TEXT): Ratings => ({ "lmarena-text": ARENA_TEXT[entry] });
const aaIndex = (entry: keyof typeof AA_INTELLIGENCE): Ratings => ({
  "aa-intelligence": AA_INTELLIGENCE[entry],
});

/**
 * DeepSeek prices by time of day since 2026-08-17: its peak windows (01:00–04:00 and 06:00–10:00
 * UTC, 7 of 24 hours) cost twice the rest. The catalog bills the day's average for traffic spread
 * evenly over it; a stack whose traffic keeps to one window sets prices.apis.<key>.
 */
function dayAverage(offPeak: readonly [number, number, number], peak: readonly [number, number, number]) {
  const avg = (a: number, b: number) => Math.round(((17 * a + 7 * b) / 24) * 1e6) / 1e6;
  return [avg(offPeak[0], peak[0]), avg(offPeak[1], peak[1]), avg(offPeak[2], peak[2])] as const;
}

/**
 * The frontier, mid and small APIs a stack is set against, each rated by the indexes that rate it:
 * the 2025 generation on the LMArena snapshot, today's (GPT-5.4/5.5, Claude 4.6–4.8, Gemini 3.1/3.5,
 * DeepSeek V4, Kimi K2.6) on the AA Intelligence Index v4.1, at the reasoning effort AA rates them at
 * (their hidden reasoning tokens are billed).
 */
export const APIS: Readonly<Record<string, ApiOffer>> = table({
  "gpt-4o-mini": api(
    "gpt-4o-mini",
    "OpenAI gpt-4o-mini",
    [0.15, 0.075, 0.6],
    arena("gpt-4o-mini-2024-07-18"),
    openai,
  ),
  "gpt-4o": api("gpt-4o", "OpenAI gpt-4o", [2.5, 1.25, 10], arena("gpt-4o-2024-08-06"), openai),
  "gpt-4.1": api("gpt-4.1", "OpenAI gpt-4.1", [2, 0.5, 8], arena("gpt-4.1-2025-04-14"), openai),
  "gpt-5": api("gpt-5", "OpenAI gpt-5", [1.25, 0.125, 10], arena("gpt-5-high"), openai, openaiReasoning),
  "gpt-5-mini": api(
    "gpt-5-mini",
    "OpenAI gpt-5-mini",
    [0.25, 0.025, 2],
    arena("gpt-5-mini-high"),
    openai,
    openaiReasoning,
  ),
  "gpt-5.1": api(
    "gpt-5.1",
    "OpenAI gpt-5.1",
    [1.25, 0.125, 10],
    arena("gpt-5.1-high"),
    openai,
    openaiReasoning,
  ),
  "claude-sonnet-4.5": api(
    "claude-sonnet-4.5",
    "Anthropic Claude Sonnet 4.5",
    [3, 0.3, 15],
    arena("claude-sonnet-4-5-20250929"),
    anthropic,
  ),
  // Rated without thinking on both indexes ("Claude 4.5 Haiku" on AA is the non-reasoning entry).
  "claude-haiku-4.5": api(
    "claude-haiku-4.5",
    "Anthropic Claude Haiku 4.5",
    [1, 0.1, 5],
    { ...arena("claude-haiku-4-5-20251001"), ...aaIndex("Claude 4.5 Haiku") },
    anthropic,
  ),
  "claude-opus-4.5": api(
    "claude-opus-4.5",
    "Anthropic Claude Opus 4.5",
    [5, 0.5, 25],
    arena("claude-opus-4-5-20251101"),
    anthropic,
  ),
  "gemini-2.5-flash": api(
    "gemini-2.5-flash",
    "Google Gemini 2.5 Flash",
    [0.3, 0.03, 2.5],
    arena("gemini-2.5-flash"),
    google,
    geminiThinking,
  ),
  // Rated as its September 2025 preview without thinking, the newest Flash-Lite the snapshot holds.
  "gemini-2.5-flash-lite": api(
    "gemini-2.5-flash-lite",
    "Google Gemini 2.5 Flash-Lite",
    [0.1, 0.01, 0.4],
    arena("gemini-2.5-flash-lite-preview-09-2025-no-thinking"),
    google,
  ),
  // Priced as `gemini-3-flash-preview`, the id the Gemini API serves it under.
  "gemini-3-flash": api(
    "gemini-3-flash",
    "Google Gemini 3 Flash",
    [0.5, 0.05, 3],
    arena("gemini-3-flash"),
    google,
    geminiThinking,
  ),
  "gemini-3-pro": api(
    "gemini-3-pro",
    "Google Gemini 3 Pro",
    [2, 0.2, 12],
    arena("gemini-3-pro"),
    google,
    geminiThinking,
  ),
  "gpt-5.5": api("gpt-5.5", "OpenAI GPT-5.5", [5, 0.5, 30], aaIndex("GPT-5.5 (xhigh)"), openai, openaiXhigh),
  "gpt-5.4-mini": api(
    "gpt-5.4-mini",
    "OpenAI GPT-5.4 mini",
    [0.75, 0.075, 4.5],
    aaIndex("GPT-5.4 mini (xhigh)"),
    openai,
    openaiXhigh,
  ),
  "gpt-5.4-nano": api(
    "gpt-5.4-nano",
    "OpenAI GPT-5.4 nano",
    [0.2, 0.02, 1.25],
    aaIndex("GPT-5.4 nano (xhigh)"),
    openai,
    openaiXhigh,
  ),
  "claude-opus-4.8": api(
    "claude-opus-4.8",
    "Anthropic Claude Opus 4.8",
    [5, 0.5, 25],
    aaIndex("Claude Opus 4.8 (max)"),
    anthropic,
    claudeThinking,
  ),
  "claude-sonnet-4.6": api(
    "claude-sonnet-4.6",
    "Anthropic Claude Sonnet 4.6",
    [3, 0.3, 15],
    aaIndex("Claude Sonnet 4.6 (max)"),
    anthropic,
    claudeThinking,
  ),
  // Priced as `gemini-3.1-pro-preview`, the id the Gemini API serves it under.
  "gemini-3.1-pro": api(
    "gemini-3.1-pro",
    "Google Gemini 3.1 Pro",
    [2, 0.2, 12],
    aaIndex("Gemini 3.1 Pro Preview"),
    google,
    geminiThinking,
  ),
  "gemini-3.5-flash": api(
    "gemini-3.5-flash",
    "Google Gemini 3.5 Flash",
    [1.5, 0.15, 9],
    aaIndex("Gemini 3.5 Flash"),
    google,
    geminiThinking,
  ),
  // Flash-Lite answers without thinking unless asked; AA rates it so.
  "gemini-3.1-flash-lite": api(
    "gemini-3.1-flash-lite",
    "Google Gemini 3.1 Flash-Lite",
    [0.25, 0.025, 1.5],
    aaIndex("Gemini 3.1 Flash-Lite"),
    google,
  ),
  "deepseek-v4-pro": api(
    "deepseek-v4-pro",
    "DeepSeek V4 Pro",
    dayAverage([0.66, 0.022, 1.98], [1.32, 0.044, 3.96]),
    aaIndex("DeepSeek V4 Pro (Max)"),
    deepseek,
    deepseekThinking,
  ),
  "deepseek-v4-flash": api(
    "deepseek-v4-flash",
    "DeepSeek V4 Flash",
    dayAverage([0.22, 0.007, 0.66], [0.44, 0.014, 1.32]),
    aaIndex("DeepSeek V4 Flash (Max)"),
    deepseek,
    deepseekThinking,
  ),
  "glm-5.1": api("glm-5.1", "Zhipu GLM-5.1", [0.828, 0.179, 3.31], aaIndex("GLM-5.1"), zhipu, glmThinking),
  "kimi-k2.6": api(
    "kimi-k2.6",
    "Moonshot Kimi K2.6",
    [0.95, 0.16, 4],
    aaIndex("Kimi K2.6"),
    moonshot,
    kimiThinking,
  ),
});
