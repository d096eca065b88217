/**
 * The reaper counts replicas, not series (infra/reap/decide.ts): two series that name one replica are
 * doubtful whatever their order, and endpoints that name one replica in two spellings are one replica.
 */
import { describe, expect, it } from "vitest";
import { decide, type Point, type ReplicaSeries } from "../infra/reap/decide";
import { replicaOf } from "../infra/reap/endpoints";

const START = 1_000;
const END = 1_600;
/** Samples every 30 s over the window, all zero: an idle replica's series. */
const idle = (): Point[] => Array.from({ length: 21 }, (_, i) => [START + i * 30, 0] as const);
/** The same, but it stopped reporting 5 minutes before the window closed. */
const stale = (): Point[] => idle().filter(([t]) => t <= END - 300);
const series = (replica: string, points: () => Point[]): ReplicaSeries => ({
  replica,
  running: points(),
  waiting: points(),
  success: points(),
});

const observe = (replicas: ReplicaSeries[], expectedReplicas: number) =>
  decide({ source: "test", windowStart: START, windowEnd: END, replicas, expectedReplicas }, 60);

describe("evidence is keyed by distinct replica", () => {
  it.each([
    ["stale first, clean second", [series("a", stale), series("a", idle)]],
    ["clean first, stale second", [series("a", idle), series("a", stale)]],
    ["both clean", [series("a", idle), series("a", idle)]],
  ])("one replica named by two series (%s), 2 replicas expected: unknown, never idle", (_name, replicas) => {
    const v = observe(replicas, 2);
    expect(v.decision).toBe("unknown");
    expect(v.reason).toBe("two series name replica a: the evidence cannot tell which is the replica's");
  });

  it("two distinct idle replicas, 2 expected: idle", () => {
    expect(observe([series("a", idle), series("b", idle)], 2)).toMatchObject({
      decision: "idle",
      reason: "all 2 replica(s) idle for the whole window",
    });
  });

  it("one replica reporting, 2 expected: unknown", () => {
    expect(observe([series("a", idle)], 2).reason).toBe(
      "series for 1 replica(s), but 2 exist: a replica is not reporting",
    );
  });
});

describe("endpoint URLs name replicas once", () => {
  it.each([
    ["http://h:8000", "http://h:8000"],
    ["http://h:8000/", "http://h:8000"],
    ["HTTP://H:8000//", "http://h:8000"],
    ["http://h:80/", "http://h"],
    ["https://h:443/vllm/", "https://h/vllm"],
  ])("%s is replica %s", (endpoint, replica) => {
    expect(replicaOf(endpoint)).toBe(replica);
  });

  it("the same endpoint in two spellings is one replica named twice: doubtful, not two idle replicas", () => {
    const replicas = ["http://h:8000", "http://h:8000/"].map((e) => series(replicaOf(e), idle));
    expect(observe(replicas, 2).decision).toBe("unknown");
  });
});
