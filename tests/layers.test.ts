/** The layering rule (eslint.config.mjs) refuses an import that points up, and allows one that points down. */
import * as path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const lint = async (file: string, code: string) => {
  const [r] = await new ESLint({ cwd: root }).lintText(code, { filePath: path.join(root, file) });
  return r!.messages.filter((m) => m.ruleId === "layers/one-way").map((m) => m.message);
};

describe("imports point one way: catalog ← config ← cost ← infra ← cli", () => {
  it.each([
    [
      "cost/catalog/x.ts",
      'import { a } from "../config/schema";\nexport const b = a;\n',
      "catalog may not import from config",
    ],
    [
      "cost/config/x.ts",
      'import { a } from "../projection";\nexport const b = a;\n',
      "config may not import from cost",
    ],
    [
      "cost/x.ts",
      'import type { A } from "../infra/program";\nexport type B = A;\n',
      "cost may not import from infra",
    ],
    ["infra/x.ts", 'export const m = () => import("../cli/main");\n', "infra may not import from cli"],
  ])("%s importing up is an error", async (file, code, message) => {
    expect((await lint(file, code)).join("\n")).toContain(message);
  });

  it.each([
    ["cli/x.ts", 'import { a } from "../infra/program";\nexport const b = a;\n'],
    ["infra/x.ts", 'import { a } from "../cost/catalog";\nexport const b = a;\n'],
    ["cost/config/x.ts", 'import { a } from "../catalog";\nexport const b = a;\n'],
  ])("%s importing down is allowed", async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
