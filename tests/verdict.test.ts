/**
 * The verdict across every lane: table-driven cases, then properties (the chosen option is never dearer
 * than an eligible alternative; the cheaper-between intervals agree with a brute-force sweep).
 */
import fc from "fast-check";
import type { Quality } from "../cost/catalog";
import { describe, expect, it } from "vitest";
import { cheaperIntervals } from "../cost/breakeven";
import { serversFor } from "../cost/options";
import { allOptions, describeIntervals, project, stackOption } from "../cost/projection";
import { base, merge, onpremLoad, resolve } from "./helpers";

const RUNS = Number(process.env["VLLM_TCO_FUZZ_RUNS"] ?? 60);
const seed = 20261125;

describe("the verdict, case by case", () => {
  it("names the cheapest option serving the same model when it undercuts the stack (Groq for Llama 3.1 8B), with the runner-up", () => {
    const p = project(
      resolve(merge(base.aws, { workload: { monthlyInputTokens: 9e9, monthlyOutputTokens: 1.8e9 } })),
    );
    expect(p.verdict.choice).toBe("host");
    expect(p.verdict.option).toMatch(/^managed:groq/);
    expect(p.verdict.summary).toMatch(/^Host it on a managed-open host: groq/);
    expect(p.verdict.runnerUp).not.toBeNull();
    expect(p.verdict.reason).toContain("Runner-up:");
  });

  it("an undersized 70B fleet gets 'cannot serve' with the scaling.max it needs, and is never recommended", () => {
    const raw = merge(base.aws, {
      model: { id: "llama-3.3-70b" },
      aws: { instanceType: "p5.48xlarge" },
      workload: { monthlyInputTokens: 2e11, monthlyOutputTokens: 4e10 },
      scaling: { max: 1 },
    });
    const cfg = resolve(raw);
    const p = project(cfg);
    const own = p.lanes.find((l) => l.isStack)!;
    expect(own.canServe).toBe(false);
    expect(own.neededScalingMax).toBeGreaterThan(1);
    expect(p.verdict.choice).toBe("cannot-serve");
    expect(p.verdict.summary).toContain(`it needs scaling.max ${own.neededScalingMax}`);
    expect(p.verdict.option).not.toBe(own.option.id);
    // With the scaling.max it names, the same fleet serves everything.
    const fixed = project(resolve(merge(raw, { scaling: { max: own.neededScalingMax } })));
    expect(fixed.lanes.find((l) => l.isStack)!.canServe).toBe(true);
  });

  it("qualityBar same-model keeps the verdict to lanes serving the stack's model", () => {
    const p = project(resolve(merge(base.kubernetes, { compare: { qualityBar: "same-model" } })));
    expect(p.verdict.choice).not.toBe("api");
    for (const l of p.lanes.filter((x) => x.option.kind === "api")) {
      expect(l.eligible).toBe(false);
      expect(l.excluded).toContain("another model");
    }
  });

  it("a statistical tie is a tie: gpt-4o-mini (1317, 1314–1321) meets Llama 3.3 70B's bar (1320, 1316–1323)", () => {
    const p = project(resolve(base.managed));
    const mini = p.lanes.find((l) => l.option.id === "api:gpt-4o-mini")!;
    expect(mini).toMatchObject({ canServe: true, meetsQualityBar: true, eligible: true });
    expect(p.verdict.option).toBe("api:gpt-4o-mini");
    expect(p.verdict.reason).toContain(
      "It scores LMArena text 1317 (gpt-4o-mini-2024-07-18, 2025-12), tied with llama-3.3-70b (1320, 1316–1323): their 95% intervals overlap (1314–1321).",
    );
  });

  it("an API chosen states its quality beside the stack's model, and names the cheaper ones below the bar", () => {
    // A score bar of 1400: gpt-4o-mini's interval (to 1320.6) does not reach it, gpt-5-mini's (1388–1397) not either.
    const p = project(resolve(merge(base.managed, { compare: { qualityBar: 1390 } })));
    const chosen = p.lanes.find((l) => l.option.id === p.verdict.option)!;
    expect(chosen.option.kind).toBe("api");
    expect(chosen.option.quality!.high).toBeGreaterThanOrEqual(1390);
    expect(p.verdict.reason).toMatch(
      /It scores LMArena text \d+ \([^)]+, 2025-12\), \d+ above llama-3\.3-70b \(1320\)\./,
    );
    expect(p.verdict.reason).toContain("Cheaper but below the quality bar: OpenAI gpt-4o-mini");
    const mini = p.lanes.find((l) => l.option.id === "api:gpt-4o-mini")!;
    expect(mini).toMatchObject({ canServe: true, meetsQualityBar: false, eligible: false });
    expect(mini.excluded).toBe("weaker: LMArena text 1317 < 1390 (compare.qualityBar: 1390)");
  });

  it.each([
    // [compare.qualityBar, what the verdict may pick]
    // Intervals, not points: a lane is admitted when its 95% interval reaches the bar (a tie).
    ["stack-model", (q: Quality, own: Quality, same: boolean) => same || q.high >= own.low],
    ["any", () => true],
    ["same-model", (_q: Quality, _o: Quality, same: boolean) => same],
    [1400, (q: Quality) => q.high >= 1400],
  ] as const)("compare.qualityBar %s: eligible exactly when the bar allows", (bar, allowed) => {
    const p = project(resolve(merge(base.managed, { compare: { qualityBar: bar } })));
    const own = p.config.model.quality!;
    for (const l of p.lanes)
      expect(l.meetsQualityBar, `${l.option.id} under ${bar}`).toBe(
        allowed(l.option.quality!, own, l.sameModel),
      );
    const chosen = p.lanes.find((l) => l.option.id === p.verdict.option)!;
    expect(chosen.eligible).toBe(true);
    for (const l of p.lanes.filter((x) => x.eligible))
      expect(chosen.breakdown.total).toBeLessThanOrEqual(l.breakdown.total);
  });

  it("with qualityBar any the cheapest lane wins even when weaker, and the verdict says how much weaker", () => {
    const p = project(resolve(merge(base.managed, { compare: { qualityBar: "any" } })));
    expect(p.verdict.option).toBe("api:gpt-4o-mini");
    expect(p.verdict.reason).toContain("tied with llama-3.3-70b (1320, 1316–1323)");
  });

  it("a score bar no lane reaches says so and names the best-rated lane, recommending nothing", () => {
    const p = project(
      resolve(merge(base.managed, { compare: { qualityBar: 1480, apis: ["gpt-4o-mini", "gpt-4.1"] } })),
    );
    expect(p.verdict).toMatchObject({ choice: "below-bar", option: null, runnerUp: null });
    expect(p.verdict.summary).toBe(
      "No lane meets the quality bar: compare.qualityBar asks for LMArena text 1480, and llama-3.3-70b scores 1320.",
    );
    expect(p.verdict.reason).toContain("The best-rated compared lane is OpenAI gpt-4.1 (LMArena text 1412");
  });

  it("the budget ratio is taken against the cheapest API that meets the quality bar", () => {
    const p = project(resolve(merge(base.managed, { budget: { maxRatioToCheapestApi: 100 } })));
    const good = p.lanes.filter((l) => l.option.kind === "api" && l.meetsQualityBar);
    const cheapestGood = Math.min(...good.map((l) => l.breakdown.total));
    expect(p.budget.ratioToCheapestApi).toBeCloseTo(p.selfHosted.breakdown.total / cheapestGood, 9);
  });

  it("an uncatalogued model is rated by model.arenaScore, and without one the default bar warns and holds nothing back", () => {
    const custom = {
      id: "acme/chat-70b",
      parameters: 70.6e9,
      layers: 80,
      kvHeads: 8,
      headDim: 128,
      contextLength: 131072,
    };
    const rated = project(resolve(merge(base.kubernetes, { model: { ...custom, arenaScore: 1405 } })));
    // A stated score has no interval: the bar's low end is the score itself.
    expect(rated.config.compare.qualityBar).toEqual({ kind: "stack-model", minScore: 1405, minLow: 1405 });
    expect(rated.lanes.find((l) => l.option.id === "api:gpt-4o-mini")!.meetsQualityBar).toBe(false);
    expect(rated.lanes.find((l) => l.option.id === "api:gpt-4.1")!.meetsQualityBar).toBe(true);
    const unrated = project(resolve(merge(base.kubernetes, { model: custom })));
    expect(unrated.config.compare.qualityBar).toEqual({ kind: "unrated" });
    expect(unrated.lanes.every((l) => l.meetsQualityBar)).toBe(true);
    // Rated nowhere, it compares on the newest index, and the warning names that index's setting.
    expect(unrated.config.compare.qualityIndex.id).toBe("aa-intelligence");
    expect(unrated.warnings).toContainEqual(expect.stringContaining("set model.intelligenceIndex"));
  });

  it("a stale quality snapshot deciding between models is warned about; a fresh one or same-model is not", () => {
    const stale = project(resolve(base.managed));
    expect(stale.warnings).toContainEqual(
      expect.stringMatching(
        /^the verdict weighs models by LMArena text scores older than prices\.maxAgeDays 30 \(the 2025-12 snapshot, \d+ days old/,
      ),
    );
    const fresh = project(resolve(merge(base.managed, { prices: { maxAgeDays: 3650 } })));
    expect(fresh.warnings.some((w) => w.includes("LMArena text scores older"))).toBe(false);
    const same = project(resolve(merge(base.managed, { compare: { qualityBar: "same-model" } })));
    expect(same.warnings.some((w) => w.includes("LMArena text scores older"))).toBe(false);
  });

  it.each([
    // [replicas at peak, GPUs per replica, GPUs per server, servers]
    [3, 1, 8, 1],
    [9, 1, 8, 2],
    [3, 3, 8, 2], // two 3-GPU replicas fit a server; the third needs another
    [5, 5, 8, 5], // a 5-GPU replica leaves 3 GPUs no replica can use
    [2, 16, 8, 4], // a replica larger than a server takes whole servers
    [0, 4, 8, 1],
  ])(
    "owned: %i replica(s) of %i GPU(s) on %i-GPU servers need %i server(s)",
    (replicas, gpus, per, servers) => {
      expect(serversFor(replicas, gpus, per)).toBe(servers);
    },
  );

  it("owned hardware is bought for the plan's peak, not for scaling.max", () => {
    const small = project(
      resolve(
        merge(base.kubernetes, {
          scaling: { max: 16 },
          kubernetes: { modelCacheAccessMode: "ReadWriteMany" },
        }),
      ),
    );
    const owned = small.lanes.find((l) => l.option.id === "owned")!;
    const peak = owned.breakdown.plan!.peakReplicas;
    expect(peak).toBeLessThan(16);
    expect(owned.option.label).toContain(`owned ${serversFor(peak, 4, 8)}×`);
  });
});

describe("break-even as intervals", () => {
  it("reports every crossing: a replica step can lift self-hosting above an API it had undercut", () => {
    const p = project(
      resolve(
        merge(base.aws, {
          aws: { instanceType: "g6e.xlarge" },
          workload: { monthlyInputTokens: 1e9, monthlyOutputTokens: 1e8 },
          scaling: { max: 4 },
        }),
      ),
    );
    const row = p.breakEven.find((r) => r.against === "api:gpt-4o-mini")!;
    expect(row.cheaperBetween.length).toBeGreaterThanOrEqual(2);
    const text = describeIntervals(row);
    expect(text).toMatch(/^between [\d.]+[MB] and [\d.]+[MB],? .*above [\d.]+[MB]$/);
    // The first crossing stays where the single break-even figure puts it.
    expect(row.cheaperBetween[0]!.from).toBeCloseTo(row.monthlyOutputTokens!, -3);
  });

  it("ranges that touch are one range, and an open range ends at the most the fleet serves", () => {
    // onprem: several hours' demands reach the same replica step a float's last bit apart, which
    // split one range into "between 3.39B and 3.64B and above 3.64B".
    const p = project(resolve(merge(base.kubernetes, onpremLoad)));
    const limit = p.selfHosted.option.maxScale * p.config.workload.monthlyOutputTokens;
    for (const row of p.breakEven) {
      for (let i = 1; i < row.cheaperBetween.length; i++)
        expect(row.cheaperBetween[i]!.from - row.cheaperBetween[i - 1]!.to!).toBeGreaterThan(1e-6 * limit);
      const text = describeIntervals(row, limit, p.config.workload.monthlyOutputTokens);
      expect(text).not.toMatch(/above/);
      if (row.cheaperBetween.at(-1)?.to === null)
        expect(text).toMatch(/ and [\d.]+B \([\d.]+B is the most the fleet serves\)$/);
    }
    const mini = p.breakEven.find((r) => r.against === "api:gpt-5-mini")!;
    expect(mini.cheaperBetween.length).toBe(1);
  });
});

describe("break-even between two per-token lanes (a managed-open stack)", () => {
  it.each([
    // Both carry the same fixed labour, so they start level at zero volume: the dearer tokens never win.
    ["api:gpt-4o-mini", []],
    ["managed:together", [{ from: 0, to: null }]],
  ] as const)("against %s: %j", (against, expected) => {
    const p = project(resolve(base.managed));
    expect(p.breakEven.find((r) => r.against === against)!.cheaperBetween).toEqual(expected);
  });

  it("agrees with a brute-force sweep at every compared lane", () => {
    const cfg = resolve(base.managed);
    const self = stackOption(cfg);
    for (const other of allOptions(cfg).filter((o) => o.kind === "api" || o.kind === "managed")) {
      const intervals = cheaperIntervals(self, other, 100);
      for (let i = 1; i <= 100; i++) {
        const cheaper = other.at(i).total >= self.at(i).total;
        expect(
          intervals.some((x) => i >= x.from && (x.to === null || i <= x.to)),
          `${other.id} at ${i}×`,
        ).toBe(cheaper);
      }
    }
  });
});

/**
 * The stack's cheaper-between intervals against one per-token lane (the `which`th) agree with a
 * brute-force sweep of both costs at 400 volumes, away from the intervals' ends.
 */
function agreesWithSweep(raw: Parameters<typeof resolve>[0], which: number): boolean {
  const cfg = resolve(raw);
  const self = stackOption(cfg);
  const others = allOptions(cfg).filter((o) => o.kind === "api" || o.kind === "managed");
  const other = others[which % others.length]!;
  const intervals = cheaperIntervals(self, other);
  const limit = self.maxScale;
  const inside = (s: number) => intervals.some((x) => s >= x.from && (x.to === null || s <= x.to));
  const near = (s: number) =>
    intervals.some(
      (x) => Math.abs(s - x.from) < limit * 2e-3 || (x.to !== null && Math.abs(s - x.to) < limit * 2e-3),
    );
  for (let i = 1; i <= 400; i++) {
    const s = (i / 400) * limit;
    const selfCheaper = other.at(s).total >= self.at(s).total;
    if (!near(s)) expect(inside(s), `scale ${s} of ${limit} against ${other.id}`).toBe(selfCheaper);
  }
  return true;
}

describe("properties", () => {
  const workload = fc.record({
    out: fc.double({ min: 1e7, max: 2e10, noNaN: true }),
    ratio: fc.double({ min: 0.5, max: 20, noNaN: true }),
    max: fc.integer({ min: 1, max: 12 }),
  });

  const bars = fc.constantFrom("stack-model", "same-model", "any", 1250, 1400, 1495);

  it("the verdict's option is never dearer than an eligible alternative, and is eligible, at any quality bar", () => {
    fc.assert(
      fc.property(workload, bars, ({ out, ratio, max }, qualityBar) => {
        const p = project(
          resolve(
            merge(base.aws, {
              workload: { monthlyInputTokens: out * ratio, monthlyOutputTokens: out },
              scaling: { max },
              compare: { qualityBar },
            }),
          ),
        );
        // Eligibility decided here from first principles, not read from the lanes' own flags: the
        // capacity plan serves every token, and the quality rule of each bar, written out plainly.
        // Intervals: a lane passes when its 95% interval reaches the bar (ties are ties).
        const stackLow = p.lanes.find((l) => l.isStack)!.option.quality?.low;
        const passes = (l: (typeof p.lanes)[number]) => {
          const high = l.option.quality?.high;
          const sameModel = l.option.kind !== "api" && l.option.kind !== "hybrid";
          if (typeof qualityBar === "number") return high !== undefined && high >= qualityBar;
          if (qualityBar === "any") return true;
          if (qualityBar === "same-model") return sameModel || l.option.kind === "hybrid";
          return sameModel || stackLow === undefined || (high !== undefined && high >= stackLow);
        };
        const eligible = p.lanes.filter((l) => (l.breakdown.plan?.unservedShare ?? 0) <= 1e-9 && passes(l));
        expect(p.lanes.filter((l) => l.eligible).map((l) => l.option.id)).toEqual(
          eligible.map((l) => l.option.id),
        );
        if (p.verdict.option === null) return eligible.length === 0;
        // Brute force: the verdict is a cheapest of those lanes.
        const cheapest = Math.min(...eligible.map((l) => l.breakdown.total));
        const chosen = p.lanes.find((l) => l.option.id === p.verdict.option)!;
        expect(eligible).toContain(chosen);
        expect(chosen.breakdown.total).toBe(cheapest);
        if (p.verdict.choice !== "cannot-serve") expect(p.lanes.find((l) => l.isStack)!.canServe).toBe(true);
        return true;
      }),
      { numRuns: RUNS, seed },
    );
  });

  it("a hand-built staircase against a line that flattens: every cheaper window found, none after the line flattens", () => {
    // Self: $100 a step of 10 units (x in (10(k-1), 10k] costs 100k). Other: $10.05 a unit up to 1,000,
    // then $0.001 a unit. By hand: self ≤ other on [100k/10.05, 10k] for k = 1…100 (a window at the end
    // of each step), and never after 1,000 (other ≈ $10,050 while self is ≥ $10,100).
    const M = 1e6;
    const other = {
      at: (x: number) => ({ total: Math.round((x <= 1000 ? 10.05 * x : 10050 + 0.001 * (x - 1000)) * M) }),
    };
    const self = {
      at: (x: number) => ({ total: Math.round(100 * Math.max(1, Math.ceil(x / 10 - 1e-9)) * M) }),
      breakpoints: Array.from({ length: 5000 }, (_, i) => 10 * (i + 1)),
      maxScale: 50_000,
    };
    const intervals = cheaperIntervals(self as never, other as never);
    expect(intervals).toHaveLength(100);
    intervals.forEach((x, i) => {
      const k = i + 1;
      expect(x.from).toBeCloseTo((100 * k) / 10.05, 6);
      expect(x.to).toBeCloseTo(10 * k, 6);
    });
  });

  it("with thousands of replica steps (the runs cheaperIntervals settles four prices at a time), the intervals still agree with a brute-force sweep", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e9, max: 1e12, noNaN: true }),
        fc.integer({ min: 200, max: 5000 }),
        fc.integer({ min: 0, max: 3 }),
        (out, max, which) =>
          agreesWithSweep(
            merge(base.aws, {
              workload: { monthlyInputTokens: out * 5, monthlyOutputTokens: out, peakToAverage: 3 },
              scaling: { max },
            }),
            which,
          ),
      ),
      { numRuns: 8, seed },
    );
  });

  it("the cheaper-between intervals agree with a brute-force sweep of both costs", () => {
    fc.assert(
      fc.property(workload, fc.integer({ min: 0, max: 3 }), ({ out, ratio, max }, which) =>
        agreesWithSweep(
          merge(base.aws, {
            workload: { monthlyInputTokens: out * ratio, monthlyOutputTokens: out },
            scaling: { max },
          }),
          which,
        ),
      ),
      { numRuns: Math.max(10, Math.round(RUNS / 3)), seed },
    );
  });
});

describe("freshness of the prices behind the verdict", () => {
  it("names every stale published price the verdict compares, once, and none when all are fresh", () => {
    const stale = project(resolve(merge(base.aws, { prices: { maxAgeDays: 30 } })));
    const w = stale.warnings.find((x) => x.startsWith("the verdict compares prices older than"))!;
    expect(w).toBeDefined();
    const chosen = stale.lanes.find((l) => l.option.id === stale.verdict.option)!;
    for (const item of chosen.breakdown.lineItems.filter((i) => i.monthly > 0 && !i.source.estimate))
      if (item.name !== "operations labour") expect(w).toContain(item.source.url);
    const fresh = project(resolve(merge(base.aws, { prices: { maxAgeDays: 3650 } })));
    expect(fresh.warnings.some((x) => x.startsWith("the verdict compares prices older than"))).toBe(false);
  });

  it("no price source points outside the repository", () => {
    const p = project(resolve(base.kubernetes));
    for (const l of p.lanes)
      for (const item of l.breakdown.lineItems) expect(item.source.url).not.toMatch(/^shared\/|\.\.\//);
  });
});

describe("a winning stack is told where its money goes, not why it would lose", () => {
  it("owned server, same-model bar, beaten alternatives: its biggest item and share, no 'alone is'", () => {
    const p = project(
      resolve(
        merge(base.kubernetes, {
          workload: { requestsPerMonth: 8e6 },
          scaling: { min: 1, max: 2 },
          compare: { qualityBar: "same-model", apis: ["gpt-4.1"], managedHosts: false },
        }),
      ),
    );
    const chosen = p.lanes.find((l) => l.option.id === p.verdict.option)!;
    expect(chosen.isStack).toBe(true);
    // The share recomputed from the stack's own line items.
    const items = [...p.selfHosted.breakdown.lineItems].sort((a, b) => b.monthly - a.monthly);
    const share = Math.round((items[0]!.monthly / p.selfHosted.breakdown.total) * 100);
    expect(p.verdict.reason).toContain(`Its biggest cost is ${items[0]!.name}, ${share}% of its bill.`);
    expect(p.verdict.reason).not.toMatch(/alone is|sit idle|loses/);
  });
});

describe("the hybrid lane (workload.routing)", () => {
  const raw = merge(base.kubernetes, {
    scaling: { min: 1, max: 4 },
    kubernetes: { modelCacheAccessMode: "ReadWriteMany" },
    workload: { requestsPerMonth: 4e6, routing: { api: "gpt-4.1", hardShare: 0.2 } },
    compare: { apis: ["gpt-4o-mini", "gpt-4.1"] },
  });

  it("is priced beside the pure lanes: the API at the hard share plus the stack's deployment at the rest", () => {
    const cfg = resolve(raw);
    const p = project(cfg);
    const lane = p.lanes.find((l) => l.option.id === "hybrid:api:gpt-4.1:0.2")!;
    // Recomputed by hand from the API's prices and the stack's own lane: 20% of the tokens at gpt-4.1's
    // list prices ($2/M input, $0.50/M cached input, $8/M output) plus its labour, and the stack's
    // deployment priced alone at 80% of the requests.
    const w = cfg.workload;
    const share = 0.2;
    const cachedIn = w.monthlyInputTokens * w.cachedInputShare * share;
    const freshIn = w.monthlyInputTokens * share - cachedIn;
    const apiUsd =
      (freshIn / 1e6) * 2 + (cachedIn / 1e6) * 0.5 + ((w.monthlyOutputTokens * share) / 1e6) * 8 + 2 * 96;
    const rest = resolve(merge(raw, { workload: { requestsPerMonth: 4e6 * 0.8, routing: undefined } }));
    const restUsd = project(rest).selfHosted.breakdown.total / 1e6;
    expect(lane.breakdown.total / 1e6).toBeCloseTo(apiUsd + restUsd, 1);
    expect(p.hybrid).toMatchObject({ api: "api:gpt-4.1", hardShare: 0.2 });
  });

  it("the cheapest split keeps at least the hard share on the API (below all of it: that is the API's lane) and no finer split is cheaper", () => {
    const cfg = resolve(raw);
    const p = project(cfg);
    const best = p.hybrid!.cheapestShare;
    expect(best).toBeGreaterThanOrEqual(0.2);
    const self = stackOption(cfg);
    const api = allOptions(cfg).find((o) => o.id === "api:gpt-4.1")!;
    const cost = (h: number) => api.at(h).total + self.at(1 - h).total;
    for (let h = 0.2; h <= 0.99; h += 0.005)
      if (self.maxScale >= 1 - h) expect(cost(best)).toBeLessThanOrEqual(cost(h) + 1);
  });

  it("routing to an API that is not compared is a config error naming the setting and the fix", () => {
    expect(() => resolve(merge(raw, { workload: { routing: { api: "gpt-5", hardShare: 0.2 } } }))).toThrow(
      /workload\.routing\.api: must be one of compare\.apis \(gpt-4o-mini, gpt-4\.1\)/,
    );
  });
});
