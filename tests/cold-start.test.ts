/**
 * One cold-start budget (cost/cold-start.ts) that every timer covers: the Auto Scaling group's grace
 * period, warm-up and wake cooldown, the warm pool's lifecycle heartbeat, the startup probe and the
 * HTTP add-on's wait; `plan` shows it, and the cost model bills the instance time it takes. Expected
 * values are derived by hand from the model's size and the stated estimates.
 */
import { describe, expect, it } from "vitest";
import { coldStart } from "../cost/cold-start";
import { project } from "../cost/projection";
import { base, errorOf, merge, resolve, runCli } from "./helpers";
import { find, plan } from "./program-helpers";

const ASG = "aws:autoscaling/group:Group";

describe("the cold start by part", () => {
  it("the issue's case: Qwen3-32B on a p5.48xlarge is covered (grace 1122 s, not 680 s)", async () => {
    // 32.8e9 parameters × 2 B = 65.5 GB at 200 MB/s = 328 s; + boot 180 + image 120 + engine 120 = 748 s.
    const r = await plan("aws-h100", { model: { id: "qwen3-32b" }, aws: { instanceType: "p5.48xlarge" } });
    const group = find(r, ASG, "vllm-fleet").inputs;
    const total = 180 + 120 + Math.ceil(65.5e9 / 200e6) + 120;
    expect(group["healthCheckGracePeriod"]).toBeGreaterThanOrEqual(total);
    expect(group["healthCheckGracePeriod"]).toBe(Math.ceil(total * 1.5));
    expect(find(r, "aws:autoscaling/policy:Policy", "vllm-wake").inputs["cooldown"]).toBe(
      Math.ceil(total * 1.5),
    );
  });

  it("a warm pool starts a stopped host (60 s), keeps the image, and reads weights from gp3 provisioned at the promised 200 MB/s", async () => {
    const cfg = resolve(merge(base.aws, { aws: { warmPool: { enabled: true, size: 1 } } }));
    const c = coldStart(cfg);
    expect(c).toMatchObject({
      bootSeconds: 60,
      imagePullSeconds: 0,
      // 200 MB/s = 190.7 MiB/s, provisioned as 191 MiB/s (not gp3's 125 MiB/s baseline).
      weightsSeconds: Math.ceil(16.06e9 / 200e6),
    });
    const r = await plan("aws-h100", { aws: { warmPool: { enabled: true, size: 1 } } });
    const hook = (
      find(r, ASG, "vllm-fleet").inputs["initialLifecycleHooks"] as { heartbeatTimeout: number }[]
    )[0]!;
    expect(hook.heartbeatTimeout).toBeGreaterThanOrEqual(c.totalSeconds);
  });

  it("on Kubernetes the startup probe covers the weights and the engine (it starts after the pull)", async () => {
    const r = await plan("onprem");
    const engine = find(r, "kubernetes:apps/v1:Deployment", "vllm-engine").inputs as never as {
      spec: {
        template: {
          spec: { containers: { startupProbe: { periodSeconds: number; failureThreshold: number } }[] };
        };
      };
    };
    const probe = engine.spec.template.spec.containers[0]!.startupProbe;
    // 141.2 GB at 200 MB/s = 706 s + engine 120 s = 826 s.
    expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(826);
  });

  it("plan --json shows the parts, and they add up", async () => {
    for (const stack of ["aws-h100", "onprem", "managed"]) {
      const r = await runCli("plan", "--stack", stack, "--json");
      const c = (JSON.parse(r.out) as { coldStart: Record<string, number> }).coldStart;
      expect(
        c["bootSeconds"]! + c["imagePullSeconds"]! + c["weightsSeconds"]! + c["engineInitSeconds"]!,
      ).toBe(c["totalSeconds"]);
      if (stack !== "managed") expect(c["budgetSeconds"]).toBeGreaterThanOrEqual(c["totalSeconds"]!);
    }
    const text = await runCli("plan", "--stack", "aws-h100");
    expect(text.out).toContain(
      "cold start: 501 s (boot 180 + image 120 + weights 81 + engine 120); timers allow 752 s (health-check grace period, instance warm-up, wake cooldown), the startup probe 600 s",
    );
  });
});

describe("the cost model bills the instance time starts take", () => {
  it("every start of the plan × the cold start × the instance rate", () => {
    const p = project(resolve(base.aws));
    const plan = p.selfHosted.breakdown.plan!;
    const item = p.selfHosted.breakdown.lineItems.find(
      (li) => li.name === "GPU instances starting (cold starts)",
    )!;
    // p5.4xlarge on demand at $6.88/h; 501 s a start.
    expect(item.monthly / 1e6).toBeCloseTo(((plan.replicaStartsPerMonth * 501) / 3600) * 6.88, 2);
  });
});

describe("the root volume (cost/catalog/root-volume.ts)", () => {
  const template = (r: Awaited<ReturnType<typeof plan>>) =>
    (
      find(r, "aws:ec2/launchTemplate:LaunchTemplate", "vllm-host").inputs["blockDeviceMappings"] as {
        ebs: { volumeSize: number; throughput: number; iops: number };
      }[]
    )[0]!.ebs;

  it("70B with a warm pool: weights on the volume, sized and provisioned for them", async () => {
    const patch = {
      model: { id: "llama-3.1-70b" },
      gpu: { count: 8, tensorParallel: 8 },
      aws: { instanceType: "p5.48xlarge", warmPool: { enabled: true, size: 1 } },
    };
    const r = await plan("aws-h100", patch);
    // OS 75 + image 30 + weights ⌈141.1 GB⌉ = 142 → 247 GB × 1.1 = 271.7 → 272 GB (more than the old
    // fixed 200 GB); 200 MB/s ÷ 1.048576 = 190.7 → 191 MiB/s; 191 × 4 = 764 IOPS < gp3's 3,000.
    expect(template(r)).toMatchObject({ volumeSize: 272, throughput: 191, iops: 3000 });
    const c = coldStart(resolve(merge(base.aws, patch)));
    expect(c.volume).toMatchObject({ sizeGb: 272, weightsOnVolume: true });
  });

  it("weights on the local NVMe: the root volume holds the OS and image at gp3's baseline", async () => {
    const r = await plan("aws-h100");
    // (75 + 30) × 1.1 = 115.5 → 116 GB.
    expect(template(r)).toMatchObject({ volumeSize: 116, throughput: 125, iops: 3000 });
    expect(await runCli("plan", "--stack", "aws-h100")).toMatchObject({
      out: expect.stringContaining(
        "root volume: 116 GB gp3 (OS 75 + image 30 GB, +10% headroom), 125 MiB/s and 3000 IOPS; weights on the local NVMe, read at 200 MB/s",
      ),
    });
  });

  it("a faster promise is capped at gp3's 1,000 MiB/s, with the 4,000 IOPS that throughput needs, and the cold start reads at the cap", () => {
    const cfg = resolve(
      merge(base.aws, {
        vllm: { loadMegabytesPerSecond: 2000 },
        aws: { warmPool: { enabled: true, size: 1 } },
      }),
    );
    const c = coldStart(cfg);
    expect(c.volume).toMatchObject({ throughputMiBps: 1000, iops: 4000 });
    // 1,000 MiB/s = 1,048.576 MB/s.
    expect(c.weightsSeconds).toBe(Math.ceil(16.06e9 / 1048.576e6));
  });

  it("a stated size too small for the weights is refused, naming the setting, the value, the minimum and the fixes", () => {
    const msg = errorOf(
      merge(base.aws, {
        model: { id: "llama-3.1-70b" },
        gpu: { count: 8, tensorParallel: 8 },
        aws: { instanceType: "p5.48xlarge", warmPool: { enabled: true, size: 1 }, rootVolumeGb: 200 },
      }),
    );
    expect(msg).toContain("vllm-tco:aws.rootVolumeGb");
    expect(msg).toContain("200");
    expect(msg).toContain("OS 75 + image 30 + weights 142 GB, +10% headroom = 272 GB");
    expect(msg).toMatch(/warm pool's stopped hosts lose their instance store/);
    expect(msg).toMatch(/remove aws\.rootVolumeGb to size it from the model, or set at least 272/);
  });

  it("the cost model bills the volume it renders: size, and throughput above the baseline", () => {
    const p = project(
      resolve(merge(base.aws, { aws: { warmPool: { enabled: true, size: 1 }, rootVolumeGb: 300 } })),
    );
    const item = p.selfHosted.breakdown.lineItems.find((i) => i.name === "root volumes (EBS gp3)")!;
    const plan = p.selfHosted.breakdown.plan!;
    const months = (plan.servingReplicaHours + plan.idleReplicaHours) / 730;
    // 300 GB × $0.08 + (191 − 125) MiB/s × $0.04 = $24 + $2.64 = $26.64 per volume-month.
    expect(item.monthly / 1e6).toBeCloseTo(months * 26.64, 2);
  });
});
