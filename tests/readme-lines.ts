/** The README's shell lines that tests run as written. */
import * as fs from "node:fs";
import * as path from "node:path";

/** The README's `npx vllm-tco reap --stack <stack>` lines, in order, comments dropped. */
export function readmeReapLines(stack: string): string[] {
  const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split("\n"))
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(
      (l) =>
        l.startsWith(`npx vllm-tco reap --stack ${stack} `) || l === `npx vllm-tco reap --stack ${stack}`,
    );
}
