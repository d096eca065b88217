/** Whether the stack's load balancer is internal: decided once, for the cost model and the program alike. */
const PRIVATE_RANGES = ["10.", "192.168.", ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.`)];

/** Internal when every client range is private (the default is the VPC's own) and open ingress is not asked for. */
export function loadBalancerInternal(aws: {
  readonly allowOpenIngress: boolean;
  readonly ingressCidrs?: readonly string[] | undefined;
}): boolean {
  return (
    !aws.allowOpenIngress &&
    (aws.ingressCidrs ?? ["10."]).every((c) => PRIVATE_RANGES.some((r) => c.startsWith(r)))
  );
}
