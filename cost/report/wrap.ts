/** Text that fits a width: long lines broken at spaces, continuation lines indented under the first. */

/** Breaks `line` into lines of at most `width` characters (a single word longer than that stands alone). */
export function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^ */.exec(line)![0].length;
  const hang = " ".repeat(Math.min(indent + 4, Math.floor(width / 3)));
  const out: string[] = [];
  let current = "";
  for (const word of line.slice(indent).split(/ +/)) {
    const prefix = out.length === 0 && current === "" ? " ".repeat(indent) : current === "" ? hang : "";
    const candidate = current === "" ? `${prefix}${word}` : `${current} ${word}`;
    if (candidate.length <= width || current === "") current = candidate;
    else {
      out.push(current);
      current = `${hang}${word}`;
    }
  }
  if (current) out.push(current);
  return out;
}

export function fit(lines: readonly string[], width: number): string[] {
  return lines.flatMap((l) => l.split("\n")).flatMap((l) => wrapLine(l, width));
}

export type Align = "l" | "r";

/** Rows padded into columns, two spaces apart, each column aligned left or right. */
export function table(rows: string[][], align: readonly Align[]): string[] {
  const widths = align.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (align[c] === "r" ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * A table that fits `width`: as it is, or, when too wide, with the columns in `under` moved to an
 * indented line below each row (joined by ` · `; none when they are empty), so the remaining columns
 * stay aligned.
 */
export function fittedTable(
  rows: string[][],
  align: readonly Align[],
  width: number,
  under: readonly number[],
): string[] {
  const wide = table(rows, align);
  if (wide.every((l) => l.length <= width)) return wide;
  const keep = align.map((_, c) => c).filter((c) => !under.includes(c));
  return table(
    rows.map((r) => keep.map((c) => r[c]!)),
    keep.map((c) => align[c]!),
  ).flatMap((line, i) => {
    const below = under.map((c) => rows[i]![c]).filter((cell) => cell);
    return below.length ? [line, `      ${below.join(" · ")}`] : [line];
  });
}
