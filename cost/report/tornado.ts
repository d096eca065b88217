/**
 * The robustness table as a tornado chart (SVG, no script): one bar per assumption from the verdict's
 * lead at one end of its range to the lead at the other, widest swing on top; the zero line is where
 * the verdict changes. Labels sit in their own columns, so they never overlap the bars or each other.
 */
import type { AssumptionRow, Robustness } from "../robustness";
import { escapeXml as esc } from "./svg-chart";

const ROW = 28;
const LABEL_W = 330;
const BAR_W = 420;
const END_W = 110;
const PAD = 24;

const usd = (n: number) => `${n < 0 ? "−" : ""}$${Math.round(Math.abs(n)).toLocaleString("en-US")}`;
const value = (r: AssumptionRow, v: number) => `${+v.toFixed(2)}${r.unit === "×" ? "×" : ` ${r.unit}`}`;

/** Rows by swing, widest first: the order a tornado chart is read in. */
export function tornadoRows(r: Robustness): AssumptionRow[] {
  const swing = (x: AssumptionRow) => Math.abs(x.leadAtHighUsd - x.leadAtLowUsd);
  return [...r.rows].sort((a, b) => swing(b) - swing(a));
}

export function tornadoSvg(r: Robustness): string {
  const rows = tornadoRows(r);
  if (rows.length === 0) return "";
  const leads = rows.flatMap((x) => [x.leadAtLowUsd, x.leadAtHighUsd]);
  const lo = Math.min(0, ...leads);
  const hi = Math.max(0, ...leads);
  const span = hi - lo || 1;
  const x = (v: number) => LABEL_W + END_W + ((v - lo) / span) * BAR_W;
  const height = PAD * 2 + rows.length * ROW;
  const width = LABEL_W + END_W * 2 + BAR_W;
  const bars = rows
    .map((row, i) => {
      const y = PAD + i * ROW;
      const a = Math.min(row.leadAtLowUsd, row.leadAtHighUsd);
      const b = Math.max(row.leadAtLowUsd, row.leadAtHighUsd);
      const left = row.leadAtLowUsd <= row.leadAtHighUsd ? row.low : row.high;
      const right = row.leadAtLowUsd <= row.leadAtHighUsd ? row.high : row.low;
      const flips = row.changes.length > 0 ? " flips" : "";
      return [
        `<g class="row${flips}" data-key="${esc(row.key)}">`,
        `<text class="label" x="${LABEL_W - 8}" y="${y + ROW / 2 + 4}" text-anchor="end">${esc(row.assumption)}</text>`,
        `<text class="end" x="${LABEL_W + END_W - 6}" y="${y + ROW / 2 + 4}" text-anchor="end">${esc(value(row, left))} ${usd(a)}</text>`,
        `<rect x="${x(a).toFixed(1)}" y="${y + 5}" width="${Math.max(1, x(b) - x(a)).toFixed(1)}" height="${ROW - 10}"/>`,
        `<text class="end" x="${LABEL_W + END_W + BAR_W + 6}" y="${y + ROW / 2 + 4}">${usd(b)} ${esc(value(row, right))}</text>`,
        `</g>`,
      ].join("");
    })
    .join("\n");
  const zero = x(0).toFixed(1);
  return `<svg class="tornado" role="img" aria-label="How far each assumption moves the verdict's lead" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<line class="zero" x1="${zero}" y1="${PAD - 8}" x2="${zero}" y2="${height - PAD + 8}"/>
<text class="tick" x="${zero}" y="${PAD - 12}" text-anchor="middle">verdict changes below $0 lead</text>
${bars}
</svg>`;
}
