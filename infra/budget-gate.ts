/**
 * The budget gate (pure): the message that stops an update when a mandatory budget rule fails, with
 * the projected figure, the limit and the biggest line items, so the reader knows what to change.
 */
import { formatUsd } from "../cost/money";
import type { Projection } from "../cost/projection";

export function budgetMessage(p: Projection): string {
  const top = [...p.selfHosted.breakdown.lineItems]
    .sort((a, b) => b.monthly - a.monthly)
    .slice(0, 3)
    .map((li) => `${li.name} ${formatUsd(li.monthly)}`)
    .join(", ");
  const stack = p.config.stack;
  return (
    `budget (${p.budget.enforce}) for stack ${stack}: ${p.budget.violations.join("; ")}. ` +
    `Biggest line items: ${top}. ` +
    (p.budget.enforce === "mandatory"
      ? "No resource was registered. Lower the cost (scaling.max, aws.purchase, workload) or raise vllm-tco:budget, or set budget.enforce: advisory."
      : "Continuing: budget.enforce is advisory.")
  );
}
