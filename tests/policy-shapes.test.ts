/**
 * Bad variants for every rule, in every resource shape it must see through: ranges that reach the
 * internet together, every security-group ingress shape, every EC2 volume shape, every Kubernetes
 * kind that runs pods, credentials hidden in base64 user data and Secret data; and no false alarm.
 */
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { admitsPublicInternet, publicIpv4Addresses } from "../cost/config/cidr";
import { evaluate, type PolicyResource } from "../infra/policy/rules";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWx";
const policies = (r: PolicyResource) => evaluate([r]).map((v) => v.policy);

describe("address coverage", () => {
  it.each([
    [["0.0.0.0/0"], true],
    [["0.0.0.0/1", "128.0.0.0/1"], true],
    [["0.0.0.0/1"], true],
    [["8.0.0.0/8"], true],
    [["203.0.113.0/28"], false],
    [["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], false],
    [["10.0.0.0/7"], false], // 10/8 private + 11/8 public: 16.7M public addresses… exactly a /8
  ])("%j admits the public internet: %s", (cidrs, open) => {
    if (cidrs[0] === "10.0.0.0/7") expect(publicIpv4Addresses(cidrs)).toBe(2 ** 24);
    else expect(admitsPublicInternet(cidrs)).toBe(open);
  });
  it("IPv6: ::/0 and short prefixes are open, a /64 is not", () => {
    expect(admitsPublicInternet([], ["::/0"])).toBe(true);
    expect(admitsPublicInternet([], ["2000::/3"])).toBe(true);
    expect(admitsPublicInternet([], ["2001:db8::/64"])).toBe(false);
  });
});

describe("every shape, a bad variant each", () => {
  it.each<[string, PolicyResource, string]>([
    [
      "security group: two halves of the internet",
      {
        type: "aws:ec2/securityGroup:SecurityGroup",
        name: "sg",
        props: {
          ingress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/1"] },
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["128.0.0.0/1"] },
          ],
        },
      },
      "no-open-model-ingress",
    ],
    [
      "aws:vpc/securityGroupIngressRule",
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "r",
        props: { cidrIpv4: "0.0.0.0/0", fromPort: 80 },
      },
      "no-open-model-ingress",
    ],
    [
      "aws:ec2/securityGroupRule with IPv6",
      {
        type: "aws:ec2/securityGroupRule:SecurityGroupRule",
        name: "r",
        props: { type: "ingress", ipv6CidrBlocks: ["::/0"] },
      },
      "no-open-model-ingress",
    ],
    [
      "ec2.Instance extra EBS volume",
      {
        type: "aws:ec2/instance:Instance",
        name: "i",
        props: { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] },
      },
      "encrypted-volumes",
    ],
    [
      "LaunchConfiguration root volume",
      {
        type: "aws:ec2/launchConfiguration:LaunchConfiguration",
        name: "lc",
        props: { rootBlockDevice: { volumeSize: 100 } },
      },
      "encrypted-volumes",
    ],
    [
      "SpotInstanceRequest volume",
      {
        type: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
        name: "s",
        props: { ebsBlockDevices: [{ deviceName: "/dev/sdg", encrypted: false }] },
      },
      "encrypted-volumes",
    ],
    [
      "a bare Pod on latest",
      {
        type: "kubernetes:core/v1:Pod",
        name: "p",
        props: { spec: { containers: [{ image: "vllm/vllm-openai:latest" }] } },
      },
      "pinned-images",
    ],
    [
      "a CronJob without a tag",
      {
        type: "kubernetes:batch/v1:CronJob",
        name: "c",
        props: {
          spec: {
            jobTemplate: { spec: { template: { spec: { containers: [{ image: "vllm/vllm-openai" }] } } } },
          },
        },
      },
      "pinned-images",
    ],
    [
      "a ReplicaSet's init container on latest",
      {
        type: "kubernetes:apps/v1:ReplicaSet",
        name: "rs",
        props: {
          spec: {
            template: {
              spec: { containers: [{ image: "a/b:1" }], initContainers: [{ image: "a/c:latest" }] },
            },
          },
        },
      },
      "pinned-images",
    ],
    [
      "a token in base64 launch-template user data (vllm.extraArgs on aws)",
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "lt",
        props: { userData: b64(`docker run x --hf-token ${TOKEN}`) },
      },
      "no-plain-secrets",
    ],
    [
      "a token in an instance's userDataBase64",
      {
        type: "aws:ec2/instance:Instance",
        name: "i",
        props: { userDataBase64: b64(`export HF_TOKEN=${TOKEN}`) },
      },
      "no-plain-secrets",
    ],
    [
      "base64 Secret data not marked as a Pulumi secret",
      {
        type: "kubernetes:core/v1:Secret",
        name: "s",
        props: { data: { value: b64(TOKEN) } },
        secretPaths: [],
      },
      "no-plain-secrets",
    ],
  ])("%s", (_name, resource, policy) => {
    expect(policies(resource)).toContain(policy);
  });
});

describe("no false alarms", () => {
  it.each<[string, PolicyResource]>([
    [
      "an office /28",
      {
        type: "aws:ec2/securityGroup:SecurityGroup",
        name: "sg",
        props: { ingress: [{ fromPort: 443, cidrBlocks: ["203.0.113.0/28"] }] },
      },
    ],
    [
      "private ranges",
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "r",
        props: { cidrIpv4: "10.0.0.0/8" },
      },
    ],
    [
      "IMDS disabled",
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "lt",
        props: { metadataOptions: { httpEndpoint: "disabled" } },
      },
    ],
    [
      "Secret data marked secret",
      {
        type: "kubernetes:core/v1:Secret",
        name: "s",
        props: { data: { value: b64(TOKEN) } },
        secretPaths: ["data"],
      },
    ],
    [
      "pinned Pod",
      {
        type: "kubernetes:core/v1:Pod",
        name: "p",
        props: { spec: { containers: [{ image: "vllm/vllm-openai:v0.11.0" }] } },
      },
    ],
  ])("%s", (_name, resource) => {
    expect(evaluate([resource]).filter((v) => v.policy !== "cost-budget")).toEqual([]);
  });
});

/**
 * The evasions a hostile review found (issue 29): each a resource or stack the pack let through. Written
 * before the fixes; each must fail on the pack that missed it.
 */
describe("evasions", () => {
  const gzipB64 = (s: string) => zlib.gzipSync(Buffer.from(s)).toString("base64");
  const mime = (s: string) =>
    [
      'Content-Type: multipart/mixed; boundary="B"',
      "MIME-Version: 1.0",
      "",
      "--B",
      'Content-Type: text/x-shellscript; charset="us-ascii"',
      "Content-Transfer-Encoding: base64",
      "",
      b64(s),
      "--B--",
    ].join("\n");
  const lt = (userData: string): PolicyResource => ({
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    name: "lt",
    props: {
      userData,
      metadataOptions: { httpTokens: "required" },
      blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }],
    },
  });
  const rule = (cidrBlocks: string[], ipv6CidrBlocks: string[] = [], name = "r"): PolicyResource => ({
    type: "aws:ec2/securityGroupRule:SecurityGroupRule",
    name,
    props: { type: "ingress", securityGroupId: "sg-1", cidrBlocks, ipv6CidrBlocks },
  });

  it.each<[string, PolicyResource[], string]>([
    [
      "docker run with a flag before the image",
      [lt(b64("docker run --gpus all vllm/vllm-openai:latest"))],
      "pinned-images",
    ],
    [
      "docker run of a library image on latest",
      [lt(b64("docker run -d --ipc=host ubuntu:latest"))],
      "pinned-images",
    ],
    ["a token in gzip-compressed user data", [lt(gzipB64(`export HF_TOKEN=${TOKEN}`))], "no-plain-secrets"],
    ["a token in MIME multipart user data", [lt(b64(mime(`export HF_TOKEN=${TOKEN}`)))], "no-plain-secrets"],
    ["a token in double-base64 user data", [lt(b64(b64(`export HF_TOKEN=${TOKEN}`)))], "no-plain-secrets"],
    [
      "a temporary AWS key id (ASIA…)",
      [lt(b64("export AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE"))],
      "no-plain-secrets",
    ],
    [
      "an AWS secret access key",
      [lt(b64("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))],
      "no-plain-secrets",
    ],
    [
      "512 rules of a /9 each, for one group",
      Array.from({ length: 512 }, (_, i) => rule([`${i >> 1}.${(i & 1) * 128}.0.0/9`], [], `r${i}`)),
      "no-open-model-ingress-together",
    ],
    [
      "two IPv6 /17s (one /16 together)",
      [rule([], ["2001::/17", "2001:8000::/17"])],
      "no-open-model-ingress",
    ],
    ["::0/0 in an IPv4 field", [rule(["::0/0"])], "no-open-model-ingress"],
    [
      "an instance without a root block device (the AMI's unencrypted default)",
      [{ type: "aws:ec2/instance:Instance", name: "i", props: { ami: "ami-1", instanceType: "p5.4xlarge" } }],
      "encrypted-volumes",
    ],
    [
      "a DeploymentPatch on latest",
      [
        {
          type: "kubernetes:apps/v1:DeploymentPatch",
          name: "d",
          props: { spec: { template: { spec: { containers: [{ image: "vllm/vllm-openai:latest" }] } } } },
        },
      ],
      "pinned-images",
    ],
    [
      "a PodTemplate without a tag",
      [
        {
          type: "kubernetes:core/v1:PodTemplate",
          name: "t",
          props: { template: { spec: { containers: [{ image: "vllm/vllm-openai" }] } } },
        },
      ],
      "pinned-images",
    ],
    [
      "a batch/v1beta1 CronJob on latest",
      [
        {
          type: "kubernetes:batch/v1beta1:CronJob",
          name: "c",
          props: {
            spec: {
              jobTemplate: { spec: { template: { spec: { containers: [{ image: "a/b:latest" }] } } } },
            },
          },
        },
      ],
      "pinned-images",
    ],
  ])("%s", (_name, resources, policy) => {
    expect(evaluate(resources).map((v) => v.policy)).toContain(policy);
  });

  it.each([
    ["NaN", NaN],
    ["null", null],
    ["negative", -5],
    ["missing", undefined],
  ])("a %s projection under an organisation ceiling is a violation, never a pass", (_name, monthlyUsd) => {
    const report: PolicyResource = {
      type: "vllm-tco:cost:CostReport",
      name: "cost",
      props: { document: { selfHosted: { monthlyUsd } } },
    };
    expect(evaluate([report], { maxMonthlyUsd: 1000 }).map((v) => v.policy)).toContain("cost-budget");
  });
});
