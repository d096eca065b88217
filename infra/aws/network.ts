import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
  /** Existing VPC; with it, both subnet lists are used as given. */
  readonly vpcId?: string;
  readonly publicSubnetIds?: readonly string[];
  readonly privateSubnetIds?: readonly string[];
  /** CIDR of a new VPC. Default 10.0.0.0/16. */
  readonly cidrBlock?: string;
  /** Availability zones a new VPC spans. Default 2. */
  readonly zones?: number;
}

/**
 * The fleet's network: an existing VPC, or a minimal new one: public subnets for the load balancer,
 * private subnets for GPU hosts (no public IPs), one NAT gateway for image and weight downloads (one,
 * not one per zone: the hosts only pull at start, and the cost model prices one).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("vllm-tco:aws:Network", name, {}, opts);
    const child = { parent: this };
    if (args.vpcId) {
      const vpc = aws.ec2.getVpcOutput({ id: args.vpcId }, child);
      this.vpcId = pulumi.output(args.vpcId);
      this.cidrBlock = vpc.cidrBlock;
      this.publicSubnetIds = pulumi.output([...(args.publicSubnetIds ?? [])]);
      this.privateSubnetIds = pulumi.output([...(args.privateSubnetIds ?? [])]);
    } else {
      const cidr = args.cidrBlock ?? "10.0.0.0/16";
      const zones = args.zones ?? 2;
      const vpc = new aws.ec2.Vpc(
        `${name}-vpc`,
        { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${name}-vpc` } },
        child,
      );
      const azs = aws.getAvailabilityZonesOutput({ state: "available" }, child);
      const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, child);
      const publicRt = new aws.ec2.RouteTable(
        `${name}-public`,
        { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] },
        child,
      );
      const [a, b] = cidr.split(".").map(Number);
      const subnet = (kind: "public" | "private", i: number) =>
        new aws.ec2.Subnet(
          `${name}-${kind}-${i}`,
          {
            vpcId: vpc.id,
            // /20s: public in the first 16 blocks of the /16, private from the 8th /20 on.
            cidrBlock: `${a}.${b}.${(kind === "public" ? 0 : 128) + i * 16}.0/20`,
            availabilityZone: azs.names[i]!,
            mapPublicIpOnLaunch: false,
            tags: { Name: `${name}-${kind}-${i}` },
          },
          child,
        );
      const publics = Array.from({ length: zones }, (_, i) => subnet("public", i));
      const privates = Array.from({ length: zones }, (_, i) => subnet("private", i));
      publics.forEach(
        (s, i) =>
          new aws.ec2.RouteTableAssociation(
            `${name}-public-${i}`,
            { subnetId: s.id, routeTableId: publicRt.id },
            child,
          ),
      );
      const eip = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc" }, child);
      const nat = new aws.ec2.NatGateway(
        `${name}-nat`,
        { allocationId: eip.id, subnetId: publics[0]!.id },
        { ...child, dependsOn: [igw] },
      );
      const privateRt = new aws.ec2.RouteTable(
        `${name}-private`,
        { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
        child,
      );
      privates.forEach(
        (s, i) =>
          new aws.ec2.RouteTableAssociation(
            `${name}-private-${i}`,
            { subnetId: s.id, routeTableId: privateRt.id },
            child,
          ),
      );
      this.vpcId = vpc.id;
      this.cidrBlock = vpc.cidrBlock;
      this.publicSubnetIds = pulumi.all(publics.map((s) => s.id));
      this.privateSubnetIds = pulumi.all(privates.map((s) => s.id));
    }
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }
}
