/**
 * `--destroy`: remove the stack's GPU resources through Pulumi's Automation API (it drives the Pulumi
 * CLI, which must be installed). Only the resources that hold GPUs are targeted, with their dependents.
 */
export interface AutomationStack {
  outputs(): Promise<Record<string, { value: unknown }>>;
  exportStack(): Promise<{ deployment: { resources?: readonly { urn: string; type: string }[] } }>;
  destroy(opts: {
    target: string[];
    targetDependents: boolean;
    onOutput?: (out: string) => void;
  }): Promise<unknown>;
}

export interface Automation {
  selectStack(stackName: string, workDir: string): Promise<AutomationStack>;
}

/** The real thing: a local workspace over this project (Pulumi.yaml, stacks/). */
export const pulumiAutomation: Automation = {
  async selectStack(stackName, workDir) {
    // A file path, not the directory: the bundled CLI loads it through ESM resolution, which refuses
    // directory imports (ERR_UNSUPPORTED_DIR_IMPORT).
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation/index.js");
    return LocalWorkspace.selectStack({ stackName, workDir }) as unknown as AutomationStack;
  },
};

/** Resources that hold GPUs: the Auto Scaling group and its launch template; the engine Deployment. */
export function gpuResourceUrns(resources: readonly { urn: string; type: string }[]): string[] {
  return resources
    .filter(
      (r) =>
        r.type === "aws:autoscaling/group:Group" ||
        r.type === "aws:ec2/launchTemplate:LaunchTemplate" ||
        (r.type === "kubernetes:apps/v1:Deployment" && r.urn.endsWith("::vllm-engine")),
    )
    .map((r) => r.urn);
}

export async function destroyGpuResources(
  automation: Automation,
  stackName: string,
  workDir: string,
  log: (s: string) => void,
): Promise<string[]> {
  const stack = await automation.selectStack(stackName, workDir);
  const state = await stack.exportStack();
  const targets = gpuResourceUrns(state.deployment.resources ?? []);
  if (targets.length === 0) throw new Error(`stack ${stackName} has no GPU resources in its state`);
  await stack.destroy({ target: targets, targetDependents: true, onOutput: log });
  return targets;
}
