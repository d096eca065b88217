/** Whether the stack's load balancer is internal: decided once, for the cost model and the program alike. */
import { allPrivate } from "./cidr";

/**
 * Internal when no client range admits a public address (the default is the VPC's own, private,
 * range) and open ingress is not asked for. By address arithmetic (./cidr.ts): `10.0.0.0/1` covers
 * public space, so it needs an internet-facing balancer, whatever its first octet says.
 */
export function loadBalancerInternal(aws: {
  readonly allowOpenIngress: boolean;
  readonly ingressCidrs?: readonly string[] | undefined;
}): boolean {
  return !aws.allowOpenIngress && allPrivate(aws.ingressCidrs ?? ["10.0.0.0/16"]);
}
