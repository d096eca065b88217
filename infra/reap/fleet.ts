/**
 * What the reaper acts on, per platform: the fleet's state as the platform reports it, and how to stop
 * paying for it through the platform's own autoscaler (and to undo that).
 */

/** The replicas that exist, and a version that changes whenever the fleet or its autoscaler does. */
export interface FleetState {
  readonly replicas: number;
  readonly version: string;
  /** The pods the platform says make up the fleet, where it has pods: the metrics must be theirs. */
  readonly pods?: OwnedPods;
}

/** The pods a Deployment owns (through its ReplicaSets), as the API server lists them. */
export interface OwnedPods {
  /** What owns them, for the evidence: `Deployment vllm/vllm-engine`. */
  readonly owner: string;
  readonly namespace: string;
  readonly names: readonly string[];
}

export interface Fleet {
  /** What the reaper acts on, e.g. `Auto Scaling group vllm-aws-h100-…` or `ScaledObject vllm/vllm-engine`. */
  readonly target: string;
  /** Throws when the platform's answer is missing or malformed: the decision is then unknown. */
  state(): Promise<FleetState>;
  /**
   * Takes the fleet to zero through its autoscaler, only if it is still as `seen` (compare-and-act);
   * throws FleetChanged otherwise. Returns what was done, for the audit log.
   */
  pause(seen: FleetState): Promise<string>;
  /** Undoes `pause`: the autoscaler owns the fleet again. Returns what was done. */
  resume(): Promise<string>;
}

/** The fleet changed between the decision's evidence and the action: nothing was done. */
export class FleetChanged extends Error {
  override readonly name = "FleetChanged";
}

/** A whole, non-negative replica count from a platform answer, or an error naming the field. */
export function replicaCount(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw new Error(`the platform's answer has no usable ${field} (found ${JSON.stringify(value)})`);
  return value;
}
