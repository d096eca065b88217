/**
 * The crossover chart as inline SVG, library-free: monthly cost against monthly output tokens, the
 * stack's option as a step curve, every per-token option as a line, break-even points marked and
 * labelled, the stack's own volume as a dashed rule. Colours come from CSS variables so the page's
 * light, dark and print styles apply.
 */
import { formatTokens } from "../format";
import type { ChartData } from "./chart-data";

export const escapeXml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** Round `max` up to 1, 2 or 5 × a power of ten, and the ticks that divide it. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const top = Math.ceil(max / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => +(i * step).toPrecision(12));
}

const money = (v: number) => (v >= 1000 ? `$${+(v / 1000).toPrecision(3)}k` : `$${Math.round(v)}`);

/** A label's box in chart coordinates. */
interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** 12 px text: glyphs average under 7 px wide (generous, so real fonts fit inside), 11 px above the baseline, 3 below. */
const CHAR_W = 7;
const ASCENT = 11;
const DESCENT = 3;

/** The box of text drawn with its baseline at (x, y). */
function box(x: number, y: number, text: string): Box {
  return { x0: x, x1: x + text.length * CHAR_W, y0: y - ASCENT, y1: y + DESCENT };
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

export interface SvgOptions {
  readonly width?: number;
  readonly height?: number;
}

export function svgChart(d: ChartData, opts: SvgOptions = {}): string {
  const W = opts.width ?? 960;
  const H = opts.height ?? 520;
  const m = { top: 24, right: 24, bottom: 56, left: 76 };
  const iw = W - m.left - m.right;
  const ih = H - m.top - m.bottom;
  const self = d.series[0]!;
  const selfMax = Math.max(...self.ys.filter((y): y is number => y !== null), 1);
  // Scale to the stack's own curve with room above it; steeper API lines leave through the top.
  const yTicks = niceTicks(selfMax * 1.6);
  const yMax = yTicks[yTicks.length - 1]!;
  // The axis ends where the data does; ticks are the nice values inside it.
  const xMax = d.xs[d.xs.length - 1]!;
  const xTicks = niceTicks(xMax).filter((t) => t <= xMax);
  const X = (x: number) => m.left + (x / xMax) * iw;
  const Y = (y: number) => m.top + ih - (y / yMax) * ih;
  const f = (n: number) => n.toFixed(1);

  const path = (ys: readonly (number | null)[]) => {
    let out = "";
    let pen = false;
    ys.forEach((y, i) => {
      if (y === null) return void (pen = false);
      out += `${pen ? "L" : "M"}${f(X(d.xs[i]!))},${f(Y(y))}`;
      pen = true;
    });
    return out;
  };

  const grid = [
    ...yTicks.map(
      (t) =>
        `<line class="grid" x1="${m.left}" x2="${m.left + iw}" y1="${f(Y(t))}" y2="${f(Y(t))}"/><text class="tick" x="${m.left - 8}" y="${f(Y(t) + 4)}" text-anchor="end">${money(t)}</text>`,
    ),
    ...xTicks.map(
      (t) =>
        `<text class="tick" x="${f(X(t))}" y="${m.top + ih + 20}" text-anchor="middle">${formatTokens(t)}</text>`,
    ),
  ];
  const lines = d.series
    .map(
      (s, i) =>
        `<path class="series ${i === 0 ? "self" : `s${(i - 1) % 9}`}" data-series="${escapeXml(s.id)}" d="${path(s.ys)}"><title>${escapeXml(s.label)}</title></path>`,
    )
    .reverse();
  // Short labels ("bedrock", "OpenAI gpt-4o-mini"), staggered so neighbouring points stay legible.
  const label = (id: string) => (d.series.find((s) => s.id === id)?.label ?? id).replace(/ · .*$/, "");
  // Each label takes the first offset (alternating above and below its point) whose box, in the
  // chart's own coordinates, overlaps no label placed before it, no point and not the volume label;
  // a label with no free place is left off (its point keeps the name in a tooltip).
  const ROWS = [-10, 20, -24, 34, -38, 48, -52, 62, -66, 76];
  const placed: Box[] = [
    box(X(d.stackVolume) + 6, m.top + 14, `your volume: ${formatTokens(d.stackVolume)}`),
  ];
  const shown = d.breakEvens.filter((b) => b.x <= xMax && b.y <= yMax).sort((a, b) => a.x - b.x);
  // Every point is an obstacle for every label.
  for (const b of shown) placed.push({ x0: X(b.x) - 6, x1: X(b.x) + 6, y0: Y(b.y) - 6, y1: Y(b.y) + 6 });
  const points = shown.map((b) => {
    const text = `${label(b.against)}: ${formatTokens(b.x)}`;
    const x0 = X(b.x) + 8;
    const free = ROWS.map((dy) => box(x0, Y(b.y) + dy, text)).find(
      (c) => c.y0 >= 0 && c.y1 <= H && c.x1 <= W && !placed.some((p) => overlaps(c, p)),
    );
    if (free) placed.push(free);
    const t = free ? `<text x="${f(x0)}" y="${f(free.y1 - DESCENT)}">${escapeXml(text)}</text>` : "";
    return `<g class="breakeven" data-against="${escapeXml(b.against)}" data-x="${b.x}" data-y="${b.y}"><title>${escapeXml(text)}</title><circle cx="${f(X(b.x))}" cy="${f(Y(b.y))}" r="5"/>${t}</g>`;
  });
  const vx = f(X(d.stackVolume));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title" class="chart">
<title id="chart-title">Monthly cost against monthly output tokens</title>
<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${iw}" height="${ih}"/></clipPath></defs>
${grid.join("\n")}
<line class="axis" x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ih}"/><line class="axis" x1="${m.left}" x2="${m.left + iw}" y1="${m.top + ih}" y2="${m.top + ih}"/>
<text class="axis-label" x="${m.left + iw / 2}" y="${H - 12}" text-anchor="middle">monthly output tokens</text>
<text class="axis-label" transform="translate(18 ${m.top + ih / 2}) rotate(-90)" text-anchor="middle">monthly cost (USD)</text>
<g clip-path="url(#plot)">
${lines.join("\n")}
<line class="volume" data-x="${d.stackVolume}" x1="${vx}" x2="${vx}" y1="${m.top}" y2="${m.top + ih}"/>
</g>
<text class="volume-label" x="${f(X(d.stackVolume) + 6)}" y="${m.top + 14}">your volume: ${formatTokens(d.stackVolume)}</text>
${points.join("\n")}
</svg>`;
}
