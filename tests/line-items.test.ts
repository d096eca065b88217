/**
 * Every line item is data (quantity, unit, unit price) as well as text: recomputed here from those
 * numbers for every lane of every example stack, as a reader of the JSON would, and the lane total
 * from its items. A line item whose amount drifts from its own quantity × price fails here.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers";

interface Item {
  name: string;
  monthlyUsd: number;
  quantity: number;
  unit: string;
  unitPriceUsd: number;
}
interface Doc {
  selfHosted: { monthlyUsd: number; lineItems: Item[] };
  lanes: { id: string; monthlyUsd: number; lineItems: Item[] }[];
}

const cents = (usd: number) => Math.round(usd * 100);

describe("line items recompute from quantity × unit price", () => {
  it.each(["aws-h100", "onprem", "managed"])(
    "%s: every item of every lane, and each lane's total",
    async (stack) => {
      const r = await runCli("cost", "--stack", stack, "--json");
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out) as Doc;
      const lanes = [{ id: "self-hosted", ...doc.selfHosted }, ...doc.lanes];
      expect(lanes.length).toBeGreaterThan(5);
      for (const lane of lanes) {
        expect(lane.lineItems.length, lane.id).toBeGreaterThan(0);
        for (const li of lane.lineItems) {
          expect(Number.isFinite(li.quantity) && li.quantity >= 0, `${lane.id} ${li.name}`).toBe(true);
          expect(li.unit, `${lane.id} ${li.name}`).toMatch(/\S/);
          // Rounded to cents once: the recomputed product is within half a cent (and a micro-dollar).
          expect(
            Math.abs(li.quantity * li.unitPriceUsd - li.monthlyUsd),
            `${lane.id} ${li.name}`,
          ).toBeLessThanOrEqual(0.005 + 1e-6);
        }
        // The total is the sum of the items, each rounded to cents on its own: within a cent per item.
        const summed = lane.lineItems.reduce((a, li) => a + cents(li.monthlyUsd), 0);
        expect(Math.abs(summed - cents(lane.monthlyUsd)), lane.id).toBeLessThanOrEqual(lane.lineItems.length);
      }
    },
  );

  it("hand-derived: the onprem server's support contract and rack are 1 server × the yearly contract ÷ 12 and the rack", async () => {
    const doc = JSON.parse((await runCli("cost", "--stack", "onprem", "--json")).out) as Doc;
    const support = doc.selfHosted.lineItems.find((li) => li.name === "support contract")!;
    // One 8-GPU server (two TP4 replicas); the stack sets purchaseUsd $270,000, so the default
    // contract is 20% of it a year: $54,000 ÷ 12 = $4,500.
    expect(support).toMatchObject({ quantity: 1, unit: "server-month", monthlyUsd: 4500 });
  });
});
