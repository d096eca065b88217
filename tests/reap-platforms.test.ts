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
import { counterIncrease, decide, type Observation } from "../infra/reap/decide";
import { observeEndpoints, readMetric } from "../infra/reap/endpoints";
import { awsFleet } from "../infra/reap/platforms";
import { reap } from "../infra/reap/reap";
import { base, resolve } from "./helpers";
import { StandInReplica } from "./reap-harness";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-aws-"));
const calls: URLSearchParams[] = [];
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
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(p.get("Action") === "DescribeAutoScalingGroups" ? describeXml : updateXml);
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
  return new Promise<void>((ok) => server.close(() => ok()));
});
afterEach(() => void (calls.length = 0));

const cfg = resolve(base.aws as never);
const observation =
  (decision: "idle" | "unknown" | "busy") => async (windowSeconds: number, now: number) => ({
    source: "test",
    windowStart: now - windowSeconds,
    windowEnd: now,
    replicas: ["a", "b"].map((replica) => ({
      replica,
      running: [
        [now - windowSeconds, decision === "busy" ? 1 : 0],
        [now, 0],
      ] as const,
      waiting: [],
      success: [],
    })),
    ...(decision === "unknown" && { error: "connection refused" }),
  });
const actions = (ps: URLSearchParams[]) => ps.map((p) => p.get("Action"));

describe("aws: the Auto Scaling group through the real SDK", () => {
  it("counts every instance the group pays for, loading ones too", async () => {
    expect(await awsFleet(cfg, GROUP).replicas()).toBe(2);
    expect(calls[0]!.get("AutoScalingGroupNames.member.1")).toBe(GROUP);
  });

  it.each([
    ["idle with --apply", "idle", true, ["DescribeAutoScalingGroups", "UpdateAutoScalingGroup"]],
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
    expect(actions(calls)).toEqual(["DescribeAutoScalingGroups"]);
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
    expect(decide({ ...gap, expectedReplicas: 2 }, 0.5)).toMatchObject({
      decision: "unknown",
      reason: "series for 1 replica(s), but 2 exist: a replica is not reporting",
    });
    await a.stop();
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

describe("the decision", () => {
  const obs = (over: Partial<Observation>): Observation => ({
    source: "t",
    windowStart: 0,
    windowEnd: 100,
    expectedReplicas: 1,
    replicas: [
      {
        replica: "r",
        running: [
          [0, 0],
          [100, 0],
        ],
        waiting: [
          [0, 0],
          [100, 0],
        ],
        success: [
          [0, 7],
          [100, 7],
        ],
      },
    ],
    ...over,
  });
  it.each([
    ["idle", obs({}), "idle"],
    ["no series", obs({ replicas: [] }), "unknown"],
    [
      "series starting late",
      obs({
        replicas: [
          {
            replica: "r",
            running: [
              [50, 0],
              [100, 0],
            ],
            waiting: [],
            success: [],
          },
        ],
      }),
      "unknown",
    ],
    ["already at zero", obs({ expectedReplicas: 0, replicas: [] }), "idle"],
    ["replica count unknown", obs({ expectedReplicas: undefined }), "unknown"],
    [
      "a counter reset with completions after it",
      obs({
        replicas: [
          {
            replica: "r",
            running: [
              [0, 0],
              [100, 0],
            ],
            waiting: [],
            success: [
              [0, 7],
              [50, 0],
              [100, 2],
            ],
          },
        ],
      }),
      "busy",
    ],
  ] as const)("%s → %s", (_n, o, expected) => expect(decide(o, 5).decision).toBe(expected));

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
    const { reapCli } = await import("../infra/reap/cli");
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
    const code = await reapCli(args, io, { automation: stackOutputs({ groupName: { value: GROUP } }) });
    expect(code).toBe(12); // the endpoint is down: unknown, and nothing sent but the group's description
    expect(JSON.parse(out[0]!).evidence.expectedReplicas).toBe(2);
    expect(actions(calls)).toEqual(["DescribeAutoScalingGroups"]);
    const failing: Automation = {
      selectStack: async () => Promise.reject(new Error("pulumi: command not found")),
    };
    await expect(reapCli(args, io, { automation: failing })).rejects.toThrow(
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
