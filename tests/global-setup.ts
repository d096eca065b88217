/** Every vitest run tests the bundle users run: build it first, always (never a stale dist/). */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: path.resolve(__dirname, ".."), stdio: "inherit" });
}
