/**
 * Break-even volume between a self-hosted option and a per-token one. Self-hosted cost is a step
 * function of volume (a replica is added in some hour at each breakpoint) plus terms linear in volume
 * (egress, power); between two breakpoints both curves are straight lines, so each interval is solved
 * exactly and the first crossing wins. No linearity is assumed across steps.
 */
import type { CostOption } from "./options";

export interface BreakEven {
  /** Volume scale (× the stack's volume) where the per-token option costs as much as self-hosting; null: never. */
  readonly scale: number | null;
  readonly reason?: string;
}

const diff = (self: CostOption, other: CostOption, s: number) => other.at(s).total - self.at(s).total;

/** Smallest s in (lo, hi] with other(s) ≥ self(s), given both are linear there; undefined if none. */
function solveInterval(self: CostOption, other: CostOption, lo: number, hi: number): number | undefined {
  const mid = (lo + hi) / 2;
  const dHi = diff(self, other, hi);
  const dMid = diff(self, other, mid);
  const slope = (dHi - dMid) / (hi - mid);
  if (dHi < 0 && dMid < 0) return undefined;
  if (slope <= 0) return dMid >= 0 || dHi >= 0 ? lo : undefined;
  return Math.max(lo, hi - dHi / slope);
}

export function breakEven(self: CostOption, other: CostOption): BreakEven {
  const limit = self.maxScale;
  if (!Number.isFinite(limit)) {
    // Both per-token (managed-open against an API): one line each, one solve on a wide interval.
    const s = solveInterval(self, other, 0, 1e6);
    return s === undefined
      ? { scale: null, reason: "the per-token price is never lower than this option's" }
      : { scale: s };
  }
  const points = [0, ...self.breakpoints.filter((b) => b < limit), limit];
  for (let i = 0; i + 1 < points.length;) {
    const lo = points[i]!;
    const hi = points[i + 1]!;
    const s = solveInterval(self, other, lo, hi);
    if (s !== undefined) return { scale: s };
    // Self-hosting never gets cheaper with volume, so no crossing lies before the volume x* where the
    // per-token line reaches self(hi): skip every interval that ends before it (a binary search).
    // This keeps the search short when scaling.max gives thousands of steps.
    const slope = (other.at(hi).total - other.at(lo).total) / (hi - lo);
    const gap = self.at(hi).total - other.at(hi).total;
    const target = slope > 0 ? hi + gap / slope : Infinity;
    let next = i + 1;
    if (target > hi) {
      let a = i + 1;
      let b = points.length - 1;
      while (a < b) {
        const m = (a + b) >> 1;
        if (points[m + 1]! < target) a = m + 1;
        else b = m;
      }
      next = Math.max(next, a);
    }
    i = next;
  }
  return {
    scale: null,
    reason: "not within scaling.max: the API stays cheaper up to the most the fleet can serve",
  };
}

/** Differences within a micro-dollar are a tie (amounts are whole micro-dollars). */
const TIE = 1;

/** A range of volume scales, `to` null when open-ended (up to the fleet's limit). */
export interface ScaleInterval {
  readonly from: number;
  readonly to: number | null;
}

/**
 * Every volume range where `self` costs no more than `other`, up to the most `self` can serve (or
 * `upTo`, whichever is smaller; an open range then ends there): the
 * exact crossings of two piecewise-linear curves, segment by segment (several crossings happen when a
 * replica step lifts self-hosting above a per-token line it had undercut).
 */
export function cheaperIntervals(self: CostOption, other: CostOption, upTo = Infinity): ScaleInterval[] {
  const limit = Math.min(Number.isFinite(self.maxScale) ? self.maxScale : 1e6, upTo);
  const points = [0, ...self.breakpoints.filter((b) => b > 0 && b < limit), limit];
  const out: { from: number; to: number }[] = [];
  let open: number | undefined;
  // Both costs only grow with volume (self-hosting never gets cheaper with more of it; a per-token line
  // rises), so over a run of segments (lo, hi] self lies in [self(lo), self(hi)] and other in
  // [other(lo), other(hi)]: when those ranges are apart by more than a tie, no segment inside can
  // change which is cheaper, and the run is settled with four prices instead of two per segment.
  // At scaling.max 10,000 that is tens of thousands of segments, nearly all settled in a few runs.
  const selfAt = new Map<number, number>();
  const otherAt = new Map<number, number>();
  const price = (o: CostOption, memo: Map<number, number>, i: number) => {
    let v = memo.get(i);
    if (v === undefined) memo.set(i, (v = o.at(points[i]!).total));
    return v;
  };
  const walk = (i: number, j: number): void => {
    if (j - i > 2) {
      const lo = points[i]!;
      if (price(other, otherAt, i) - price(self, selfAt, j) > TIE) {
        open ??= lo; // self is cheaper all along
        return;
      }
      if (price(self, selfAt, i) - price(other, otherAt, j) > TIE) {
        if (open !== undefined) out.push({ from: open, to: lo }); // self is dearer all along
        open = undefined;
        return;
      }
      const m = (i + j) >> 1;
      walk(i, m);
      walk(m, j);
      return;
    }
    for (let k = i; k < j; k++) segment(k);
  };
  const segment = (i: number): void => {
    const lo = points[i]!;
    const hi = points[i + 1]!;
    // Inside (lo, hi] both curves are straight: take the line through the middle and the end (a step
    // sits exactly at `lo`, so `lo` itself belongs to the segment before).
    const mid = (lo + hi) / 2;
    const dMid = diff(self, other, mid);
    const dHi = diff(self, other, hi);
    const slope = (dHi - dMid) / (hi - mid);
    const dLo = dMid - slope * (mid - lo);
    const cross = slope !== 0 ? hi - dHi / slope : undefined;
    const inside = cross !== undefined && cross > lo && cross < hi;
    // Cheaper just after `lo`: ahead there, or level there and not falling behind (two lanes with the
    // same fixed cost start level at zero volume; the one with the dearer tokens is never cheaper).
    const aheadAfterLo = dLo > TIE || (dLo >= -TIE && slope >= 0);
    if (aheadAfterLo && open === undefined) open = lo;
    if (!aheadAfterLo && open !== undefined) {
      out.push({ from: open, to: lo });
      open = undefined;
    }
    if (inside) {
      if (slope > 0 && open === undefined) open = cross;
      else if (slope < 0 && open !== undefined) {
        out.push({ from: open, to: cross });
        open = undefined;
      }
    }
  };
  walk(0, points.length - 1);
  const result: ScaleInterval[] = [];
  for (const x of [...out, ...(open === undefined ? [] : [{ from: open, to: null }])]) {
    if (x.to !== null && x.to <= x.from) continue;
    // Ranges that touch (a step where the cost is level on both sides, or float noise at a step) are one range.
    const last = result.at(-1);
    if (last && last.to !== null && x.from - last.to <= 1e-9 * Math.max(1, last.to))
      result[result.length - 1] = { from: last.from, to: x.to };
    else result.push(x);
  }
  return result;
}
