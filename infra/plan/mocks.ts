/**
 * Realistic answers for the mock runtime: ids, ARNs and DNS names shaped like AWS's, and invokes
 * (SSM parameters, availability zones, caller identity) answered by token.
 */
import type * as pulumi from "@pulumi/pulumi";

const ACCOUNT = "123456789012";

/** The resource's state after "creation": its inputs plus the attributes the providers compute. */
export function mockState(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
  const region = "us-east-1";
  const [, module = "", kind = ""] = args.type.split(":");
  const service = module.split("/")[0] ?? "";
  const arn = `arn:aws:${service}:${region}:${ACCOUNT}:${kind.toLowerCase()}/${args.name}`;
  const state: Record<string, unknown> = { ...args.inputs };
  if (args.type.startsWith("aws:")) {
    state["arn"] = args.inputs["arn"] ?? arn;
    if (args.type === "aws:lb/loadBalancer:LoadBalancer")
      state["dnsName"] = `${args.name}-1234567890.${region}.elb.amazonaws.com`;
    if (args.type === "aws:ec2/vpc:Vpc") state["cidrBlock"] = args.inputs["cidrBlock"] ?? "10.0.0.0/16";
    if (args.type === "aws:lb/loadBalancer:LoadBalancer" || args.type === "aws:lb/targetGroup:TargetGroup")
      state["arnSuffix"] = `${kind === "LoadBalancer" ? "app" : "targetgroup"}/${args.name}/0123456789abcdef`;
    if (args.type === "aws:autoscaling/group:Group")
      state["name"] = args.inputs["name"] ?? `${args.name}-asg`;
    // Pulumi auto-names a resource `<name>-<7 random characters>` when no name is given.
    state["name"] ??= `${args.name}-0a1b2c3`;
    if (args.type === "aws:ec2/launchTemplate:LaunchTemplate") state["latestVersion"] = 1;
  }
  if (args.type.startsWith("kubernetes:")) {
    const metadata = (args.inputs["metadata"] ?? {}) as Record<string, unknown>;
    state["metadata"] = { ...metadata, name: metadata["name"] ?? args.name };
  }
  return { id: `${args.name}-id`, state };
}

export function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:ssm/getParameter:getParameter":
      return {
        name: args.inputs["name"],
        type: "String",
        value: "ami-0abc1234def567890",
        insecureValue: "ami-0abc1234def567890",
        arn: `arn:aws:ssm:us-east-1::parameter${args.inputs["name"]}`,
      };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        names: ["us-east-1a", "us-east-1b", "us-east-1c"],
        zoneIds: ["use1-az1", "use1-az2", "use1-az4"],
      };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "AIDA" };
    case "aws:index/getRegion:getRegion":
      return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    case "aws:ec2/getVpc:getVpc":
      return { id: args.inputs["id"], cidrBlock: "10.20.0.0/16" };
    case "aws:secretsmanager/getRandomPassword:getRandomPassword":
      return { randomPassword: "generated-api-key-0000000000000000" };
    default:
      return args.inputs;
  }
}
