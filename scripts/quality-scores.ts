/**
 * Refreshing the quality indexes: reads a file the user downloaded and prints, for every entry the
 * catalog uses, the bundled score beside the file's, so new figures can be copied into
 * cost/catalog/quality.ts with the new date. Two shapes, told apart by their content:
 * - LMArena's published leaderboard (lmarena/arena-catalog data/leaderboard-text-style-control.json,
 *   at a newer commit): `{"full": {entry: {rating, rating_q025, rating_q975}}}`;
 * - Artificial Analysis's models API answer (GET https://artificialanalysis.ai/api/v2/data/llms/models
 *   with the user's key, saved to a file): `{"data": [{name, evaluations:
 *   {artificial_analysis_intelligence_index}}]}`, matched by the entry's name ("GPT-5.5 (xhigh)").
 *   Only a file whose index version is the bundled one (v4.1) is comparable: a version the file
 *   states otherwise is refused.
 *
 *   npx tsx scripts/quality-scores.ts leaderboard-text-style-control.json
 *   npx tsx scripts/quality-scores.ts aa-models.json
 *
 * Exit 0 with the table; 2 when the file is missing or neither shape (nothing is written).
 */
import * as fs from "node:fs";
import { AA_INTELLIGENCE, ARENA_TEXT, type Quality } from "../cost/catalog";

export interface ScoreRow {
  readonly entry: string;
  readonly bundled: number;
  /** The file's score, or null when the entry is not in it (renamed or retired). */
  readonly current: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** Each bundled entry against the file's `"full"` category; throws a message that names the problem. */
export function compareScores(file: unknown, bundled: Readonly<Record<string, Quality>>): ScoreRow[] {
  if (!isRecord(file) || !Object.hasOwn(file, "full") || !isRecord(file["full"]))
    throw new Error(
      'neither LMArena\'s leaderboard file (no "full" category: download data/leaderboard-text-style-control.json from lmarena/arena-catalog) nor Artificial Analysis\'s models answer (no "data" list)',
    );
  const full = file["full"];
  return Object.values(bundled).map((q) => {
    const row = Object.hasOwn(full, q.entry) ? full[q.entry] : undefined;
    if (row === undefined) return { entry: q.entry, bundled: q.score, current: null, low: null, high: null };
    if (
      !isRecord(row) ||
      !finite(row["rating"]) ||
      !finite(row["rating_q025"]) ||
      !finite(row["rating_q975"])
    )
      throw new Error(`entry "${q.entry}" has no finite rating, rating_q025 and rating_q975`);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      entry: q.entry,
      bundled: q.score,
      current: r1(row["rating"]),
      low: r1(row["rating_q025"]),
      high: r1(row["rating_q975"]),
    };
  });
}

/**
 * Each bundled AA entry against the API answer's `data`, by name. AA's interval is its stated ±1
 * (under ±1% of the index), as the catalog carries it.
 */
export function compareAaScores(file: unknown, bundled: Readonly<Record<string, Quality>>): ScoreRow[] {
  if (!isRecord(file) || !Array.isArray(file["data"]))
    throw new Error(
      'not Artificial Analysis\'s models answer: no "data" list (save GET /api/v2/data/llms/models to a file)',
    );
  const version = isRecord(file["metadata"]) ? file["metadata"]["intelligence_index_version"] : undefined;
  if (version !== undefined && !/^v?4\.1(\.|$)/.test(String(version)))
    throw new Error(
      `the file's Intelligence Index is ${String(version)}, the catalog's v4.1: scores of two versions are different scales; bump the version in cost/catalog/quality.ts (QUALITY_INDEXES, AA_V41) with every score`,
    );
  const byName = new Map<string, unknown>();
  for (const row of file["data"])
    if (isRecord(row) && typeof row["name"] === "string") byName.set(row["name"], row);
  return Object.values(bundled).map((q) => {
    const row = byName.get(q.entry);
    if (row === undefined) return { entry: q.entry, bundled: q.score, current: null, low: null, high: null };
    const evals = isRecord(row) && isRecord(row["evaluations"]) ? row["evaluations"] : undefined;
    const score = evals?.["artificial_analysis_intelligence_index"];
    if (!finite(score) || score < 0 || score > 100)
      throw new Error(`entry "${q.entry}" has no artificial_analysis_intelligence_index from 0 to 100`);
    const r0 = Math.round(score);
    return { entry: q.entry, bundled: q.score, current: r0, low: r0 - 1, high: r0 + 1 };
  });
}

/** LMArena's file or AA's answer, by content. */
export function compareAny(file: unknown): ScoreRow[] {
  return isRecord(file) && Array.isArray(file["data"])
    ? compareAaScores(file, AA_INTELLIGENCE)
    : compareScores(file, ARENA_TEXT);
}

export function formatRows(rows: readonly ScoreRow[]): string {
  const width = Math.max(...rows.map((r) => r.entry.length));
  return rows
    .map((r) =>
      r.current === null
        ? `${r.entry.padEnd(width)}  ${r.bundled.toFixed(1).padStart(6)}  not in the file: find its new name`
        : `${r.entry.padEnd(width)}  ${r.bundled.toFixed(1).padStart(6)}  → ${r.current.toFixed(1).padStart(6)}  (${r.low!.toFixed(1)}–${r.high!.toFixed(1)})`,
    )
    .join("\n");
}

export function main(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const path = argv[0];
  if (!path || argv.length > 1) {
    err("usage: npx tsx scripts/quality-scores.ts <leaderboard-text-style-control.json | aa-models.json>");
    return 2;
  }
  try {
    const rows = compareAny(JSON.parse(fs.readFileSync(path, "utf8")));
    out(formatRows(rows));
    return 0;
  } catch (e) {
    err(`quality-scores: ${path}: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2), console.log, console.error);
