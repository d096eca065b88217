/**
 * A model too big for one server: the report says so plainly (GPUs and servers it needs, that the
 * kit deploys single-node replicas), prices the managed and API lanes on a managed stack, and never
 * prices a fleet it cannot deploy.
 */
import { describe, expect, it } from "vitest";
import { project } from "../cost/projection";
import { errorOf, resolve } from "./helpers";

const deepseek = (patch: Record<string, unknown>) => ({
  model: { id: "deepseek-v3.2" },
  workload: { requestsPerMonth: 8e6 },
  ...patch,
});

describe("DeepSeek V3.2 (671 GB of FP8 weights)", () => {
  it("on 8× H100 a Kubernetes stack is refused with the GPUs and servers it needs and the single-node limit", () => {
    const msg = errorOf(deepseek({ platform: "kubernetes", gpu: { type: "h100-sxm" } }));
    // 671 GB ÷ (80 GiB × 0.9 = 77.3 GB a GPU) = 8.7: at least 9 GPUs, two 8-GPU servers.
    expect(msg).toContain("need at least 9 h100-sxm GPUs (2 8-GPU servers)");
    expect(msg).toContain("single-node replicas only");
    expect(msg).toContain("platform: managed with managed.host fireworks");
  });

  it("on 8× H200 it fits one server and is priced", () => {
    const p = project(resolve(deepseek({ platform: "kubernetes", gpu: { type: "h200" } })));
    expect(p.config.gpu.count).toBe(8);
    expect(p.config.model.dtype).toBe("fp8");
    expect(p.selfHosted.breakdown.total).toBeGreaterThan(0);
  });

  it("a managed stack is priced against the APIs, with no self-hosted lane and a warning that says why", () => {
    const p = project(resolve(deepseek({ platform: "managed", managed: { host: "fireworks" } })));
    expect(p.lanes.filter((l) => l.option.kind === "rented" || l.option.kind === "owned")).toEqual([]);
    expect(p.selfHostedAlternatives).toEqual([]);
    expect(p.warnings.join("\n")).toMatch(
      /self-hosting deepseek-v3\.2 is not compared: .* at least 9 h100-sxm GPUs/,
    );
    expect(p.verdict.option).not.toBeNull();
    // Rated on the snapshot: 1415.6 (1407.3–1423.9).
    expect(p.config.model.quality?.score).toBe(1415.6);
  });
});
