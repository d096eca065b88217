/**
 * The vLLM engine a replica runs, as the throughput model needs it: which scheduler generation
 * (V0 up to 0.7, V1 from 0.8), and the batch caps that version applies when the flags leave them unset.
 */
import type { Gpu } from "./gpus";

export type EngineGeneration = "v0" | "v1";

export interface EngineVersion {
  readonly major: number;
  readonly minor: number;
  /** V0: the original scheduler (prefill steps pause decoding unless chunked prefill is on). V1 (≥ 0.8): chunked prefill always on. */
  readonly generation: EngineGeneration;
  /** "0.11" — what the report prints. */
  readonly label: string;
}

/**
 * The engine version an image tag or version string names: `v0.11.0`, `0.6.3.post1`, `v0.10.1-cu128`.
 * Undefined when the string does not start with a version (a custom build's tag).
 */
export function engineVersion(tag: string): EngineVersion | undefined {
  const m = /^v?(\d{1,3})\.(\d{1,4})(?:[.\-+_]|$)/.exec(tag);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return {
    major,
    minor,
    generation: major === 0 && minor < 8 ? "v0" : "v1",
    label: `${major}.${minor}`,
  };
}

export interface BatchCaps {
  /** `--max-num-seqs`: sequences in one step. */
  readonly maxNumSeqs: number;
  /** `--max-num-batched-tokens`: tokens (decode and prefill chunks) in one step; Infinity when prefill is not chunked. */
  readonly maxNumBatchedTokens: number;
  /** Whether prefill is split into chunks that share steps with decoding. */
  readonly chunkedPrefill: boolean;
}

const GIB = 2 ** 30;

/**
 * The caps vLLM's OpenAI server applies when the flags leave them unset. V1 (arg_utils.py
 * `get_batch_defaults`, 0.8 to 0.11): a GPU with ≥ 70 GiB that is not an A100 gets 1024 sequences and
 * 8192 tokens a step, any other GPU 256 and 2048 (larger budgets slowed A100s, vLLM PR #17885).
 * V0: 256 sequences; prefill runs in its own steps unless chunked prefill is switched on, whose
 * budget then defaults to 512 tokens.
 */
export function defaultBatchCaps(version: EngineVersion, gpu: Gpu, chunkedPrefillV0 = false): BatchCaps {
  if (version.generation === "v0")
    return chunkedPrefillV0
      ? { maxNumSeqs: 256, maxNumBatchedTokens: 512, chunkedPrefill: true }
      : { maxNumSeqs: 256, maxNumBatchedTokens: Infinity, chunkedPrefill: false };
  const large = gpu.memoryGb * GIB >= 70 * GIB && !gpu.key.startsWith("a100");
  return large
    ? { maxNumSeqs: 1024, maxNumBatchedTokens: 8192, chunkedPrefill: true }
    : { maxNumSeqs: 256, maxNumBatchedTokens: 2048, chunkedPrefill: true };
}

/** "vLLM 0.11 (V1: chunked prefill, ≤1024 sequences and 8192 tokens a step)". */
export function describeEngine(version: EngineVersion, caps: BatchCaps): string {
  const budget = Number.isFinite(caps.maxNumBatchedTokens) ? ` and ${caps.maxNumBatchedTokens} tokens` : "";
  const prefill = caps.chunkedPrefill ? "chunked prefill" : "prefill in its own steps";
  return `vLLM ${version.label} (${version.generation.toUpperCase()}: ${prefill}, ≤${caps.maxNumSeqs} sequences${budget} a step)`;
}
