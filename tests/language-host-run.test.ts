/**
 * The program loaded the way `pulumi preview` loads it, without Go: the SDK's own
 * `@pulumi/pulumi/cmd/run`, spawned as pulumi-language-nodejs spawns it (`--pwd infra`, entry
 * `index.ts`, `PULUMI_NODEJS_TYPESCRIPT=true` so its vendored ts-node type-checks, the engine's
 * `PULUMI_CONFIG` encoding with secret keys), talking gRPC to a stand-in engine and resource monitor
 * (tests/grpc-monitor.ts). It is the path the TS2835 failure was on.
 *
 * What it does not prove: the real language host's own arguments and environment beyond those named
 * here, the engine's diff and plugin handling, or any provider (see the README).
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../cost/config/stack-file";
import { engineConfig, planStack } from "../infra/plan/run";
import { StandInMonitor } from "./grpc-monitor";
import { SENTINELS } from "./program-helpers";

const root = path.resolve(__dirname, "..");

function runProgram(
  stack: string,
  monitor: StandInMonitor,
): Promise<{ code: number | null; output: string }> {
  const raw = readStackFile(path.join(root, `stacks/Pulumi.${stack}.yaml`), stack);
  const { config, secretKeys } = engineConfig(raw, SENTINELS);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"],
    HOME: process.env["HOME"],
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
    PULUMI_NODEJS_TYPESCRIPT: "true",
  };
  const args = [
    path.join(root, "node_modules/@pulumi/pulumi/cmd/run"),
    "--monitor",
    monitor.address,
    "--engine",
    monitor.address,
    "--organization",
    "organization",
    "--project",
    "vllm-tco",
    "--stack",
    stack,
    "--pwd",
    path.join(root, "infra"),
    "--dry-run",
    "--parallel",
    "16",
    "index.ts",
  ];
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (b: Buffer) => (output += b.toString()));
    p.stderr.on("data", (b: Buffer) => (output += b.toString()));
    p.on("exit", (code) => resolve({ code, output }));
  });
}

describe("the program under the SDK's cmd/run, as the language host starts it", () => {
  it.each(["aws-h100", "onprem", "managed"])(
    "%s: type-checks, registers the same resources as `vllm-tco plan`, logs the cost report",
    async (stack) => {
      const monitor = await new StandInMonitor(stack).start();
      try {
        const r = await runProgram(stack, monitor);
        expect(r.output).not.toMatch(/TSError|Unable to compile|ERR_MODULE_NOT_FOUND/);
        expect(r.code, r.output).toBe(0);
        expect(monitor.logs.map((l) => l.message).join("\n")).toContain(`vllm-tco cost · stack ${stack}`);
        const planned = await planStack(
          readStackFile(path.join(root, `stacks/Pulumi.${stack}.yaml`), stack),
          {
            secretValues: SENTINELS,
          },
        );
        const key = (x: { type: string; name: string }) => `${x.type} ${x.name}`;
        expect(monitor.registered.map(key).sort()).toEqual(planned.resources.map(key).sort());
        // The secrets never reach a line a preview shows. (The SDK's own debug lines, shown only with
        // --debug, echo each RegisterResource answer, secret values included: that is the SDK's.)
        const shown = monitor.logs.filter((l) => l.severity !== "debug");
        for (const secret of Object.values(SENTINELS))
          expect(shown.filter((l) => l.message.includes(secret))).toEqual([]);
      } finally {
        await monitor.stop();
      }
    },
    180_000,
  );
});
