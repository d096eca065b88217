/**
 * The shape of demand over a representative week (168 hours), from the workload's active hours,
 * active days and peak-to-average ratio. Monthly figures use Infracost's 730-hour month.
 */
export const HOURS_PER_MONTH = 730;
export const HOURS_PER_WEEK = 168;
export const WEEKS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_WEEK;

export interface TrafficShape {
  readonly activeHoursPerDay: number;
  readonly activeDaysPerWeek: number;
  readonly peakToAverage: number;
}

/** Weight of each hour of an active window, mean 1 over the window, peak/mean as close to `p` as the window allows. */
function windowWeights(coverage: readonly number[], p: number): number[] {
  const n = coverage.length;
  const at = (a: number) =>
    coverage.map((_, i) => Math.max(0, 1 + a * Math.cos(2 * Math.PI * ((i + 0.5) / n - 0.5))));
  const ratio = (w: number[]) => {
    const total = w.reduce((s, x, i) => s + x * coverage[i]!, 0);
    const mean = total / coverage.reduce((s, c) => s + c, 0);
    return Math.max(...w) / mean;
  };
  // A raised cosine peaking mid-window; its amplitude is found by bisection because clipping at zero
  // (p > 2) makes the ratio non-linear in it.
  let lo = 0;
  let hi = 1;
  while (ratio(at(hi)) < p && hi < 1e6) hi *= 2;
  for (let i = 0; i < 60 && p > 1; i++) {
    const mid = (lo + hi) / 2;
    if (ratio(at(mid)) < p) lo = mid;
    else hi = mid;
  }
  const w = at(p > 1 ? hi : 0);
  const mean = w.reduce((s, x, i) => s + x * coverage[i]!, 0) / coverage.reduce((s, c) => s + c, 0);
  return w.map((x) => x / mean);
}

/** Share of a week's tokens in each of its 168 hours (sums to 1). Partial hours and days count pro rata. */
export function weeklyShape(t: TrafficShape): Float64Array {
  const hours = Array.from({ length: Math.ceil(t.activeHoursPerDay) }, (_, h) =>
    Math.min(1, t.activeHoursPerDay - h),
  );
  const days = Array.from({ length: Math.ceil(t.activeDaysPerWeek) }, (_, d) =>
    Math.min(1, t.activeDaysPerWeek - d),
  );
  const w = windowWeights(hours, t.peakToAverage);
  // Traffic starts at 08:00 so a 10-hour day is a working day; the position does not change costs.
  const start = t.activeHoursPerDay >= 24 ? 0 : 8;
  const shape = new Float64Array(HOURS_PER_WEEK);
  let total = 0;
  days.forEach((dc, d) =>
    hours.forEach((hc, h) => {
      const v = dc * hc * w[h]!;
      const i = d * 24 + ((start + h) % 24);
      shape[i] = shape[i]! + v;
      total += v;
    }),
  );
  for (let i = 0; i < HOURS_PER_WEEK; i++) shape[i] = shape[i]! / total;
  return shape;
}
