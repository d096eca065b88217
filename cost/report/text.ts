/** The human cost report: line items with sources, API comparison, break-even, verdict, chart. */
import { describeEngine } from "../catalog/engine";
import { ageDays, scoreLabel, type Source } from "../catalog";
import { formatTokens } from "../format";
import { describeReplica } from "../replica";
import { formatUsd } from "../money";
import { describeIntervals, type Projection } from "../projection";
import { robustnessLine } from "../robustness";
import { chartData } from "./chart-data";
import { terminalChart } from "./terminal-chart";
import { fit, fittedTable, table } from "./wrap";

/** Where a line's price came from and how old it is. */
export function priceLabel(source: Source, now: Date): string {
  if (source.origin === "override") return "stack override";
  const age = ageDays(source, now);
  if (source.origin === "cache") return `price list, fetched ${age === 0 ? "today" : `${age} days ago`}`;
  return `${source.estimate ? "estimate" : "catalog"}, as of ${source.asOf}`;
}

export interface TextOptions {
  /** Omit the chart: the compact form printed in `pulumi preview`. */
  readonly compact?: boolean;
  /** Each line item's formula under it (`--detail`). */
  readonly detail?: boolean;
  /** Columns to fit. Default 100. */
  readonly width?: number;
  /** Bold verdict and yellow warnings (ANSI), for a terminal. Default off. */
  readonly colour?: boolean;
}

export function textReport(p: Projection, opts: TextOptions = {}): string {
  const c = p.config;
  const out: string[] = [];
  const width = opts.width ?? 100;
  const w = c.workload;
  out.push(`vllm-tco cost · stack ${c.stack} · ${c.platform} · ${c.model.key} ${c.model.dtype}`);
  out.push(
    `workload: ${formatTokens(w.monthlyInputTokens)} input + ${formatTokens(w.monthlyOutputTokens)} output tokens/month, ${Math.round(w.cachedInputShare * 100)}% cached input, ${w.activeHoursPerDay} h/day × ${w.activeDaysPerWeek} days/week, peak ${w.peakToAverage}× average`,
  );
  if (p.replica) {
    const r = p.replica;
    out.push(
      `replica: ${describeReplica(r, c)}`,
      `engine: ${describeEngine(r.capacity.engine.version, r.capacity.engine.caps)}, tensor parallel ${c.gpu.tensorParallel}${c.gpu.count > c.gpu.tensorParallel ? ` × ${c.gpu.count / c.gpu.tensorParallel} data-parallel engines` : ""}; capacity from the replica simulator (README: how the simulator is checked)`,
    );
  }
  const plan = p.selfHosted.breakdown.plan;
  if (plan)
    out.push(
      `capacity: ${plan.servingReplicaHours.toFixed(0)} serving + ${plan.idleReplicaHours.toFixed(0)} idle replica-hours/month, peak ${plan.peakReplicas} replica(s), ${Math.round(plan.utilization * 100)}% utilised while serving`,
    );
  out.push("", `${p.selfHosted.option.label}: ${formatUsd(p.selfHosted.breakdown.total)}/month`);
  const items = p.selfHosted.breakdown.lineItems;
  const rows = table(
    items.map((li) => [
      `  ${li.name}`,
      formatUsd(li.monthly),
      priceLabel(li.source, new Date(c.evaluatedAt)),
    ]),
    ["l", "r", "l"],
  );
  rows.forEach((row, i) => out.push(row, ...(opts.detail ? [`      = ${items[i]!.formula}`] : [])));
  out.push("", "against per-token options:");
  const be = new Map(p.breakEven.map((b) => [b.against, b]));
  const subject = p.selfHosted.option.kind === "managed" ? "this host" : "self-hosting";
  const perToken = [...p.apis, ...p.managed].map((a) => {
    const b = be.get(a.option.id);
    return [
      `  ${a.option.label}`,
      `${formatUsd(a.breakdown.total)}/month`,
      b
        ? `${subject} cheaper ${describeIntervals(b, p.selfHosted.option.maxScale * c.workload.monthlyOutputTokens, c.workload.monthlyOutputTokens)}`
        : "",
    ];
  });
  // Too wide for the terminal: the break-even goes under its row, so the columns stay aligned.
  out.push(...fittedTable(perToken, ["l", "r", "l"], width, [2]));
  if (p.selfHostedAlternatives.length) {
    out.push("", "self-hosting the same model instead:");
    out.push(
      ...table(
        p.selfHostedAlternatives.map((a) => [`  ${a.option.label}`, `${formatUsd(a.breakdown.total)}/month`]),
        ["l", "r"],
      ),
    );
  }
  const snapshot = c.model.quality ?? p.lanes.find((l) => l.option.quality)?.option.quality;
  out.push(
    "",
    `every lane, cheapest first (* the stack's own; - not eligible for the verdict; quality: ${c.compare.qualityIndex.name} score${snapshot ? `, ${snapshot.source.asOf}` : ""}):`,
  );
  out.push(
    ...fittedTable(
      p.lanes.map((l) => [
        `  ${l.isStack ? "*" : l.eligible ? " " : "-"} ${l.option.label}`,
        `${formatUsd(l.breakdown.total)}/month`,
        scoreLabel(l.option.quality?.score),
        l.excluded ?? (l.sameModel ? "" : l.option.kind === "hybrid" ? "weaker part" : "another model"),
      ]),
      ["l", "r", "r", "l"],
      width,
      [3],
    ),
  );
  if (p.hybrid) {
    const h = p.hybrid;
    const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
    out.push(
      "",
      h.cheapestShare === h.hardShare
        ? `hybrid: the hard share (${pct(h.hardShare)}) on ${h.api.replace(/^api:/, "")} is already the cheapest split that keeps it there`
        : `hybrid: sending ${pct(h.cheapestShare)} to ${h.api.replace(/^api:/, "")} (not just the hard share, ${pct(h.hardShare)}) is the cheapest split`,
    );
  }
  const bold = (t: string) => (opts.colour ? `\x1b[1m${t}\x1b[22m` : t);
  const yellow = (t: string) => (opts.colour ? `\x1b[33m${t}\x1b[39m` : t);
  const lines = fit(out, width);
  lines.push(
    "",
    ...fit([p.verdict.summary], width).map(bold),
    ...fit([p.verdict.reason], width),
    ...fit([robustnessLine(p.robustness)], width),
  );
  const b = p.budget;
  if (!b.ok) lines.push(...fit([`budget (${b.enforce}): ${b.violations.join("; ")}`], width).map(yellow));
  for (const warning of p.warnings) lines.push(...fit([`warning: ${warning}`], width).map(yellow));
  if (!opts.compact) lines.push("", ...fit([terminalChart(chartData(p, Math.min(60, width - 14)))], width));
  return lines.join("\n");
}
