/**
 * How vLLM forms a step, emulated rather than fitted.
 *
 * V1 (≥ 0.8; V0 with `--enable-chunked-prefill` schedules the same way): running requests first, in
 * the order they were admitted — each decoding sequence takes one token, a partly prefilled prompt its
 * next chunk — then waiting requests in arrival order, while the step's token budget
 * (`max-num-batched-tokens`) and `max-num-seqs` allow. KV-cache blocks are allocated for the tokens a
 * step computes; when a running request cannot get its block, the most recently admitted request is
 * preempted: its blocks are freed and it waits at the head of the queue to recompute its prompt and
 * the tokens it had generated (recompute is V1's only preemption mode). No new request is admitted in
 * a step that preempted.
 *
 * V0 (≤ 0.7) without chunked prefill: a step either prefills whole prompts of newly admitted requests
 * (as many as fit `max(max-model-len, 2048)` tokens, the sequence cap and the free blocks for the whole
 * prompt) or decodes every running request; waiting prompts go first, which pauses decoding.
 */
import { BLOCK_TOKENS, type EngineFacts } from "./replica-spec";

export interface Request {
  readonly id: number;
  readonly arrival: number;
  /** When the API server hands it to the engine. */
  readonly ready: number;
  /** Prompt tokens not in the prefix cache: what the request prefills. */
  readonly prompt: number;
  /** Prompt tokens served from the prefix cache (their blocks are shared, allocated once). */
  readonly cached: number;
  readonly output: number;
  /** Tokens to compute before the next token is sampled: the prompt, or prompt + generated after a preemption. */
  target: number;
  computed: number;
  generated: number;
  /** Tokens whose keys and values this request holds in its own blocks. */
  kv: number;
  blocks: number;
  firstToken: number;
  lastToken: number;
  preemptions: number;
}

export interface Queues {
  /** Admitted requests, oldest first. */
  running: Request[];
  /** Requests waiting, next first. */
  waiting: Request[];
  freeBlocks: number;
  preemptions: number;
}

/** One request's share of a step: `tokens` of its prompt (a chunk) or one decode token. */
export interface Scheduled {
  readonly request: Request;
  readonly tokens: number;
  readonly prefill: boolean;
}

/** A request as it arrives: nothing computed, no blocks. */
export function newRequest(
  id: number,
  arrival: number,
  ready: number,
  prompt: number,
  cached: number,
  output: number,
): Request {
  return {
    id,
    arrival,
    ready,
    prompt,
    cached,
    output,
    target: prompt,
    computed: 0,
    generated: 0,
    kv: 0,
    blocks: 0,
    firstToken: -1,
    lastToken: 0,
    preemptions: 0,
  };
}

/** Blocks a request holds for `tokens` of its own, plus its sliding-window layers' fixed share. */
export function blocksFor(e: EngineFacts, tokens: number): number {
  const window = e.windowBytesPerSequence / e.kvBytesPerToken;
  return Math.ceil((tokens + window) / BLOCK_TOKENS);
}

function preempt(q: Queues, r: Request): void {
  q.freeBlocks += r.blocks;
  r.blocks = 0;
  r.kv = 0;
  r.computed = 0;
  r.target = r.prompt + r.generated;
  r.preemptions += 1;
  q.preemptions += 1;
  q.waiting.unshift(r);
}

/** Reserves blocks for `r` to hold `tokens` more, preempting from the back of `running` as vLLM does. False when `r` itself was preempted. */
function reserve(e: EngineFacts, q: Queues, r: Request, tokens: number): boolean {
  const need = blocksFor(e, r.kv + tokens) - r.blocks;
  while (need > q.freeBlocks) {
    const victim = q.running.pop()!;
    preempt(q, victim);
    if (victim === r) return false;
  }
  q.freeBlocks -= need;
  r.blocks += need;
  return true;
}

export function scheduleStep(e: EngineFacts, q: Queues, out: Scheduled[]): void {
  out.length = 0;
  if (e.caps.chunkedPrefill) scheduleChunked(e, q, out);
  else scheduleV0(e, q, out);
}

function scheduleChunked(e: EngineFacts, q: Queues, out: Scheduled[]): void {
  let budget = e.caps.maxNumBatchedTokens;
  const before = q.preemptions;
  for (let i = 0; i < q.running.length && budget > 0; i++) {
    const r = q.running[i]!;
    const prefill = r.computed < r.target;
    const tokens = prefill ? Math.min(r.target - r.computed, budget) : 1;
    if (!reserve(e, q, r, tokens)) break;
    out.push({ request: r, tokens, prefill });
    budget -= tokens;
  }
  if (q.preemptions !== before) return;
  while (q.waiting.length > 0 && budget > 0 && q.running.length < e.caps.maxNumSeqs) {
    const tokens = Math.min(q.waiting[0]!.target - q.waiting[0]!.computed, budget);
    if (!admitHead(e, q, tokens, 0, out)) break;
    budget -= tokens;
  }
}

/** Moves the head of `waiting` to `running` with blocks for `tokens`, keeping `reserved` blocks free. False when they are not there. */
function admitHead(e: EngineFacts, q: Queues, tokens: number, reserved: number, out: Scheduled[]): boolean {
  const r = q.waiting[0]!;
  const need = blocksFor(e, r.kv + tokens) - r.blocks;
  if (need > q.freeBlocks - reserved) return false;
  q.waiting.shift();
  q.freeBlocks -= need;
  r.blocks += need;
  q.running.push(r);
  out.push({ request: r, tokens, prefill: true });
  return true;
}

function scheduleV0(e: EngineFacts, q: Queues, out: Scheduled[]): void {
  // Prefill first: whole prompts, with the whole prompt's blocks and 1% of the cache kept free (V0's watermark).
  let budget = e.prefillBudget;
  const watermark = Math.ceil(0.01 * e.blocks);
  while (q.waiting.length > 0 && q.running.length < e.caps.maxNumSeqs) {
    const tokens = q.waiting[0]!.target - q.waiting[0]!.computed;
    if (tokens > budget && out.length > 0) break;
    if (!admitHead(e, q, tokens, watermark, out)) break;
    budget -= tokens;
  }
  if (out.length > 0) return;
  for (let i = 0; i < q.running.length; i++) {
    const r = q.running[i]!;
    if (!reserve(e, q, r, 1)) break;
    out.push({ request: r, tokens: 1, prefill: false });
  }
}
