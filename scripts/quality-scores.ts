/**
 * Refreshing the quality snapshot: reads LMArena's published leaderboard file
 * (lmarena/arena-catalog data/leaderboard-text-style-control.json, downloaded at a newer commit) and
 * prints, for every leaderboard entry the catalog uses, the bundled score beside the file's, so the
 * new figures can be copied into cost/catalog/quality.ts with the new commit and date.
 *
 *   npx tsx scripts/quality-scores.ts leaderboard-text-style-control.json
 *
 * Exit 0 with the table; 2 when the file is missing or not LMArena's shape (nothing is written).
 */
import * as fs from "node:fs";
import { ARENA_TEXT, type Quality } from "../cost/catalog";

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
      'not LMArena\'s leaderboard file: no "full" category (download data/leaderboard-text-style-control.json from lmarena/arena-catalog)',
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
    err("usage: npx tsx scripts/quality-scores.ts <leaderboard-text-style-control.json>");
    return 2;
  }
  try {
    const rows = compareScores(JSON.parse(fs.readFileSync(path, "utf8")), ARENA_TEXT);
    out(formatRows(rows));
    return 0;
  } catch (e) {
    err(`quality-scores: ${path}: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2), console.log, console.error);
