/** The stack's budget rule, checked against a projection: over the monthly limit, or too dear next to the cheapest API. */
import { formatUsd, toUsd, usd, type Micros } from "./money";

export interface BudgetRule {
  readonly monthlyUsd?: number;
  readonly maxRatioToCheapestApi?: number;
  readonly enforce: "mandatory" | "advisory";
}

export interface BudgetResult {
  readonly enforce: "mandatory" | "advisory";
  readonly ok: boolean;
  /** One sentence per broken rule, quoting the projected figure and the limit. */
  readonly violations: readonly string[];
  /** Projected cost over the cheapest compared API. */
  readonly ratioToCheapestApi: number | null;
}

export function checkBudget(
  rule: BudgetRule,
  selfHosted: Micros,
  cheapestApi?: { label: string; total: Micros },
): BudgetResult {
  const violations: string[] = [];
  // Fail closed: a figure that is not a finite amount can never pass a rule (NaN > limit is false).
  const figures = [selfHosted, ...(cheapestApi ? [cheapestApi.total] : [])];
  if (
    (rule.monthlyUsd !== undefined || rule.maxRatioToCheapestApi !== undefined) &&
    !figures.every(Number.isFinite)
  )
    violations.push("the projected cost is not a finite amount, so the budget rule cannot be shown to hold");
  if (rule.monthlyUsd !== undefined && selfHosted > usd(rule.monthlyUsd))
    violations.push(
      `projected ${formatUsd(selfHosted)}/month is over budget.monthlyUsd ${formatUsd(usd(rule.monthlyUsd))}`,
    );
  const ratio = cheapestApi && cheapestApi.total > 0 ? toUsd(selfHosted) / toUsd(cheapestApi.total) : null;
  if (rule.maxRatioToCheapestApi !== undefined && ratio !== null && ratio > rule.maxRatioToCheapestApi)
    violations.push(
      `projected ${formatUsd(selfHosted)}/month is ${ratio.toFixed(2)}× ${cheapestApi!.label} (${formatUsd(cheapestApi!.total)}/month), above budget.maxRatioToCheapestApi ${rule.maxRatioToCheapestApi}`,
    );
  return { enforce: rule.enforce, ok: violations.length === 0, violations, ratioToCheapestApi: ratio };
}
