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
