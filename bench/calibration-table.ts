/**
 * Writes the README's calibration table from bench/data/vllm-throughput-calibration.tsv and the
 * current model (between the calibration markers). Run after refitting: npx tsx bench/calibration-table.ts
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { calibrate, calibrationTable } from "./calibration";

const readme = path.join(__dirname, "..", "README.md");
const text = fs.readFileSync(readme, "utf8");
const start = "<!-- calibration:start -->";
const end = "<!-- calibration:end -->";
const i = text.indexOf(start);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} block`);
fs.writeFileSync(
  readme,
  `${text.slice(0, i + start.length)}\n${calibrationTable(calibrate())}\n${text.slice(j)}`,
);
console.log("README.md calibration table updated; run npx prettier --write README.md");
