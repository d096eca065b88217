/** `vllm-tco cost` and `vllm-tco compare`: a stack's projection as text, versioned JSON or HTML. */
import * as fs from "node:fs";
import { scoreLabel } from "../cost/catalog";
import { loadStack } from "../cost/config/stack-file";
import { formatUsd } from "../cost/money";
import { project, rank, standing, type Ranked } from "../cost/projection";
import { compareHtml, costHtml } from "../cost/report/html";
import { toDocument } from "../cost/report/json";
import { robustnessLine } from "../cost/robustness";
import { textReport } from "../cost/report/text";
import { fit, fittedTable } from "../cost/report/wrap";
import { flagError } from "./flags";
import { outputColumns, useColour, type Io } from "./io";

export interface StackOptions {
  readonly stack?: string;
  readonly stackFile?: string;
}

export interface ReportOptions extends StackOptions {
  readonly json?: boolean;
  readonly html?: string;
  readonly detail?: boolean;
}

export function loadFrom(o: StackOptions) {
  if (o.stack && o.stackFile)
    throw flagError("stack-file", o.stackFile, "give --stack or --stack-file, not both");
  return loadStack({ ...(o.stack && { stack: o.stack }), ...(o.stackFile && { stackFile: o.stackFile }) });
}

function exclusive(o: ReportOptions): void {
  if (o.json && o.html) throw flagError("html", o.html, "give --json or --html, not both");
}

/** Write a report file; a path that cannot be written is bad input, not a crash. */
function writeReport(file: string, html: string, io: Io): void {
  try {
    fs.writeFileSync(file, html);
  } catch (e) {
    throw flagError(
      "html",
      file,
      `cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)}); give a path in an existing, writable folder`,
    );
  }
  io.out(`wrote ${file}`);
}

export function costCommand(o: ReportOptions, io: Io): number {
  exclusive(o);
  const p = project(loadFrom(o));
  if (o.html) writeReport(o.html, costHtml(p), io);
  else if (o.json) io.out(JSON.stringify(toDocument(p), null, 2));
  else io.out(textReport(p, { detail: o.detail === true, width: outputColumns(), colour: useColour() }));
  return 0;
}

/** What a row of `compare` is, beyond its price (`standing`, shared with the HTML ranking). */
function standingText(r: Ranked): string {
  const st = standing(r);
  return [st.verdict ? "verdict" : "", st.stack ? "this stack" : "", st.excluded ?? ""]
    .filter(Boolean)
    .join(", ");
}

export function compareCommand(o: ReportOptions, io: Io): number {
  exclusive(o);
  // The same projection `cost` renders: its lanes, their eligibility and its verdict.
  const p = project(loadFrom(o));
  const cfg = p.config;
  const ranked = rank(p);
  const verdict = toDocument(p).verdict;
  if (o.html) {
    writeReport(
      o.html,
      compareHtml(
        cfg.stack,
        cfg.model.key,
        ranked,
        verdict.summary,
        p.robustness,
        cfg.compare.qualityIndex.name,
      ),
      io,
    );
    return 0;
  }
  if (o.json) {
    const options = ranked.map(({ monthly, ...r }) => ({
      ...r,
      monthlyUsd: Math.round(monthly / 1e4) / 100,
    }));
    // Version 2: each option's score is `qualityScore` on `qualityIndex` (was `arenaScore`, LMArena only).
    const qualityIndex = { id: cfg.compare.qualityIndex.id, name: cfg.compare.qualityIndex.name };
    io.out(
      JSON.stringify(
        { version: "2", stack: cfg.stack, qualityIndex, verdict, robustness: p.robustness, options },
        null,
        2,
      ),
    );
    return 0;
  }
  const rows = ranked.map((r, i) => [
    `${i + 1}.`,
    r.label,
    r.kind,
    `${formatUsd(r.monthly)}/month`,
    scoreLabel(r.qualityScore),
    `$${r.usdPerMillionTokens.toFixed(3)}/M tokens`,
    standingText(r),
  ]);
  // Too wide: kind, $/M tokens and standing go under each row, so the columns stay aligned.
  const body = fittedTable(rows, ["l", "l", "l", "r", "r", "r", "l"], outputColumns(), [2, 5, 6]);
  const lines = [
    `options for stack ${cfg.stack} (${cfg.model.key}), cheapest first (quality: ${cfg.compare.qualityIndex.name} score):`,
    ...body,
    "",
    verdict.summary,
    robustnessLine(p.robustness),
  ];
  io.out(fit(lines, outputColumns()).join("\n"));
  return 0;
}
