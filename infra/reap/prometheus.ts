/**
 * Observations from Prometheus' HTTP API: every raw sample of each vLLM metric over the window, per
 * replica (`instance`). A slow or failing server, or an error answer, is an observation with an error.
 */
import type { Observation, Point, ReplicaSeries } from "./decide";
import { redactCredentials } from "./guard";

export interface PrometheusQuery {
  readonly url: string;
  /** Label matchers that select this stack's replicas, e.g. `model_name="llama-3.1-8b"`. */
  readonly selector: string;
  readonly windowSeconds: number;
  readonly now: number;
  readonly timeoutMs?: number;
}

const METRICS = {
  running: "vllm:num_requests_running",
  waiting: "vllm:num_requests_waiting",
  success: "vllm:request_success_total",
} as const;

interface Matrix {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][] }[] };
}

/**
 * The shortest window the reaper reads: below it "idle" would rest on one scrape or none (and the
 * query's `[Ns]` would round to nothing). The tests compress time to 6 s windows with 1 s scrapes.
 */
export const MIN_WINDOW_SECONDS = 5;
/** The largest answer read (a fleet's raw samples over a day are a few megabytes). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * One sample value as Prometheus' JSON encodes it: a decimal string, its sign kept so the decision can
 * name a negative reading. Anything else (an empty or blank string, hex, null, an array, a boolean,
 * "NaN", "+Inf") is not a reading: NaN, which the decision refuses, never 0.
 */
export function sampleValue(raw: unknown): number {
  if (typeof raw !== "string" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return NaN;
  return Number(raw);
}

/** A replica's reading from two of its series at one scrape: summed only when both are sound. */
export function addReadings(a: number | undefined, b: number): number {
  if (a === undefined) return b;
  return Number.isFinite(a) && a >= 0 && Number.isFinite(b) && b >= 0 ? a + b : NaN;
}

/** The answer's body, refused when larger than MAX_ANSWER_BYTES (a stream read, not a blind `json()`). */
async function boundedJson(res: Response): Promise<unknown> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_ANSWER_BYTES)
    throw new Error(`answer of ${declared} bytes is over the ${MAX_ANSWER_BYTES}-byte limit`);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("empty answer");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new Error(`answer over the ${MAX_ANSWER_BYTES}-byte limit`);
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

interface InstanceSamples {
  readonly points: Point[];
  /** The `pod` and `namespace` labels its series carry, for provenance. */
  readonly pods: ReadonlySet<string>;
  readonly namespaces: ReadonlySet<string>;
}

/**
 * Every raw sample of `metric` in the window, per replica (`instance`), summed over the replica's
 * label sets at each scrape. A range vector selector returns the samples as scraped, with their scrape
 * times, so a gap in scraping shows as a gap (a range query would paper over it with up to five
 * minutes of look-back). Every sample is checked before anything is summed: a series holding an
 * unsound value (see `sampleValue`) makes its replica's point NaN, so `4` and `-4` never add up to an
 * idle 0. An answer that is partial (Prometheus' `warnings`), names another metric, or comes from
 * another address (a redirect) is an error: the observation is unknown, never idle.
 */
async function rawSamples(q: PrometheusQuery, metric: string): Promise<Map<string, InstanceSamples>> {
  const params = new URLSearchParams({
    query: `${metric}{${q.selector}}[${Math.ceil(q.windowSeconds)}s]`,
    time: String(q.now),
  });
  const res = await fetch(`${q.url.replace(/\/$/, "")}/api/v1/query?${params}`, {
    signal: AbortSignal.timeout(q.timeoutMs ?? 10_000),
    // The data must come from the server asked: a redirect to another host is not followed.
    redirect: "error",
  });
  const body = (await boundedJson(res)) as Matrix & { warnings?: unknown };
  if (!res.ok || body.status !== "success" || !body.data || body.data.resultType !== "matrix")
    throw new Error(`query failed (${res.status}): ${body.error ?? "no matrix in the answer"}`);
  if (Array.isArray(body.warnings) && body.warnings.length > 0)
    throw new Error(`partial answer (Prometheus warned: ${String(body.warnings[0]).slice(0, 200)})`);
  if (!Array.isArray(body.data.result)) throw new Error("no series list in the answer");
  const byInstance = new Map<
    string,
    { at: Map<number, number>; pods: Set<string>; namespaces: Set<string> }
  >();
  for (const s of body.data.result) {
    const name = s.metric?.["__name__"];
    if (name !== undefined && name !== metric)
      throw new Error(`the answer holds ${String(name)}, not ${metric}`);
    const instance = s.metric?.["instance"] ?? JSON.stringify(s.metric);
    const seen = byInstance.get(instance) ?? { at: new Map(), pods: new Set(), namespaces: new Set() };
    // Every series' labels count: one instance whose series name two pods is not one pod's data.
    // A series without the label is recorded as "" (see labelsOf).
    const label = (k: string) => (typeof s.metric?.[k] === "string" ? s.metric[k] : "");
    seen.pods.add(label("pod"));
    seen.namespaces.add(label("namespace"));
    for (const [t, raw] of Array.isArray(s.values) ? s.values : [])
      seen.at.set(Number(t), addReadings(seen.at.get(Number(t)), sampleValue(raw)));
    byInstance.set(instance, seen);
  }
  return new Map(
    [...byInstance].map(([i, s]) => [
      i,
      { points: [...s.at].sort((a, b) => a[0] - b[0]), pods: s.pods, namespaces: s.namespaces },
    ]),
  );
}

/** The labels an instance's series carry across the three metrics; "" stands for a series without one. */
function labelsOf(key: "pods" | "namespaces", ...from: (InstanceSamples | undefined)[]): string[] {
  const all = new Set<string>();
  for (const s of from) for (const v of s?.[key] ?? []) all.add(v);
  // A series without the label makes the replica's provenance unprovable: report none.
  return all.has("") ? [] : [...all].sort();
}

export async function observePrometheus(q: PrometheusQuery): Promise<Omit<Observation, "expectedReplicas">> {
  const shown = redactCredentials(q.url);
  const base = { source: `prometheus ${shown}`, windowStart: q.now - q.windowSeconds, windowEnd: q.now };
  if (!(q.windowSeconds >= MIN_WINDOW_SECONDS))
    return {
      ...base,
      replicas: [],
      error: `a ${q.windowSeconds} s window is too short to call a fleet idle (at least ${MIN_WINDOW_SECONDS} s)`,
    };
  try {
    const [running, waiting, success] = await Promise.all(
      (Object.keys(METRICS) as (keyof typeof METRICS)[]).map((k) => rawSamples(q, METRICS[k])),
    );
    const instances = new Set([...running!.keys(), ...waiting!.keys(), ...success!.keys()]);
    const replicas: ReplicaSeries[] = [...instances].sort().map((i) => {
      const of = [running!.get(i), waiting!.get(i), success!.get(i)] as const;
      return {
        replica: i,
        running: of[0]?.points ?? [],
        waiting: of[1]?.points ?? [],
        success: of[2]?.points ?? [],
        pods: labelsOf("pods", ...of),
        namespaces: labelsOf("namespaces", ...of),
      };
    });
    return { ...base, replicas, labelled: true };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${(q.timeoutMs ?? 10_000) / 1000} s`
        : (err.cause?.code ?? err.message);
    return { ...base, replicas: [], error: redactCredentials(`${shown}: ${why}`) };
  }
}
