/**
 * Where the CLI writes, and how it may style text: colour only on a terminal and never with
 * `NO_COLOR` (no-color.org); width from `COLUMNS`, else the terminal's, else 80.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const consoleIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Columns the text output must fit. */
export function outputColumns(env: NodeJS.ProcessEnv = process.env, stream = process.stdout): number {
  const fromEnv = Number(env["COLUMNS"]);
  if (Number.isInteger(fromEnv) && fromEnv >= 40) return fromEnv;
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

/** Colour is for people at a terminal: never in a pipe, a file or with NO_COLOR set (any value). */
export function useColour(env: NodeJS.ProcessEnv = process.env, stream = process.stdout): boolean {
  return stream.isTTY === true && env["NO_COLOR"] === undefined && env["TERM"] !== "dumb";
}
