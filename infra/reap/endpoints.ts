/**
 * Observations sampled straight from each vLLM replica's /metrics over the window (no Prometheus):
 * the text exposition format, read every `intervalSeconds`.
 */
import type { Observation, Point, ReplicaSeries } from "./decide";
import { addReadings } from "./prometheus";

/**
 * Sum of a metric's samples in Prometheus text exposition (all label sets), or undefined if absent.
 * A sample that is not a finite, non-negative number ("NaN", "+Inf", "-4", garbage) makes the sum NaN:
 * the decision refuses it rather than reading the replica as idle.
 */
export function readMetric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || (line[name.length] !== "{" && line[name.length] !== " ")) continue;
    // `name{labels} value [timestamp]`: the value is the first field after the labels.
    const rest = line.slice(line[name.length] === "{" ? line.indexOf("}", name.length) + 1 : name.length);
    const field = rest.trim().split(/\s+/)[0] ?? "";
    // Checked per line before the sum: a negative line would cancel a busy one into an idle 0.
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(field) ? Number(field) : NaN;
    sum = addReadings(sum, value);
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

/**
 * The replica an endpoint names: its URL normalised (scheme and host in lower case, default port and
 * trailing slashes dropped), so `http://h:8000` and `http://H:8000/` are one replica, not two.
 */
export function replicaOf(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return endpoint.replace(/\/+$/, "");
  }
}

export async function observeEndpoints(s: EndpointSampling): Promise<Omit<Observation, "expectedReplicas">> {
  const clock = s.clock ?? (() => Date.now() / 1000);
  const sleep = s.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // One entry per endpoint given, named by its replica: the same replica given twice stays two series,
  // which the decision refuses as doubtful rather than counting one replica twice.
  const series = s.endpoints.map((e) => ({
    replica: replicaOf(e),
    running: [] as Point[],
    waiting: [] as Point[],
    success: [] as Point[],
  }));
  const start = clock();
  for (;;) {
    const t = clock();
    await Promise.all(
      series.map(async (x) => {
        try {
          const res = await fetch(`${x.replica}/metrics`, {
            signal: AbortSignal.timeout(s.timeoutMs ?? 5000),
          });
          if (!res.ok) return;
          const text = await res.text();
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
    // Nothing answered the first round: the window's start is uncovered, so the decision can only be
    // unknown. Say so now rather than sample silence for the whole window.
    if (t === start && series.every((x) => !x.running.length && !x.waiting.length && !x.success.length))
      return {
        source: `vLLM /metrics of ${s.endpoints.length} endpoint(s)`,
        windowStart: start,
        windowEnd: clock(),
        replicas: [],
        error: `no endpoint answered at the start of the window (${s.endpoints.map((e) => `${replicaOf(e)}/metrics`).join(", ")}): check --endpoints and that the engines are reachable from here`,
      };
    if (clock() - start >= s.windowSeconds) break;
    await sleep(s.intervalSeconds * 1000);
  }
  const replicas: ReplicaSeries[] = series
    .filter((x) => x.running.length || x.waiting.length || x.success.length)
    .map(({ replica, running, waiting, success }) => ({ replica, running, waiting, success }));
  return {
    source: `vLLM /metrics of ${s.endpoints.length} endpoint(s)`,
    windowStart: start,
    windowEnd: clock(),
    replicas,
  };
}
