/**
 * The aws side of the reaper against moto's server mode (a widely used AWS emulator, from PyPI, on
 * loopback): a real Auto Scaling group and CloudWatch metrics through the real AWS SDK. What moto does
 * not prove: AWS's own timing (CloudWatch's publication delay, instance launch), IAM, or that an ALB
 * publishes exactly these datapoints; the faults it cannot produce (hangs) are in reap-faults.test.ts
 * and reap-platforms.test.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsFleet } from "../infra/reap/aws-fleet";
import { REAP_EXIT, reapCli, type ReapOptions } from "../cli/reap";
import type { Automation } from "../infra/reap/automation";
import { reap } from "../infra/reap/reap";
import { observeCloudWatch } from "../infra/reap/cloudwatch";
import { base, resolve, runCli } from "./helpers";
import { Prometheus, sleep, StandInReplica } from "./reap-harness";
import { readmeReapLines } from "./readme-lines";
import { plan } from "./program-helpers";
import { freePort } from "./free-port";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reap-moto-"));
const saved = { ...process.env };
const LB = "app/vllm-lb-alb/0123456789abcdef";
const TG = "targetgroup/vllm-lb-vllm/0123456789abcdef";
let moto: ChildProcess;
let group = "";
let n = 0;

const sdk = async () => ({
  as: await import("@aws-sdk/client-auto-scaling"),
  ec2: await import("@aws-sdk/client-ec2"),
  cw: await import("@aws-sdk/client-cloudwatch"),
});

async function describeGroup() {
  const { as } = await sdk();
  const res = await new as.AutoScalingClient({}).send(
    new as.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
  );
  return res.AutoScalingGroups![0]!;
}

async function setGroup(MinSize: number, DesiredCapacity: number) {
  const { as } = await sdk();
  await new as.AutoScalingClient({}).send(
    new as.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, MinSize, DesiredCapacity }),
  );
}

/** ALB datapoints for every minute of the last `minutes`: healthy hosts, and requests where given. */
async function publish(
  minutes: number,
  requests: (minute: number) => number | undefined,
  healthy = true,
  [lb, tg] = [LB, TG],
) {
  const { cw } = await sdk();
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const data = [];
  for (let m = 0; m <= minutes; m++) {
    const Timestamp = new Date(now - m * 60_000);
    if (healthy)
      data.push({
        MetricName: "HealthyHostCount",
        Dimensions: [
          { Name: "LoadBalancer", Value: lb },
          { Name: "TargetGroup", Value: tg },
        ],
        Timestamp,
        Value: 1,
      });
    const r = requests(m);
    if (r !== undefined)
      data.push({
        MetricName: "RequestCount",
        Dimensions: [{ Name: "LoadBalancer", Value: lb }],
        Timestamp,
        Value: r,
      });
  }
  await new cw.CloudWatchClient({}).send(
    new cw.PutMetricDataCommand({ Namespace: "AWS/ApplicationELB", MetricData: data }),
  );
}

beforeAll(async () => {
  const port = await freePort();
  moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
  });
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 100) throw new Error("moto_server did not start in 20 s (is moto[server] installed?)");
    await sleep(200);
  }
}, 30_000);

afterAll(() => {
  moto?.kill();
  process.env = saved;
});

beforeEach(async () => {
  const { as, ec2 } = await sdk();
  group = `vllm-aws-h100-${++n}`;
  const lt = await new ec2.EC2Client({}).send(
    new ec2.CreateLaunchTemplateCommand({
      LaunchTemplateName: `vllm-host-${n}`,
      LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "p5.4xlarge" },
    }),
  );
  await new as.AutoScalingClient({}).send(
    new as.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: group,
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: "$Latest" },
      AvailabilityZones: ["us-east-1a"],
    }),
  );
});

const cfg = resolve(base.aws as never);
const audit = () => path.join(dir, `audit-${n}-${Math.random()}.jsonl`);

describe("the Auto Scaling group (moto)", () => {
  it("state counts the instances the group pays for; pause sets floor and capacity to zero; resume restores the stack's floor", async () => {
    const fleet = awsFleet(cfg, group);
    const seen = await fleet.state();
    expect(seen.replicas).toBe(2);
    await fleet.pause(seen);
    expect(await describeGroup()).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
    await fleet.resume();
    expect(await describeGroup()).toMatchObject({
      MinSize: cfg.scaling.min,
      DesiredCapacity: Math.max(1, cfg.scaling.min),
    });
  });

  it("a group whose Launch or Terminate processes an operator suspended is left alone (unknown, no write)", async () => {
    const { as } = await sdk();
    const client = new as.AutoScalingClient({});
    await client.send(
      new as.SuspendProcessesCommand({ AutoScalingGroupName: group, ScalingProcesses: ["Terminate"] }),
    );
    try {
      await expect(awsFleet(cfg, group).state()).rejects.toThrow(
        /suspended by an operator \(Terminate\): left alone/,
      );
      expect(await describeGroup()).toMatchObject({ DesiredCapacity: 2 });
    } finally {
      await client.send(new as.ResumeProcessesCommand({ AutoScalingGroupName: group }));
    }
  });

  it("a group that changes between the decision's first read and the action is not touched", async () => {
    const record = await reap({
      config: cfg,
      idleMinutes: 5,
      fleet: awsFleet(cfg, group),
      apply: true,
      auditLog: audit(),
      toleranceSeconds: 120,
      observe: async (windowSeconds, now) => {
        await publish(6, () => undefined);
        const obs = await observeCloudWatch(cfg, LB, TG, windowSeconds, now);
        await setGroup(1, 3); // someone scaled it out while the window was read
        return obs;
      },
    });
    expect(record.decision).toBe("unknown");
    expect(record.result).toBe("no action: the fleet changed before the action");
    expect(await describeGroup()).toMatchObject({ MinSize: 1, DesiredCapacity: 3 });
  });
});

describe("vllm-tco reap --source cloudwatch (moto): the balancer's request count", () => {
  const run = (...extra: string[]) => runOn(LB, TG, ...extra);
  const runOn = (lb: string, tg: string, ...extra: string[]) =>
    runCli(
      "reap",
      "--stack",
      "aws-h100",
      "--group",
      group,
      "--source",
      "cloudwatch",
      "--load-balancer",
      lb,
      "--target-group",
      tg,
      "--idle-minutes",
      "5",
      "--tolerance-seconds",
      "120",
      "--audit-log",
      audit(),
      "--json",
      ...extra,
    );

  it("healthy hosts and no request for the window: idle, and --apply empties the group", async () => {
    await publish(6, () => undefined);
    const dry = await run();
    expect(dry.code).toBe(REAP_EXIT.idle);
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: 2 });
    const applied = await run("--apply");
    expect(applied.code).toBe(REAP_EXIT.idle);
    expect(JSON.parse(applied.out).result).toBe("applied");
    expect(await describeGroup()).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
  });

  it("requests in the window: busy, the group is untouched", async () => {
    await publish(6, (m) => (m === 2 ? 14 : undefined));
    const r = await run("--apply");
    expect(r.code).toBe(REAP_EXIT.busy);
    expect(await describeGroup()).toMatchObject({ MinSize: 1, DesiredCapacity: 2 });
  });

  it("no datapoint at all (the balancer's metrics are missing): unknown, untouched", async () => {
    const r = await runOn("app/elsewhere/1", "targetgroup/elsewhere/1", "--apply");
    expect(r.code).toBe(REAP_EXIT.unknown);
    expect(await describeGroup()).toMatchObject({ MinSize: 1, DesiredCapacity: 2 });
  });
});

describe("vllm-tco reap --stack aws-h100 from the stack's outputs alone (moto; the outputs through a stand-in Automation)", () => {
  /** What `pulumi stack output` gives for a deployed aws stack: the group and the ALB's metric dimensions. */
  const automation = (outputs: Record<string, unknown>): Automation => ({
    selectStack: async () => ({
      outputs: async () => Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value }])),
      exportStack: async () => ({ deployment: {} }),
      destroy: async () => ({}),
    }),
  });
  const reapWith = async (outputs: Record<string, unknown>, extra: Partial<ReapOptions> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await reapCli(
      {
        stack: "aws-h100",
        idleMinutes: "5",
        toleranceSeconds: "120",
        auditLog: audit(),
        json: true,
        ...extra,
      },
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      { automation: automation(outputs) },
    ).catch((e: Error) => (err.push(e.message), 2));
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("no flags: CloudWatch (no Prometheus on AWS), the group and dimensions from the outputs; idle, and --apply empties it", async () => {
    // Dimensions of their own: moto keeps the datapoints other tests published for LB and TG.
    const dims = ["app/vllm-from-outputs/1", "targetgroup/vllm-from-outputs/1"] as [string, string];
    await publish(6, () => undefined, true, dims);
    const outputs = { groupName: group, loadBalancerArnSuffix: dims[0], targetGroupArnSuffix: dims[1] };
    const dry = await reapWith(outputs);
    expect(dry.code, `${dry.err}\n${dry.out}`).toBe(REAP_EXIT.idle);
    expect(dry.err).toContain(`reading cloudwatch metrics for Auto Scaling group ${group}`);
    const applied = await reapWith(outputs, { apply: true });
    expect(JSON.parse(applied.out).result).toBe("applied");
    expect(await describeGroup()).toMatchObject({ MinSize: 0, DesiredCapacity: 0 });
  });

  it("a stack without the dimensions in its outputs is told which flag to pass", async () => {
    const r = await reapWith({ groupName: group });
    expect(r.code).toBe(2);
    expect(r.err).toContain("has no `loadBalancerArnSuffix` output (is it deployed?); pass --load-balancer");
  });

  it.each([["group"], ["prometheus"], ["loadBalancer"]])("an empty --%s is refused", async (flag) => {
    const r = await reapWith({}, { [flag]: "" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is empty; give a value or leave the flag out/);
  });
});

describe("every AWS `reap` line of the README runs as written (moto; the stack's outputs and `destroy` through a stand-in Automation)", () => {
  const lines = readmeReapLines("aws-h100");
  const replicas = [new StandInReplica("llama-3.1-8b"), new StandInReplica("llama-3.1-8b")];
  const prometheus = new Prometheus();
  const destroyed: string[][] = [];
  const dims = ["app/vllm-readme/1", "targetgroup/vllm-readme/1"] as [string, string];
  const automation = (): Automation => ({
    selectStack: async () => ({
      outputs: async () => ({
        groupName: { value: group },
        loadBalancerArnSuffix: { value: dims[0] },
        targetGroupArnSuffix: { value: dims[1] },
      }),
      exportStack: async () => ({
        deployment: {
          resources: [
            {
              urn: "urn:pulumi:aws-h100::vllm-tco::aws:autoscaling/group:Group::vllm-fleet",
              type: "aws:autoscaling/group:Group",
            },
          ],
        },
      }),
      destroy: async (o: { target: string[] }) => (destroyed.push(o.target), {}),
    }),
  });

  beforeAll(async () => {
    for (const r of replicas) await r.start();
    await prometheus.start(replicas.map((r) => r.port));
    await prometheus.waitForTargets(2);
    await sleep(9000);
  }, 60_000);
  afterAll(async () => {
    await prometheus.stop();
    for (const r of replicas) await r.stop();
  });

  it("the README has the four AWS forms: outputs alone, --destroy, a Prometheus, CloudWatch by flags", () => {
    expect(lines).toHaveLength(4);
  });

  it.each(lines.map((l) => [l]))(
    "%s",
    async (line) => {
      // Placeholders become the stand-ins': the group moto made, the balancer's dimensions, Prometheus.
      const argv = line
        .replace(/^npx vllm-tco /, "")
        .replace("--group …", `--group ${group}`)
        .replace("app/…", dims[0])
        .replace("targetgroup/…", dims[1])
        .replace("http://prom:9090", prometheus.url)
        .split(/\s+/);
      expect(argv.join(" ")).not.toContain("…");
      await publish(6, () => undefined, true, dims);
      // A compressed window (flags a user can pass too): 6 s of 1 s scrapes, or 5 minutes of datapoints.
      const window = line.includes("--prometheus")
        ? ["--idle-minutes", "0.1", "--tolerance-seconds", "2.5"]
        : ["--idle-minutes", "5", "--tolerance-seconds", "120"];
      const out: string[] = [];
      const err: string[] = [];
      const { main } = await import("../cli/main");
      const code = await main(
        [...argv, ...window, "--audit-log", audit(), "--json"],
        {
          out: (t) => out.push(t),
          err: (t) => err.push(t),
        },
        { automation: automation() },
      );
      expect(code, `${err.join("\n")}\n${out.join("\n")}`).toBe(REAP_EXIT.idle);
      const applied = argv.includes("--apply");
      const destroy = argv.includes("--destroy");
      expect(JSON.parse(out.join("\n")).result).toMatch(
        applied ? /^applied$/ : /^dry run: would scale to zero/,
      );
      // --destroy removes the GPU resources through the Automation API (here its stand-in, which
      // records the targets) instead of scaling the group.
      expect(await describeGroup()).toMatchObject(
        applied && !destroy ? { MinSize: 0, DesiredCapacity: 0 } : { MinSize: 1, DesiredCapacity: 2 },
      );
      expect(destroyed.splice(0)).toEqual(
        destroy ? [["urn:pulumi:aws-h100::vllm-tco::aws:autoscaling/group:Group::vllm-fleet"]] : [],
      );
    },
    60_000,
  );
});

/**
 * The AWS side of autoscaling, as far as moto goes: the scaling policies and alarms the aws-h100 stack
 * renders, sent through the real AWS SDK, are accepted with the fields the kit relies on, each alarm's
 * action names a policy of the group, and the scale-to-zero and wake actions do what the kit intends
 * when AWS fires them. What moto (5.2.1) does not emulate, so this does not prove: alarm evaluation
 * (PutMetricData never moves an alarm's state, and SetAlarmState runs no action), target tracking
 * (no alarms are created for it, nothing computes a desired capacity from the metric), cooldowns and
 * instance warm-up; README "AWS autoscaling under moto" says what carries the rest.
 */
describe("the rendered AWS scaling policies and alarms (moto)", () => {
  type Inputs = Record<string, unknown>;
  /** Pulumi's camelCase inputs as the SDK's PascalCase parameters; a dimension map becomes a list. */
  const sdkShape = (v: unknown, key = ""): unknown => {
    if (Array.isArray(v)) return v.map((x) => sdkShape(x));
    if (v === null || typeof v !== "object") return v;
    if (key === "dimensions" && !Array.isArray(v))
      return Object.entries(v).map(([Name, Value]) => ({ Name, Value }));
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k === "metricDimensions" ? "Dimensions" : k[0]!.toUpperCase() + k.slice(1),
        sdkShape(x, k === "metricDimensions" ? "dimensions" : k),
      ]),
    );
  };
  const rendered = async () => {
    const r = await plan("aws-h100");
    const of = (type: string) =>
      r.resources.filter((x) => x.type === type).map((x) => ({ name: x.name, inputs: x.inputs as Inputs }));
    return {
      policies: of("aws:autoscaling/policy:Policy"),
      alarms: of("aws:cloudwatch/metricAlarm:MetricAlarm"),
    };
  };

  it("every policy and alarm is accepted; scale-out cannot scale in; the alarms' actions are the group's policies and do what they say", async () => {
    const { as, cw } = await sdk();
    const asg = new as.AutoScalingClient({});
    const { policies, alarms } = await rendered();
    expect(policies.map((p) => p.name).sort()).toEqual([
      "vllm-in-flight",
      "vllm-load",
      "vllm-to-zero",
      "vllm-wake",
    ]);
    await setGroup(0, 0);
    for (const p of policies) {
      const { autoscalingGroupName: _g, ...rest } = p.inputs;
      await asg.send(
        new as.PutScalingPolicyCommand({
          AutoScalingGroupName: group,
          PolicyName: p.name,
          ...(sdkShape(rest) as object),
        }),
      );
    }
    const described = (await asg.send(new as.DescribePoliciesCommand({ AutoScalingGroupName: group })))
      .ScalingPolicies!;
    const byName = new Map(described.map((p) => [p.PolicyName!, p]));
    // AWS scales in only when every target-tracking policy with scale-in enabled agrees: the queue
    // policy never does, so only the in-flight policy (running + waiting) can remove a host.
    expect(byName.get("vllm-load")!.TargetTrackingConfiguration).toMatchObject({ DisableScaleIn: true });
    expect(byName.get("vllm-in-flight")!.TargetTrackingConfiguration?.DisableScaleIn ?? false).toBe(false);

    for (const a of alarms) {
      const actions = (a.inputs["alarmActions"] as string[]).map((arn) => {
        const policy = byName.get(arn.split("policy/")[1]!);
        expect(policy, `${a.name}: ${arn}`).toBeDefined();
        return policy!.PolicyARN!;
      });
      await new cw.CloudWatchClient({}).send(
        new cw.PutMetricAlarmCommand({
          AlarmName: `${group}-${a.name}`,
          ...(sdkShape({ ...a.inputs, alarmActions: actions }) as object),
        }),
      );
    }
    const stored = (
      await new cw.CloudWatchClient({}).send(new cw.DescribeAlarmsCommand({ AlarmNamePrefix: group }))
    ).MetricAlarms!;
    expect(stored.map((a) => a.AlarmName).sort()).toEqual([`${group}-vllm-idle`, `${group}-vllm-wake`]);

    // What AWS does when each alarm fires: the wake alarm's policy starts one host on an empty
    // fleet; the idle alarm's policy empties it.
    const fire = async (alarm: string) => {
      const a = stored.find((x) => x.AlarmName === `${group}-${alarm}`)!;
      const policy = described.find((p) => p.PolicyARN === a.AlarmActions![0])!;
      await asg.send(
        new as.ExecutePolicyCommand({ AutoScalingGroupName: group, PolicyName: policy.PolicyName }),
      );
    };
    await fire("vllm-wake");
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: 1 });
    await fire("vllm-idle");
    expect(await describeGroup()).toMatchObject({ DesiredCapacity: 0 });
  });
});
