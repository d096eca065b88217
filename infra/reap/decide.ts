/**
 * The reaper's decision (pure): from each replica's vLLM metrics over the window, `busy`, `idle` or
 * `unknown`, with the evidence. Fail safe: anything short of complete, fresh data for every replica
 * that exists is `unknown`, never `idle`; any sign of work is `busy`.
 */

export type Point = readonly [seconds: number, value: number];

/** One replica's series over the window, as scraped (by Prometheus, or sampled from its /metrics). */
export interface ReplicaSeries {
  readonly replica: string;
  readonly running: readonly Point[];
  readonly waiting: readonly Point[];
  /** The request-success counter (monotonic, resets allowed). */
  readonly success: readonly Point[];
}

export interface Observation {
  /** The metrics source, for the evidence (e.g. `prometheus http://…`). */
  readonly source: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly replicas: readonly ReplicaSeries[];
  /** Replicas the platform says exist; undefined when it could not be asked. */
  readonly expectedReplicas?: number;
  /** Set when the source could not be read at all (down, slow, refused). */
  readonly error?: string;
}

export type Decision = "busy" | "idle" | "unknown";

export interface ReplicaEvidence {
  readonly replica: string;
  readonly maxRunning: number;
  readonly maxWaiting: number;
  readonly completed: number;
  readonly firstSample?: number;
  readonly lastSample?: number;
  readonly covered: boolean;
}

export interface Verdict {
  readonly decision: Decision;
  readonly reason: string;
  readonly evidence: {
    readonly source: string;
    readonly windowSeconds: number;
    readonly expectedReplicas: number | null;
    readonly replicas: readonly ReplicaEvidence[];
  };
}

/** Increase of a counter over its points, counting through resets (a drop restarts from zero). */
export function counterIncrease(points: readonly Point[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]![1] - points[i - 1]![1];
    total += d >= 0 ? d : points[i]![1];
  }
  return total;
}

const max = (points: readonly Point[]) => points.reduce((m, p) => Math.max(m, p[1]), 0);

/**
 * @param toleranceSeconds how far the first sample may start after the window opens, and the last
 * end before it closes, and still count as covering it (about two scrape intervals).
 */
export function decide(o: Observation, toleranceSeconds: number): Verdict {
  const windowSeconds = o.windowEnd - o.windowStart;
  const replicas = o.replicas.map((r): ReplicaEvidence => {
    const times = [...r.running, ...r.waiting].map((p) => p[0]);
    const first = times.length ? Math.min(...times) : undefined;
    const last = times.length ? Math.max(...times) : undefined;
    return {
      replica: r.replica,
      maxRunning: max(r.running),
      maxWaiting: max(r.waiting),
      completed: counterIncrease(r.success),
      ...(first !== undefined && { firstSample: first }),
      ...(last !== undefined && { lastSample: last }),
      covered:
        first !== undefined &&
        last !== undefined &&
        first <= o.windowStart + toleranceSeconds &&
        last >= o.windowEnd - toleranceSeconds,
    };
  });
  const evidence = {
    source: o.source,
    windowSeconds,
    expectedReplicas: o.expectedReplicas ?? null,
    replicas,
  };
  const verdict = (decision: Decision, reason: string): Verdict => ({ decision, reason, evidence });

  if (o.error) return verdict("unknown", `metrics source unavailable: ${o.error}`);
  const working = replicas.find((r) => r.maxRunning > 0 || r.maxWaiting > 0 || r.completed > 0);
  if (working)
    return verdict(
      "busy",
      `replica ${working.replica} worked in the window (running ${working.maxRunning}, waiting ${working.maxWaiting}, completed ${working.completed})`,
    );
  if (o.expectedReplicas === undefined) return verdict("unknown", "the platform's replica count is unknown");
  if (o.expectedReplicas === 0) return verdict("idle", "the fleet is already at zero replicas");
  if (replicas.length === 0) return verdict("unknown", "no series for this model in the window");
  const stale = replicas.filter(
    (r) => r.lastSample !== undefined && r.lastSample < o.windowEnd - toleranceSeconds,
  );
  if (stale.length)
    return verdict(
      "unknown",
      `stale series: ${stale.map((r) => r.replica).join(", ")} stopped reporting before the window closed`,
    );
  const partial = replicas.filter((r) => !r.covered);
  if (partial.length)
    return verdict(
      "unknown",
      `series for ${partial.map((r) => r.replica).join(", ")} do not cover the whole window`,
    );
  if (replicas.length < o.expectedReplicas)
    return verdict(
      "unknown",
      `series for ${replicas.length} replica(s), but ${o.expectedReplicas} exist: a replica is not reporting`,
    );
  return verdict("idle", `all ${replicas.length} replica(s) idle for the whole window`);
}
