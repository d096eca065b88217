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
 * Every raw sample of `metric` in the window, per replica (`instance`), summed over the replica's
 * label sets at each scrape. A range vector selector returns the samples as scraped, with their scrape
 * times, so a gap in scraping shows as a gap (a range query would paper over it with up to five
 * minutes of look-back). Values are parsed as numbers; "NaN", "+Inf" or garbage stay non-finite, for
 * the decision to refuse.
 */
async function rawSamples(q: PrometheusQuery, metric: string): Promise<Map<string, Point[]>> {
  const params = new URLSearchParams({
    query: `${metric}{${q.selector}}[${Math.ceil(q.windowSeconds)}s]`,
    time: String(q.now),
  });
  const res = await fetch(`${q.url.replace(/\/$/, "")}/api/v1/query?${params}`, {
    signal: AbortSignal.timeout(q.timeoutMs ?? 10_000),
  });
  const body = (await res.json()) as Matrix;
  if (!res.ok || body.status !== "success" || !body.data || body.data.resultType !== "matrix")
    throw new Error(`query failed (${res.status}): ${body.error ?? "no matrix in the answer"}`);
  const byInstance = new Map<string, Map<number, number>>();
  for (const s of body.data.result) {
    const instance = s.metric["instance"] ?? JSON.stringify(s.metric);
    const at = byInstance.get(instance) ?? new Map<number, number>();
    for (const [t, v] of s.values ?? []) at.set(Number(t), (at.get(Number(t)) ?? 0) + Number(v));
    byInstance.set(instance, at);
  }
  return new Map([...byInstance].map(([i, at]) => [i, [...at].sort((a, b) => a[0] - b[0])]));
}

export async function observePrometheus(q: PrometheusQuery): Promise<Omit<Observation, "expectedReplicas">> {
  const shown = redactCredentials(q.url);
  const base = { source: `prometheus ${shown}`, windowStart: q.now - q.windowSeconds, windowEnd: q.now };
  try {
    const [running, waiting, success] = await Promise.all(
      (Object.keys(METRICS) as (keyof typeof METRICS)[]).map((k) => rawSamples(q, METRICS[k])),
    );
    const instances = new Set([...running!.keys(), ...waiting!.keys(), ...success!.keys()]);
    const replicas: ReplicaSeries[] = [...instances].sort().map((i) => ({
      replica: i,
      running: running!.get(i) ?? [],
      waiting: waiting!.get(i) ?? [],
      success: success!.get(i) ?? [],
    }));
    return { ...base, replicas };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${(q.timeoutMs ?? 10_000) / 1000} s`
        : (err.cause?.code ?? err.message);
    return { ...base, replicas: [], error: redactCredentials(`${shown}: ${why}`) };
  }
}
