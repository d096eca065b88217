/**
 * The versioned JSON cost document: what `vllm-tco cost --json` prints, what the Pulumi program
 * exports as the `costReport` output and what the policy pack reads. Bump REPORT_VERSION on any
 * breaking change to its shape.
 */
import { ageDays, CATALOG_AS_OF, QUALITY_INDEXES, type Quality, type Source } from "../catalog";
import { sum, toCents } from "../money";
import type { LineItem } from "../options";
import type { Priced, Projection } from "../projection";
import type { Robustness } from "../robustness";

export const REPORT_VERSION = "1";

export interface LineItemDoc {
  readonly name: string;
  readonly monthlyUsd: number;
  /** The source's title. */
  readonly source: string;
  readonly sourceUrl: string;
  readonly asOf: string;
  readonly estimate: boolean;
  /** catalog | cache | override: which of the price sources, in precedence order, was used. */
  readonly priceOrigin: "catalog" | "cache" | "override";
  /** Days since the price was checked or fetched; null for a stack override. */
  readonly ageDays: number | null;
  /** monthlyUsd = quantity × unitPriceUsd (rounded to cents): the item as data, not only as text. */
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly formula: string;
}

/** A lane's or model's score on the stack's quality index (compare.qualityIndex), with its source and age. */
export interface QualityDoc {
  /** The index's name: "LMArena text" or "AA Intelligence Index v4.1". */
  readonly index: string;
  readonly score: number;
  /** 95% confidence interval. */
  readonly low: number;
  readonly high: number;
  /** The leaderboard entry the score belongs to. */
  readonly entry: string;
  readonly source: string;
  readonly sourceUrl: string;
  readonly asOf: string;
  /** Days since the snapshot; null for a score the stack states (model.arenaScore, model.intelligenceIndex). */
  readonly ageDays: number | null;
}

/** A priced per-token or alternative row: its total, its line items (each with source and date), its quality. */
export interface PricedRowDoc {
  readonly id: string;
  readonly name: string;
  readonly monthlyUsd: number;
  readonly lineItems: readonly LineItemDoc[];
  readonly quality: QualityDoc | null;
}

export interface CostDocument {
  readonly version: typeof REPORT_VERSION;
  readonly stack: string;
  readonly platform: string;
  readonly model: {
    readonly key: string;
    readonly huggingFaceId: string;
    readonly dtype: string;
    readonly servedName: string;
    readonly quality: QualityDoc | null;
  };
  /** compare.qualityBar as applied: the setting, and the score a lane must reach (null: no score bar). */
  readonly qualityBar: {
    readonly setting: string;
    readonly minScore: number | null;
    /** compare.qualityIndex: the index every quality score in the document is on. */
    readonly index: string;
    readonly indexName: string;
  };
  readonly catalogAsOf: string;
  readonly workload: {
    readonly monthlyInputTokens: number;
    readonly monthlyOutputTokens: number;
    readonly cachedInputShare: number;
  };
  readonly selfHosted: {
    readonly option: string;
    readonly label: string;
    readonly monthlyUsd: number;
    readonly lineItems: readonly LineItemDoc[];
    readonly replica: null | {
      readonly gpu: string;
      readonly gpus: number;
      readonly concurrency: number;
      readonly outputTokensPerSecond: number;
      readonly rooflineOutputTokensPerSecond: number;
      readonly maxConcurrency: number;
      readonly requestsPerSecond: number;
      /** Simulated p90 latencies at capacity, ms. */
      readonly interTokenLatencyMs: number;
      readonly timeToFirstTokenMs: number;
      readonly latencyMet: boolean;
      readonly binding: string;
      readonly engine: {
        readonly vllmVersion: string;
        readonly generation: string;
        readonly maxNumSeqs: number;
        readonly maxNumBatchedTokens: number | null;
        readonly tensorParallel: number;
        readonly dataParallel: number;
      };
    };
    readonly capacity: null | {
      readonly servingReplicaHours: number;
      readonly idleReplicaHours: number;
      readonly peakReplicas: number;
      readonly utilization: number;
      readonly unservedShare: number;
    };
  };
  readonly apis: readonly PricedRowDoc[];
  readonly managed: readonly PricedRowDoc[];
  /** Managed-open stacks only: renting or owning GPUs for the same model and workload. */
  readonly selfHostedAlternatives: readonly PricedRowDoc[];
  readonly breakEven: readonly {
    readonly api: string;
    readonly name: string;
    readonly monthlyOutputTokens: number | null;
    readonly reason?: string;
    /** Every output-token volume range where the stack's option is the cheaper; `toOutputTokens` null: up to the fleet's limit. */
    readonly cheaperBetween: readonly {
      readonly fromOutputTokens: number;
      readonly toOutputTokens: number | null;
    }[];
  }[];
  readonly lanes: readonly {
    readonly id: string;
    readonly name: string;
    readonly kind: string;
    readonly monthlyUsd: number;
    /** Engineer time priced for this lane (stated assumptions per lane; the stack's own from operations.hoursPerMonth). */
    readonly operationsMonthlyUsd: number;
    readonly stack: boolean;
    readonly sameModel: boolean;
    readonly quality: QualityDoc | null;
    readonly meetsQualityBar: boolean;
    /** Its line items, each with its price's source and date. */
    readonly lineItems: readonly LineItemDoc[];
    readonly canServe: boolean;
    readonly neededScalingMax?: number;
    readonly eligible: boolean;
    readonly excluded?: string;
  }[];
  /** With workload.routing: the hard share on the frontier API and the cheapest split at or above it. */
  readonly hybrid: {
    readonly api: string;
    readonly hardShare: number;
    readonly cheapestShare: number;
  } | null;
  readonly verdict: {
    readonly choice: string;
    readonly option: string | null;
    readonly runnerUp: string | null;
    readonly summary: string;
    readonly reason: string;
  };
  /** For each assumption that is not a published price: where in its range the verdict changes, if it does. */
  readonly robustness: Robustness;
  readonly budget: {
    readonly enforce: string;
    readonly ok: boolean;
    readonly violations: readonly string[];
    readonly ratioToCheapestApi: number | null;
  };
  readonly warnings: readonly string[];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function sourceFields(s: Source, now: Date) {
  const origin = s.origin ?? "catalog";
  return {
    source: s.title,
    sourceUrl: s.url,
    asOf: s.asOf,
    estimate: s.estimate === true,
    priceOrigin: origin,
    ageDays: origin === "override" ? null : (ageDays(s, now) ?? null),
  };
}

function lineItem(li: LineItem, now: Date): LineItemDoc {
  return {
    name: li.name,
    monthlyUsd: toCents(li.monthly),
    ...sourceFields(li.source, now),
    quantity: li.quantity,
    unit: li.unit,
    unitPriceUsd: li.unitPrice,
    formula: li.formula,
  };
}

function qualityDoc(q: Quality | undefined, now: Date): QualityDoc | null {
  if (!q) return null;
  return {
    index: QUALITY_INDEXES[q.index].name,
    score: q.score,
    low: q.low,
    high: q.high,
    entry: q.entry,
    source: q.source.title,
    sourceUrl: q.source.url,
    asOf: q.source.asOf,
    ageDays: q.source.origin === "override" ? null : (ageDays(q.source, now) ?? null),
  };
}

function pricedRow(p: Priced, now: Date, id = p.option.id): PricedRowDoc {
  return {
    id,
    name: p.option.label,
    monthlyUsd: toCents(p.breakdown.total),
    lineItems: p.breakdown.lineItems.map((li) => lineItem(li, now)),
    quality: qualityDoc(p.option.quality, now),
  };
}

export function toDocument(p: Projection): CostDocument {
  const c = p.config;
  const now = new Date(c.evaluatedAt);
  const r = p.replica;
  const plan = p.selfHosted.breakdown.plan;
  return {
    version: REPORT_VERSION,
    stack: c.stack,
    platform: c.platform,
    model: {
      key: c.model.key,
      huggingFaceId: c.model.huggingFaceId,
      dtype: c.model.dtype,
      servedName: c.model.servedName,
      quality: qualityDoc(c.model.quality, now),
    },
    qualityBar: {
      setting: c.compare.qualityBar.kind,
      minScore: "minScore" in c.compare.qualityBar ? c.compare.qualityBar.minScore : null,
      index: c.compare.qualityIndex.id,
      indexName: c.compare.qualityIndex.name,
    },
    catalogAsOf: CATALOG_AS_OF,
    workload: {
      monthlyInputTokens: c.workload.monthlyInputTokens,
      monthlyOutputTokens: c.workload.monthlyOutputTokens,
      cachedInputShare: c.workload.cachedInputShare,
    },
    selfHosted: {
      option: p.selfHosted.option.id,
      label: p.selfHosted.option.label,
      monthlyUsd: toCents(p.selfHosted.breakdown.total),
      lineItems: p.selfHosted.breakdown.lineItems.map((li) => lineItem(li, now)),
      replica: r
        ? {
            gpu: r.gpu.key,
            gpus: r.gpus,
            concurrency: r.concurrency,
            outputTokensPerSecond: round(r.capacity.outputTokensPerSecond, 1),
            rooflineOutputTokensPerSecond: round(r.capacity.rooflineOutputTokensPerSecond, 1),
            maxConcurrency: r.capacity.maxConcurrency,
            requestsPerSecond: round(r.capacity.requestsPerSecond, 3),
            interTokenLatencyMs: round(r.capacity.run?.itlMs.p90 ?? NaN),
            timeToFirstTokenMs: round(r.capacity.run?.ttftMs.p90 ?? NaN),
            latencyMet: r.latencyMet,
            binding: r.capacity.binding,
            engine: {
              vllmVersion: r.capacity.engine.version.label,
              generation: r.capacity.engine.version.generation,
              maxNumSeqs: r.capacity.engine.caps.maxNumSeqs,
              maxNumBatchedTokens: Number.isFinite(r.capacity.engine.caps.maxNumBatchedTokens)
                ? r.capacity.engine.caps.maxNumBatchedTokens
                : null,
              tensorParallel: p.config.gpu.tensorParallel,
              dataParallel: r.gpus / p.config.gpu.tensorParallel,
            },
          }
        : null,
      capacity: plan
        ? {
            servingReplicaHours: round(plan.servingReplicaHours),
            idleReplicaHours: round(plan.idleReplicaHours),
            peakReplicas: plan.peakReplicas,
            utilization: round(plan.utilization, 3),
            unservedShare: round(plan.unservedShare, 4),
          }
        : null,
    },
    apis: p.apis.map((a) => pricedRow(a, now, a.option.id.replace(/^api:/, ""))),
    managed: p.managed.map((m) => pricedRow(m, now)),
    selfHostedAlternatives: p.selfHostedAlternatives.map((m) => pricedRow(m, now)),
    breakEven: p.breakEven.map((b) => ({
      api: b.against.replace(/^api:/, ""),
      name: b.label,
      monthlyOutputTokens: b.monthlyOutputTokens === null ? null : Math.round(b.monthlyOutputTokens),
      ...(b.reason && { reason: b.reason }),
      cheaperBetween: b.cheaperBetween.map((x) => ({
        fromOutputTokens: Math.round(x.from),
        toOutputTokens: x.to === null ? null : Math.round(x.to),
      })),
    })),
    lanes: p.lanes.map((l) => ({
      id: l.option.id,
      name: l.option.label,
      kind: l.option.kind,
      monthlyUsd: toCents(l.breakdown.total),
      // Every labour item: a hybrid carries one for each part ("hard share: operations labour", "rest: …").
      operationsMonthlyUsd: toCents(
        sum(l.breakdown.lineItems.filter((i) => i.name.endsWith("operations labour")).map((i) => i.monthly)),
      ),
      stack: l.isStack,
      sameModel: l.sameModel,
      quality: qualityDoc(l.option.quality, now),
      meetsQualityBar: l.meetsQualityBar,
      lineItems: l.breakdown.lineItems.map((li) => lineItem(li, now)),
      canServe: l.canServe,
      ...(l.neededScalingMax !== undefined && { neededScalingMax: l.neededScalingMax }),
      eligible: l.eligible,
      ...(l.excluded !== undefined && { excluded: l.excluded }),
    })),
    hybrid: p.hybrid ?? null,
    verdict: p.verdict,
    robustness: p.robustness,
    budget: {
      enforce: p.budget.enforce,
      ok: p.budget.ok,
      violations: p.budget.violations,
      ratioToCheapestApi: p.budget.ratioToCheapestApi === null ? null : round(p.budget.ratioToCheapestApi, 3),
    },
    warnings: p.warnings,
  };
}
