/**
 * Deployments that would not work or would bill more than the report says: a ReadWriteOnce model
 * cache across nodes is refused before anything is created; a warm pool is sized exactly and its
 * stopped hosts' volumes are billed.
 */
import { describe, expect, it } from "vitest";
import { project } from "../cost/projection";
import { toUsd } from "../cost/money";
import { base, errorOf, merge, resolve } from "./helpers";

describe("a ReadWriteOnce model cache across nodes", () => {
  it("is refused when scaling.max × GPUs per replica exceeds one server, naming the setting and the fixes", () => {
    // 3 replicas × 4 GPUs = 12 GPUs: more than one 8-GPU node.
    const msg = errorOf(merge(base.kubernetes, { scaling: { min: 1, max: 3 } }));
    expect(msg).toContain("vllm-tco:kubernetes.modelCacheAccessMode");
    expect(msg).toContain('"ReadWriteOnce"');
    expect(msg).toMatch(/scaling\.max 3 × 4 GPUs \(12\) needs more than one 8-GPU node/);
    expect(msg).toMatch(/ReadWriteMany.*existingClaim.*lower scaling\.max to 2/);
  });

  it.each([
    ["two replicas on one 8-GPU server", { scaling: { min: 1, max: 2 } }],
    ["a shared claim", { scaling: { max: 3 }, kubernetes: { modelCacheAccessMode: "ReadWriteMany" } }],
    ["the user's own claim", { scaling: { max: 3 }, kubernetes: { existingClaim: "models" } }],
    ["16-GPU nodes", { scaling: { max: 3 }, ownership: { gpusPerServer: 16 } }],
  ])("is accepted with %s", (_name, patch) => {
    expect(errorOf(merge(base.kubernetes, patch))).toBe("ok");
  });
});

describe("the warm pool", () => {
  const warm = (size: number) =>
    project(
      resolve(merge(base.aws, { aws: { warmPool: { enabled: true, size }, rootVolumeGb: 200 } })),
    ).selfHosted.breakdown.lineItems.find((i) => i.name.startsWith("warm pool"));

  it("bills its stopped hosts' root volumes and their provisioned throughput: 2 × (200 GB × $0.08 + 66 MiB/s × $0.04) = $37.28/month", () => {
    // The weights live on a warm-pool host's volume, provisioned at 191 MiB/s (200 MB/s) over gp3's 125.
    const item = warm(2)!;
    expect(item.name).toBe("warm pool (2 stopped hosts: root volumes)");
    expect(toUsd(item.monthly)).toBeCloseTo(37.28, 6);
  });

  it("no pool, no item", () => {
    expect(
      project(resolve(base.aws as never)).selfHosted.breakdown.lineItems.some((i) =>
        i.name.startsWith("warm pool"),
      ),
    ).toBe(false);
  });
});
