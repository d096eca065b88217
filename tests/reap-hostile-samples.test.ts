/**
 * Hostile Prometheus answers (a scripted stand-in on loopback): every doubtful answer makes the
 * observation unknown or the replica's evidence unsound, never an idle fleet. Values are checked per
 * series before they are summed; partial, foreign or redirected answers are refused.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decide } from "../infra/reap/decide";
import { readMetric } from "../infra/reap/endpoints";
import { addReadings, observePrometheus, sampleValue } from "../infra/reap/prometheus";
import { base, errorOf, merge } from "./helpers";

const NOW = 10_000;
const WINDOW = 60;
const times = Array.from({ length: 13 }, (_, i) => NOW - WINDOW + i * 5);

/** What the stand-in answers for a query on `metric`. */
let answer: (metric: string) => { status?: number; body: unknown; headers?: Record<string, string> };
let server: http.Server;
let url = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const q = new URL(req.url!, "http://x").searchParams.get("query") ?? "";
    const metric = q.slice(0, q.indexOf("{"));
    const a = answer(metric);
    res.writeHead(a.status ?? 200, { "content-type": "application/json", ...a.headers });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const matrix = (result: unknown[], extra: Record<string, unknown> = {}) => ({
  body: { status: "success", data: { resultType: "matrix", result }, ...extra },
});
const series = (metric: string, labels: Record<string, string>, value: (t: number) => unknown) => ({
  metric: { __name__: metric, instance: "10.0.0.1:8000", ...labels },
  values: times.map((t) => [t, value(t)]),
});

async function verdict() {
  const o = await observePrometheus({ url, selector: 'model_name="m"', windowSeconds: WINDOW, now: NOW });
  return decide({ ...o, expectedReplicas: 1 }, 10);
}

describe("Prometheus answers the reaper must not read as idle", () => {
  it("a clean idle answer is idle (the stand-in works)", async () => {
    answer = (m) => matrix([series(m, {}, () => "0")]);
    expect((await verdict()).decision).toBe("idle");
  });

  it("4 and -4 on one replica's two series do not sum to an idle 0", async () => {
    answer = (m) =>
      matrix([
        series(m, { engine: "0" }, () => "4"),
        series(m, { engine: "1" }, () => (m.includes("running") ? "-4" : "0")),
      ]);
    // Work (4) is seen in a sound sample: busy, never idle.
    expect((await verdict()).decision).not.toBe("idle");
  });

  it.each([[""], [" "], ["0x0"], [null], [[]], [false], ["NaN"], ["+Inf"], ["-0.5"]])(
    "a sample value of %j is unsound: unknown",
    async (bad) => {
      answer = (m) => matrix([series(m, {}, (t) => (t === times[6] && m.includes("waiting") ? bad : "0"))]);
      expect((await verdict()).decision).toBe("unknown");
    },
  );

  it("a partial answer (Prometheus warnings) is unknown", async () => {
    answer = (m) => matrix([series(m, {}, () => "0")], { warnings: ["partial response: store unavailable"] });
    const v = await verdict();
    expect(v.decision).toBe("unknown");
    expect(v.reason).toContain("partial answer");
  });

  it("an answer holding another metric is unknown", async () => {
    answer = () => matrix([series("process_cpu_seconds_total", {}, () => "0")]);
    const v = await verdict();
    expect(v.decision).toBe("unknown");
    expect(v.reason).toContain("not vllm:");
  });

  it("a redirect to another host is not followed: unknown", async () => {
    answer = () => ({ status: 302, body: {}, headers: { location: "http://127.0.0.2:9/api/v1/query" } });
    expect((await verdict()).decision).toBe("unknown");
  });

  it("samples stamped in the future are outside the window: unknown", async () => {
    answer = (m) => ({
      body: {
        status: "success",
        data: {
          resultType: "matrix",
          result: [{ metric: { __name__: m, instance: "a" }, values: times.map((t) => [t + 3600, "0"]) }],
        },
      },
    });
    expect((await verdict()).decision).toBe("unknown");
  });

  it("a window too short to watch anything is unknown, without a query", async () => {
    let asked = 0;
    answer = (m) => (asked++, matrix([series(m, {}, () => "0")]));
    const o = await observePrometheus({ url, selector: 'model_name="m"', windowSeconds: 0.4, now: NOW });
    expect(decide({ ...o, expectedReplicas: 1 }, 10).decision).toBe("unknown");
    expect(asked).toBe(0);
  });
});

describe("sample values, one at a time", () => {
  it.each([
    ["0", 0],
    ["3", 3],
    ["2.5e1", 25],
    ["+1", 1],
  ])("%j reads as %d", (raw, v) => expect(sampleValue(raw)).toBe(v));
  it.each([[""], ["0x10"], [1], [null], ["Infinity"]])("%j is not a reading", (raw) =>
    expect(sampleValue(raw)).toBeNaN(),
  );
  it("a negative reading keeps its sign, for the decision to name and refuse", () =>
    expect(sampleValue("-1")).toBe(-1));
  it.each([
    [4, -4],
    [-4, 4],
    [NaN, 0],
    [0, NaN],
  ])("%d and %d never add up to a reading", (a, b) => expect(addReadings(a, b)).toBeNaN());
});

describe("vLLM /metrics text (endpoints mode)", () => {
  it("a negative line never cancels a busy one", () => {
    const text = 'vllm:num_requests_running{engine="0"} 4\nvllm:num_requests_running{engine="1"} -4\n';
    expect(readMetric(text, "vllm:num_requests_running")).toBeNaN();
  });
});

describe("model.servedName lands in the reaper's matcher: refused when it could widen it", () => {
  it.each([['x",model_name=~".+'], ["a b"], ["x}"], ["x,y"], ['x\\"']])(
    "%j is refused, naming the key",
    (name) => {
      const err = errorOf(
        merge(base.kubernetes, { model: { id: "llama-3.3-70b", maxModelLen: 16384, servedName: name } }),
      );
      expect(err).toContain("vllm-tco:model.servedName: must be letters, digits and . _ : / -");
    },
  );
  it("a usual served name is accepted", () => {
    expect(
      errorOf(
        merge(base.kubernetes, {
          model: { id: "llama-3.3-70b", maxModelLen: 16384, servedName: "meta-llama/Llama-3.3-70B:v2" },
        }),
      ),
    ).toBe("ok");
  });
});
