import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OPEN_INGRESS_TAG } from "../policy/rules";

export interface LoadBalancerArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** CIDRs admitted to the listener (validated upstream: 0.0.0.0/0 only when the stack allows it). */
  readonly ingressCidrs: pulumi.Input<pulumi.Input<string>[]>;
  /** No internet-facing address when every admitted range is private. */
  readonly internal: boolean;
  /** The stack explicitly allows 0.0.0.0/0: the security group says so for the policy pack. */
  readonly allowOpenIngress: boolean;
  readonly port: number;
  readonly certificateArn?: string;
  /** Seconds the target group waits for in-flight requests of a deregistering host. */
  readonly drainSeconds: number;
}

/** Health check suited to vLLM: /health answers 200 once the weights are loaded; a slow answer under load is not a failure. */
export const HEALTH_CHECK = {
  path: "/health",
  protocol: "HTTP",
  matcher: "200",
  interval: 15,
  timeout: 10,
  healthyThreshold: 2,
  unhealthyThreshold: 4,
} as const;

/** Streams of long completions stay open: 15 minutes before the ALB drops an idle connection. */
export const IDLE_TIMEOUT_SECONDS = 900;
/** Keep one client on one host for an hour: its prefix cache keeps hitting. */
export const STICKINESS_SECONDS = 3600;

/**
 * An Application Load Balancer in front of the GPU hosts: health-checked on vLLM's /health, sticky
 * sessions for prefix-cache hits, HTTPS when a certificate is given, and a security group that admits
 * only the configured ranges. The hosts' security group admits only this load balancer.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly dnsName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string>;
  readonly hostSecurityGroupId: pulumi.Output<string>;
  /** `app/…/…` and `targetgroup/…/…`: the dimensions of the ALB's CloudWatch metrics. */
  readonly arnSuffix: pulumi.Output<string>;
  readonly targetGroupArnSuffix: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("vllm-tco:aws:LoadBalancer", name, {}, opts);
    const child = { parent: this };
    const https = args.certificateArn !== undefined;
    const { lbSg, hostSg } = securityGroups(name, args, child);
    const lb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: args.internal,
        subnets: args.subnetIds,
        securityGroups: [lbSg.id],
        idleTimeout: IDLE_TIMEOUT_SECONDS,
        dropInvalidHeaderFields: true,
      },
      child,
    );
    const tg = new aws.lb.TargetGroup(
      `${name}-vllm`,
      {
        vpcId: args.vpcId,
        port: args.port,
        protocol: "HTTP",
        targetType: "instance",
        deregistrationDelay: args.drainSeconds,
        healthCheck: { ...HEALTH_CHECK, port: "traffic-port" },
        stickiness: { enabled: true, type: "lb_cookie", cookieDuration: STICKINESS_SECONDS },
      },
      child,
    );
    listeners(name, args, lb, tg, child);
    this.dnsName = lb.dnsName;
    this.url = pulumi.interpolate`${https ? "https" : "http"}://${lb.dnsName}`;
    this.targetGroupArn = tg.arn;
    this.hostSecurityGroupId = hostSg.id;
    this.arnSuffix = lb.arnSuffix;
    this.targetGroupArnSuffix = tg.arnSuffix;
    this.registerOutputs({ dnsName: this.dnsName, url: this.url, targetGroupArn: this.targetGroupArn });
  }
}

/** Clients reach the load balancer on its port only; the hosts accept vLLM's port from it only. */
function securityGroups(name: string, args: LoadBalancerArgs, child: pulumi.CustomResourceOptions) {
  const https = args.certificateArn !== undefined;
  const listenPort = https ? 443 : 80;
  const lbSg = new aws.ec2.SecurityGroup(
    `${name}-lb`,
    {
      vpcId: args.vpcId,
      description: "vllm-tco load balancer: clients in, GPU hosts out",
      ...(args.allowOpenIngress && { tags: { [OPEN_INGRESS_TAG]: "true" } }),
      ingress: [
        {
          protocol: "tcp",
          fromPort: listenPort,
          toPort: listenPort,
          cidrBlocks: args.ingressCidrs,
          description: "clients",
        },
        ...(https
          ? [
              {
                protocol: "tcp",
                fromPort: 80,
                toPort: 80,
                cidrBlocks: args.ingressCidrs,
                description: "redirect to HTTPS",
              },
            ]
          : []),
      ],
    },
    child,
  );
  const hostSg = new aws.ec2.SecurityGroup(
    `${name}-hosts`,
    {
      vpcId: args.vpcId,
      description: "vllm-tco GPU hosts: the load balancer only",
      ingress: [
        {
          protocol: "tcp",
          fromPort: args.port,
          toPort: args.port,
          securityGroups: [lbSg.id],
          description: "vLLM from the load balancer",
        },
      ],
      // Hosts pull the image and weights and reach Secrets Manager, CloudWatch and SSM.
      egress: [
        {
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ["0.0.0.0/0"],
          description: "downloads and AWS APIs",
        },
      ],
    },
    child,
  );
  new aws.ec2.SecurityGroupRule(
    `${name}-lb-to-hosts`,
    {
      type: "egress",
      securityGroupId: lbSg.id,
      protocol: "tcp",
      fromPort: args.port,
      toPort: args.port,
      sourceSecurityGroupId: hostSg.id,
      description: "to vLLM",
    },
    child,
  );
  return { lbSg, hostSg };
}

/** HTTPS with the certificate (port 80 redirects), or plain HTTP. */
function listeners(
  name: string,
  args: LoadBalancerArgs,
  lb: aws.lb.LoadBalancer,
  tg: aws.lb.TargetGroup,
  child: pulumi.CustomResourceOptions,
) {
  const https = args.certificateArn !== undefined;
  if (https) {
    new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: args.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
      },
      child,
    );
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      },
      child,
    );
  } else {
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
      },
      child,
    );
  }
}
