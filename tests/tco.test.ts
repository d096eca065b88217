import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breakEven } from "../cost/breakeven";
import { checkBudget } from "../cost/budget";
import { streamedBytesPerToken } from "../cost/egress";
import { planCapacity } from "../cost/capacity";
import { formatUsd, sum, times, toCents, usd } from "../cost/money";
import { apiOption } from "../cost/options";
import { project, rank, stackOption } from "../cost/projection";
import { weeklyShape } from "../cost/traffic";
import { base, merge, resolve } from "./helpers";

const flat = weeklyShape({ activeHoursPerDay: 24, activeDaysPerWeek: 7, peakToAverage: 1 });
const policy = { min: 0, max: 10, idleMinutes: 15, cooldownSeconds: 300 };

describe("money", () => {
  it.each([
    [5022.4, "$5,022.40"],
    [0.004, "$0.00"],
    [1234567.891, "$1,234,567.89"],
    [-12.5, "-$12.50"],
  ])("formats %f as %s", (n, s) => expect(formatUsd(usd(n))).toBe(s));
  it("sums micro-dollars without drift", () => {
    const tenCents = Array.from({ length: 1000 }, () => usd(0.1));
    expect(toCents(sum(tenCents))).toBe(100);
    expect(times(usd(6.88), 730)).toBe(5_022_400_000);
  });
});

describe("traffic shape and capacity", () => {
  it("a week's shape sums to 1 and keeps the peak-to-average ratio inside the active hours", () => {
    const s = weeklyShape({ activeHoursPerDay: 12, activeDaysPerWeek: 5, peakToAverage: 2 });
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const active = [...s].filter((x) => x > 0);
    expect(active).toHaveLength(60);
    expect(Math.max(...active) / (1 / 60)).toBeCloseTo(2, 6);
  });

  it("replicas per hour = ceil(demand ÷ capacity): 2.5 replicas of flat demand run 3 all month", () => {
    const perReplica = 1e6;
    const plan = planCapacity(flat, 2.5 * perReplica * 730, perReplica, policy);
    expect(plan.servingReplicaHours).toBeCloseTo(3 * 730, 6);
    expect(plan.idleReplicaHours).toBe(0);
    expect(plan.peakReplicas).toBe(3);
    expect(plan.utilization).toBeCloseTo(2.5 / 3, 9);
  });

  it("replicas beyond max leave demand unserved and say how much", () => {
    const plan = planCapacity(flat, 20 * 730, 1, policy);
    expect(plan.peakReplicas).toBe(10);
    expect(plan.unservedShare).toBeCloseTo(0.5, 9);
  });

  it("idle time: the floor runs off-hours, and scale-to-zero waits idleMinutes", () => {
    const workday = weeklyShape({ activeHoursPerDay: 10, activeDaysPerWeek: 5, peakToAverage: 1 });
    const plan = planCapacity(workday, 1, 1e12, { ...policy, min: 0 });
    // 5 scale-to-zero events a week, 15 minutes each.
    expect(plan.idleReplicaHours).toBeCloseTo(5 * 0.25 * (730 / 168), 9);
    const floor = planCapacity(workday, 1, 1e12, { ...policy, min: 1 });
    expect(floor.idleReplicaHours).toBeCloseTo((168 - 50) * (730 / 168), 9);
  });
});

describe("hand-computed monthly costs", () => {
  it("one p5.4xlarge on-demand always on = 6.88 × 730 = $5,022.40 of compute", () => {
    const c = resolve(merge(base.aws, { scaling: { min: 1, max: 1 } }) as never);
    const b = stackOption(c).at(1);
    const gpu = b.lineItems.filter((li) => li.name.startsWith("GPU instances"));
    expect(formatUsd(sum(gpu.map((li) => li.monthly)))).toBe("$5,022.40");
    expect(gpu[0]!.formula).toBe("730 instance-h × $6.88/h");
  });

  it("an API bill = uncached input + cached input at its price + output + 2 h of integration upkeep", () => {
    const c = resolve(base.aws as never);
    const mini = apiOption(
      c,
      c.compare.apis.find((a) => a.key === "gpt-4o-mini")!,
    ).at(1);
    // 1B input, 30% cached: 700M × 0.15 + 300M × 0.075 + 200M output × 0.60
    // … + 2 h × $96 of integration upkeep, like for like with a managed host.
    expect(mini.lineItems.map((li) => toCents(li.monthly))).toEqual([105, 22.5, 120, 192]);
    expect(toCents(mini.total)).toBe(439.5);
  });

  it("owned hardware: purchase ÷ depreciation months, power × PUE × price, rack, labour", () => {
    const c = resolve(
      merge(base.kubernetes, {
        scaling: { min: 1, max: 2 },
        ownership: { pue: 1.5, electricityUsdPerKwh: 0.1 },
      }) as never,
    );
    const b = stackOption(c).at(1);
    const byName = Object.fromEntries(b.lineItems.map((li) => [li.name, toCents(li.monthly)]));
    expect(byName["hardware depreciation"]).toBe(7500);
    expect(byName["rack and colocation"]).toBe(800);
    expect(byName["operations labour"]).toBe(32 * 96);
    // Between the idle draw all month and the full-load draw all month, for the one server:
    // 1.8 kW × 730 h × 1.5 × $0.10 = $197.10 and 7.5 kW × 730 h × 1.5 × $0.10 = $821.25.
    expect(byName["power and cooling"]).toBeGreaterThanOrEqual(197.1);
    expect(byName["power and cooling"]).toBeLessThanOrEqual(821.25);
    // Exactly: one server draws 1.8 kW all month, plus 5.7 kW more for the GPU-hours at load (the plan's
    // serving replica-hours × utilisation × 4 GPUs, as a share of the server's 8), × PUE × price.
    const plan = b.plan!;
    const kwh = (1800 * 730 + (7500 - 1800) * ((plan.servingReplicaHours * plan.utilization * 4) / 8)) / 1000;
    expect(byName["power and cooling"]).toBeCloseTo(kwh * 1.5 * 0.1, 2);
  });

  it("a managed-open host bills tokens at its price, with no cache discount where it has none", () => {
    const p = project(resolve(base.managed as never));
    expect(toCents(p.selfHosted.breakdown.total)).toBe(600 * 0.72 + 120 * 0.72 + 2 * 96);
  });

  it("savings plan commits only to replicas that run most of the month", () => {
    const always = resolve(
      merge(base.aws, { scaling: { min: 1, max: 1 }, aws: { purchase: "savings-plan" } }) as never,
    );
    const b = stackOption(always).at(1);
    expect(b.lineItems[0]!.formula).toBe("1 × 730 h × $2.97/h");
    const workday = resolve(
      merge(base.aws, {
        aws: { purchase: "savings-plan" },
        workload: { activeHoursPerDay: 8, activeDaysPerWeek: 5 },
      }) as never,
    );
    expect(stackOption(workday).at(1).lineItems[0]!.formula).toBe("0 × 730 h × $2.97/h");
  });
});

describe("break-even", () => {
  const c = resolve(
    merge(base.aws, { scaling: { max: 6 }, workload: { activeHoursPerDay: 12, peakToAverage: 2 } }) as never,
  );
  const self = stackOption(c);
  const diff = (api: ReturnType<typeof apiOption>, s: number) => api.at(s).total - self.at(s).total;

  it.each(c.compare.apis.map((a) => [a.key, a] as const))(
    "against %s: the first volume where the curves cross",
    (_k, offer) => {
      const api = apiOption(c, offer);
      const be = breakEven(self, api);
      const grid = Array.from({ length: 400 }, (_, i) => ((i + 1) / 400) * self.maxScale);
      if (be.scale === null) {
        for (const s of grid) expect(diff(api, s)).toBeLessThan(0);
        return;
      }
      expect(Math.abs(diff(api, be.scale * (1 + 1e-9)))).toBeLessThan(self.at(be.scale).total * 1e-6 + 2e4);
      for (const s of grid.filter((g) => g < be.scale! * (1 - 1e-6))) expect(diff(api, s)).toBeLessThan(0);
    },
  );

  it("reports never when the API stays cheaper up to the fleet's capacity", () => {
    // One cent per million tokens: no H100 fleet of one replica gets that low.
    const cheap = { input: 0.01, cachedInput: 0.01, output: 0.01 };
    const small = resolve(
      merge(base.aws, {
        scaling: { max: 1 },
        compare: { apis: ["gemini-2.5-flash-lite"] },
        prices: { apis: { "gemini-2.5-flash-lite": cheap } },
      }) as never,
    );
    const p = project(small);
    expect(p.breakEven[0]).toMatchObject({ against: "api:gemini-2.5-flash-lite", monthlyOutputTokens: null });
    expect(p.breakEven[0]!.reason).toMatch(/^not within scaling.max/);
  });
});

describe("properties", () => {
  const workloads = fc.record({
    activeHoursPerDay: fc.integer({ min: 1, max: 24 }),
    activeDaysPerWeek: fc.integer({ min: 1, max: 7 }),
    peakToAverage: fc.double({ min: 1, max: 4, noNaN: true }),
    monthlyOutputTokens: fc.double({ min: 1e6, max: 5e9, noNaN: true }),
  });

  it("monthly cost never falls when volume rises at fixed settings", () => {
    fc.assert(
      fc.property(
        workloads,
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: 1, max: 2, noNaN: true }),
        (w, s, k) => {
          const c = resolve(
            merge(base.aws, {
              scaling: { max: 8 },
              workload: { ...w, monthlyInputTokens: 5 * w.monthlyOutputTokens },
            }) as never,
          );
          for (const option of [stackOption(c), apiOption(c, c.compare.apis[0]!)]) {
            expect(option.at(s * k).total).toBeGreaterThanOrEqual(option.at(s).total);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("break-even is where the curves cross: cheaper API just below, no dearer just above", () => {
    fc.assert(
      fc.property(workloads, (w) => {
        const c = resolve(
          merge(base.aws, {
            scaling: { max: 8 },
            workload: { ...w, monthlyInputTokens: 5 * w.monthlyOutputTokens },
          }) as never,
        );
        const self = stackOption(c);
        for (const offer of c.compare.apis) {
          const api = apiOption(c, offer);
          const be = breakEven(self, api);
          if (be.scale === null || be.scale === 0) continue;
          expect(api.at(be.scale * (1 - 1e-6)).total).toBeLessThan(self.at(be.scale * (1 - 1e-6)).total);
          expect(api.at(be.scale * (1 + 1e-6)).total).toBeGreaterThanOrEqual(
            self.at(be.scale * (1 + 1e-6)).total - 2e4,
          );
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("budget rule", () => {
  it.each([
    [
      "under both limits",
      { monthlyUsd: 5000, maxRatioToCheapestApi: 2, enforce: "mandatory" as const },
      true,
      [],
    ],
    [
      "over the monthly limit",
      { monthlyUsd: 3000, enforce: "mandatory" as const },
      false,
      ["projected $3,171.01/month is over budget.monthlyUsd $3,000.00"],
    ],
    [
      "too dear next to the cheapest API",
      { maxRatioToCheapestApi: 1.2, enforce: "advisory" as const },
      false,
      [
        "projected $3,171.01/month is 1.42× OpenAI gpt-4o-mini ($2,227.50/month), above budget.maxRatioToCheapestApi 1.2",
      ],
    ],
  ])("%s", (_n, rule, ok, violations) => {
    const r = checkBudget(rule, usd(3171.01), { label: "OpenAI gpt-4o-mini", total: usd(2227.5) });
    expect(r.ok).toBe(ok);
    expect(r.violations).toEqual(violations);
  });
});

describe("compare", () => {
  it("ranks every option cheapest first, with the cost per million tokens", () => {
    const c = resolve(base.aws as never);
    const ranked = rank(project(c));
    expect(ranked.map((r) => r.kind).sort()).toEqual(
      [
        "api",
        "api",
        "api",
        "api",
        "api",
        "api",
        "managed",
        "managed",
        "managed",
        "managed",
        "owned",
        "rented",
        "rented",
        "rented",
      ].sort(),
    );
    for (let i = 1; i < ranked.length; i++)
      expect(ranked[i]!.monthly).toBeGreaterThanOrEqual(ranked[i - 1]!.monthly);
    const mini = ranked.find((r) => r.id === "api:gpt-4o-mini")!;
    expect(mini.usdPerMillionTokens).toBeCloseTo(439.5 / 1200, 9);
  });
});

describe("line items that hold up", () => {
  const item = (raw: Record<string, unknown>, name: string) =>
    stackOption(resolve(merge(base.aws, raw) as never))
      .at(1)
      .lineItems.find((i) => i.name.startsWith(name))!;

  it("a streamed token is one chat.completion.chunk event: over 200 bytes, growing with the model's name", () => {
    expect(streamedBytesPerToken("llama-3.1-8b")).toBeGreaterThan(200);
    expect(streamedBytesPerToken("a-much-longer-served-model-name")).toBeGreaterThan(
      streamedBytesPerToken("llama-3.1-8b"),
    );
  });

  it("egress is charged only when responses leave the network (an internet-facing load balancer)", () => {
    expect(toCents(item({}, "internet egress").monthly)).toBe(0);
    const open = item({ aws: { ingressCidrs: ["0.0.0.0/0"], allowOpenIngress: true } }, "internet egress");
    const gb = (2e8 * streamedBytesPerToken("llama-3.1-8b")) / 1e9;
    expect(toCents(open.monthly)).toBeCloseTo(gb * 0.09, 2);
  });

  it("the NAT gateway pays for its public IPv4 address", () => {
    expect(item({}, "NAT gateway").formula).toContain("$0.005/h for its public IPv4 address");
  });
});

describe("owned hardware: support, capital and resale", () => {
  const owned = (ownership: Record<string, unknown>) =>
    project(resolve(merge(base.kubernetes, { scaling: { min: 1, max: 2 }, ownership }) as never)).lanes.find(
      (l) => l.option.id === "owned",
    )!.breakdown;
  const cents = (b: ReturnType<typeof owned>, name: string) =>
    toCents(b.lineItems.find((i) => i.name === name)?.monthly ?? (0 as never));

  it("a support contract per server per year is a line item (default 20% a year of the H100 server's $270,000)", () => {
    expect(cents(owned({}), "support contract")).toBeCloseTo((270_000 * 0.2) / 12, 2);
  });

  it("the default contract follows the stack's purchase price; a stated contract replaces it", () => {
    expect(cents(owned({ purchaseUsd: 300_000 }), "support contract")).toBeCloseTo((300_000 * 0.2) / 12, 2);
    expect(cents(owned({ purchaseUsd: 300_000, supportUsdPerYear: 12_000 }), "support contract")).toBeCloseTo(
      1_000,
      2,
    );
  });

  it("the owned-server sources are H100-generation, not the DGX A100's list price", () => {
    const b = owned({});
    const support = b.lineItems.find((i) => i.name === "support contract")!;
    const hw = b.lineItems.find((i) => i.name === "hardware depreciation")!;
    expect(support.source.title).toMatch(/20% of the server's purchase price/);
    expect(support.source.estimate).toBe(true);
    expect(hw.source.title).toMatch(/DGX H100 sale price ~\$270,000/);
    expect(hw.source.title).not.toMatch(/199/);
  });

  it("resale value lowers depreciation; cost of capital charges the average book value", () => {
    const plain = owned({ purchaseUsd: 240_000, depreciationMonths: 36 });
    const both = owned({
      purchaseUsd: 240_000,
      depreciationMonths: 36,
      residualValuePercent: 25,
      costOfCapitalPercent: 8,
    });
    expect(cents(plain, "hardware depreciation")).toBeCloseTo(240_000 / 36, 2);
    expect(cents(both, "hardware depreciation")).toBeCloseTo((240_000 * 0.75) / 36, 2);
    expect(cents(both, "cost of capital")).toBeCloseTo((((240_000 * 1.25) / 2) * 0.08) / 12, 2);
    expect(cents(plain, "cost of capital")).toBe(0);
  });
});

describe("spot interruptions and the savings plan's lock-in", () => {
  const lanes = (patch: Record<string, unknown> = {}) =>
    project(resolve(merge(base.kubernetes, { scaling: { min: 1, max: 2 }, ...patch }) as never)).lanes;

  it("a spot lane bills its interruptions as re-warming instance time (hand-derived from its own plan)", () => {
    const spot = lanes().find((l) => l.option.id.endsWith(":spot"))!;
    const b = spot.breakdown;
    const i = b.lineItems.find((x) => x.name === "spot interruptions (replacements re-warming)")!;
    const plan = b.plan!;
    const instanceHours = plan.hoursWithAtLeast.slice(1).reduce((a, h) => a + h, 0);
    const start = b.lineItems.find((x) => x.name.startsWith("GPU instances starting"))!;
    const coldSeconds = Number(/× (\d+) s \(boot/.exec(start.formula)![1]);
    // 15% of instances interrupted a month, each re-warming for one cold start.
    expect(i.quantity).toBeCloseTo(((instanceHours / 730) * 0.15 * coldSeconds) / 3600, 9);
    expect(i.unitPrice).toBe(30.24);
    expect(i.source.estimate).toBe(true);
  });

  it("on-demand and savings-plan lanes have no interruption item", () => {
    for (const l of lanes().filter((x) => /:(on-demand|savings-plan)$/.test(x.option.id)))
      expect(l.breakdown.lineItems.map((x) => x.name)).not.toContain(
        "spot interruptions (replacements re-warming)",
      );
  });

  it("the savings plan names its three-year term and the money owed whatever the load", () => {
    const sp = lanes().find((l) => l.option.id.endsWith(":savings-plan"))!;
    const item = sp.breakdown.lineItems[0]!;
    // One p5.48xlarge committed: $27.52/h × 730 h × 12 × 3 = $723,225.60.
    expect(item.name).toContain(
      "1 × p5.48xlarge committed 24×7 for 3 years: $723,226 owed whatever the load",
    );
  });

  it("a savings plan with nothing worth committing says so instead of posing as a commitment", () => {
    const idle = project(
      resolve(
        merge(base.aws, {
          scaling: { min: 0 },
          // 4 h a day, 5 days a week: 12% of the month, below the 43% (2.97 ÷ 6.88) a commitment needs.
          workload: {
            monthlyInputTokens: 1e7,
            monthlyOutputTokens: 1e6,
            activeHoursPerDay: 4,
            activeDaysPerWeek: 5,
          },
        }) as never,
      ),
    ).lanes.find((l) => l.option.id.endsWith(":savings-plan"))!;
    expect(idle.breakdown.lineItems[0]!.name).toMatch(/nothing committed/);
    expect(idle.breakdown.lineItems[0]!.quantity).toBe(0);
  });
});

describe("capacity plans by replica level", () => {
  it("hours with at least k replicas, from the levels, agree with a count over every k (brute force)", () => {
    const p = project(
      resolve(
        merge(base.aws, {
          scaling: { min: 0, max: 12 },
          workload: {
            monthlyInputTokens: 4e10,
            monthlyOutputTokens: 8e9,
            activeHoursPerDay: 10,
            peakToAverage: 3,
          },
        }) as never,
      ),
    );
    const plan = p.selfHosted.breakdown.plan!;
    expect(plan.levels.length).toBeGreaterThan(1);
    for (let k = 1; k <= plan.peakReplicas; k++) {
      const brute = plan.levels.filter((l) => l.replicas >= k).reduce((a, l) => a + l.hours, 0);
      expect(plan.hoursWithAtLeast[k]).toBeCloseTo(brute, 9);
    }
    // Replica-hours run, counted hour by hour in the plan's main loop (serving + idle, less the
    // scale-in delays, which run past the hours): the same total as the levels give.
    const byLevel = plan.levels.reduce((a, l) => a + l.hours * l.replicas, 0);
    expect(byLevel).toBeCloseTo(
      plan.servingReplicaHours + plan.idleReplicaHours - plan.scaleInDelayReplicaHours,
      6,
    );
  });
});
