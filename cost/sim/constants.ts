/**
 * The step-time model's constants. Every one is a physical quantity with a bound that physics or the
 * engine's design gives it, and each is set from the cleanest measurement of that one quantity
 * (bench/data/step-constants.md says which): operator timings for the kernels' shares of peak, the
 * smallest serving runs for the software's fixed costs. The serving runs the bench scores (bursts,
 * request rates, long contexts) are predicted from these, never fitted. A test holds every constant
 * inside its bound: a value that would have to leave its bound to match a measurement is a mechanism
 * the model lacks, to be named, not fitted away.
 */
import type { Gpu } from "../catalog";

export type Architecture = Gpu["architecture"];
export type SchedulerGeneration = "v0" | "v1";

export interface StepConstants {
  /** Share of peak memory bandwidth a decode step's weight and KV reads achieve. */
  readonly bandwidthEfficiency: number;
  /** Share of the data sheet's dense tensor FLOP/s the linear layers (GEMMs) achieve at large token counts, per GPU generation. */
  readonly computeEfficiency: Readonly<Record<Architecture, number>>;
  /** Share of dense BF16 FLOP/s the attention kernels (FlashAttention) achieve on long prompts, per GPU generation. */
  readonly attentionEfficiency: Readonly<Record<Architecture, number>>;
  /**
   * Share of the shorter of a layer's memory time and compute time hidden under the longer: 1 is a
   * perfect roofline (max of the two), 0 runs them one after the other. GEMMs near the ridge point
   * (64–512 tokens) overlap loads with math only in part.
   */
  readonly overlap: number;
  /** Weight-only quantised GEMMs (INT4, FP8 without FP8 tensor cores) dequantise in the kernel: speed relative to BF16 GEMMs. */
  readonly weightOnlySpeed: number;
  /** Fixed software cost of one step: scheduling, input preparation, launching the CUDA graph, sampling, per generation. */
  readonly stepSeconds: Readonly<Record<SchedulerGeneration, number>>;
  /** Software cost per running sequence in a step: block tables, sampling and detokenising its token. */
  readonly sequenceSeconds: number;
  /** Software cost per token a step processes (input preparation, positions, slot mapping). */
  readonly tokenSeconds: number;
  /** Fixed latency of one all-reduce across the tensor-parallel GPUs, per interconnect. */
  readonly allReduceLatencySeconds: Readonly<Record<Gpu["interconnect"]["kind"], number>>;
  /** Share of the interconnect's data-sheet bandwidth an all-reduce achieves. */
  readonly linkEfficiency: number;
  /**
   * The API server's CPU time per request before the engine sees it (HTTP, tokenising, handing it to
   * the engine core), spent one request after another: a burst of N requests reaches the engine over
   * N × this.
   */
  readonly requestCpuSeconds: number;
  /** Latency a client sees on top of the engine's work (the hops between client, API server and engine core, both ways), not a queue. */
  readonly requestLatencySeconds: number;
}

/** Closed intervals each constant must stay in. */
export const BOUNDS = {
  bandwidthEfficiency: [0.6, 0.95],
  computeEfficiency: [0.3, 0.8],
  attentionEfficiency: [0.3, 0.8],
  overlap: [0, 1],
  weightOnlySpeed: [0.4, 1],
  stepSecondsV1: [0, 0.003],
  stepSecondsV0: [0, 0.005],
  sequenceSeconds: [0, 30e-6],
  tokenSeconds: [0, 2e-6],
  allReduceLatencyNvlink: [2e-6, 30e-6],
  allReduceLatencyPcie: [5e-6, 60e-6],
  linkEfficiency: [0.5, 0.95],
  requestCpuSeconds: [0, 0.01],
  requestLatencySeconds: [0, 0.03],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * vLLM on NVIDIA GPUs. Derivations (bench/data/step-constants.md has the rows):
 *  - bandwidth 0.83, compute Hopper 0.77 / Ampere 0.71, overlap 0.5: Vidur's operator profiles
 *    (microsoft/vidur data/profiling/compute, Llama-2-7B and 70B linear layers on H100 and A100): batch
 *    1–64 runs at 0.78–0.84 of peak bandwidth, 2048–4096 tokens at 0.75–0.86 of dense peak; the
 *    crossover tokens sit between a perfect roofline and no overlap.
 *  - attention: FlashAttention-2 on A100 reaches ~0.6 of peak and FlashAttention-3 ~0.6–0.75 on H100
 *    in BF16 (their papers' forward-pass figures); 0.6 for both, Ada as Ampere.
 *  - all-reduce latency: Vidur's network profiles (h100_dgx, a100_pairwise_nvlink): 7–10 µs for the
 *    smallest messages over NVLink; PCIe through the host bridge, about 2.5× that.
 *  - step, sequence and token costs: the single-stream and small-batch runs of the fit sources
 *    (a 0.5B model whose weights take ~3 ms to read, so the rest is software).
 */
export const STEP_CONSTANTS: StepConstants = {
  bandwidthEfficiency: 0.83,
  computeEfficiency: { hopper: 0.77, ampere: 0.71, ada: 0.71 },
  attentionEfficiency: { hopper: 0.6, ampere: 0.6, ada: 0.6 },
  overlap: 0.5,
  weightOnlySpeed: 0.7,
  stepSeconds: { v0: 0.004, v1: 0.0015 },
  sequenceSeconds: 10e-6,
  tokenSeconds: 0.3e-6,
  allReduceLatencySeconds: { nvlink: 10e-6, pcie: 25e-6 },
  linkEfficiency: 0.8,
  requestCpuSeconds: 0.002,
  requestLatencySeconds: 0.015,
};

/** Each constant with its bound, for the bounds test and the bench's table. */
export function constantsWithBounds(c: StepConstants = STEP_CONSTANTS) {
  const rows: { name: string; value: number; bound: readonly [number, number] }[] = [
    { name: "bandwidthEfficiency", value: c.bandwidthEfficiency, bound: BOUNDS.bandwidthEfficiency },
    { name: "overlap", value: c.overlap, bound: BOUNDS.overlap },
    { name: "weightOnlySpeed", value: c.weightOnlySpeed, bound: BOUNDS.weightOnlySpeed },
    { name: "stepSeconds.v1", value: c.stepSeconds.v1, bound: BOUNDS.stepSecondsV1 },
    { name: "stepSeconds.v0", value: c.stepSeconds.v0, bound: BOUNDS.stepSecondsV0 },
    { name: "sequenceSeconds", value: c.sequenceSeconds, bound: BOUNDS.sequenceSeconds },
    { name: "tokenSeconds", value: c.tokenSeconds, bound: BOUNDS.tokenSeconds },
    {
      name: "allReduceLatency.nvlink",
      value: c.allReduceLatencySeconds.nvlink,
      bound: BOUNDS.allReduceLatencyNvlink,
    },
    {
      name: "allReduceLatency.pcie",
      value: c.allReduceLatencySeconds.pcie,
      bound: BOUNDS.allReduceLatencyPcie,
    },
    { name: "linkEfficiency", value: c.linkEfficiency, bound: BOUNDS.linkEfficiency },
    { name: "requestCpuSeconds", value: c.requestCpuSeconds, bound: BOUNDS.requestCpuSeconds },
    { name: "requestLatencySeconds", value: c.requestLatencySeconds, bound: BOUNDS.requestLatencySeconds },
  ];
  for (const a of ["hopper", "ampere", "ada"] as const) {
    rows.push({
      name: `computeEfficiency.${a}`,
      value: c.computeEfficiency[a],
      bound: BOUNDS.computeEfficiency,
    });
    rows.push({
      name: `attentionEfficiency.${a}`,
      value: c.attentionEfficiency[a],
      bound: BOUNDS.attentionEfficiency,
    });
  }
  return rows;
}
