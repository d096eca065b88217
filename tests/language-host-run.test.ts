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
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../cost/config/stack-file";
import { engineConfig, planStack } from "../infra/plan/run";
import { RESOURCE_RULES } from "../infra/policy/rules";
import { StandInMonitor } from "./grpc-monitor";
import { SENTINELS } from "./program-helpers";

const root = path.resolve(__dirname, "..");
/** The engine's marker for a value unknown until creation (sdk/go/common/resource/plugin/rpc.go). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

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
        expect(r.code, `${r.output}\n${monitor.logs.map((l) => l.message).join("\n")}`).toBe(0);
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

// The policy SDK's own deserialiser and unknown-checking proxy: what a rule sees in a real preview.
const policySdk = createRequire(require.resolve("@pulumi/policy/package.json"));
const { deserializeProperties } = policySdk("./deserialize.js") as {
  deserializeProperties: (s: unknown, proxySecrets: boolean) => Record<string, unknown>;
};
const { unknownCheckingProxy } = policySdk("./proxy.js") as {
  unknownCheckingProxy: (p: Record<string, unknown>) => Record<string, unknown>;
};
const { Struct } = createRequire(require.resolve("@pulumi/pulumi/package.json"))(
  "google-protobuf/google/protobuf/struct_pb.js",
) as { Struct: { fromJavaScript: (v: unknown) => unknown } };

describe("policies decidable at preview", () => {
  it.each(["aws-h100", "onprem", "managed"])(
    "%s: every rule runs on the preview's inputs (none reads a value unknown until creation)",
    async (stack) => {
      const monitor = await new StandInMonitor(stack, { preview: true }).start();
      try {
        const r = await runProgram(stack, monitor);
        expect(r.code, r.output).toBe(0);
        const undecided: string[] = [];
        let unknowns = 0;
        for (const res of monitor.registered.filter((x) => x.custom)) {
          if (JSON.stringify(res.inputs).includes(UNKNOWN)) unknowns++;
          for (const rule of RESOURCE_RULES) {
            const props = unknownCheckingProxy(
              deserializeProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(res.inputs))), false),
            );
            try {
              rule.check({ type: res.type, name: res.name, props }, {});
            } catch (e) {
              undecided.push(
                `${rule.name} on ${res.type} ${res.name}: ${(e as Error).message.split("\n")[0]}`,
              );
            }
          }
        }
        expect(undecided.join("\n")).toBe("");
        // The preview really has unknowns (ids and ARNs of resources not yet created): the check bites.
        if (stack === "aws-h100") expect(unknowns).toBeGreaterThan(5);
        const lt = monitor.registered.find((x) => x.type === "aws:ec2/launchTemplate:LaunchTemplate");
        if (lt) expect(JSON.stringify(lt.inputs["userData"])).not.toContain(UNKNOWN);
      } finally {
        await monitor.stop();
      }
    },
    180_000,
  );
});

describe("the credential scan at preview", () => {
  const previewProps = (v: Record<string, unknown>) =>
    unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(v), false));
  const scan = RESOURCE_RULES.find((r) => r.name === "no-plain-secrets")!;
  it("skips values unknown until creation and still finds a credential beside them", () => {
    const props = previewProps({
      vpcId: UNKNOWN,
      subnets: [UNKNOWN, "subnet-1"],
      tags: { note: `token ${SENTINELS.hfToken}` },
    });
    expect(scan.check({ type: "aws:ec2/instance:Instance", name: "x", props }, {})).toEqual([
      "x has a credential in plain text at tags.note; pass it as a Pulumi secret into a Secret or Secrets Manager, and reference it",
    ]);
  });
  it("other errors are not swallowed", () => {
    const props = new Proxy({ a: 1 } as Record<string, unknown>, {
      get: () => {
        throw new TypeError("boom");
      },
    });
    expect(() => scan.check({ type: "t", name: "x", props }, {})).toThrow("boom");
  });
});
