/**
 * The reaper's other paths: the Auto Scaling group through the real AWS SDK against a recording
 * loopback endpoint, the Automation API's destroy calls, vLLM /metrics sampling, and the decision's
 * edge cases.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { destroyGpuResources, type Automation } from "../infra/reap/automation";
import {
  counterIncrease,
  decide,
  type Observation,
  type Point,
  type ReplicaSeries,
} from "../infra/reap/decide";
import { observeEndpoints, readMetric } from "../infra/reap/endpoints";
import { awsFleet } from "../infra/reap/aws-fleet";
import { reap } from "../infra/reap/reap";
import { base, resolve } from "./helpers";
import { series, StandInReplica } from "./reap-harness";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-aws-"));
const calls: URLSearchParams[] = [];
/** A fault the Auto Scaling stand-in injects for one test. */
let fault: "none" | "hang-update" | "500-describe" = "none";
let server: http.Server;
const saved = { ...process.env };
const GROUP = "vllm-aws-h100-abc";
const describeXml = `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>
<AutoScalingGroupName>${GROUP}</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>4</MaxSize><DesiredCapacity>2</DesiredCapacity>
<Instances><member><InstanceId>i-0001</InstanceId><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus></member><member><InstanceId>i-0002</InstanceId><LifecycleState>Pending</LifecycleState><HealthStatus>Healthy</HealthStatus></member></Instances>
</member></AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`;
const updateXml = `<UpdateAutoScalingGroupResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></UpdateAutoScalingGroupResponse>`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const p = new URLSearchParams(body);
      calls.push(p);
      const action = p.get("Action");
      if (fault === "hang-update" && action === "UpdateAutoScalingGroup") return; // received, never answered
      if (fault === "500-describe" && action === "DescribeAutoScalingGroups")
        return res
          .writeHead(500, { "content-type": "text/xml" })
          .end(
            "<ErrorResponse><Error><Code>InternalFailure</Code><Message>oops</Message></Error></ErrorResponse>",
          );
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(action === "DescribeAutoScalingGroups" ? describeXml : updateXml);
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_AUTO_SCALING: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: "AKIDLOOPBACK",
    AWS_SECRET_ACCESS_KEY: "loopback",
    AWS_EC2_METADATA_DISABLED: "true",
  });
});
afterAll(() => {
  process.env = saved;
  // The hung-update case leaves a request open on purpose: drop it, or close() waits for ever.
  server.closeAllConnections();
  return new Promise<void>((ok) => server.close(() => ok()));
});
afterEach(() => {
  calls.length = 0;
  fault = "none";
});

const cfg = resolve(base.aws as never);
const observation =
  (decision: "idle" | "unknown" | "busy") => async (windowSeconds: number, now: number) => ({
    source: "test",
    windowStart: now - windowSeconds,
    windowEnd: now,
    replicas: ["a", "b"].map((replica) => ({
      replica,
      running: series(now - windowSeconds, now, 30, (t) => (decision === "busy" && t === now ? 1 : 0)),
      waiting: series(now - windowSeconds, now, 30, () => 0),
      success: series(now - windowSeconds, now, 30, () => 7),
    })),
    ...(decision === "unknown" && { error: "connection refused" }),
  });
const actions = (ps: URLSearchParams[]) => ps.map((p) => p.get("Action"));

describe("aws: the Auto Scaling group through the real SDK", () => {
  it("counts every instance the group pays for, loading ones too", async () => {
    expect(await awsFleet(cfg, GROUP).state()).toEqual({
      replicas: 2,
      version: "desired=2 instances=[i-0001,i-0002]",
    });
    expect(calls[0]!.get("AutoScalingGroupNames.member.1")).toBe(GROUP);
  });

  it.each([
    // Compare-and-act: the group is read again right before the update.
    [
      "idle with --apply",
      "idle",
      true,
      ["DescribeAutoScalingGroups", "DescribeAutoScalingGroups", "UpdateAutoScalingGroup"],
    ],
    ["idle, dry run", "idle", false, ["DescribeAutoScalingGroups"]],
    ["unknown", "unknown", true, ["DescribeAutoScalingGroups"]],
    ["busy", "busy", true, ["DescribeAutoScalingGroups"]],
  ] as const)("%s: sends exactly %j", async (_n, decision, apply, expected) => {
    const record = await reap({
      config: cfg,
      idleMinutes: 15,
      observe: observation(decision),
      fleet: awsFleet(cfg, GROUP),
      apply,
      auditLog: path.join(dir, `${decision}-${apply}.jsonl`),
      toleranceSeconds: 60,
    });
    expect(record.decision).toBe(decision);
    if (decision === "idle" && apply) expect(record).toMatchObject({ result: "applied" });
    expect(actions(calls)).toEqual([...expected]);
    const update = calls.find((p) => p.get("Action") === "UpdateAutoScalingGroup");
    if (update)
      expect(Object.fromEntries(update)).toEqual({
        Action: "UpdateAutoScalingGroup",
        Version: "2011-01-01",
        AutoScalingGroupName: GROUP,
        MinSize: "0",
        DesiredCapacity: "0",
      });
  });
});

describe("aws: faults the emulator cannot produce", () => {
  const run = (deadlineMs: number) =>
    reap({
      config: cfg,
      idleMinutes: 15,
      observe: observation("idle"),
      fleet: awsFleet(cfg, GROUP, 1000),
      apply: true,
      auditLog: path.join(dir, `fault-${Math.random()}.jsonl`),
      toleranceSeconds: 60,
      deadlineMs,
    });

  it("an UpdateAutoScalingGroup that is received but never answered fails (13) within the deadline, with its audit line", async () => {
    fault = "hang-update";
    const started = Date.now();
    const record = await run(5000);
    expect(record.result).toMatch(/^failed: .*(no answer within|timed? ?out|abort)/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(actions(calls)).toContain("UpdateAutoScalingGroup");
  }, 20_000);

  it("a 500 from DescribeAutoScalingGroups is unknown, and nothing is written", async () => {
    fault = "500-describe";
    const record = await run(5000);
    expect(record.decision).toBe("unknown");
    expect(record.reason).toMatch(/^cannot read Auto Scaling group vllm-aws-h100-abc: /);
    expect(actions(calls)).not.toContain("UpdateAutoScalingGroup");
  }, 20_000);
});

describe("--destroy through the Automation API", () => {
  it("selects the stack, reads its state and destroys only the GPU resources with their dependents", async () => {
    const recorded: unknown[] = [];
    const urn = (t: string, n: string) => `urn:pulumi:aws-h100::vllm-tco::${t}::${n}`;
    const automation: Automation = {
      async selectStack(stackName, workDir) {
        recorded.push(["selectStack", stackName, workDir]);
        return {
          outputs: async () => ({}),
          async exportStack() {
            recorded.push(["exportStack"]);
            return {
              deployment: {
                resources: [
                  {
                    urn: urn("vllm-tco:aws:VllmFleet$aws:autoscaling/group:Group", "vllm-fleet"),
                    type: "aws:autoscaling/group:Group",
                  },
                  {
                    urn: urn("vllm-tco:aws:VllmFleet$aws:ec2/launchTemplate:LaunchTemplate", "vllm-host"),
                    type: "aws:ec2/launchTemplate:LaunchTemplate",
                  },
                  {
                    urn: urn("vllm-tco:aws:VllmFleet$aws:lb/loadBalancer:LoadBalancer", "vllm-lb-alb"),
                    type: "aws:lb/loadBalancer:LoadBalancer",
                  },
                ],
              },
            };
          },
          async destroy(opts) {
            recorded.push(["destroy", { target: opts.target, targetDependents: opts.targetDependents }]);
          },
        };
      },
    };
    const record = await reap({
      config: cfg,
      idleMinutes: 15,
      observe: observation("idle"),
      fleet: awsFleet(cfg, GROUP),
      apply: true,
      destroy: { automation, workDir: "/project" },
      auditLog: path.join(dir, "destroy.jsonl"),
      toleranceSeconds: 60,
    });
    expect(record).toMatchObject({
      decision: "idle",
      action: { kind: "destroy", dryRun: false },
      result: "applied",
    });
    expect(recorded).toEqual([
      ["selectStack", "test", "/project"],
      ["exportStack"],
      [
        "destroy",
        {
          target: [
            urn("vllm-tco:aws:VllmFleet$aws:autoscaling/group:Group", "vllm-fleet"),
            urn("vllm-tco:aws:VllmFleet$aws:ec2/launchTemplate:LaunchTemplate", "vllm-host"),
          ],
          targetDependents: true,
        },
      ],
    ]);
    // Compare-and-act: the group is read again right before the destroy.
    expect(actions(calls)).toEqual(["DescribeAutoScalingGroups", "DescribeAutoScalingGroups"]);
  });

  it("a stack with no GPU resources is a failed action, not a crash", async () => {
    const automation: Automation = {
      selectStack: async () => ({
        outputs: async () => ({}),
        exportStack: async () => ({ deployment: { resources: [] } }),
        destroy: async () => undefined,
      }),
    };
    await expect(destroyGpuResources(automation, "s", "/p", () => undefined)).rejects.toThrow(
      "stack s has no GPU resources in its state",
    );
  });
});

describe("vLLM /metrics sampling", () => {
  it("reads the metrics of every replica over the window; a replica that stops answering is a gap", async () => {
    const a = await new StandInReplica("m").start();
    const b = await new StandInReplica("m").start();
    const endpoints = [`http://127.0.0.1:${a.port}`, `http://127.0.0.1:${b.port}`];
    const idle = await observeEndpoints({ endpoints, windowSeconds: 2, intervalSeconds: 0.5 });
    expect(decide({ ...idle, expectedReplicas: 2 }, 1).decision).toBe("idle");
    await b.stop();
    const gap = await observeEndpoints({ endpoints, windowSeconds: 1, intervalSeconds: 0.5 });
    expect(decide({ ...gap, expectedReplicas: 2 }, 1.25)).toMatchObject({
      decision: "unknown",
      reason: "series for 1 replica(s), but 2 exist: a replica is not reporting",
    });
    await a.stop();
  });

  it("nothing answering at the start ends the sampling at once (unknown), not after the whole window", async () => {
    const { freePort } = await import("./free-port");
    const closed = `http://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const obs = await observeEndpoints({ endpoints: [closed], windowSeconds: 600, intervalSeconds: 15 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(obs.replicas).toEqual([]);
    expect(obs.error).toMatch(/^no endpoint answered at the start of the window/);
    expect(decide({ ...obs, expectedReplicas: 1 }, 600).decision).toBe("unknown");
  });

  it("sums a metric over its label sets in the text format", () => {
    const text = new StandInReplica("m")
      .render()
      .replace('finished_reason="length"} 0.0', 'finished_reason="length"} 2.0');
    expect(readMetric(text, "vllm:request_success_total")).toBe(2);
    expect(readMetric(text, "vllm:num_requests_running")).toBe(0);
    expect(readMetric(text, "vllm:num_requests")).toBeUndefined();
  });
});

describe("the decision: evidence checks before any idle", () => {
  // One replica scraped every 5 s over a 100 s window; tolerance 12 s (about two scrapes).
  const flat = (v: number) => series(0, 100, 5, () => v);
  const replica = (over: Partial<ReplicaSeries> = {}): ReplicaSeries => ({
    replica: "r",
    running: flat(0),
    waiting: flat(0),
    success: flat(7),
    ...over,
  });
  const obs = (over: Partial<Observation> = {}): Observation => ({
    source: "t",
    windowStart: 0,
    windowEnd: 100,
    expectedReplicas: 1,
    replicas: [replica()],
    ...over,
  });
  const withPoint = (points: readonly Point[], t: number, v: number): Point[] =>
    points.map((p) => (p[0] === t ? ([t, v] as const) : p));
  const without = (points: readonly Point[], from: number, to: number) =>
    points.filter((p) => p[0] < from || p[0] > to);

  it.each([
    ["clean idle series", obs(), "idle", "all 1 replica(s) idle for the whole window"],
    ["no series", obs({ replicas: [] }), "unknown", "no series for this model in the window"],
    [
      "already at zero",
      obs({ expectedReplicas: 0, replicas: [] }),
      "idle",
      "the fleet is already at zero replicas",
    ],
    [
      "replica count unknown",
      obs({ expectedReplicas: undefined }),
      "unknown",
      "the platform's replica count is unknown",
    ],
    [
      "NaN in a running gauge",
      obs({ replicas: [replica({ running: withPoint(flat(0), 50, NaN) })] }),
      "unknown",
      "replica r reported NaN for vllm:num_requests_running (not a finite, non-negative number)",
    ],
    [
      "+Inf in the waiting gauge",
      obs({ replicas: [replica({ waiting: withPoint(flat(0), 50, Infinity) })] }),
      "unknown",
      "replica r reported Infinity for vllm:num_requests_waiting (not a finite, non-negative number)",
    ],
    [
      "-Inf",
      obs({ replicas: [replica({ running: withPoint(flat(0), 50, -Infinity) })] }),
      "unknown",
      "replica r reported -Infinity for vllm:num_requests_running (not a finite, non-negative number)",
    ],
    [
      "a negative sample",
      obs({ replicas: [replica({ waiting: withPoint(flat(0), 50, -1) })] }),
      "unknown",
      "replica r reported -1 for vllm:num_requests_waiting (not a finite, non-negative number)",
    ],
    [
      "a NaN counter sample",
      obs({ replicas: [replica({ success: withPoint(flat(7), 50, NaN) })] }),
      "unknown",
      "replica r reported NaN for vllm:request_success_total (not a finite, non-negative number)",
    ],
    [
      "an 8 s hole in the middle of the window",
      obs({ replicas: [replica({ running: without(flat(0), 45, 50) })] }),
      "unknown",
      "replica r's vllm:num_requests_running has a 15 s gap (tolerance 12 s): it was not watched the whole window",
    ],
    [
      "a missing waiting metric",
      obs({ replicas: [replica({ waiting: [] })] }),
      "unknown",
      "replica r has no vllm:num_requests_waiting series in the window",
    ],
    [
      "a missing success counter",
      obs({ replicas: [replica({ success: [] })] }),
      "unknown",
      "replica r has no vllm:request_success_total series in the window",
    ],
    [
      "a sample from outside the window",
      obs({ replicas: [replica({ running: [...flat(0), [500, 0]] })] }),
      "unknown",
      "replica r has a vllm:num_requests_running sample at 500, outside the window",
    ],
    [
      "a series starting late",
      obs({ replicas: [replica({ running: series(50, 100, 5, () => 0) })] }),
      "unknown",
      "replica r's vllm:num_requests_running starts 50 s into the window: it does not cover it",
    ],
    [
      "a stale series",
      obs({ replicas: [replica({ waiting: series(0, 60, 5, () => 0) })] }),
      "unknown",
      "stale series: replica r stopped reporting vllm:num_requests_waiting 40 s before the window closed",
    ],
    [
      "fewer replicas report than exist",
      obs({ expectedReplicas: 2 }),
      "unknown",
      "series for 1 replica(s), but 2 exist: a replica is not reporting",
    ],
    [
      "a counter reset with completions after it",
      obs({ replicas: [replica({ success: series(0, 100, 5, (t) => (t < 50 ? 7 : t === 50 ? 0 : 2)) })] }),
      "busy",
      "replica r worked in the window (running 0, waiting 0, completed 2)",
    ],
    [
      // The reported bug: a busy replica with one NaN scrape was read as idle and scaled to zero.
      "busy (5 running, 2 waiting, completing) with one NaN scrape",
      obs({
        replicas: [
          replica({
            running: withPoint(flat(5), 50, NaN),
            waiting: flat(2),
            success: series(0, 100, 5, (t) => t),
          }),
        ],
      }),
      "busy",
      "replica r worked in the window (running 5, waiting 2, completed 100)",
    ],
  ] as const)("%s", (_n, o, decision, reason) => {
    expect(decide(o, 12)).toMatchObject({ decision, reason });
  });

  it("a hostile metrics text (NaN, +Inf, garbage, negative) never reads as a quiet replica", () => {
    const text = (v: string) => `vllm:num_requests_running{model_name="m"} ${v}\n`;
    for (const v of ["NaN", "+Inf", "-Inf", "abc", ""])
      expect(readMetric(text(v), "vllm:num_requests_running")).toBeNaN();
    expect(readMetric(text("-1"), "vllm:num_requests_running")).toBe(-1); // refused by the decision
    expect(readMetric(text("3 1700000000000"), "vllm:num_requests_running")).toBe(3); // with a timestamp
  });

  it("counts a counter's increase through resets", () => {
    expect(
      counterIncrease([
        [0, 5],
        [1, 8],
        [2, 1],
        [3, 4],
      ]),
    ).toBe(3 + 1 + 3);
  });
});

describe("reap's inputs", () => {
  it("reads the group from the stack's outputs through the Automation API when --group is absent", async () => {
    const { main } = await import("../cli/main");
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const stackOutputs = (outputs: Record<string, { value: unknown }>): Automation => ({
      selectStack: async () => ({
        outputs: async () => outputs,
        exportStack: async () => ({ deployment: {} }),
        destroy: async () => undefined,
      }),
    });
    const args = [
      "--stack",
      "aws-h100",
      "--source",
      "endpoints",
      "--endpoint",
      "http://127.0.0.1:9",
      "--idle-minutes",
      "0.01",
      "--audit-log",
      path.join(dir, "outputs.jsonl"),
      "--json",
    ];
    const code = await main(["reap", ...args], io, {
      automation: stackOutputs({ groupName: { value: GROUP } }),
    });
    expect(code).toBe(12); // the endpoint is down: unknown, and nothing sent but the group's description
    expect(JSON.parse(out[0]!).evidence.expectedReplicas).toBe(2);
    expect(actions(calls)).toEqual(["DescribeAutoScalingGroups"]);
    const failing: Automation = {
      selectStack: async () => Promise.reject(new Error("pulumi: command not found")),
    };
    expect(await main(["reap", ...args], io, { automation: failing })).toBe(2);
    expect(err.at(-1)).toContain(
      "--group: was not given, and the stack's outputs could not be read (pulumi: command not found); pass --group with the `groupName` stack output (found (missing))",
    );
  });

  it("a Prometheus that does not answer in time is unknown", async () => {
    const { observePrometheus } = await import("../infra/reap/prometheus");
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((ok) => hanging.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const obs = await observePrometheus({
      url,
      selector: 'model_name="m"',
      windowSeconds: 60,
      now: Date.now() / 1000,
      timeoutMs: 300,
    });
    expect(decide({ ...obs, expectedReplicas: 1 }, 5)).toMatchObject({
      decision: "unknown",
      reason: `metrics source unavailable: ${url}: no answer within 0.3 s`,
    });
    hanging.closeAllConnections();
    await new Promise<void>((ok) => hanging.close(() => ok()));
  });
});
