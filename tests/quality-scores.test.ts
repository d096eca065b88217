/**
 * scripts/quality-scores.ts, the refresh path for the quality snapshot: against a file in LMArena's
 * shape built from the bundled figures (so a bundled score read back is unchanged), hostile files,
 * and once as users run it (npx tsx).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runChild } from "./child";
import { ARENA_TEXT } from "../cost/catalog";
import { compareScores, formatRows, main } from "../scripts/quality-scores";

/** LMArena's shape: categories → entry → rating and its 95% bounds. */
function leaderboard(edit: (full: Record<string, unknown>) => void = () => {}) {
  const full: Record<string, unknown> = {};
  for (const q of Object.values(ARENA_TEXT))
    full[q.entry] = { rating: q.score, rating_q975: q.high, rating_q025: q.low };
  edit(full);
  return { chinese: {}, full };
}

describe("quality-scores", () => {
  it("reads back every bundled entry unchanged from a file holding the bundled figures", () => {
    for (const r of compareScores(leaderboard(), ARENA_TEXT)) {
      expect(r.current, r.entry).toBe(r.bundled);
      expect(r.low! <= r.current! && r.current! <= r.high!).toBe(true);
    }
  });

  it("shows a moved score and an entry gone from the file", () => {
    const rows = compareScores(
      leaderboard((f) => {
        f["gpt-4.1-2025-04-14"] = { rating: 1400.04, rating_q975: 1404, rating_q025: 1396 };
        delete f["gemini-3-pro"];
      }),
      ARENA_TEXT,
    );
    const text = formatRows(rows);
    expect(text).toMatch(/gpt-4\.1-2025-04-14\s+1412\.2\s+→\s+1400\.0\s+\(1396\.0–1404\.0\)/);
    expect(text).toMatch(/gemini-3-pro\s+1492\.0\s+not in the file: find its new name/);
  });

  it.each([
    ["not an object", [1, 2]],
    ["no full category", { chinese: {} }],
    ["an inherited full", Object.create({ full: {} }) as unknown],
    ["a NaN rating", leaderboard((f) => (f["qwen3-32b"] = { rating: NaN, rating_q975: 1, rating_q025: 1 }))],
    [
      "a string rating",
      leaderboard((f) => (f["qwen3-32b"] = { rating: "1344", rating_q975: 1, rating_q025: 1 })),
    ],
  ])("refuses %s with exit 2 and a message, printing nothing", (_name, file) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quality-"));
    const f = path.join(dir, "lb.json");
    fs.writeFileSync(
      f,
      JSON.stringify(file, (_k, v) => (typeof v === "number" && Number.isNaN(v) ? "NaN" : v)),
    );
    const out: string[] = [];
    const err: string[] = [];
    expect(
      main(
        [f],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("\n")).toMatch(
      /^quality-scores: .*lb\.json: (not LMArena's leaderboard file|entry "qwen3-32b" has no finite)/,
    );
  });

  it("a missing file or no argument exits 2", () => {
    const err: string[] = [];
    expect(
      main(
        ["/nonexistent/lb.json"],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(
      main(
        [],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[1]).toMatch(/^usage: /);
  });

  it("runs as the README says (npx tsx)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quality-"));
    const f = path.join(dir, "lb.json");
    fs.writeFileSync(f, JSON.stringify(leaderboard()));
    const r = await runChild("npx", ["tsx", "scripts/quality-scores.ts", f], { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("llama-3.1-8b-instruct");
  }, 90_000);
});
