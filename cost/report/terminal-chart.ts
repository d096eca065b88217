/**
 * The crossover chart in a terminal: the stack's option as `#` steps, each compared option as a
 * letter, break-even points as `X`, the stack's volume as a `|` column. Library-free; 7-bit safe.
 */
import { formatTokens } from "../format";
import type { ChartData } from "./chart-data";

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

export function terminalChart(d: ChartData, height = 14): string {
  const width = d.xs.length;
  const selfYs = d.series[0]!.ys.filter((y): y is number => y !== null);
  // Scale to the self-hosted curve and a bit above, so a steep API line does not flatten the steps.
  const yMax = Math.max(...selfYs, 1) * 1.6;
  const xMax = d.xs[width - 1]!;
  const grid = Array.from({ length: height }, () => Array.from({ length: width }, () => " "));
  const row = (y: number) => height - 1 - Math.min(height - 1, Math.floor((y / yMax) * height));
  const col = (x: number) => Math.min(width - 1, Math.max(0, Math.round((x / xMax) * width) - 1));
  const stackCol = col(d.stackVolume);
  for (let r = 0; r < height; r++) grid[r]![stackCol] = "|";
  // Later series draw over earlier ones: go backwards so `a` and the stack's own `#` stay visible.
  for (let i = d.series.length - 1; i >= 0; i--) {
    const mark = i === 0 ? "#" : LETTERS[(i - 1) % LETTERS.length]!;
    d.series[i]!.ys.forEach((y, c) => {
      if (y === null || y > yMax) return;
      grid[row(y)]![c] = mark;
    });
  }
  for (const b of d.breakEvens) if (b.y <= yMax && b.x <= xMax) grid[row(b.y)]![col(b.x)] = "X";
  const label = (r: number) => (r === 0 ? `$${formatTokens(yMax)}` : r === height - 1 ? "$0" : "");
  const lines = grid.map((cells, r) => `${label(r).padStart(8)} ┤${cells.join("")}`);
  lines.push(`${" ".repeat(8)} └${"─".repeat(width)}`);
  lines.push(`${" ".repeat(10)}0${`${formatTokens(xMax)} output tokens/month`.padStart(width - 1)}`);
  const legend = d.series.map((s, i) => `${i === 0 ? "#" : LETTERS[(i - 1) % LETTERS.length]} ${s.label}`);
  lines.push(...legend.map((l) => `  ${l}`));
  lines.push(`  | your volume (${formatTokens(d.stackVolume)})   X break-even`);
  return lines.join("\n");
}
