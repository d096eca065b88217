/**
 * The real Pulumi engine for the tests: the CLI, the Node.js language host and the Kubernetes provider
 * built from the Go module proxy by scripts/build-pulumi.sh (cached by version), on a copy of this
 * working tree (what a fresh clone holds, with this tree's node_modules linked in), with a file backend,
 * a passphrase and a PULUMI_HOME of its own. Nothing is downloaded: plugin acquisition and update
 * checks are off, and the plugins are installed from files the way a user installs a local build
 * (`pulumi plugin install resource kubernetes 4.34.2 --file …`). The `aws` plugin is a STAND-IN
 * (tests/stand-ins/aws-provider.ts): what that does not prove is in the README.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runChild } from "./child";
import { cachedBinaries } from "./kube-apiserver";

export const ROOT = path.resolve(__dirname, "..");
export const PASSPHRASE = "vllm-tco-test-passphrase";

/** The CLI, language host and Kubernetes provider (scripts/build-pulumi.sh). */
export const pulumiBinaries = () => cachedBinaries("VLLM_TCO_PULUMI_BIN", "scripts/build-pulumi.sh");

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr, for messages. */
  readonly output: string;
}

/** Files a fresh clone of this working tree holds: tracked, plus untracked files git does not ignore. */
function cloneFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
}

export class PulumiProject {
  readonly base = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-engine-"));
  readonly dir = path.join(this.base, "project");
  readonly home = path.join(this.base, "pulumi-home");
  readonly state = path.join(this.base, "state");
  readonly bin = pulumiBinaries();
  private readonly extraEnv: Record<string, string>;

  constructor(env: Record<string, string> = {}) {
    this.extraEnv = env;
    for (const f of cloneFiles()) {
      const to = path.join(this.dir, f);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), to);
      fs.chmodSync(to, fs.statSync(path.join(ROOT, f)).mode);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(this.dir, "node_modules"), "dir");
    fs.mkdirSync(this.home);
    fs.mkdirSync(this.state);
  }

  /** The environment a user's shell would have after following the README, minus the network. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${path.dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
      HOME: this.base,
      PULUMI_HOME: this.home,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      NO_COLOR: "1",
      ...this.extraEnv,
      ...extra,
    };
  }

  /** Runs the real CLI in the project copy. */
  pulumi(
    args: readonly string[],
    opts: { env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<Ran> {
    return this.exec(path.join(this.bin, "pulumi"), [...args], opts);
  }

  async exec(
    cmd: string,
    args: readonly string[],
    opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
  ): Promise<Ran> {
    const r = await runChild(cmd, args, {
      cwd: opts.cwd ?? this.dir,
      env: this.env(opts.env),
      timeoutMs: opts.timeoutMs ?? 240_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
  }

  /** Installs the resource plugins from files, never a download. */
  async installPlugins(): Promise<void> {
    const k8sVersion = this.packageVersion("@pulumi/kubernetes");
    const awsVersion = this.packageVersion("@pulumi/aws");
    const standIn = path.join(this.base, "pulumi-resource-aws");
    fs.writeFileSync(
      standIn,
      `#!/bin/sh\n# STAND-IN aws provider for the test tier (tests/stand-ins/aws-provider.ts)\nexec "${process.execPath}" --import "${path.join(ROOT, "node_modules/tsx/dist/loader.mjs")}" "${path.join(ROOT, "tests/stand-ins/aws-provider.ts")}" "$@"\n`,
      { mode: 0o755 },
    );
    for (const [name, version, file] of [
      ["kubernetes", k8sVersion, path.join(this.bin, "pulumi-resource-kubernetes")],
      ["aws", awsVersion, standIn],
    ] as const) {
      const r = await this.pulumi(["plugin", "install", "resource", name, version, "--file", file]);
      if (r.code !== 0) throw new Error(`pulumi plugin install ${name}: ${r.output}`);
    }
  }

  packageVersion(pkg: string): string {
    return (
      JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  }

  remove(): void {
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}
