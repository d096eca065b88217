/**
 * Replica-hours the autoscaler runs: replicas needed each hour = demand ÷ per-replica capacity,
 * clipped to [min, max]; surplus replicas linger for the scale-in delay (idle minutes before scaling
 * to zero, the cooldown otherwise). Pure and allocation-free in the hot loop: break-even sweeps call it
 * thousands of times.
 */
import { HOURS_PER_WEEK, WEEKS_PER_MONTH } from "./traffic";

export interface ScalingPolicy {
  readonly min: number;
  readonly max: number;
  readonly idleMinutes: number;
  readonly cooldownSeconds: number;
}

export interface CapacityPlan {
  /** Replica-hours a month with traffic to serve. */
  readonly servingReplicaHours: number;
  /** Replica-hours a month paid without traffic: the floor off-hours and the scale-in delay. */
  readonly idleReplicaHours: number;
  /** The part of `idleReplicaHours` spent waiting out scale-in delays (not in `hoursWithAtLeast`). */
  readonly scaleInDelayReplicaHours: number;
  readonly peakReplicas: number;
  /** Replica starts a month: each new replica (a fresh instance) downloads and loads the weights. */
  readonly replicaStartsPerMonth: number;
  /** Share of tokens above what `max` replicas serve (0 when capacity suffices). */
  readonly unservedShare: number;
  /** Mean share of running replicas' capacity in use during serving hours. */
  readonly utilization: number;
  /**
   * Hours a month at each replica count that runs (ascending, zero left out): O(distinct counts),
   * however large the fleet, so a plan at scaling.max 10,000 costs what a plan at 4 does.
   */
  readonly levels: readonly ReplicaLevel[];
  /** Hours a month with at least k replicas running, k = 1..peak (index 0 unused); built when read (O(peak)). */
  readonly hoursWithAtLeast: readonly number[];
}

export interface ReplicaLevel {
  readonly replicas: number;
  readonly hours: number;
}

/** Σ over the running hours of f(replicas running): a sum over levels, not over replica indices. */
export function sumOverLevels(levels: readonly ReplicaLevel[], f: (replicas: number) => number): number {
  let total = 0;
  for (const l of levels) total += l.hours * f(l.replicas);
  return total;
}

/** Hours a month with at least k replicas running. */
export function hoursWithAtLeast(levels: readonly ReplicaLevel[], k: number): number {
  let h = 0;
  for (const l of levels) if (l.replicas >= k) h += l.hours;
  return h;
}

/**
 * @param shape share of weekly tokens per hour (weeklyShape)
 * @param monthlyOutputTokens demand
 * @param replicaTokensPerHour output tokens one replica serves in an hour at the planned utilisation
 */
export function planCapacity(
  shape: Float64Array,
  monthlyOutputTokens: number,
  replicaTokensPerHour: number,
  policy: ScalingPolicy,
): CapacityPlan {
  const { values, counts } = runs(shape);
  const weekly = monthlyOutputTokens / WEEKS_PER_MONTH;
  const { min, max } = policy;
  const toZero = policy.idleMinutes / 60;
  const scaleIn = policy.cooldownSeconds / 3600;
  let serving = 0;
  let idle = 0;
  let delay = 0;
  let peak = 0;
  let starts = 0;
  let unserved = 0;
  let used = 0;
  // Hours at each replica count, collected per run; spread over counts once the peak is known, so a
  // call costs O(runs + peak) rather than O(scaling.max) (break-even ranges price thousands of volumes).
  const n = values.length;
  if (scratch.length < n) scratch = new Int32Array(n);
  const runReplicas = scratch;
  let prev = replicasFor(weekly * values[n - 1]!, replicaTokensPerHour, min, max);
  for (let i = 0; i < n; i++) {
    const demand = weekly * values[i]!;
    const hours = counts[i]!;
    const r = replicasFor(demand, replicaTokensPerHour, min, max);
    if (demand > 0) {
      serving += r * hours;
      const servable = r * replicaTokensPerHour;
      used += (demand < servable ? demand : servable) * hours;
      if (demand > servable) unserved += (demand - servable) * hours;
    } else idle += r * hours;
    if (r < prev) delay += (prev - r) * (r === 0 ? toZero : scaleIn);
    // Every replica added is a start: a scale-out from a warm fleet downloads the weights just as a
    // start from zero does (a new instance's local disk is empty).
    if (r > prev) starts += r - prev;
    runReplicas[i] = r;
    if (r > peak) peak = r;
    prev = r;
  }
  const byCount = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = runReplicas[i]!;
    if (r > 0) byCount.set(r, (byCount.get(r) ?? 0) + counts[i]!);
  }
  const levels = [...byCount]
    .sort((a, b) => a[0] - b[0])
    .map(([replicas, hours]) => ({ replicas, hours: hours * WEEKS_PER_MONTH }));
  let atLeast: number[] | undefined;
  return {
    servingReplicaHours: serving * WEEKS_PER_MONTH,
    idleReplicaHours: (idle + delay) * WEEKS_PER_MONTH,
    scaleInDelayReplicaHours: delay * WEEKS_PER_MONTH,
    peakReplicas: peak,
    replicaStartsPerMonth: starts * WEEKS_PER_MONTH,
    unservedShare: weekly > 0 ? unserved / weekly : 0,
    utilization: serving > 0 ? used / (serving * replicaTokensPerHour) : 0,
    levels,
    get hoursWithAtLeast() {
      atLeast ??= Array.from({ length: peak + 1 }, (_, k) => (k === 0 ? 0 : hoursWithAtLeast(levels, k)));
      return atLeast;
    },
  };
}

/** Replicas per run, reused across calls: sweeps plan thousands of volumes. */
let scratch = new Int32Array(168);

function replicasFor(demand: number, perReplica: number, min: number, max: number): number {
  // A relative tolerance keeps float noise at exact multiples (3.0000000001 replicas) from adding one.
  const r = demand > 0 ? Math.ceil((demand / perReplica) * (1 - 1e-12)) : 0;
  return r < min ? min : r > max ? max : r;
}

/**
 * The week as runs of equal consecutive hours: replicas only change between runs, and a work-week
 * shape has far fewer runs than hours. Cached per shape: sweeps reuse one shape thousands of times.
 */
const runCache = new WeakMap<Float64Array, { values: Float64Array; counts: Int32Array }>();
function runs(shape: Float64Array) {
  let cached = runCache.get(shape);
  if (cached) return cached;
  const values: number[] = [];
  const counts: number[] = [];
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    const v = shape[h]!;
    if (values.length && values[values.length - 1] === v) counts[counts.length - 1]! += 1;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  cached = { values: Float64Array.from(values), counts: Int32Array.from(counts) };
  runCache.set(shape, cached);
  return cached;
}

/** Volume scales at which the replica count of some hour changes: where cost steps. */
export function capacityBreakpoints(
  shape: Float64Array,
  monthlyOutputTokens: number,
  replicaTokensPerHour: number,
  max: number,
): number[] {
  const weekly = monthlyOutputTokens / WEEKS_PER_MONTH;
  const set = new Set<number>();
  // Hours with equal demand step together: one pass per distinct demand, not per hour.
  for (const v of new Set(runs(shape).values)) {
    const d = weekly * v;
    if (d <= 0) continue;
    // replicas(h) = ceil(s·d / cap) steps from k to k+1 just after s = k·cap/d
    for (let k = 1; k <= max; k++) set.add((k * replicaTokensPerHour) / d);
  }
  // The same step reached from two hours' demands can differ in the last bit: keep one of each.
  const sorted = Float64Array.from(set).sort();
  const out: number[] = [];
  for (const x of sorted) if (out.length === 0 || x - out.at(-1)! > 1e-12 * x) out.push(x);
  return out;
}
