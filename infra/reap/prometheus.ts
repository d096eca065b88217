/**
 * Observations from Prometheus' HTTP API: one range query per vLLM metric over the window, per
 * replica (`instance`). A slow or failing server, or an error answer, is an observation with an error.
 */
import type { Observation, Point, ReplicaSeries } from "./decide";

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
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

async function rangeQuery(q: PrometheusQuery, expr: string, step: number): Promise<Map<string, Point[]>> {
  const params = new URLSearchParams({
    query: expr,
    start: String(q.now - q.windowSeconds),
    end: String(q.now),
    step: String(step),
  });
  const res = await fetch(`${q.url.replace(/\/$/, "")}/api/v1/query_range?${params}`, {
    signal: AbortSignal.timeout(q.timeoutMs ?? 10_000),
  });
  const body = (await res.json()) as Matrix;
  if (!res.ok || body.status !== "success" || !body.data)
    throw new Error(`query failed (${res.status}): ${body.error ?? "no data"}`);
  const out = new Map<string, Point[]>();
  for (const s of body.data.result)
    out.set(
      s.metric["instance"] ?? JSON.stringify(s.metric),
      s.values.map(([t, v]) => [t, Number(v)] as const),
    );
  return out;
}

export async function observePrometheus(q: PrometheusQuery): Promise<Omit<Observation, "expectedReplicas">> {
  const base = { source: `prometheus ${q.url}`, windowStart: q.now - q.windowSeconds, windowEnd: q.now };
  // About 60 points per window, never finer than a second.
  const step = Math.max(1, Math.round(q.windowSeconds / 60));
  try {
    const [running, waiting, success] = await Promise.all(
      (Object.keys(METRICS) as (keyof typeof METRICS)[]).map((k) =>
        rangeQuery(q, `max by (instance) (${METRICS[k]}{${q.selector}})`, step),
      ),
    );
    const instances = new Set([...running!.keys(), ...waiting!.keys()]);
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
    return { ...base, replicas: [], error: `${q.url}: ${why}` };
  }
}
