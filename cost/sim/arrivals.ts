/**
 * How requests reach the replica, as `vllm bench serve` sends them: Poisson arrivals at a rate, a
 * closed loop of a fixed number of clients (each sends its next request when the last one ends), or a
 * burst of every request at once (`--request-rate inf` without `--max-concurrency`). Deterministic for
 * a seed.
 */
export type Arrivals =
  | { readonly kind: "rate"; readonly requestsPerSecond: number }
  | { readonly kind: "concurrency"; readonly clients: number }
  | { readonly kind: "burst" };

/** A small, fast, seedable generator (mulberry32): the same seed gives the same run on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Arrival times of `count` open-loop requests (rate or burst), ascending, in seconds from 0. A closed
 * loop has no schedule: the simulator releases a client's next request when its last one completes.
 */
export function arrivalTimes(a: Arrivals, count: number, seed: number): Float64Array {
  const t = new Float64Array(count);
  if (a.kind !== "rate") return t;
  const next = random(seed);
  let now = 0;
  for (let i = 0; i < count; i++) {
    // Exponential gaps: 1 − u is in (0, 1], so the log is finite.
    now += -Math.log(1 - next()) / a.requestsPerSecond;
    t[i] = now;
  }
  return t;
}
