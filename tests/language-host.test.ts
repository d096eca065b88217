/**
 * The program compiles the way `pulumi preview` compiles it when the language host runs
 * `@pulumi/pulumi/cmd/run --pwd infra index.ts` and ts-node does not find the project's tsconfig.json
 * from infra/: TypeScript's node16/nodenext defaults, type-checked. Under those settings a dynamic
 * `import("./aws/vllm-fleet")` fails with TS2835 (what real previews hit); static imports compile.
 *
 * What this does not prove: that the language host, the engine's config encoding and the resource
 * monitor accept the program (no Pulumi CLI or language host here; see the README).
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runChild } from "./child";

const root = path.resolve(__dirname, "..");
const tsc = (file: string) =>
  runChild(
    process.execPath,
    [
      path.join(root, "node_modules/typescript/bin/tsc"),
      "--noEmit",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--strict",
      "--skipLibCheck",
      "--esModuleInterop",
      "--resolveJsonModule",
      "--types",
      "node",
      file,
    ],
    { cwd: path.join(root, "infra") },
  );

describe("the program under the language host's compiler defaults", () => {
  it("infra/index.ts type-checks with node16/nodenext module resolution from infra/", async () => {
    const r = await tsc("index.ts");
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);
});
