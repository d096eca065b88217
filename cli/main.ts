/**
 * `vllm-tco`: the command-line shell. Parses with commander, calls one command, prints through one
 * formatter per output kind. Exit status: 0 done, 2 bad input (one message naming the setting, the
 * value and the fix), 3 the update would be stopped (plan), 4 partly fetched (prices), 10/12/13 (reap);
 * 1 only for a bug, including a module that fails to load: one line asking for a report
 * (VLLM_TCO_DEBUG=1 prints the stack).
 */
import { Command, CommanderError, Option } from "commander";
import { ConfigError } from "../cost/config/errors";
import { compareCommand, costCommand } from "./cost";
import { consoleIo, outputColumns, type Io } from "./io";
import { pricesRefreshCommand } from "./prices";
import { throughputCommand } from "./throughput";
import type { ReapDeps } from "./reap";
import pkg from "../package.json";

export type { Io } from "./io";
export const VERSION: string = pkg.version;

const STACK_HELP = "a stack in ./stacks or the bundled examples (aws-h100, onprem, managed)";
const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}`;

type Done = (code: number) => void;

const stackOptions = (c: Command) =>
  c
    .option("--stack <name>", STACK_HELP)
    .option("--stack-file <path>", "a stack file anywhere (Pulumi.<name>.yaml)");

function addCost(root: Command, io: Io, done: Done): void {
  stackOptions(
    root
      .command("cost")
      .description("monthly TCO line items with sources, API comparison, break-even, verdict, chart"),
  )
    .option("--json", 'the versioned JSON document (version "1")')
    .option("--html <file>", "one self-contained HTML page: verdict, crossover chart, line items")
    .option("--detail", "each line item's formula under it")
    .addHelpText(
      "after",
      examples(
        "vllm-tco cost --stack aws-h100",
        "vllm-tco cost --stack onprem --json",
        "vllm-tco cost --stack-file path/to/Pulumi.mine.yaml --detail",
        "vllm-tco cost --stack aws-h100 --html report.html",
      ),
    )
    .action((o) => done(costCommand(o, io)));

  stackOptions(
    root
      .command("compare")
      .description("every option for the stack's workload, ranked by monthly cost and $/M tokens"),
  )
    .option("--json", "the versioned JSON document")
    .option("--html <file>", "the ranking as one self-contained HTML page")
    .addHelpText(
      "after",
      examples("vllm-tco compare --stack managed", "vllm-tco compare --stack onprem --html ranking.html"),
    )
    .action((o) => done(compareCommand(o, io)));
}

function addThroughput(root: Command, io: Io, done: Done): void {
  root
    .command("throughput")
    .description(
      "one vLLM replica simulated under a load: throughput and latency percentiles (no stack needed)",
    )
    .requiredOption("--model <key>", "catalog model key or Hugging Face id")
    .requiredOption("--gpu <key>", "catalog GPU key (h100-sxm, h200, a100-80gb, l40s, …)")
    .option("--gpus <n>", "GPUs per replica: 1, 2, 4 or 8", "1")
    .addOption(new Option("--dtype <dtype>", "weights precision").default("bf16"))
    .requiredOption("--input-tokens <n>", "prompt tokens per request")
    .requiredOption("--output-tokens <n>", "generated tokens per request")
    .option(
      "--concurrency <n>",
      "clients, each sending its next request when the last ends (give this or --request-rate)",
    )
    .option("--request-rate <n>", "requests a second arriving at random (Poisson)")
    .option("--requests <n>", "requests to simulate (default: two minutes of the load, at least 200)")
    .option("--prefix-hit <share>", "share of the prompt served from the prefix cache, 0..1", "0")
    .option(
      "--tensor-parallel <n>",
      "vLLM --tensor-parallel-size (default: --gpus; the rest run data parallel)",
    )
    .option("--vllm-version <v>", "the vLLM version whose scheduler to simulate (≤ 0.7 is V0)", "0.11.0")
    .option("--max-num-seqs <n>", "vLLM --max-num-seqs per engine (default: the version's, for this GPU)")
    .option("--max-num-batched-tokens <n>", "vLLM --max-num-batched-tokens (default: the version's)")
    .option("--gpu-memory-utilization <share>", "vLLM --gpu-memory-utilization", "0.9")
    .option("--num-scheduler-steps <n>", "vLLM V0 --num-scheduler-steps", "1")
    .option("--chunked-prefill", "vLLM V0 --enable-chunked-prefill (always on in V1)")
    .option(
      "--latency-ms <ms>",
      "also find the capacity: the highest request rate within this p90 inter-token latency",
    )
    .option("--ttft-ms <ms>", "with --latency-ms: the p90 time-to-first-token target", "2000")
    .option("--trace", "print the queue, running sequences and KV cache use second by second")
    .option("--json", "JSON instead of text")
    .addHelpText(
      "after",
      examples(
        "vllm-tco throughput --model llama-3.1-8b --gpu h100-sxm --gpus 1 --dtype bf16 --input-tokens 1500 --output-tokens 300 --concurrency 64 --prefix-hit 0.3",
      ),
    )
    .action((o) => done(throughputCommand(o, io)));
}

function addPlan(root: Command, io: Io, done: Done): void {
  stackOptions(
    root
      .command("plan")
      .description("the stack's Pulumi program under the mock runtime: resources, cost, policy verdicts"),
  )
    .option("--json", "{ resources, cost, violations, assumes } as JSON")
    .addHelpText(
      "after",
      `${examples("vllm-tco plan --stack aws-h100", "vllm-tco plan --stack onprem --json")}\n\nExit status 3: a mandatory budget or policy would stop the update.`,
    )
    .action(async (o) => {
      // Loaded only here: the Pulumi SDK is large and `cost` must start fast.
      const { planCli } = await import("./plan");
      done(await planCli(o, io));
    });
}

function addPrices(root: Command, io: Io, done: Done): void {
  const prices = root.command("prices").description("live AWS prices for the cost model");
  prices
    .command("refresh")
    .description("fetch on-demand and spot prices into the local cache (.vllm-tco/prices.json)")
    .option("--region <region>", "AWS region (default $AWS_REGION or us-east-1)")
    .option("--instance-types <list>", "comma-separated catalog instance types (default: all)")
    .option("--json", "the fetch report as JSON")
    .addHelpText(
      "after",
      `${examples("vllm-tco prices refresh", "vllm-tco prices refresh --region us-west-2 --instance-types p5.4xlarge,p5.48xlarge --json")}\n\nExit status 4: something was not fetched (the rest is cached; the catalog stays in use).`,
    )
    .action(async (o) => done(await pricesRefreshCommand(o, io)));
}

function addReap(root: Command, io: Io, done: Done, deps: ReapDeps): void {
  stackOptions(
    root
      .command("reap")
      .description(
        "find GPUs that sat idle and stop paying for them, through the autoscaler (dry run by default)",
      ),
  )
    .option("--idle-minutes <n>", "the window (default scaling.idleMinutes)")
    .option("--apply", "act on an idle decision (pause the autoscaler at zero)")
    .option("--destroy", "with --apply: destroy the GPU resources through Pulumi's Automation API instead")
    .option("--resume", "undo a pause: hand the fleet back to its autoscaler")
    .addOption(
      new Option(
        "--source <source>",
        "where the metrics come from (default prometheus; on an aws stack with no Prometheus given, cloudwatch)",
      ).choices(["prometheus", "endpoints", "cloudwatch"]),
    )
    .option(
      "--prometheus <url>",
      "Prometheus URL (default metrics.prometheusUrl, else kubernetes.prometheusAddress)",
    )
    .option(
      "--selector <matchers>",
      'PromQL label matchers for the replicas (default model_name="<servedName>")',
    )
    .option("--endpoint <url...>", "a replica's base URL, for --source endpoints (repeatable)")
    .option("--group <name>", "the Auto Scaling group (default: the stack's groupName output)")
    .option("--load-balancer <dim>", "the ALB's metric dimension app/…, for --source cloudwatch")
    .option("--target-group <dim>", "the target group's dimension targetgroup/…, for --source cloudwatch")
    .option("--audit-log <path>", "where decisions are appended (default .vllm-tco/reap-audit.jsonl)")
    .option(
      "--tolerance-seconds <s>",
      "longest a series may go without a sample (default 60; 240 for cloudwatch)",
    )
    .option("--timeout-seconds <s>", "deadline for the whole run beyond the sampling window (default 120)")
    .option("--json", "the decision record as JSON")
    .addHelpText(
      "after",
      `${examples(
        "vllm-tco reap --stack onprem",
        "vllm-tco reap --stack onprem --apply",
        "vllm-tco reap --stack onprem --resume",
        "vllm-tco reap --stack aws-h100 --apply",
        "vllm-tco reap --stack aws-h100 --group vllm-aws-h100-abc --prometheus http://prom:9090 --apply",
      )}\n\nExit status: 0 busy, 10 idle, 12 unknown (no action), 13 the action failed.`,
    )
    .action(async (o) => {
      const { reapCli } = await import("./reap");
      done(await reapCli(o, io, deps));
    });
}

function program(io: Io, deps: ReapDeps, done: Done): Command {
  const root = new Command("vllm-tco")
    .description(
      "Should we run this open-weight model ourselves, or keep paying per token? Monthly TCO, API comparison, break-even and verdict from a Pulumi stack file; a dry plan of the deployment; idle-GPU reaping.",
    )
    .version(VERSION, "-v, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ helpWidth: outputColumns(), sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
      outputError: (s, write) => write(`vllm-tco: ${s.replace(/^error: /, "")}`),
    });
  addCost(root, io, done);
  addThroughput(root, io, done);
  addPlan(root, io, done);
  addPrices(root, io, done);
  addReap(root, io, done, deps);
  return root;
}

export async function main(argv: string[], io: Io, deps: ReapDeps = {}): Promise<number> {
  let code = 0;
  const cli = program(io, deps, (c) => (code = c));
  try {
    if (argv.length === 0) {
      io.err(cli.helpInformation().replace(/\n$/, ""));
      return 2;
    }
    await cli.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError)
      // --help and --version end here with exit code 0; a usage error (unknown command or option, a
      // missing value) is bad input: commander has printed it with its suggestion.
      return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      io.err(`vllm-tco: ${e.message}`);
      return 2;
    }
    const message = ((e as Error)?.message ?? String(e)).split("\n")[0];
    io.err(
      `vllm-tco: unexpected error (a bug in vllm-tco ${VERSION}; please report it with this line and the output of VLLM_TCO_DEBUG=1): ${message}`,
    );
    if (process.env["VLLM_TCO_DEBUG"]) io.err((e as Error).stack ?? "");
    return 1;
  }
}

if (require.main === module) {
  // `vllm-tco cost | head`: a reader that stops early is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  // Exit once the output is flushed rather than when the event loop drains: a call that never
  // answered (a hung API server, past the reaper's deadline) must not keep the process alive after
  // its decision and audit line are written.
  void main(process.argv.slice(2), consoleIo).then((code) => {
    process.exitCode = code;
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
  });
}
