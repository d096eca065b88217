/**
 * Runs a child process and waits for it without blocking the test worker. A synchronous spawn stops
 * the worker answering vitest for as long as the child runs (npm or tsc on a busy machine: over a
 * minute), and vitest then fails the run with "Timeout calling onTaskUpdate".
 */
import { spawn } from "node:child_process";

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runChild(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], {
      ...(opts.cwd && { cwd: opts.cwd }),
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", (e) => (stderr += e.message));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
