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
import { AA_INTELLIGENCE, ARENA_TEXT } from "../cost/catalog";
import { compareAaScores, compareScores, formatRows, main } from "../scripts/quality-scores";

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
      /^quality-scores: .*lb\.json: (neither LMArena's leaderboard file|entry "qwen3-32b" has no finite|not Artificial Analysis's)/,
    );
  });

  it("reads Artificial Analysis's models answer by entry name: a moved score, a missing entry, another version refused", () => {
    // AA's API shape, built by hand: data[] with name and evaluations.
    const data = Object.values(AA_INTELLIGENCE).map((q) => ({
      name: q.entry,
      evaluations: { artificial_analysis_intelligence_index: q.score },
    }));
    data.find((d) => d.name === "GPT-5.5 (xhigh)")!.evaluations.artificial_analysis_intelligence_index = 57.4;
    const rows = compareAaScores({ data: data.filter((d) => d.name !== "Kimi K2.6") }, AA_INTELLIGENCE);
    expect(rows.find((r) => r.entry === "GPT-5.5 (xhigh)")).toEqual({
      entry: "GPT-5.5 (xhigh)",
      bundled: 55,
      current: 57,
      low: 56,
      high: 58,
    });
    expect(rows.find((r) => r.entry === "Kimi K2.6")!.current).toBeNull();
    expect(rows.filter((r) => r.current === r.bundled)).toHaveLength(Object.keys(AA_INTELLIGENCE).length - 2);
    expect(() =>
      compareAaScores({ metadata: { intelligence_index_version: "v4.0" }, data }, AA_INTELLIGENCE),
    ).toThrow(/v4\.0, the catalog's v4\.1: scores of two versions are different scales/);
    data[0]!.evaluations.artificial_analysis_intelligence_index = Number.NaN;
    expect(() => compareAaScores({ data }, AA_INTELLIGENCE)).toThrow(
      /has no artificial_analysis_intelligence_index/,
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
