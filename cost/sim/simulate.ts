/**
 * A discrete-event simulation of one vLLM replica: requests arrive (arrivals.ts), the scheduler forms
 * each step (scheduler.ts), the step-time model prices it (step-time.ts), and the clock moves step by
 * step. Pure and deterministic for a seed. A replica of several data-parallel engines is one engine
 * given its share of the traffic (requests are spread evenly), its throughput times the engines.
 */
import { arrivalTimes, random, type Arrivals } from "./arrivals";
import { BLOCK_TOKENS, resolveReplica, type EngineFacts, type ReplicaSpec } from "./replica-spec";
import { blocksFor, newRequest, scheduleStep, type Queues, type Request, type Scheduled } from "./scheduler";
import { distribution, GapHistogram, type Distribution } from "./stats";
import { stepTime, type StepBatch, type Term } from "./step-time";
import type { StepConstants } from "./constants";

export interface Traffic {
  readonly arrivals: Arrivals;
  /** Requests sent to the whole replica. */
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Share of each prompt already in the prefix cache. Default 0. */
  readonly prefixHitShare?: number;
  /**
   * Requests' lengths spread uniformly over ±this share of the given lengths (`vllm bench serve
   * --random-range-ratio`); 0 sends every request at exactly the given lengths. Default 0.
   */
  readonly lengthSpread?: number;
  readonly seed?: number;
}

export interface TraceSample {
  /** Second of the run. */
  readonly second: number;
  readonly waiting: number;
  readonly running: number;
  /** Share of the engine's KV blocks in use. */
  readonly kvUsed: number;
  /** Tokens in the last step of that second. */
  readonly stepTokens: number;
}

export interface SimResult {
  readonly engines: number;
  readonly completed: number;
  /** First arrival to last completion. */
  readonly durationSeconds: number;
  readonly outputTokensPerSecond: number;
  readonly requestsPerSecond: number;
  /** Requests a second that arrived (open loop: over the arrivals' span); equal to the completions' rate in a closed loop. */
  readonly offeredRequestsPerSecond: number;
  readonly ttftMs: Distribution;
  /** Gaps between a stream's tokens (vLLM's benchmark "ITL"). */
  readonly itlMs: Distribution;
  /** Per request: (end-to-end − first token) / (output − 1) (the benchmark's "TPOT"). */
  readonly tpotMs: Distribution;
  readonly e2eMs: Distribution;
  readonly preemptions: number;
  /** Time-weighted mean of running sequences per engine. */
  readonly meanRunning: number;
  readonly maxRunning: number;
  /** Largest share of KV blocks in use at once. */
  readonly peakKvUsed: number;
  readonly steps: number;
  readonly trace?: readonly TraceSample[];
}

export interface SimOptions {
  readonly constants?: StepConstants;
  /** Step-time terms switched off (the bench's ablation). */
  readonly off?: ReadonlySet<Term>;
  /** Collect per-second samples of the queue, batch and KV cache. */
  readonly trace?: boolean;
}

/** Whether one request of this length fits one engine's KV cache at all (vLLM refuses to start otherwise). */
export function fitsOneRequest(e: EngineFacts, inputTokens: number, outputTokens: number): boolean {
  return e.blocks > 0 && blocksFor(e, inputTokens + outputTokens) <= e.blocks;
}

/** Sequences of this length the replica's KV caches hold at once at full length (prompt's uncached part and whole output), over all engines. */
export function sequencesAtFullLength(
  e: EngineFacts,
  w: { readonly inputTokens: number; readonly outputTokens: number; readonly prefixHitShare?: number },
): number {
  const tokens = w.inputTokens * (1 - (w.prefixHitShare ?? 0)) + w.outputTokens;
  return e.engines * Math.floor(e.blocks / Math.max(1, blocksFor(e, tokens)));
}

export function simulate(spec: ReplicaSpec, traffic: Traffic, options: SimOptions = {}): SimResult {
  const e = resolveReplica(spec, options.constants);
  return simulateEngine(e, traffic, options);
}

export function simulateEngine(e: EngineFacts, traffic: Traffic, options: SimOptions = {}): SimResult {
  const engines = e.engines;
  const total = Math.max(1, Math.ceil(traffic.requests / engines));
  const a = traffic.arrivals;
  const share: Arrivals =
    a.kind === "rate"
      ? { kind: "rate", requestsPerSecond: a.requestsPerSecond / engines }
      : a.kind === "concurrency"
        ? { kind: "concurrency", clients: Math.max(1, Math.ceil(a.clients / engines)) }
        : a;
  const spread = Math.min(0.99, Math.max(0, traffic.lengthSpread ?? 0));
  const longest = (n: number) => Math.ceil(n * (1 + spread));
  if (!fitsOneRequest(e, longest(traffic.inputTokens), longest(traffic.outputTokens)))
    throw new RangeError(
      `one ${traffic.inputTokens + traffic.outputTokens}-token request does not fit the engine's KV cache (${e.blocks} blocks)`,
    );
  // The cached prefix is whole blocks, held once for all requests.
  const cached =
    Math.floor((traffic.inputTokens * (traffic.prefixHitShare ?? 0)) / BLOCK_TOKENS) * BLOCK_TOKENS;
  const usable = e.blocks - cached / BLOCK_TOKENS;
  const lengths = random((traffic.seed ?? 1) ^ 0x9e3779b9);
  const jitter = (n: number) =>
    spread > 0 ? Math.max(1, Math.round(n * (1 + spread * (2 * lengths() - 1)))) : n;
  const uncached = Math.max(1, traffic.inputTokens - cached);
  const q: Queues = {
    running: [],
    waiting: [],
    freeBlocks: usable,
    preemptions: 0,
  };
  const closed = share.kind === "concurrency";
  const times = arrivalTimes(share, total, traffic.seed ?? 1);
  // The API server takes requests one after another: each reaches the engine after its CPU time.
  const cpu = options.off?.has("frontend") ? 0 : e.constants.requestCpuSeconds;
  const latency = options.off?.has("frontend") ? 0 : e.constants.requestLatencySeconds;
  let frontendFree = 0;
  const admit = (arrival: number) => (frontendFree = Math.max(arrival, frontendFree) + cpu);
  const ready = new Float64Array(total);
  if (!closed) for (let i = 0; i < total; i++) ready[i] = admit(times[i]!);
  let issued = 0;
  const make = (at: number, readyAt: number): Request =>
    newRequest(issued++, at, readyAt, jitter(uncached), cached, jitter(Math.max(1, traffic.outputTokens)));
  const ttft = new Float64Array(total);
  const e2e = new Float64Array(total);
  const tpot = new Float64Array(total);
  const gaps = new GapHistogram();
  const trace: TraceSample[] = [];
  const step: Scheduled[] = [];

  let t = 0;
  let next = 0; // next open-loop arrival
  // Closed-loop requests enter a list ordered by when the API server hands them over.
  const pending: Request[] = [];
  if (closed) for (let i = 0; i < Math.min(share.clients, total); i++) pending.push(make(0, admit(0)));
  let done = 0;
  let outputTokens = 0;
  let steps = 0;
  let runningTime = 0;
  let maxRunning = 0;
  let peakKv = 0;
  let lastEnd = 0;
  let traced = -1;

  while (done < total) {
    if (!closed)
      while (next < total && ready[next]! <= t) {
        q.waiting.push(make(times[next]!, ready[next]!));
        next++;
      }
    else while (pending.length > 0 && pending[0]!.ready <= t) q.waiting.push(pending.shift()!);
    if (q.running.length === 0 && q.waiting.length === 0) {
      t = closed ? pending[0]!.ready : ready[next]!;
      continue;
    }
    scheduleStep(e, q, step);
    if (step.length === 0)
      throw new Error(
        "scheduler formed an empty step with work waiting (a request larger than the KV cache)",
      );
    const batch = describe(step);
    const dt = stepTime(e, batch, options.off).seconds;
    runningTime += q.running.length * dt;
    if (q.running.length > maxRunning) maxRunning = q.running.length;
    const used = 1 - q.freeBlocks / Math.max(1, usable);
    if (used > peakKv) peakKv = used;
    t += dt;
    steps++;
    let finished = 0;
    let decodes = 0;
    for (const s of step) {
      const r = s.request;
      if (s.prefill) {
        r.computed += s.tokens;
        r.kv += s.tokens;
        if (r.computed < r.target) continue;
      } else {
        r.kv += 1;
        decodes++;
      }
      r.generated += 1;
      if (r.firstToken < 0) r.firstToken = t;
      r.lastToken = t;
      if (r.generated >= r.output) {
        const i = done++;
        outputTokens += r.output;
        ttft[i] = r.firstToken - r.arrival + latency;
        e2e[i] = t - r.arrival + latency;
        tpot[i] = r.output > 1 ? (t - r.firstToken) / (r.output - 1) : 0;
        q.freeBlocks += r.blocks;
        r.blocks = 0;
        r.target = -1; // marks it finished for the sweep below
        finished++;
        lastEnd = t;
        if (closed && issued < total) pending.push(make(t + latency, admit(t + latency)));
      }
    }
    // Every decoding sequence waited this step for its token.
    gaps.add(dt, decodes);
    if (finished > 0) q.running = q.running.filter((r) => r.target >= 0);
    if (options.trace && Math.floor(t) > traced) {
      traced = Math.floor(t);
      trace.push({
        second: traced,
        waiting: q.waiting.length,
        running: q.running.length,
        kvUsed: 1 - q.freeBlocks / Math.max(1, usable),
        stepTokens: batch.tokens,
      });
    }
  }
  const first = closed ? 0 : times[0]!;
  const duration = Math.max(1e-9, lastEnd + latency - first);
  const itl = gaps.distribution();
  return {
    engines,
    completed: done * engines,
    durationSeconds: duration,
    outputTokensPerSecond: (engines * outputTokens) / duration,
    requestsPerSecond: (engines * done) / duration,
    offeredRequestsPerSecond:
      share.kind === "rate" && total > 1
        ? (engines * (total - 1)) / Math.max(1e-9, times[total - 1]! - times[0]!)
        : (engines * done) / duration,
    ttftMs: distribution(ttft),
    itlMs: itl,
    tpotMs: distribution(tpot.subarray(0, done)),
    e2eMs: distribution(e2e),
    preemptions: q.preemptions * engines,
    meanRunning: runningTime / Math.max(1e-9, t - first),
    maxRunning,
    peakKvUsed: peakKv,
    steps,
    ...(options.trace && { trace }),
  };
}

/** The step's totals the step-time model needs. */
function describe(step: readonly Scheduled[]): StepBatch {
  let tokens = 0;
  let context = 0;
  let pairs = 0;
  let prefill = false;
  for (const s of step) {
    const r = s.request;
    const before = r.cached + r.kv;
    tokens += s.tokens;
    context += before;
    if (s.prefill) prefill = true;
    // Each new token attends to every earlier token and, causally, to the chunk's tokens before it.
    pairs += s.tokens * before + (s.tokens * (s.tokens + 1)) / 2;
  }
  return {
    sequences: step.length,
    tokens,
    contextTokens: context,
    attentionPairs: pairs,
    decodeOnly: !prefill,
  };
}
