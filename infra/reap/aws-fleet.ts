/**
 * The aws platform's fleet: the Auto Scaling group, through the AWS SDK with a real request timeout
 * (the SDK's HTTP handler aborts the socket) and a deadline around every call.
 *
 * Pausing sets the group's `MinSize` and `DesiredCapacity` to 0: the group itself is the autoscaler,
 * and a floor above zero would bring the hosts straight back. The Auto Scaling API has no
 * precondition, so compare-and-act re-reads the group (desired capacity and instance ids) right before
 * the update and refuses if either moved. With `scaling.min: 0` the wake alarm still starts a host when
 * a request meets the empty fleet; `vllm-tco reap --resume` (or `pulumi up`) restores the stack's floor.
 */
import type { StackConfig } from "../../cost/config/stack-config";
import { FleetChanged, replicaCount, type Fleet, type FleetState } from "./fleet";
import { within } from "./guard";

export function awsFleet(cfg: StackConfig, groupName: string, callTimeoutMs = 15_000): Fleet {
  const region = cfg.aws?.region ?? "us-east-1";
  const sdk = async () => {
    const m = await import("@aws-sdk/client-auto-scaling");
    const client = new m.AutoScalingClient({
      region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3000, requestTimeout: Math.min(10_000, callTimeoutMs) },
    });
    return { m, client };
  };
  const update = async (MinSize: number, DesiredCapacity: number) => {
    const { m, client } = await sdk();
    await within(
      client.send(
        new m.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, MinSize, DesiredCapacity }),
      ),
      callTimeoutMs,
      `UpdateAutoScalingGroup ${groupName}`,
    );
  };
  const state = async (): Promise<FleetState> => {
    const { m, client } = await sdk();
    const res = await within(
      client.send(new m.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] })),
      callTimeoutMs,
      `DescribeAutoScalingGroups ${groupName}`,
    );
    const groups = res.AutoScalingGroups ?? [];
    const group = groups[0];
    if (!group) throw new Error(`no Auto Scaling group named ${groupName} in ${region}`);
    // Act only on the group asked for: an answer naming another (or several) is not this fleet's.
    if (groups.length !== 1 || group.AutoScalingGroupName !== groupName)
      throw new Error(
        `the Auto Scaling answer names ${groups.map((g) => g.AutoScalingGroupName ?? "?").join(", ")}, not ${groupName}: not acting on another group`,
      );
    // An operator who suspended scaling processes holds the group by hand: never act over them.
    const suspended = (group.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? "?");
    if (suspended.length)
      throw new Error(
        `${groupName} has scaling processes suspended by an operator (${suspended.join(", ")}): left alone; resume them (aws autoscaling resume-processes) to let the reaper act`,
      );
    const desired = replicaCount(group.DesiredCapacity, "DesiredCapacity");
    const ids = (group.Instances ?? []).map((i) => i.InstanceId ?? "?").sort();
    // Instances count whether or not they are InService: a loading host is paid for too.
    return {
      replicas: Math.max(desired, ids.length),
      version: `desired=${desired} instances=[${ids.join(",")}]`,
    };
  };
  return {
    target: `Auto Scaling group ${groupName}`,
    state,
    async pause(seen) {
      const now = await state();
      if (now.version !== seen.version)
        throw new FleetChanged(`the group changed during the window (${seen.version} → ${now.version})`);
      await update(0, 0);
      return `set ${groupName} MinSize 0 and DesiredCapacity 0${cfg.scaling.min === 0 ? " (the wake alarm starts a host on the next request)" : `; \`vllm-tco reap --resume\` or \`pulumi up\` restores MinSize ${cfg.scaling.min}`}`;
    },
    async resume() {
      const desired = Math.max(1, cfg.scaling.min);
      await update(cfg.scaling.min, desired);
      return `set ${groupName} MinSize ${cfg.scaling.min} and DesiredCapacity ${desired}`;
    },
  };
}
