/**
 * One cold-start budget (cost/cold-start.ts) that every timer covers: the Auto Scaling group's grace
 * period, warm-up and wake cooldown, the warm pool's lifecycle heartbeat, the startup probe and the
 * HTTP add-on's wait; `plan` shows it, and the cost model bills the instance time it takes. Expected
 * values are derived by hand from the model's size and the stated estimates.
 */
import { describe, expect, it } from "vitest";
import { coldStart } from "../cost/cold-start";
import { project } from "../cost/projection";
import { base, merge, resolve, runCli } from "./helpers";
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

  it("a warm pool starts a stopped host (60 s), keeps the image, and reads weights from gp3 at 125 MB/s", async () => {
    const cfg = resolve(merge(base.aws, { aws: { warmPool: { enabled: true, size: 1 } } }));
    const c = coldStart(cfg);
    expect(c).toMatchObject({
      bootSeconds: 60,
      imagePullSeconds: 0,
      weightsSeconds: Math.ceil(16.06e9 / 125e6),
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
