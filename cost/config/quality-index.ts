import {
  defaultQualityIndex,
  QUALITY_INDEXES,
  type Model,
  type QualityIndex,
  type QualityIndexId,
} from "../catalog";
import type { Problems } from "./errors";
import type { ParsedStackConfig } from "./schema";

/**
 * The APIs a stack is set against when `compare.apis` is not set, by the index it compares on: on the
 * AA Intelligence Index, today's small, mid and frontier model of each major provider (and DeepSeek's,
 * Moonshot's and Zhipu's, the open-weight labs' own APIs); on the LMArena snapshot, the 2025 generation it
 * rates (today's are not on it, so they could never meet a bar there).
 */
export const DEFAULT_APIS: Readonly<Record<QualityIndexId, readonly string[]>> = Object.freeze({
  "aa-intelligence": [
    "gpt-5.4-nano",
    "gpt-5.4-mini",
    "gpt-5.5",
    "claude-haiku-4.5",
    "claude-sonnet-4.6",
    "claude-opus-4.8",
    "gemini-3.1-flash-lite",
    "gemini-3.5-flash",
    "gemini-3.1-pro",
    "deepseek-v4-flash",
    "deepseek-v4-pro",
    "kimi-k2.6",
    "glm-5.1",
  ],
  "lmarena-text": [
    "gpt-4o-mini",
    "gpt-5-mini",
    "gpt-4.1",
    "claude-haiku-4.5",
    "gemini-2.5-flash",
    "gemini-3-flash",
  ],
});

/**
 * `compare.qualityIndex` resolved (default: the newest index that rates the stack's model) and the
 * API keys to compare. A numeric `compare.qualityBar` must lie on that index's scale.
 */
export function resolveQualityIndex(
  p: Problems,
  c: ParsedStackConfig,
  model: Pick<Model, "ratings"> | undefined,
): { index: QualityIndex; apis: readonly string[] } {
  const index = QUALITY_INDEXES[c.compare.qualityIndex ?? defaultQualityIndex(model?.ratings ?? {})];
  const bar = c.compare.qualityBar;
  if (typeof bar === "number" && (bar < index.min || bar > index.max))
    p.add(
      ["compare", "qualityBar"],
      bar,
      `is not a score on ${index.name} (${index.min}–${index.max}), the index this stack compares on: give a score on that scale, or set compare.qualityIndex to the index the score is from`,
    );
  return { index, apis: c.compare.apis ?? DEFAULT_APIS[index.id] };
}
