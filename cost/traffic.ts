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

/**
 * Weight of each hour of an active window: mean 1 over the window, peak/mean = `p`. The family
 * exp(k·cos(2π(x − ½))) peaks mid-window and stays positive everywhere (every active hour has some
 * traffic); its peak/mean grows with k, so k is found by bisection.
 */
function windowWeights(coverage: readonly number[], p: number): number[] {
  const n = coverage.length;
  const covered = coverage.reduce((s, c) => s + c, 0);
  const at = (k: number) => {
    const w = coverage.map((_, i) => Math.exp(k * Math.cos(2 * Math.PI * ((i + 0.5) / n - 0.5))));
    const mean = w.reduce((s, x, i) => s + x * coverage[i]!, 0) / covered;
    return w.map((x) => x / mean);
  };
  if (p <= 1 || n < 2) return at(0);
  let lo = 0;
  let hi = 1;
  // One or two hours cannot reach every ratio: stop at the steepest shape the window allows.
  while (Math.max(...at(hi)) < p && hi < 64) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (Math.max(...at(mid)) < p) lo = mid;
    else hi = mid;
  }
  return at(hi);
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
