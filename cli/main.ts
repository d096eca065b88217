/**
 * `vllm-tco`: cost, compare and throughput from stack files, with no Pulumi CLI and no credentials.
 * Exit status: 0 done, 2 bad input (one message naming the setting, the value and the fix),
 * 1 an unexpected failure (a bug: the message says so; VLLM_TCO_DEBUG=1 prints the stack).
 */
import * as fs from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { GPUS, INSTANCE_TYPES, MODELS, nearest, BYTES_PER_PARAMETER, type Dtype } from "../cost/catalog";
import { ConfigError, show } from "../cost/config/errors";
import { formatNumber } from "../cost/format";
import { formatUsd } from "../cost/money";
import { project, rank } from "../cost/projection";
import { compareHtml, costHtml } from "../cost/report/html";
import { toDocument } from "../cost/report/json";
import { textReport } from "../cost/report/text";
import { loadStack } from "../cost/config/stack-file";
import { concurrencyForLatency, throughput } from "../cost/throughput";

export const USAGE = `usage: vllm-tco <command> [options]

commands:
  cost        --stack NAME | --stack-file PATH  [--json | --html FILE]   monthly TCO, API comparison, break-even, verdict
  compare     --stack NAME | --stack-file PATH  [--json | --html FILE]   every option ranked by monthly cost
  throughput  --model M --gpu G --gpus N --dtype bf16|fp8 --input-tokens N --output-tokens N
              --concurrency N [--prefix-hit 0..1] [--latency-ms MS] [--json]
  plan        --stack NAME | --stack-file PATH  [--json]   the Pulumi program under mocks: resources, cost, policy
  prices refresh [--region R] [--instance-types a,b] [--json]   live AWS prices into the local cache
  reap        --stack NAME [--idle-minutes N] [--apply [--destroy]] [--source prometheus|endpoints|cloudwatch] [--json]
              idle GPUs: decide busy / idle / unknown from metrics, scale to zero (dry run by default)

stacks live in stacks/Pulumi.<NAME>.yaml; the default stack is aws-h100.`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stackOptions = {
  stack: { type: "string" },
  "stack-file": { type: "string" },
  json: { type: "boolean", default: false },
  html: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

/** Write a report file; a path that cannot be written is bad input, not a crash. */
function writeReport(file: string, html: string, io: Io): void {
  try {
    fs.writeFileSync(file, html);
  } catch (e) {
    throw flagError(
      "html",
      file,
      `cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)}); give a path in an existing, writable folder`,
    );
  }
  io.out(`wrote ${file}`);
}

function flagError(flag: string, value: unknown, message: string): ConfigError {
  return new ConfigError([{ path: `--${flag}`, found: show(value), message }], "command line");
}

function parse<O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const msg = (e as Error).message;
    const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1] ?? "(flag)";
    const known = Object.keys(options).map((k) => `--${k}`);
    const guess = nearest(flag.replace(/^-+/, ""), Object.keys(options));
    throw new ConfigError(
      [
        {
          path: flag,
          found: show(flag),
          message: `${msg.split(".")[0]}; ${guess ? `did you mean --${guess}? ` : ""}known: ${known.join(", ")}`,
        },
      ],
      "command line",
    );
  }
}

function number(
  flag: string,
  raw: string | undefined,
  check: (n: number) => boolean,
  allowed: string,
): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(n) || !check(n))
    throw flagError(flag, raw, `must be ${allowed}`);
  return n;
}

function loadFrom(values: { stack?: string; "stack-file"?: string }) {
  if (values.stack && values["stack-file"])
    throw flagError("stack-file", values["stack-file"], "give --stack or --stack-file, not both");
  return loadStack({
    ...(values.stack && { stack: values.stack }),
    ...(values["stack-file"] && { stackFile: values["stack-file"] }),
  });
}

function costCommand(args: string[], io: Io): void {
  const v = parse(args, stackOptions);
  const p = project(loadFrom(v));
  if (v.html) return writeReport(v.html, costHtml(p), io);
  io.out(v.json ? JSON.stringify(toDocument(p), null, 2) : textReport(p));
}

function compareCommand(args: string[], io: Io): void {
  const v = parse(args, stackOptions);
  const cfg = loadFrom(v);
  const ranked = rank(cfg);
  if (v.html) return writeReport(v.html, compareHtml(cfg.stack, cfg.model.key, ranked), io);
  if (v.json) {
    io.out(
      JSON.stringify(
        {
          version: "1",
          stack: cfg.stack,
          options: ranked.map((r) => ({
            ...r,
            monthlyUsd: Math.round(r.monthly / 1e4) / 100,
            monthly: undefined,
          })),
        },
        null,
        2,
      ),
    );
    return;
  }
  const rows = ranked.map((r, i) => [
    `${i + 1}.`,
    r.label,
    r.kind,
    `${formatUsd(r.monthly)}/month`,
    `$${r.usdPerMillionTokens.toFixed(3)}/M tokens`,
  ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  io.out(`options for stack ${cfg.stack} (${cfg.model.key}), cheapest first:`);
  for (const r of rows)
    io.out(r.map((cell, c) => (c >= 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  "));
}

function throughputCommand(args: string[], io: Io): void {
  const v = parse(args, {
    model: { type: "string" },
    gpu: { type: "string" },
    gpus: { type: "string", default: "1" },
    dtype: { type: "string", default: "bf16" },
    "input-tokens": { type: "string" },
    "output-tokens": { type: "string" },
    concurrency: { type: "string" },
    "prefix-hit": { type: "string", default: "0" },
    "latency-ms": { type: "string" },
    json: { type: "boolean", default: false },
  });
  const modelKey = v.model ?? "";
  const model =
    MODELS[modelKey] ??
    Object.values(MODELS).find((m) => m.huggingFaceId === modelKey || m.aliases.includes(modelKey));
  if (!model) {
    const guess = nearest(modelKey, Object.keys(MODELS));
    throw flagError(
      "model",
      v.model,
      `is not a catalog model; ${guess ? `did you mean "${guess}"? ` : ""}known: ${Object.keys(MODELS).join(", ")}`,
    );
  }
  const gpu = GPUS[v.gpu ?? ""];
  if (!gpu) {
    const guess = nearest(v.gpu ?? "", Object.keys(GPUS));
    throw flagError(
      "gpu",
      v.gpu,
      `is not a catalog GPU; ${guess ? `did you mean "${guess}"? ` : ""}known: ${Object.keys(GPUS).join(", ")}`,
    );
  }
  if (!(v.dtype! in BYTES_PER_PARAMETER))
    throw flagError("dtype", v.dtype, `must be one of ${Object.keys(BYTES_PER_PARAMETER).join(", ")}`);
  const dtype = v.dtype as Dtype;
  if (dtype === "fp8" && gpu.fp8Flops === undefined)
    throw flagError("dtype", "fp8", `${gpu.name} has no FP8 tensor cores; use bf16`);
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  const input = {
    model,
    dtype,
    gpu,
    gpus: number("gpus", v.gpus, (n) => [1, 2, 4, 8].includes(n), "1, 2, 4 or 8"),
    inputTokens: number("input-tokens", v["input-tokens"], whole, "a whole number of tokens ≥ 1"),
    outputTokens: number("output-tokens", v["output-tokens"], whole, "a whole number of tokens ≥ 1"),
    concurrency: number("concurrency", v.concurrency, whole, "a whole number of concurrent requests ≥ 1"),
    prefixHitShare: number("prefix-hit", v["prefix-hit"], (n) => n >= 0 && n <= 1, "a share from 0 to 1"),
  };
  const r = throughput(input);
  if (r.maxConcurrency < 1)
    throw flagError(
      "gpus",
      input.gpus,
      `${input.gpus}× ${gpu.key} cannot hold ${model.key} ${dtype} with a KV cache for one ${input.inputTokens + input.outputTokens}-token request; use more GPUs or fp8`,
    );
  const latencyMs =
    v["latency-ms"] === undefined
      ? undefined
      : number("latency-ms", v["latency-ms"], (n) => n > 0, "a positive number of milliseconds");
  const doc = {
    model: model.key,
    gpu: gpu.key,
    gpus: input.gpus,
    dtype,
    outputTokensPerSecond: Math.round(r.outputTokensPerSecond * 10) / 10,
    rooflineOutputTokensPerSecond: Math.round(r.rooflineOutputTokensPerSecond * 10) / 10,
    maxConcurrency: r.maxConcurrency,
    concurrency: r.concurrency,
    interTokenLatencyMs: Math.round(r.interTokenLatencyMs * 100) / 100,
    prefillMs: Math.round(r.prefillMs * 100) / 100,
    bound: r.bound,
    ...(latencyMs !== undefined && {
      concurrencyForLatency: concurrencyForLatency(input, latencyMs),
      latencyMs,
    }),
  };
  if (v.json) return io.out(JSON.stringify(doc, null, 2));
  io.out(
    `${model.key} ${dtype} on ${input.gpus}× ${gpu.key}, ${input.inputTokens} in / ${input.outputTokens} out, ${r.concurrency} concurrent${r.concurrency < input.concurrency ? ` (capped from ${input.concurrency}: the KV cache holds ${r.maxConcurrency})` : ""}:`,
  );
  io.out(
    `  ${formatNumber(doc.outputTokensPerSecond, 1)} output tokens/s (physical limit ${formatNumber(doc.rooflineOutputTokensPerSecond, 1)}), ${doc.interTokenLatencyMs} ms/token, prefill ${doc.prefillMs} ms, ${r.bound}-bound`,
  );
  if (doc.concurrencyForLatency !== undefined)
    io.out(`  highest concurrency within ${latencyMs} ms/token: ${doc.concurrencyForLatency}`);
}

async function pricesCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "refresh")
    throw flagError(
      "prices",
      sub ?? "",
      "the only subcommand is `refresh`: vllm-tco prices refresh [--region R] [--instance-types a,b] [--json]",
    );
  const v = parse(rest, {
    region: { type: "string" },
    "instance-types": { type: "string" },
    json: { type: "boolean", default: false },
  });
  const types =
    v["instance-types"]
      ?.split(",")
      .map((t) => t.trim())
      .filter(Boolean) ?? Object.keys(INSTANCE_TYPES);
  for (const t of types)
    if (!INSTANCE_TYPES[t]) {
      const guess = nearest(t, Object.keys(INSTANCE_TYPES));
      throw flagError(
        "instance-types",
        t,
        `is not a catalog instance type; ${guess ? `did you mean "${guess}"? ` : ""}known: ${Object.keys(INSTANCE_TYPES).join(", ")}`,
      );
    }
  const region = v.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"] ?? "us-east-1";
  // Loaded only here: the AWS SDK is large and `cost` must start fast.
  const { refreshPrices } = await import("../cost/prices/refresh");
  const { cachePath } = await import("../cost/catalog/price-cache");
  const report = await refreshPrices({ region, instanceTypes: types, cacheFile: cachePath() });
  if (v.json) io.out(JSON.stringify({ version: "1", ...report }, null, 2));
  else {
    if (report.unavailable) io.err(`vllm-tco: ${report.unavailable}`);
    for (const u of report.updated)
      io.out(
        `${u.instanceType} ${region}: ${u.onDemand !== undefined ? `on-demand $${u.onDemand}/h` : "on-demand unchanged"}, ${u.spot !== undefined ? `spot $${u.spot.toFixed(4)}/h` : "spot unchanged"}`,
      );
    for (const p of report.problems)
      io.err(`vllm-tco: ${p.instanceType} ${p.kind}: ${p.problem}; not cached, the older price stays in use`);
    io.out(
      report.updated.length
        ? `cached in ${report.cacheFile}`
        : "nothing cached; reports keep using the catalog",
    );
  }
  return report.unavailable || report.problems.length ? EXIT_PARTIAL : 0;
}

/** `prices refresh` could not fetch everything (the rest is reported; the catalog stays in use). */
export const EXIT_PARTIAL = 4;

async function planCommand(args: string[], io: Io): Promise<number> {
  // Loaded only here: the Pulumi SDK is large and `cost` must start fast.
  const { planCli } = await import("./plan");
  return planCli(args, io);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "cost":
        costCommand(rest, io);
        return 0;
      case "compare":
        compareCommand(rest, io);
        return 0;
      case "throughput":
        throughputCommand(rest, io);
        return 0;
      case "plan":
        return await planCommand(rest, io);
      case "prices":
        return await pricesCommand(rest, io);
      case "reap": {
        // Loaded only here, like plan: the cloud clients are large.
        const { reapCli } = await import("./reap");
        return await reapCli(rest, io);
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default: {
        const guess = nearest(command, ["cost", "compare", "throughput", "plan", "prices", "reap"]);
        io.err(
          `vllm-tco: unknown command ${show(command)}${guess ? `; did you mean "${guess}"?` : ""}\n\n${USAGE}`,
        );
        return 2;
      }
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`vllm-tco: ${e.message}`);
      return 2;
    }
    io.err(`vllm-tco: unexpected error (a bug, please report it): ${(e as Error).message ?? String(e)}`);
    if (process.env["VLLM_TCO_DEBUG"]) io.err((e as Error).stack ?? "");
    return 1;
  }
}

if (require.main === module) {
  const io: Io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
