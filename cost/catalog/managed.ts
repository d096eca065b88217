import type { TokenPrices } from "./apis";
import type { Source } from "./source";

export const MANAGED_HOSTS = ["bedrock", "together", "fireworks", "groq"] as const;
export type ManagedHost = (typeof MANAGED_HOSTS)[number];

/** One open-weight model as served by one managed host, billed per token. */
export interface ManagedOffer extends TokenPrices {
  readonly host: ManagedHost;
  /** Catalog model key. */
  readonly model: string;
  /** The id the host's API takes (a Bedrock model id, or the OpenAI-compatible `model` field). */
  readonly hostModelId: string;
  readonly source: Source;
}

/** OpenAI-compatible base URLs of the hosts that are not AWS. */
export const HOST_ENDPOINTS: Readonly<Record<Exclude<ManagedHost, "bedrock">, string>> = {
  together: "https://api.together.xyz/v1",
  fireworks: "https://api.fireworks.ai/inference/v1",
  groq: "https://api.groq.com/openai/v1",
};

/**
 * Per-token prices as published on each host's pricing page, read from the machine-readable copy in
 * @pydantic/genai-prices 0.1.8 (npm, 2026-09-23), whose data cites those pages.
 */
const via = (title: string, url: string): Source => ({
  title: `${title} (via @pydantic/genai-prices 0.1.8)`,
  url,
  asOf: "2026-09",
});
const src = {
  together: via("Together AI pricing", "https://www.together.ai/pricing"),
  bedrock: via("Amazon Bedrock pricing, on-demand, Meta Llama", "https://aws.amazon.com/bedrock/pricing/"),
  groq: via("Groq pricing", "https://groq.com/pricing"),
  fireworks: via("Fireworks AI pricing", "https://fireworks.ai/pricing"),
} satisfies Record<ManagedHost, Source>;

function offer(
  host: ManagedHost,
  model: string,
  hostModelId: string,
  i: number,
  o: number,
  source: Source = src[host],
  cached?: number,
): ManagedOffer {
  return {
    host,
    model,
    hostModelId,
    inputPerMillion: i,
    ...(cached !== undefined && { cachedInputPerMillion: cached }),
    outputPerMillion: o,
    source,
  };
}

/** Fireworks prices serverless models by size: "16.1B - 80B $0.90" per million tokens, input and output. */
const fireworksBySize: Source = {
  title:
    "Fireworks AI pricing, serverless by base-model size (16.1B–80B: $0.90/1M tokens), read from a stored copy of the page",
  url: "https://fireworks.ai/pricing",
  asOf: "2026-11",
};

const bedrockOpenAi = via(
  "Amazon Bedrock pricing, on-demand, OpenAI open-weight models",
  "https://aws.amazon.com/bedrock/pricing/",
);

export const MANAGED_OFFERS: readonly ManagedOffer[] = [
  offer("bedrock", "llama-3.1-8b", "meta.llama3-1-8b-instruct-v1:0", 0.22, 0.22),
  offer("bedrock", "llama-3.1-70b", "meta.llama3-1-70b-instruct-v1:0", 0.72, 0.72),
  offer("bedrock", "llama-3.3-70b", "meta.llama3-3-70b-instruct-v1:0", 0.72, 0.72),
  offer("together", "llama-3.1-8b", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 0.18, 0.18),
  offer("together", "llama-3.1-70b", "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", 0.88, 0.88),
  offer("together", "llama-3.3-70b", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88),
  offer("groq", "llama-3.1-8b", "llama-3.1-8b-instant", 0.05, 0.08),
  offer("groq", "llama-3.3-70b", "llama-3.3-70b-versatile", 0.59, 0.79),
  offer("groq", "qwen3-32b", "qwen/qwen3-32b", 0.29, 0.59),
  offer("groq", "gpt-oss-120b", "openai/gpt-oss-120b", 0.15, 0.6, src.groq, 0.075),
  offer("groq", "gpt-oss-20b", "openai/gpt-oss-20b", 0.075, 0.3, src.groq, 0.0375),
  offer(
    "fireworks",
    "gpt-oss-120b",
    "accounts/fireworks/models/gpt-oss-120b",
    0.15,
    0.6,
    src.fireworks,
    0.014,
  ),
  offer("bedrock", "gpt-oss-120b", "openai.gpt-oss-120b-1:0", 0.15, 0.6, bedrockOpenAi),
  offer(
    "fireworks",
    "deepseek-v3.2",
    "accounts/fireworks/models/deepseek-v3p2",
    0.56,
    1.68,
    src.fireworks,
    0.28,
  ),
  offer("fireworks", "kimi-k2.6", "accounts/fireworks/models/kimi-k2p6", 0.95, 4, src.fireworks, 0.16),
  offer("fireworks", "llama-3.1-8b", "accounts/fireworks/models/llama-v3p1-8b-instruct", 0.2, 0.2),
  offer(
    "fireworks",
    "llama-3.1-70b",
    "accounts/fireworks/models/llama-v3p1-70b-instruct",
    0.9,
    0.9,
    fireworksBySize,
  ),
  offer(
    "fireworks",
    "llama-3.3-70b",
    "accounts/fireworks/models/llama-v3p3-70b-instruct",
    0.9,
    0.9,
    fireworksBySize,
  ),
];

export function offersFor(model: string): ManagedOffer[] {
  return MANAGED_OFFERS.filter((o) => o.model === model);
}
