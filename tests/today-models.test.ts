/**
 * Today's open models to self-host: Kimi K2.6's size worked out from its config.json shapes, held to
 * its model card, and what its checkpoint needs of a server; gpt-oss at its checkpoint's own size.
 */
import { describe, expect, it } from "vitest";
import { GIB, weightBytes } from "../cost/catalog/memory";
import { KIMI_K2_SHAPE, MODELS } from "../cost/catalog";
import { base, errorOf, merge, resolve } from "./helpers";

const kimi = (gpu: object) =>
  merge(base.kubernetes, {
    model: { id: "kimi-k2.6" },
    gpu,
    kubernetes: { modelCacheAccessMode: "ReadWriteMany" },
  });

describe("Kimi K2.6", () => {
  it("its parameters, multiplied out from config.json, are the model card's 1T total and 32B active (within 5%)", () => {
    expect(KIMI_K2_SHAPE.parameters / 1e12).toBeGreaterThan(1.0);
    expect(KIMI_K2_SHAPE.parameters / 1e12).toBeLessThan(1.05);
    expect(Math.abs(KIMI_K2_SHAPE.activeParameters / 32e9 - 1)).toBeLessThan(0.05);
  });

  it("its INT4 checkpoint takes ~594 GB: more than 4 bits a parameter (bf16 attention, scales), less than 5", () => {
    const bytes = weightBytes(MODELS["kimi-k2.6"]!, "int4");
    expect(bytes).toBe(KIMI_K2_SHAPE.checkpointBytes);
    expect(bytes / KIMI_K2_SHAPE.parameters).toBeGreaterThan(0.5);
    expect(bytes / KIMI_K2_SHAPE.parameters).toBeLessThan(0.625);
    expect(Math.round(bytes / 1e9)).toBe(594);
  });

  it("fits one 8× H100 server (640 GB less the runtime leaves room for one 32K sequence), not four H200s (4 × 141 GB × 0.9 < 594 GB)", () => {
    expect(resolve(kimi({ type: "h100-sxm", count: 8 })).gpu.count).toBe(8);
    expect(errorOf(kimi({ type: "h200", count: 4 }))).toContain("vllm-tco:gpu.count");
  });

  it("is rated on the AA index only, so a Kimi stack compares on it by default, against today's APIs", () => {
    const cfg = resolve(kimi({ type: "h200", count: 8 }));
    expect(cfg.compare.qualityIndex.id).toBe("aa-intelligence");
    expect(cfg.model.quality?.score).toBe(43);
    expect(cfg.compare.managed.map((o) => o.host)).toEqual(["fireworks"]);
  });
});

describe("gpt-oss at its checkpoint's size", () => {
  it("int4 weights are the model card's 60.8 GiB and 12.8 GiB, not parameters × 4 bits", () => {
    expect(weightBytes(MODELS["gpt-oss-120b"]!, "int4")).toBe(60.8 * GIB);
    expect(weightBytes(MODELS["gpt-oss-20b"]!, "int4")).toBe(12.8 * GIB);
    // Another dtype is priced per parameter: the checkpoint's size says nothing about it.
    expect(weightBytes(MODELS["gpt-oss-120b"]!, "bf16")).toBe(116.8e9 * 2);
  });
});
