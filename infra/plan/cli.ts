/** Placeholder until the plan command lands (issue 6): says so plainly instead of pretending. */
import { ConfigError } from "../config-errors";
import type { Io } from "../../cost/cli";

export async function planCli(_args: string[], _io: Io): Promise<void> {
  throw new ConfigError(
    [
      {
        path: "plan",
        found: '"plan"',
        message: "is not built yet in this version; use `vllm-tco cost` for the projection",
      },
    ],
    "command line",
  );
}
