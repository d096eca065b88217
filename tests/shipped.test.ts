/**
 * What ships, run the way users run it: the built bin through `npx vllm-tco`, every offline command in
 * the README's shell blocks, the packed package installed into an empty project, and the real
 * Automation API module loaded from the bundle (with a stand-in `pulumi` executable on PATH: no Pulumi
 * CLI here, and it is named as such).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readmeReapLines } from "./readme-lines";
import { describe, expect, it } from "vitest";
import { runChild } from "./child";

const root = path.resolve(__dirname, "..");
const bin = path.join(root, "dist/cli.js");
/** No network lookups by accident: AWS SDKs must not ask the instance metadata service. */
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1" };
/** A shell command line, run without blocking the worker (tests/child.ts). */
const sh = (command: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) =>
  runChild("bash", ["-c", command], {
    cwd: opts.cwd ?? root,
    env: opts.env ?? env,
    timeoutMs: opts.timeout ?? 120_000,
  });

describe("the bin", () => {
  it("starts with a #! line and runs through npx", async () => {
    expect(fs.readFileSync(bin, "utf8").slice(0, 19)).toBe("#!/usr/bin/env node");
    // Executable as built: npm links the package's own bin without changing its mode.
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    const r = await sh("npx --no-install vllm-tco --version");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version,
    );
  });

  it.each(["", "cost", "compare", "throughput", "plan", "prices", "prices refresh", "reap"])(
    "`vllm-tco %s --help` exits 0 with usage and examples",
    async (command) => {
      const r = await sh(`npx --no-install vllm-tco ${command} --help`);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: vllm-tco/);
      if (command && command !== "prices") expect(r.stdout).toContain("Examples:\n  $ vllm-tco");
    },
  );

  it("a usage error is bad input (2) with a suggestion; no arguments prints the usage (2)", async () => {
    const r = await sh("npx --no-install vllm-tco compare --stak onprem");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("vllm-tco: unknown option '--stak'\n(Did you mean --stack?)\n");
    const none = await sh("npx --no-install vllm-tco");
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^Usage: vllm-tco/);
  });

  it("exits 2 with no stack trace on a broken stack file", async () => {
    const file = path.join(os.tmpdir(), `Pulumi.broken-${process.pid}.yaml`);
    fs.writeFileSync(
      file,
      "config:\n  vllm-tco:platform: aws\n  vllm-tco:model: {id: llama-3.1-8b}\n  vllm-tco:scaling: {min: 3, max: 1}\n  vllm-tco:workload: {requestsPerMonth: 5}\n",
    );
    const r = await sh(`node dist/cli.js cost --stack-file ${file}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `vllm-tco: invalid stack broken-${process.pid}:\n  - vllm-tco:scaling.min: is above scaling.max (1); lower min or raise max (found 3)\n`,
    );
  });

  it.each([80, 120])("at COLUMNS=%i no line of any report is wider", async (columns) => {
    for (const stack of ["aws-h100", "onprem", "managed"])
      for (const command of ["cost", "cost --detail", "compare"]) {
        const r = await sh(`COLUMNS=${columns} node dist/cli.js ${command} --stack ${stack}`);
        expect(r.status).toBe(0);
        const wide = r.stdout.split("\n").filter((l) => [...l].length > columns);
        expect(wide, `${command} --stack ${stack}`).toEqual([]);
      }
  });

  it("at 80 columns a table that does not fit keeps its columns: the extra column moves under each row", async () => {
    const out = (await sh("COLUMNS=80 node dist/cli.js cost --stack onprem")).stdout.split("\n");
    const start = out.indexOf("against per-token options:");
    const rows = out
      .slice(start + 1, out.indexOf("", start))
      .filter((l) => l.endsWith("/month") && !l.includes("break-even"));
    expect(rows.length).toBeGreaterThan(3);
    expect(new Set(rows.map((l) => l.length)).size).toBe(1); // amounts right-aligned in one column
    const ranking = (await sh("COLUMNS=80 node dist/cli.js compare --stack onprem")).stdout
      .split("\n")
      .slice(1);
    const ranked = ranking.filter((l) => /^\d+\./.test(l));
    expect(new Set(ranked.map((l) => l.length)).size).toBe(1);
  });

  it("a reader that stops early (`| head`) is not an error", async () => {
    const r = await sh(
      'node dist/cli.js cost --stack onprem --detail | head -1; echo "exit ${PIPESTATUS[0]}"',
    );
    expect(r.stdout).toBe("vllm-tco cost · stack onprem · kubernetes · llama-3.3-70b bf16\nexit 0\n");
    expect(r.stderr).toBe("");
  });

  it("colour only on a terminal, and never with NO_COLOR", async () => {
    // A pseudo-terminal from Python's pty module; the pipe above never gets colour.
    const tty = async (extra: string) =>
      (
        await sh(
          `${extra} python3 -c 'import pty, sys; pty.spawn(["node", "dist/cli.js", "cost", "--stack", "aws-h100"])'`,
          { env: { ...process.env, NO_COLOR: undefined } },
        )
      ).stdout;
    expect(await tty("")).toContain("\x1b[1m");
    expect(await tty("NO_COLOR=1")).not.toContain("\x1b[");
    expect((await sh("node dist/cli.js cost --stack aws-h100")).stdout).not.toContain("\x1b[");
  });

  it("a module that fails to load is a bug (1) with a one-line report request, never bad input (2)", async () => {
    // The bundle's Pulumi SDK made unloadable for this run only.
    const shadow = fs.mkdtempSync(path.join(os.tmpdir(), "shadow-"));
    fs.mkdirSync(path.join(shadow, "node_modules/@pulumi/pulumi"), { recursive: true });
    fs.writeFileSync(
      path.join(shadow, "node_modules/@pulumi/pulumi/package.json"),
      '{"name":"@pulumi/pulumi","main":"missing.js"}',
    );
    fs.mkdirSync(path.join(shadow, "dist"));
    fs.copyFileSync(bin, path.join(shadow, "dist/cli.js"));
    fs.cpSync(path.join(root, "stacks"), path.join(shadow, "stacks"), { recursive: true });
    fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(shadow, "Pulumi.yaml"));
    const r = await sh("node dist/cli.js plan --stack onprem", { cwd: shadow });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vllm-tco: unexpected error \(a bug in vllm-tco [\d.]+; please report it/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

/** Every `npx vllm-tco …` line of the README's ```sh blocks. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.replace(/\\\n\s*/g, " ").split("\n"))
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.startsWith("npx vllm-tco"));
}

/** README commands that need what this machine lacks, and why; every other one runs here. */
const NEEDS: [RegExp, string][] = [
  [
    / reap /,
    "a cluster or an Auto Scaling group, and their metrics: each line runs as written in kube-real.test.ts (onprem) and reap-aws.test.ts (aws-h100)",
  ],
  [/ prices refresh/, "AWS credentials and network (prices.test.ts replays the APIs on loopback)"],
  [/path\/to\//, "a placeholder path"],
];

describe("README examples are tests: every offline `npx vllm-tco` command works as written", () => {
  const commands = readmeCommands();
  it("the README has commands: each is run below or matches exactly one stated reason, and no reason is stale", async () => {
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) expect(NEEDS.filter(([re]) => re.test(c)).length, c).toBeLessThanOrEqual(1);
    for (const [re, why] of NEEDS)
      expect(
        commands.some((c) => re.test(c)),
        `${re} (${why})`,
      ).toBe(true);
  });
  it("every README reap line is one of the two stacks' lines the stand-in tiers run as written", () => {
    const run = [...readmeReapLines("onprem"), ...readmeReapLines("aws-h100")];
    for (const c of commands.filter((c) => / reap /.test(c))) expect(run, c).toContain(c);
  });
  const offline = commands.filter((c) => !NEEDS.some(([re]) => re.test(c)));
  it.each(offline)("%s", async (command) => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "readme-"));
    // Run from the project, as the README's reader does; files it writes go to a temporary folder.
    const r = await sh(command.replace(/--html (\S+)/, `--html ${cwd}/$1`));
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });
});

describe("the packed package, installed into an empty project", () => {
  it("installs from its tarball and runs `vllm-tco cost --stack-file …` there", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
    const packed = await sh(`npm pack --pack-destination ${dir} --silent`);
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = fs.readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    fs.writeFileSync(
      path.join(dir, "package.json"),
      '{"name":"consumer","version":"1.0.0","private":true}\n',
    );
    // --ignore-scripts: the Pulumi provider packages' install scripts would fetch plugins.
    const installed = await sh(
      `npm install --no-audit --no-fund --prefer-offline --ignore-scripts ./${tarball}`,
      { cwd: dir, timeout: 170_000 },
    );
    expect(installed.status, installed.stderr).toBe(0);
    fs.copyFileSync(path.join(root, "stacks/Pulumi.onprem.yaml"), path.join(dir, "Pulumi.mine.yaml"));
    const r = await sh("npx --no-install vllm-tco cost --stack-file Pulumi.mine.yaml --json", { cwd: dir });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: "1", stack: "mine" });
  }, 180_000);
});

describe("reap reads the stack's outputs through the real Automation API module, from the bundle", () => {
  it("without --group: `pulumi stack output` gives the group (a stand-in pulumi on PATH)", async () => {
    const stub = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-stub-"));
    // A stand-in for the Pulumi CLI: it answers the three calls LocalWorkspace makes, and logs them.
    fs.writeFileSync(
      path.join(stub, "pulumi"),
      [
        "#!/bin/sh",
        `echo "$@" >> ${stub}/calls.log`,
        'case "$*" in',
        '  version) echo "v3.210.0" ;;',
        "  *'stack output'*) echo '{\"groupName\":\"vllm-aws-h100-from-outputs\"}' ;;",
        "esac",
      ].join("\n"),
      { mode: 0o755 },
    );
    const r = await sh(
      `node dist/cli.js reap --stack aws-h100 --source endpoints --endpoint http://127.0.0.1:9 --idle-minutes 0.02 --audit-log ${stub}/audit.jsonl --json`,
      {
        env: {
          ...env,
          PATH: `${stub}:${process.env["PATH"]}`,
          AWS_ACCESS_KEY_ID: "loopback",
          AWS_SECRET_ACCESS_KEY: "loopback",
          AWS_ENDPOINT_URL_AUTO_SCALING: "http://127.0.0.1:9",
        },
      },
    );
    expect(r.status).toBe(12); // nothing answers on port 9: unknown
    expect(JSON.parse(r.stdout).reason).toContain(
      "cannot read Auto Scaling group vllm-aws-h100-from-outputs",
    );
    const calls = fs.readFileSync(path.join(stub, "calls.log"), "utf8");
    expect(calls).toContain("stack select --stack aws-h100");
    expect(calls).toContain("stack output --json");
  }, 60_000);
});
