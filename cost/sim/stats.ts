/** Summaries of a simulated run's latencies, as `vllm bench serve` prints them (mean and percentiles, ms). */

export interface Distribution {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export const EMPTY: Distribution = { mean: NaN, p50: NaN, p90: NaN, p99: NaN };

/** Linear-interpolated percentile of sorted values (numpy's default, which vLLM's benchmark uses). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Mean and percentiles of seconds, reported in milliseconds. */
export function distribution(seconds: Float64Array): Distribution {
  if (seconds.length === 0) return EMPTY;
  const s = Float64Array.from(seconds).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    mean: (sum / s.length) * 1000,
    p50: percentile(s, 50) * 1000,
    p90: percentile(s, 90) * 1000,
    p99: percentile(s, 99) * 1000,
  };
}

/**
 * Inter-token gaps, weighted, in logarithmic buckets 1% wide: a run has millions of gaps, each step
 * adds one gap per decoding sequence, and percentiles need only the bucket.
 */
export class GapHistogram {
  private static readonly FLOOR = 1e-5;
  private static readonly RATIO = Math.log(1.01);
  private readonly counts = new Float64Array(1600);
  private total = 0;
  private sum = 0;

  add(seconds: number, count: number): void {
    if (count <= 0) return;
    const i = Math.min(
      this.counts.length - 1,
      Math.max(
        0,
        Math.floor(Math.log(Math.max(seconds, GapHistogram.FLOOR) / GapHistogram.FLOOR) / GapHistogram.RATIO),
      ),
    );
    this.counts[i]! += count;
    this.total += count;
    this.sum += seconds * count;
  }

  distribution(): Distribution {
    if (this.total === 0) return EMPTY;
    const at = (q: number) => {
      const want = (q / 100) * this.total;
      let seen = 0;
      for (let i = 0; i < this.counts.length; i++) {
        seen += this.counts[i]!;
        // The bucket's geometric middle.
        if (seen >= want) return GapHistogram.FLOOR * Math.exp((i + 0.5) * GapHistogram.RATIO) * 1000;
      }
      return NaN;
    };
    return { mean: (this.sum / this.total) * 1000, p50: at(50), p90: at(90), p99: at(99) };
  }
}
