import { describe, expect, it, vi } from "vitest";
import { evaluate, pinned, type PolicyResource } from "../infra/policy/rules";
import type { PlanResult, RecordedResource } from "../infra/plan/run";
import { find, plan, SENTINELS } from "./program-helpers";

const asPolicy = (r: RecordedResource): PolicyResource => ({
  type: r.type,
  name: r.name,
  props: r.inputs,
  secretPaths: r.secretPaths,
});
const all = (r: PlanResult) => r.resources.map(asPolicy);

/** A recorded resource with its inputs patched (a crafted bad variant). */
function patched(
  r: PlanResult,
  type: string,
  name: string,
  patch: (inputs: Record<string, unknown>) => void,
): PolicyResource[] {
  return all(r).map((p) => {
    if (p.type !== type || p.name !== name) return p;
    const props = structuredClone(p.props);
    patch(props);
    return { ...p, props };
  });
}

describe("policy pack against the example stacks", async () => {
  const stacks = {
    aws: await plan("aws-h100"),
    kubernetes: await plan("onprem"),
    managed: await plan("managed"),
  };

  it.each(Object.entries(stacks))("%s: every policy passes", (_k, r) => {
    expect(evaluate(all(r))).toEqual([]);
  });

  const LT = "aws:ec2/launchTemplate:LaunchTemplate";
  const SG = "aws:ec2/securityGroup:SecurityGroup";
  it.each([
    [
      "open CIDR",
      () =>
        patched(
          stacks.aws,
          SG,
          "vllm-lb-lb",
          (p) => ((p["ingress"] as Record<string, unknown>[])[0]!["cidrBlocks"] = ["0.0.0.0/0"]),
        ),
      {
        policy: "no-open-model-ingress",
        resource: `${SG}::vllm-lb-lb`,
        message:
          "security group vllm-lb-lb admits 80/tcp from the public internet; list client ranges in aws.ingressCidrs, or set aws.allowOpenIngress: true",
      },
    ],
    [
      "IMDSv1",
      () =>
        patched(
          stacks.aws,
          LT,
          "vllm-host",
          (p) => ((p["metadataOptions"] as Record<string, unknown>)["httpTokens"] = "optional"),
        ),
      {
        policy: "imdsv2-required",
        resource: `${LT}::vllm-host`,
        message: 'vllm-host allows IMDSv1 (metadataOptions.httpTokens is "optional"); set it to "required"',
      },
    ],
    [
      "unencrypted volume",
      () =>
        patched(
          stacks.aws,
          LT,
          "vllm-host",
          (p) =>
            (((p["blockDeviceMappings"] as Record<string, unknown>[])[0]!["ebs"] as Record<string, unknown>)[
              "encrypted"
            ] = "false"),
        ),
      {
        policy: "encrypted-volumes",
        resource: `${LT}::vllm-host`,
        message: "vllm-host maps an unencrypted volume at /dev/sda1; set ebs.encrypted",
      },
    ],
    [
      "latest tag",
      () =>
        patched(stacks.kubernetes, "kubernetes:apps/v1:Deployment", "vllm-engine", (p) => {
          ((p["spec"] as never)["template"]["spec"]["containers"][0] as Record<string, unknown>)["image"] =
            "vllm/vllm-openai:latest";
        }),
      {
        policy: "pinned-images",
        resource: "kubernetes:apps/v1:Deployment::vllm-engine",
        message:
          'vllm-engine runs "vllm/vllm-openai:latest"; pin a version tag such as vllm/vllm-openai:v0.11.0',
      },
    ],
    [
      "plain secret",
      () =>
        patched(stacks.kubernetes, "kubernetes:apps/v1:Deployment", "vllm-engine", (p) => {
          ((p["spec"] as never)["template"]["spec"]["containers"][0]["env"] as unknown[]).push({
            name: "HF_TOKEN",
            value: SENTINELS.hfToken,
          });
        }),
      {
        policy: "no-plain-secrets",
        resource: "kubernetes:apps/v1:Deployment::vllm-engine",
        message:
          "vllm-engine has a credential in plain text at spec.template.spec.containers[0].env[8].value; pass it as a Pulumi secret into a Secret or Secrets Manager, and reference it",
      },
    ],
  ])("%s is reported", (_n, make, expected) => {
    expect(evaluate(make())).toEqual([{ enforcementLevel: "mandatory", ...expected }]);
  });

  it("a secret store holding an unmarked value is reported under the mock runtime", () => {
    const r = all(stacks.aws).map((p) =>
      p.type === "aws:secretsmanager/secretVersion:SecretVersion" ? { ...p, secretPaths: [] } : p,
    );
    expect(evaluate(r).map((v) => v.policy)).toEqual(["no-plain-secrets", "no-plain-secrets"]);
  });

  it("an explicitly allowed open ingress passes", async () => {
    const r = await plan("aws-h100", { aws: { ingressCidrs: ["0.0.0.0/0"], allowOpenIngress: true } });
    expect(find(r, "aws:lb/loadBalancer:LoadBalancer", "vllm-lb-alb").inputs["internal"]).toBe(false);
    expect(evaluate(all(r))).toEqual([]);
  });

  it("a disabled metadata endpoint (no IMDS at all) is not flagged as allowing IMDSv1", () => {
    const off = patched(stacks.aws, LT, "vllm-host", (p) => {
      p["metadataOptions"] = { httpEndpoint: "disabled", httpTokens: "optional" };
    });
    expect(evaluate(off).filter((v) => v.policy === "imdsv2-required")).toEqual([]);
  });

  it("cost budget: the stack's own rule and the organisation's ceiling, at configurable levels", async () => {
    // An advisory budget warns in the preview and goes on: the pack does not turn it into a block.
    const over = await plan("aws-h100", { budget: { monthlyUsd: 1000, enforce: "advisory" } });
    expect(over.logs.map((l) => l.message).join("\n")).toContain(
      "projected $3,476.71/month is over budget.monthlyUsd $1,000.00",
    );
    expect(evaluate(all(over))).toEqual([]);
    expect(evaluate(all(stacks.aws), { maxMonthlyUsd: 2000 }, { "cost-budget": "advisory" })).toEqual([
      {
        policy: "cost-budget",
        enforcementLevel: "advisory",
        message: "projected $3476.71/month is above the organisation's maxMonthlyUsd $2000.00",
      },
    ]);
    expect(evaluate(all(stacks.aws), { maxMonthlyUsd: 2000 }, { "cost-budget": "disabled" })).toEqual([]);
  });

  it.each([
    ["vllm/vllm-openai:v0.11.0", true],
    ["vllm/vllm-openai", false],
    ["vllm/vllm-openai:latest", false],
    ["localhost:5000/vllm", false],
    ["registry.example.com:5000/vllm/vllm-openai:v0.11.0", true],
    ["vllm/vllm-openai@sha256:abc", true],
  ])("pinned(%s) = %s", (image, expected) => expect(pinned(image)).toBe(expected));
});

describe("the CrossGuard pack adapts the same rules", () => {
  it("registers every rule, and its callbacks report what the rules find", async () => {
    type Report = (message: string) => void;
    type Policy = {
      name: string;
      validateResource?: (args: unknown, report: Report) => void;
      validateStack?: (args: unknown, report: Report) => void;
    };
    const captured: { policies: Policy[] }[] = [];
    vi.doMock("@pulumi/policy", () => ({
      PolicyPack: class {
        constructor(_n: string, args: never) {
          captured.push(args);
        }
      },
    }));
    await import("../infra/policy/index");
    const policies = captured[0]!.policies;
    expect(policies.map((p) => p.name)).toEqual([
      "no-open-model-ingress",
      "imdsv2-required",
      "encrypted-volumes",
      "pinned-images",
      "no-plain-secrets",
      "cost-budget",
      "no-open-model-ingress-together",
    ]);
    const reported: string[] = [];
    policies.find((p) => p.name === "imdsv2-required")!.validateResource!(
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "lt",
        props: { metadataOptions: { httpTokens: "optional" } },
      },
      (m: string) => reported.push(m),
    );
    policies.find((p) => p.name === "cost-budget")!.validateStack!(
      {
        resources: [
          {
            type: "vllm-tco:cost:CostReport",
            name: "cost",
            props: { document: { selfHosted: { monthlyUsd: 10 }, budget: { ok: true } } },
          },
        ],
        getConfig: () => ({ maxMonthlyUsd: 5 }),
      },
      (m: string) => reported.push(m),
    );
    expect(reported).toEqual([
      'lt allows IMDSv1 (metadataOptions.httpTokens is "optional"); set it to "required"',
      "projected $10.00/month is above the organisation's maxMonthlyUsd $5.00",
    ]);
  });
});
