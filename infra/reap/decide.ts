/**
 * The reaper's decision (pure): from each replica's vLLM metrics over the window, `busy`, `idle` or
 * `unknown`, with the evidence. Fail safe: anything short of complete, fresh data for every replica
 * that exists is `unknown`, never `idle`; any sign of work is `busy`.
 */

import type { OwnedPods } from "./fleet";

export type Point = readonly [seconds: number, value: number];

/** One replica's series over the window, as scraped (by Prometheus, or sampled from its /metrics). */
export interface ReplicaSeries {
  readonly replica: string;
  /**
   * The Kubernetes `pod` and `namespace` labels its series carry (Prometheus' service discovery
   * adds them); absent from a source without labels (a replica's own /metrics, the load balancer).
   */
  readonly pods?: readonly string[];
  readonly namespaces?: readonly string[];
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
  /** The pods the platform says are the fleet; set on Kubernetes, where series name their pod. */
  readonly expectedPods?: OwnedPods;
  /** The series carry their scrape target's labels (Prometheus): provenance is checked against them. */
  readonly labelled?: boolean;
  /** Set when the source could not be read at all (down, slow, refused). */
  readonly error?: string;
  /**
   * The metrics each replica must report for an idle verdict. Default all three; a source that only
   * has a request count (the load balancer's) names the one it has.
   */
  readonly required?: readonly MetricKey[];
  /**
   * One series stands for the whole fleet (the load balancer's request count covers every target), so
   * the number of series is not compared with the number of replicas.
   */
  readonly aggregate?: boolean;
}

export type MetricKey = "running" | "waiting" | "success";

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

/** A sample that can be evidence: a finite, non-negative number at a finite time. */
const sound = (p: Point) =>
  typeof p[1] === "number" && Number.isFinite(p[1]) && p[1] >= 0 && Number.isFinite(p[0]);

/** Largest value among the sound samples (work seen; unsound samples are never evidence of rest). */
const max = (points: readonly Point[]) => points.filter(sound).reduce((m, p) => Math.max(m, p[1]), 0);

const METRIC_NAMES = {
  running: "vllm:num_requests_running",
  waiting: "vllm:num_requests_waiting",
  success: "vllm:request_success_total",
} as const;

/**
 * Why one replica's series cannot prove it idle, or undefined when they can: every required metric
 * present; every sample a finite, non-negative number inside the window; each series starting and
 * ending within `tolerance` of the window's edges, with no gap between samples longer than that.
 */
export function evidenceProblem(
  r: ReplicaSeries,
  windowStart: number,
  windowEnd: number,
  tolerance: number,
  required: readonly MetricKey[] = ["running", "waiting", "success"],
): string | undefined {
  for (const key of required) {
    const name = METRIC_NAMES[key];
    const points = [...r[key]].sort((a, b) => a[0] - b[0]);
    if (points.length === 0) return `replica ${r.replica} has no ${name} series in the window`;
    const bad = points.find((p) => !sound(p));
    if (bad)
      return `replica ${r.replica} reported ${String(bad[1])} for ${name} (not a finite, non-negative number)`;
    const outside = points.find((p) => p[0] < windowStart - tolerance || p[0] > windowEnd + tolerance);
    if (outside) return `replica ${r.replica} has a ${name} sample at ${outside[0]}, outside the window`;
    const first = points[0]![0];
    const last = points[points.length - 1]![0];
    if (last < windowEnd - tolerance)
      return `stale series: replica ${r.replica} stopped reporting ${name} ${Math.round(windowEnd - last)} s before the window closed`;
    if (first > windowStart + tolerance)
      return `replica ${r.replica}'s ${name} starts ${Math.round(first - windowStart)} s into the window: it does not cover it`;
    for (let i = 1; i < points.length; i++) {
      const gap = points[i]![0] - points[i - 1]![0];
      if (gap > tolerance)
        return `replica ${r.replica}'s ${name} has a ${Math.round(gap)} s gap (tolerance ${tolerance} s): it was not watched the whole window`;
    }
  }
  return undefined;
}

/**
 * Why the series cannot be shown to be the fleet's own, or undefined when every one names a pod the
 * Deployment owns in its namespace. A series with no pod or namespace label proves nothing (the same
 * model name can be served by another team's pods, or an exporter standing in for them); one that
 * names another pod or namespace is foreign data. Either way no write rests on it.
 */
export function provenanceProblem(replicas: readonly ReplicaSeries[], owned: OwnedPods): string | undefined {
  const names = new Set(owned.names);
  // One replica is one pod, and one pod one replica: otherwise the count of reporting replicas lies.
  const claimed = new Map<string, string>();
  for (const r of replicas) {
    if ((r.pods?.length ?? 0) > 1)
      return `replica ${r.replica}'s series name ${r.pods!.length} pods (${r.pods!.join(", ")}): one replica's data must be one pod's`;
    const pod = r.pods?.[0];
    if (pod !== undefined && claimed.has(pod))
      return `pod ${pod} is named by two replicas (${claimed.get(pod)} and ${r.replica}): its data cannot stand for two`;
    if (pod !== undefined) claimed.set(pod, r.replica);
  }
  for (const r of replicas) {
    if (!r.pods?.length || !r.namespaces?.length)
      return `replica ${r.replica}'s series carry no pod and namespace labels, so they cannot be shown to be ${owned.owner}'s pods: scrape the engines through the ServiceMonitor the kit renders (Prometheus labels each series with its pod and namespace)`;
    const ns = r.namespaces.find((n) => n !== owned.namespace);
    const pod = r.pods.find((p) => !names.has(p));
    if (ns !== undefined || pod !== undefined)
      return `replica ${r.replica}'s series come from ${ns !== undefined ? `namespace ${ns}` : `pod ${pod}`}, not one of the ${names.size} pod(s) ${owned.owner} owns${names.size ? ` (${[...names].slice(0, 4).join(", ")}${names.size > 4 ? ", …" : ""})` : ""}: not the fleet's data`;
  }
  return undefined;
}

/**
 * @param toleranceSeconds the longest a series may go without a sample, at the window's start, at
 * its end and between samples (about two scrape intervals).
 */
export function decide(o: Observation, toleranceSeconds: number): Verdict {
  const windowSeconds = o.windowEnd - o.windowStart;
  // One problem per series, in order: two series that name one replica must not overwrite each other.
  const problems = o.replicas.map((r) =>
    evidenceProblem(r, o.windowStart, o.windowEnd, toleranceSeconds, o.required),
  );
  const replicas = o.replicas.map((r, i): ReplicaEvidence => {
    const times = [...r.running, ...r.waiting].map((p) => p[0]).filter(Number.isFinite);
    const first = times.length ? Math.min(...times) : undefined;
    const last = times.length ? Math.max(...times) : undefined;
    return {
      replica: r.replica,
      maxRunning: max(r.running),
      maxWaiting: max(r.waiting),
      completed: counterIncrease(r.success.filter(sound)),
      ...(first !== undefined && { firstSample: first }),
      ...(last !== undefined && { lastSample: last }),
      covered: problems[i] === undefined,
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
  // Work seen in sound samples is certain, whatever else is wrong: busy (no action either way).
  const working = replicas.find((r) => r.maxRunning > 0 || r.maxWaiting > 0 || r.completed > 0);
  if (working)
    return verdict(
      "busy",
      `replica ${working.replica} worked in the window (running ${working.maxRunning}, waiting ${working.maxWaiting}, completed ${working.completed})`,
    );
  if (o.expectedReplicas === undefined) return verdict("unknown", "the platform's replica count is unknown");
  if (o.expectedReplicas === 0) return verdict("idle", "the fleet is already at zero replicas");
  // Before any series counts as evidence of rest: it must be one of the fleet's own pods'.
  const foreign = o.labelled && o.expectedPods ? provenanceProblem(o.replicas, o.expectedPods) : undefined;
  if (foreign) return verdict("unknown", foreign);
  if (replicas.length === 0) return verdict("unknown", "no series for this model in the window");
  // Evidence counts replicas, not series: a replica named twice is doubtful (which series is it?).
  const seen = new Set<string>();
  const twice = replicas.find((r) => seen.size === seen.add(r.replica).size);
  if (twice)
    return verdict(
      "unknown",
      `two series name replica ${twice.replica}: the evidence cannot tell which is the replica's`,
    );
  const problem = problems.find((p) => p !== undefined);
  if (problem) return verdict("unknown", problem);
  if (!o.aggregate && seen.size < o.expectedReplicas)
    return verdict(
      "unknown",
      `series for ${seen.size} replica(s), but ${o.expectedReplicas} exist: a replica is not reporting`,
    );
  return verdict("idle", `all ${seen.size} replica(s) idle for the whole window`);
}
