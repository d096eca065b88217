import type { Source } from "./source";

/**
 * The public quality indexes the catalog rates models and APIs on. Scores compare models only within
 * one index (and one version of it): an LMArena rating and an Intelligence Index score are different
 * scales, and so are two versions of one index, so the catalog holds one version of each.
 */
export type QualityIndexId = "lmarena-text" | "aa-intelligence";

export interface QualityIndex {
  readonly id: QualityIndexId;
  /** How reports name it: "LMArena text", "AA Intelligence Index v4.1". */
  readonly name: string;
  /** When the bundled values were read (the newest index that rates a model is its default). */
  readonly asOf: string;
  /** Where a user checks current scores, for the warnings and `model.*` hints. */
  readonly leaderboard: string;
  /** The stack setting that states a model's own score on this index. */
  readonly modelSetting: "model.arenaScore" | "model.intelligenceIndex";
  /** The range a score on this index can take (a stated score or a numeric bar outside it is refused). */
  readonly min: number;
  readonly max: number;
}

export const QUALITY_INDEXES: Readonly<Record<QualityIndexId, QualityIndex>> = Object.freeze({
  "lmarena-text": {
    id: "lmarena-text",
    name: "LMArena text",
    asOf: "2025-12",
    leaderboard: "https://lmarena.ai/leaderboard/text",
    modelSetting: "model.arenaScore",
    min: 800,
    max: 2000,
  },
  "aa-intelligence": {
    id: "aa-intelligence",
    name: "AA Intelligence Index v4.1",
    asOf: "2026-06",
    leaderboard: "https://artificialanalysis.ai/leaderboards/models",
    modelSetting: "model.intelligenceIndex",
    min: 0,
    max: 100,
  },
});

/**
 * A model's standing on one quality index. LMArena text: a Bradley–Terry score from blind pairwise
 * human votes (style control on, all prompts; 100 points ≈ 64% of head-to-head votes won). AA
 * Intelligence Index: Artificial Analysis's composite of nine evaluations it runs itself (agentic
 * work, coding, science, knowledge; 0–100), at the reasoning effort named in the entry.
 */
export interface Quality {
  readonly index: QualityIndexId;
  /** Higher is better, on the index's own scale. */
  readonly score: number;
  /** The score's 95% confidence interval. */
  readonly low: number;
  readonly high: number;
  /** The leaderboard entry the score belongs to (the variant the API or model is rated as). */
  readonly entry: string;
  readonly source: Source;
}

/** A model's or API's scores, by index: absent where that index does not rate it. */
export type Ratings = Readonly<Partial<Record<QualityIndexId, Quality>>>;

/**
 * The snapshot: LMArena's own published data file at one commit. It holds models released up to
 * mid-December 2025 (gemini-3-flash, 2025-12-17, is its newest), hence the date.
 */
const SNAPSHOT: Source = {
  title:
    'LMArena text leaderboard, style control, all prompts (lmarena/arena-catalog data/leaderboard-text-style-control.json, key "full")',
  url: "https://github.com/lmarena/arena-catalog/blob/081db238f8c5b9193004ca7711e5a20960444e25/data/leaderboard-text-style-control.json",
  asOf: "2025-12",
};

function arena(entry: string, score: number, low: number, high: number): Quality {
  return { index: "lmarena-text", score, low, high, entry, source: SNAPSHOT };
}

/** Scores by leaderboard entry, rounded to 0.1 from the snapshot's `rating`, `rating_q025`, `rating_q975`. */
export const ARENA_TEXT = Object.freeze({
  "llama-3.1-8b-instruct": arena("llama-3.1-8b-instruct", 1212.4, 1208.4, 1216.4),
  "llama-3.1-70b-instruct": arena("llama-3.1-70b-instruct", 1294.3, 1290.7, 1297.8),
  "llama-3.3-70b-instruct": arena("llama-3.3-70b-instruct", 1319.7, 1316.3, 1323.1),
  "qwen3-32b": arena("qwen3-32b", 1344.7, 1335.2, 1354.2),
  "qwen3-30b-a3b": arena("qwen3-30b-a3b", 1326.1, 1321.4, 1330.8),
  "gpt-oss-120b": arena("gpt-oss-120b", 1352.5, 1348.1, 1356.9),
  "gpt-oss-20b": arena("gpt-oss-20b", 1318.1, 1311.7, 1324.4),
  "qwen3-235b-a22b-instruct-2507": arena("qwen3-235b-a22b-instruct-2507", 1421.2, 1417.5, 1424.9),
  "glm-4.6": arena("glm-4.6", 1425.3, 1420.5, 1430.0),
  "deepseek-v3.2": arena("deepseek-v3.2", 1415.6, 1407.3, 1423.9),
  "gpt-4o-mini-2024-07-18": arena("gpt-4o-mini-2024-07-18", 1317.3, 1313.9, 1320.6),
  "gpt-4o-2024-08-06": arena("gpt-4o-2024-08-06", 1335.8, 1331.7, 1339.8),
  "gpt-4.1-2025-04-14": arena("gpt-4.1-2025-04-14", 1412.2, 1408.5, 1415.9),
  "gpt-5-high": arena("gpt-5-high", 1436.8, 1432.2, 1441.3),
  "gpt-5-mini-high": arena("gpt-5-mini-high", 1392.8, 1388.1, 1397.4),
  "gpt-5.1-high": arena("gpt-5.1-high", 1458.2, 1451.8, 1464.6),
  "claude-sonnet-4-5-20250929": arena("claude-sonnet-4-5-20250929", 1445.4, 1440.4, 1450.5),
  "claude-haiku-4-5-20251001": arena("claude-haiku-4-5-20251001", 1402.4, 1397.8, 1406.9),
  "claude-opus-4-5-20251101": arena("claude-opus-4-5-20251101", 1468.3, 1461.3, 1475.3),
  "gemini-2.5-flash": arena("gemini-2.5-flash", 1408.4, 1405.1, 1411.8),
  "gemini-2.5-flash-lite-preview-09-2025-no-thinking": arena(
    "gemini-2.5-flash-lite-preview-09-2025-no-thinking",
    1378.7,
    1374.4,
    1383.1,
  ),
  "gemini-3-flash": arena("gemini-3-flash", 1476.7, 1466.6, 1486.8),
  "gemini-3-pro": arena("gemini-3-pro", 1492.0, 1485.9, 1498.2),
} satisfies Record<string, Quality>);

/**
 * Artificial Analysis Intelligence Index v4.1 (from 2026-06-16: GDPval-AA v2, τ³-Banking,
 * Terminal-Bench v2.1, SciCode, Humanity's Last Exam, GPQA Diamond, CritPt, AA-Omniscience, AA-LCR),
 * the scores on AA's v4.1 leaderboard. The announcement's own figures anchor the read (Claude Opus 4.8
 * max 56, GPT-5.5 xhigh 55, Gemini 3.1 Pro Preview 46, DeepSeek V4 Pro and MiniMax M3 44); the rest are
 * the leaderboard's whole-point scores as a public transcription of AA's v4.1 charts gives them (AA's
 * own pages were not readable here): `scripts/quality-scores.ts` re-reads them from AA's API answer. AA states a 95% interval under ±1% for the index (ten or more
 * repeats of each evaluation), so each score carries ±1. v4.0 scores (Kimi K2.6 54, DeepSeek V4 Pro 52
 * before June 2026) are another scale and are not mixed in.
 */
const AA_V41: Source = {
  title:
    "Artificial Analysis Intelligence Index v4.1 leaderboard (artificialanalysis.ai; v4.1 announced 2026-06-16)",
  url: "https://artificialanalysis.ai/articles/artificial-analysis-intelligence-index-v4-1",
  asOf: "2026-06",
};

function aa(entry: string, score: number): Quality {
  return { index: "aa-intelligence", score, low: score - 1, high: score + 1, entry, source: AA_V41 };
}

/** Scores by leaderboard entry (the name and reasoning effort AA rates it at). */
export const AA_INTELLIGENCE = Object.freeze({
  "Claude Opus 4.8 (max)": aa("Claude Opus 4.8 (max)", 56),
  "Claude Sonnet 4.6 (max)": aa("Claude Sonnet 4.6 (max)", 47),
  "Claude 4.5 Haiku": aa("Claude 4.5 Haiku", 30),
  "GPT-5.5 (xhigh)": aa("GPT-5.5 (xhigh)", 55),
  "GPT-5.4 mini (xhigh)": aa("GPT-5.4 mini (xhigh)", 40),
  "GPT-5.4 nano (xhigh)": aa("GPT-5.4 nano (xhigh)", 38),
  "Gemini 3.1 Pro Preview": aa("Gemini 3.1 Pro Preview", 46),
  "Gemini 3.5 Flash": aa("Gemini 3.5 Flash", 50),
  "Gemini 3.1 Flash-Lite": aa("Gemini 3.1 Flash-Lite", 25),
  "DeepSeek V4 Pro (Max)": aa("DeepSeek V4 Pro (Max)", 44),
  "DeepSeek V4 Flash (Max)": aa("DeepSeek V4 Flash (Max)", 40),
  "Kimi K2.6": aa("Kimi K2.6", 43),
  "GLM-5.1": aa("GLM-5.1", 40),
  "MiniMax-M3": aa("MiniMax-M3", 44),
  "gpt-oss-120b (high)": aa("gpt-oss-120b (high)", 24),
  "gpt-oss-20b (high)": aa("gpt-oss-20b (high)", 15),
} satisfies Record<string, Quality>);

/**
 * The quality bar a lane must meet to be recommended, resolved from `compare.qualityBar`:
 * `stack-model` (default) at least the stack's own model's score; `same-model` only lanes serving the
 * stack's model; `any` no bar; a number, at least that score.
 */
export type QualityBar =
  | { readonly kind: "same-model" }
  | { readonly kind: "any" }
  /** `stack-model` asked for, but the stack's model has no score: no bar, and a warning says so. */
  | { readonly kind: "unrated" }
  /** `minScore`: the stack model's score; `minLow`: the low end of its 95% interval (a tie reaches it). */
  | { readonly kind: "stack-model"; readonly minScore: number; readonly minLow: number }
  | { readonly kind: "score"; readonly minScore: number };

/**
 * Whether a lane rated `q` (undefined: unrated) clears the bar. Lanes of the stack's own model clear
 * every bar but an explicit score (which the stack's model itself may miss); an unrated lane clears
 * no score it is held to.
 */
export function meetsBar(q: Quality | undefined, bar: QualityBar, sameModel: boolean): boolean {
  // Scores are estimates with 95% intervals: a lane whose interval reaches the bar is not shown to be
  // below it (a statistical tie), so the bar admits it.
  if (bar.kind === "score") return q !== undefined && q.high >= bar.minScore;
  if (sameModel || bar.kind === "any" || bar.kind === "unrated") return true;
  if (bar.kind === "same-model") return false;
  return q !== undefined && q.high >= bar.minLow;
}

/** A score as reports print it: whole points, or "unrated". */
export function scoreLabel(score: number | undefined | null): string {
  return score === undefined || score === null ? "unrated" : `${Math.round(score)}`;
}

/** "LMArena text 1412 (gpt-4.1-2025-04-14, 2025-12)". */
export function describeQuality(q: Quality): string {
  return `${QUALITY_INDEXES[q.index].name} ${Math.round(q.score)} (${q.entry}, ${q.source.asOf})`;
}

/**
 * The index a stack compares on when `compare.qualityIndex` is not set: the newest that rates the
 * stack's model, else the newest of all (nothing rates the model, so no index favours it).
 */
export function defaultQualityIndex(ratings: Ratings): QualityIndexId {
  const newestFirst = Object.values(QUALITY_INDEXES).sort((a, b) => b.asOf.localeCompare(a.asOf));
  return (newestFirst.find((i) => ratings[i.id]) ?? newestFirst[0]!).id;
}
