/**
 * How long one engine step takes, from physical terms only:
 *   GPU time  = the longer of memory time and compute time, plus the part of the shorter not hidden under it
 *   memory    = (weights the step's tokens touch + KV cache the step reads) / (bandwidth × efficiency)
 *   compute   = linear-layer FLOPs / (peak × efficiency) + attention FLOPs / (peak × efficiency)
 *   TP        = two all-reduces per layer, each latency + bytes / (link bandwidth × efficiency)
 *   software  = per-step + per-sequence × sequences + per-token × tokens
 * Each term can be switched off (the bench's ablation table shows what each one buys).
 */
import { residualWidth, type EngineFacts } from "./replica-spec";

/** What the scheduler put in one step. */
export interface StepBatch {
  /** Sequences in the step (decoding or prefilling a chunk). */
  readonly sequences: number;
  /** Tokens the step computes: one per decoding sequence plus every prefill chunk's tokens. */
  readonly tokens: number;
  /** Context tokens whose KV the step reads (each decode's context; each chunk's earlier tokens). */
  readonly contextTokens: number;
  /** (query, key) pairs over full-attention layers, per layer. */
  readonly attentionPairs: number;
  /** Whether this step is one of a V0 multi-step run (its fixed software cost is shared). */
  readonly decodeOnly: boolean;
}

export type Term =
  | "weights"
  | "kvCache"
  | "linear"
  | "attention"
  | "overlap"
  | "allReduce"
  | "software"
  | "moeRouting"
  | "frontend";

export interface StepTime {
  readonly seconds: number;
  readonly memory: number;
  readonly compute: number;
  readonly communication: number;
  readonly software: number;
}

/**
 * Expected share of experts a step's `tokens` touch when each token picks k of E (independent routing):
 * 1 − (1 − k/E)^tokens. One token touches k/E; a large batch touches them all.
 */
export function expertsTouched(share: number, tokens: number): number {
  return share >= 1 ? 1 : 1 - Math.pow(1 - share, tokens);
}

export function stepTime(e: EngineFacts, b: StepBatch, off?: ReadonlySet<Term>): StepTime {
  const m = e.spec.model;
  const c = e.constants;
  const on = (t: Term) => !off?.has(t);
  const touched = on("moeRouting") ? expertsTouched(e.expertShare, b.tokens) : 1;
  const weights = on("weights") ? e.denseWeightBytes + e.expertWeightBytes * touched : 0;
  const window = m.slidingWindow
    ? e.windowBytesPerSequence *
      Math.min(1, b.contextTokens / Math.max(1, b.sequences) / m.slidingWindow.tokens) *
      b.sequences
    : 0;
  const kv = on("kvCache") ? b.contextTokens * e.kvBytesPerToken + window : 0;
  const memory = (weights + kv) / (e.tp * e.bandwidth);
  const linear = on("linear") ? (2 * m.activeParameters * b.tokens) / (e.tp * e.linearFlops) : 0;
  const fullLayers = m.layers - (m.slidingWindow?.layers ?? 0);
  const heads = (m.attentionHeads ?? 0) > 0 ? m.attentionHeads! * m.headDim : residualWidth(m);
  const windowPairs = m.slidingWindow ? m.slidingWindow.layers * b.tokens * m.slidingWindow.tokens : 0;
  const attention = on("attention")
    ? (4 * heads * (fullLayers * b.attentionPairs + windowPairs)) / (e.tp * e.attentionFlops)
    : 0;
  const compute = linear + attention;
  const overlap = on("overlap") ? c.overlap : 1;
  const gpu = Math.max(memory, compute) + (1 - overlap) * Math.min(memory, compute);
  let communication = 0;
  if (e.tp > 1 && on("allReduce")) {
    const link = e.spec.gpu.interconnect;
    // A ring all-reduce sends 2 (tp − 1) / tp of the message from each GPU: BF16 activations of the step's tokens.
    const bytes = (b.tokens * residualWidth(m) * 2 * 2 * (e.tp - 1)) / e.tp;
    communication =
      2 *
      m.layers *
      (c.allReduceLatencySeconds[link.kind] + bytes / (link.bytesPerSecond * c.linkEfficiency));
  }
  const software = on("software")
    ? c.stepSeconds[e.version.generation] / (b.decodeOnly ? e.multiStep : 1) +
      c.sequenceSeconds * b.sequences +
      c.tokenSeconds * b.tokens
    : 0;
  return { seconds: gpu + communication + software, memory, compute, communication, software };
}
