/**
 * Replica packing: a server or instance runs as many engines of the stack's tensor-parallel degree as
 * its GPUs allow, the same rule for rented and owned hardware (a p5.48xlarge runs two TP4 engines of
 * a 70B model, never one TP8 engine).
 */
import { describe, expect, it } from "vitest";
import { project } from "../cost/projection";
import { serversFor } from "../cost/options";
import { base, resolve } from "./helpers";

describe("packing", () => {
  const p = project(resolve(base.kubernetes as never));
  const rented = p.lanes.find((l) => l.option.id === "rented:p5.48xlarge:on-demand")!;
  const owned = p.lanes.find((l) => l.option.id === "owned")!;

  it("the rented p5.48xlarge runs two TP4 engines, as the owned 8-GPU server holds two TP4 replicas", () => {
    const e = rented.option.replica!.capacity.engine;
    expect(e.engines).toBe(2);
    expect(e.tp).toBe(4);
    expect(rented.option.label).toContain("2× TP4");
    expect(serversFor(2, 4, 8)).toBe(1);
  });

  it("an instance of two engines serves twice what one TP4 replica does (each engine takes half the traffic)", () => {
    const one = owned.option.replica!.tokensPerHour;
    const two = rented.option.replica!.tokensPerHour;
    expect(two / one).toBeGreaterThan(1.9);
    expect(two / one).toBeLessThan(2.1);
  });
});
