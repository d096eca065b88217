/**
 * Observations sampled straight from each vLLM replica's /metrics over the window (no Prometheus):
 * the text exposition format, read every `intervalSeconds`.
 */
import type { Observation, Point, ReplicaSeries } from "./decide";

/**
 * Sum of a metric's samples in Prometheus text exposition (all label sets), or undefined if absent.
 * A sample that is not a number ("NaN", "+Inf", garbage) makes the sum NaN: the decision refuses it
 * rather than reading the replica as idle.
 */
export function readMetric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || (line[name.length] !== "{" && line[name.length] !== " ")) continue;
    // `name{labels} value [timestamp]`: the value is the first field after the labels.
    const rest = line.slice(line[name.length] === "{" ? line.indexOf("}", name.length) + 1 : name.length);
    const field = rest.trim().split(/\s+/)[0] ?? "";
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(field) ? Number(field) : NaN;
    sum = (sum ?? 0) + value;
  }
  return sum;
}

export interface EndpointSampling {
  readonly endpoints: readonly string[];
  readonly windowSeconds: number;
  readonly intervalSeconds: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
}

export async function observeEndpoints(s: EndpointSampling): Promise<Omit<Observation, "expectedReplicas">> {
  const clock = s.clock ?? (() => Date.now() / 1000);
  const sleep = s.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const series = new Map<string, { running: Point[]; waiting: Point[]; success: Point[] }>(
    s.endpoints.map((e) => [e, { running: [], waiting: [], success: [] }]),
  );
  const start = clock();
  for (;;) {
    const t = clock();
    await Promise.all(
      s.endpoints.map(async (e) => {
        try {
          const res = await fetch(`${e.replace(/\/$/, "")}/metrics`, {
            signal: AbortSignal.timeout(s.timeoutMs ?? 5000),
          });
          if (!res.ok) return;
          const text = await res.text();
          const x = series.get(e)!;
          const push = (into: Point[], name: string) => {
            const v = readMetric(text, name);
            if (v !== undefined) into.push([t, v]);
          };
          push(x.running, "vllm:num_requests_running");
          push(x.waiting, "vllm:num_requests_waiting");
          push(x.success, "vllm:request_success_total");
        } catch {
          // A failed sample is a gap: the decision sees an uncovered or stale replica.
        }
      }),
    );
    if (clock() - start >= s.windowSeconds) break;
    await sleep(s.intervalSeconds * 1000);
  }
  const replicas: ReplicaSeries[] = [...series]
    .filter(([, x]) => x.running.length || x.waiting.length || x.success.length)
    .map(([replica, x]) => ({ replica, ...x }));
  return {
    source: `vLLM /metrics of ${s.endpoints.length} endpoint(s)`,
    windowStart: start,
    windowEnd: clock(),
    replicas,
  };
}
