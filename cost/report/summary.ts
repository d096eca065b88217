/**
 * The short cost summary a Pulumi stack exports (`pulumi stack output cost`): the verdict, the stack's
 * own monthly figure, the cheapest eligible alternative and its break-even, read from the same JSON
 * document `vllm-tco cost --json` prints. The whole document stays on the CostReport component (what
 * the policy pack reads) and one command away: a preview prints every output, and the full document
 * is about two thousand lines.
 */
import type { CostDocument } from "./json";

export interface CostSummary {
  readonly version: CostDocument["version"];
  readonly verdict: string;
  readonly choice: string;
  /** The stack's own option and what it costs a month. */
  readonly stack: { readonly option: string; readonly label: string; readonly monthlyUsd: number };
  /** The cheapest lane other than the stack's own that can serve the load and meets the quality bar. */
  readonly cheapestAlternative: {
    readonly id: string;
    readonly name: string;
    readonly monthlyUsd: number;
  } | null;
  /** Where the stack's option is cheaper than that alternative, in monthly output tokens; null when not compared. */
  readonly breakEven: string | null;
  readonly budgetOk: boolean;
  /** Where the full document is. */
  readonly fullReport: string;
}

function tokens(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toPrecision(3)}B`;
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  return `${Math.round(n)}`;
}

function breakEvenText(doc: CostDocument, alternativeId: string): string | null {
  const row = doc.breakEven.find((b) => b.api === alternativeId.replace(/^api:/, ""));
  if (!row) return null;
  const subject = doc.platform === "managed" ? "the stack's host" : "self-hosting";
  if (!row.cheaperBetween.length)
    return row.reason ?? `${subject} is not cheaper at any volume the fleet can serve`;
  const ranges = row.cheaperBetween.map((r) =>
    r.toOutputTokens === null
      ? r.fromOutputTokens <= 0
        ? "at every volume"
        : `above ${tokens(r.fromOutputTokens)}`
      : `between ${tokens(r.fromOutputTokens)} and ${tokens(r.toOutputTokens)}`,
  );
  return `${subject} is cheaper ${ranges.join(", ")} output tokens a month`;
}

export function costSummary(doc: CostDocument): CostSummary {
  const alternative = doc.lanes
    .filter((l) => !l.stack && l.eligible)
    .reduce<CostDocument["lanes"][number] | undefined>(
      (best, l) => (best === undefined || l.monthlyUsd < best.monthlyUsd ? l : best),
      undefined,
    );
  return {
    version: doc.version,
    verdict: doc.verdict.summary,
    choice: doc.verdict.choice,
    stack: {
      option: doc.selfHosted.option,
      label: doc.selfHosted.label,
      monthlyUsd: doc.selfHosted.monthlyUsd,
    },
    cheapestAlternative: alternative
      ? { id: alternative.id, name: alternative.name, monthlyUsd: alternative.monthlyUsd }
      : null,
    breakEven: alternative ? breakEvenText(doc, alternative.id) : null,
    budgetOk: doc.budget.ok,
    fullReport: `npx vllm-tco cost --stack ${doc.stack} --json`,
  };
}
