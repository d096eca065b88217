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
  readonly source: Source;
}

const pricing = (title: string, url: string, asOf: string): Source => ({ title, url, asOf });
const openai = (asOf: string) => pricing("OpenAI API pricing", "https://openai.com/api/pricing/", asOf);
const anthropic = pricing("Anthropic API pricing", "https://www.anthropic.com/pricing#api", "2026-07");
const google = (asOf: string) =>
  pricing("Google Gemini API pricing", "https://ai.google.dev/gemini-api/docs/pricing", asOf);

function api(
  key: string,
  name: string,
  i: number,
  c: number | undefined,
  o: number,
  source: Source,
): ApiOffer {
  return {
    key,
    name,
    inputPerMillion: i,
    ...(c === undefined ? {} : { cachedInputPerMillion: c }),
    outputPerMillion: o,
    source,
  };
}

export const APIS: Readonly<Record<string, ApiOffer>> = table({
  "gpt-4o-mini": api("gpt-4o-mini", "OpenAI gpt-4o-mini", 0.15, 0.075, 0.6, openai("2025-07")),
  "gpt-4o": api("gpt-4o", "OpenAI gpt-4o", 2.5, 1.25, 10, openai("2025-07")),
  "gpt-4.1": api("gpt-4.1", "OpenAI gpt-4.1", 2, 0.5, 8, openai("2025-07")),
  "gpt-5": api("gpt-5", "OpenAI gpt-5", 1.25, 0.125, 10, openai("2025-11")),
  "gpt-5-mini": api("gpt-5-mini", "OpenAI gpt-5-mini", 0.25, 0.025, 2, openai("2025-11")),
  "claude-sonnet-4.5": api("claude-sonnet-4.5", "Anthropic Claude Sonnet 4.5", 3, 0.3, 15, anthropic),
  "claude-haiku-4.5": api("claude-haiku-4.5", "Anthropic Claude Haiku 4.5", 1, 0.1, 5, anthropic),
  "gemini-2.5-flash": api("gemini-2.5-flash", "Google Gemini 2.5 Flash", 0.3, 0.03, 2.5, google("2025-10")),
  "gemini-2.5-flash-lite": api(
    "gemini-2.5-flash-lite",
    "Google Gemini 2.5 Flash-Lite",
    0.1,
    0.01,
    0.4,
    google("2025"),
  ),
  "deepseek-v3": api(
    "deepseek-v3",
    "DeepSeek V3 (deepseek-chat), standard hours",
    0.27,
    0.07,
    1.1,
    pricing("DeepSeek API pricing", "https://api-docs.deepseek.com/quick_start/pricing", "2025-07"),
  ),
});
