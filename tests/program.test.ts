import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli as cli } from "./helpers";
import { plan, rawStack } from "./program-helpers";
import { planStack } from "../infra/plan/run";

describe("cost in every preview", () => {
  it.each(["aws-h100", "onprem", "managed"])(
    "%s: the compact report is logged and the JSON document exported",
    async (stack) => {
      const r = await plan(stack);
      expect(r.logs[0]).toMatchObject({ severity: "info" });
      expect(r.logs[0]!.message).toMatch(new RegExp(`^vllm-tco cost · stack ${stack} · `));
      expect(r.logs[0]!.message).not.toContain("X break-even"); // compact: no chart
      // The stack output is the short summary; the whole document rides on the CostReport component.
      const document = JSON.parse((await cli("cost", "--stack", stack, "--json")).out) as {
        verdict: { summary: string };
        selfHosted: { monthlyUsd: number };
      };
      expect(r.outputs["cost"]).toMatchObject({
        version: "1",
        verdict: document.verdict.summary,
        stack: { monthlyUsd: document.selfHosted.monthlyUsd },
        fullReport: `npx vllm-tco cost --stack ${stack} --json`,
      });
      expect(r.outputs["costReport"]).toBeUndefined();
      const cost = r.resources.find((x) => x.type === "vllm-tco:cost:CostReport")!;
      expect((cost.inputs["document"] as { stack: string }).stack).toBe(stack);
    },
  );

  it("a mandatory budget that breaks stops the program before any resource, quoting the figures", async () => {
    const r = await plan("aws-h100", { budget: { monthlyUsd: 2000, enforce: "mandatory" } });
    expect(r.error).toBe(
      "budget (mandatory) for stack aws-h100: projected $3,476.71/month is over budget.monthlyUsd $2,000.00. " +
        "Biggest line items: GPU instances serving (p5.4xlarge, on-demand) $1,793.71, operations labour $1,536.00, GPU instances idle (floor off-hours, 15 min before scale-to-zero) $37.37. " +
        "No resource was registered. Lower the cost (scaling.max, aws.purchase, workload) or raise vllm-tco:budget, or set budget.enforce: advisory.",
    );
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("the ratio rule: above the allowed multiple of the cheapest API", async () => {
    const r = await plan("onprem", { budget: { maxRatioToCheapestApi: 1.1, enforce: "mandatory" } });
    expect(r.error).toMatch(
      // gpt-4o-mini ties Llama 3.3 70B on quality (overlapping intervals): it meets the bar.
      // $16,435.30 ÷ $4,032.00 = 4.08.
      /^budget \(mandatory\) for stack onprem: projected \$16,435\.30\/month is 4\.08× OpenAI gpt-4o-mini \(\$4,032\.00\/month\), above budget\.maxRatioToCheapestApi 1\.1\./,
    );
    expect(r.resources).toHaveLength(1);
  });

  it("an advisory budget warns and goes on", async () => {
    const r = await plan("aws-h100", { budget: { monthlyUsd: 2000, enforce: "advisory" } });
    expect(r.error).toBeUndefined();
    expect(r.logs.filter((l) => l.severity === "warn").map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        /^budget \(advisory\) for stack aws-h100: projected \$3,476\.71\/month is over budget\.monthlyUsd \$2,000\.00\. .* Continuing: budget\.enforce is advisory\.$/,
      ),
    );
    expect(r.resources.length).toBeGreaterThan(30);
  });

  it("a gated model without a token: the preview warns and says how to set one, and goes on", async () => {
    const r = await plan("aws-h100", {}, {});
    expect(r.error).toBeUndefined();
    expect(r.logs.map((l) => l.message)).toContainEqual(
      expect.stringContaining(
        "meta-llama/Llama-3.1-8B-Instruct is gated on Hugging Face: replicas cannot download it without a token, and `pulumi up` stops until the stack has one.",
      ),
    );
  });

  it.each(["aws-h100", "onprem"])(
    "%s: a gated model without a token stops `pulumi up` before any resource",
    async (stack) => {
      const r = await planStack(rawStack(stack), { secretValues: {}, update: true });
      expect(r.error).toMatch(
        /is gated on Hugging Face and the stack has no token: no replica could download it\. No resource was registered\. Run `pulumi config set --secret vllm-tco:hfToken hf_\.\.\.`/,
      );
      expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack"]);
      // With the token, the same update goes on.
      const withToken = await planStack(rawStack(stack), { secretValues: { hfToken: "hf_x" }, update: true });
      expect(withToken.error).toBeUndefined();
    },
  );
});

describe("vllm-tco plan", () => {
  it.each([
    [
      "aws-h100",
      [
        "aws:autoscaling/group:Group",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
      ],
    ],
    [
      "onprem",
      [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:keda.sh/v1alpha1:ScaledObject",
        "kubernetes:core/v1:Service",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      ],
    ],
    [
      "managed",
      [
        "aws:bedrock/inferenceProfile:InferenceProfile",
        "aws:budgets/budget:Budget",
        "aws:iam/rolePolicy:RolePolicy",
      ],
    ],
  ])("--json for %s lists the platform's key resources, the cost and no violation", async (stack, types) => {
    const r = await cli("plan", "--stack", stack, "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    for (const t of types) expect(doc.resources.map((x: { type: string }) => x.type)).toContain(t);
    expect(doc.cost).toMatchObject({ version: "1", stack });
    expect(doc.violations).toEqual([]);
    for (const res of doc.resources) expect(Object.keys(res)).toEqual(["type", "name", "parent", "inputs"]);
  });

  it("never prints a secret: secret inputs become [secret]", async () => {
    const r = await cli("plan", "--stack", "managed", "--json");
    expect(r.out).not.toMatch(/hf_[A-Za-z0-9]{16}/);
    const text = await cli("plan", "--stack", "aws-h100");
    expect(text.out).toContain(
      "+ aws:autoscaling/group:Group  vllm-fleet  (minSize=0 maxSize=4 healthCheckType=ELB healthCheckGracePeriod=752)",
    );
    expect(text.out).toContain("policies: all passed");
    // The report and warnings are the program's own log lines, as a real preview prints them.
    expect(text.out).toMatch(/^vllm-tco cost · stack aws-h100 · aws · llama-3\.1-8b bf16$/m);
    expect(text.out).toMatch(/^warn: meta-llama\/Llama-3\.1-8B-Instruct is gated on Hugging Face/m);
    // No mock artifact (an unset name or version) reaches what plan prints.
    expect(text.out).not.toContain("undefined");
  });

  it("says which cluster components (and versions) a kubernetes stack assumes", async () => {
    const text = await cli("plan", "--stack", "onprem");
    expect(text.out).toContain("assumes in the cluster:");
    expect(text.out).toContain("KEDA v2.16 or newer (keda.sh/v1alpha1 ScaledObject)");
    expect(text.out).toContain("Prometheus Operator (e.g. kube-prometheus-stack) v0.85 or newer");
    const json = JSON.parse((await cli("plan", "--stack", "onprem", "--json")).out) as {
      assumes: { component: string }[];
    };
    expect(json.assumes.map((a) => a.component)).toEqual([
      "KEDA",
      "Prometheus Operator (e.g. kube-prometheus-stack)",
    ]);
    // The labels the ServiceMonitor carries and the address KEDA queries: what the Operator's
    // selector and the cluster's Prometheus must match (the onprem stack keeps the defaults).
    expect(text.out).toContain(
      "its Prometheus must select ServiceMonitors labelled release=kube-prometheus-stack (kubernetes.serviceMonitorLabels",
    );
    expect(text.out).toContain(
      "answer at http://prometheus-operated.monitoring:9090 (kubernetes.prometheusAddress)",
    );
  });

  it("exits 3 when a mandatory budget stops the update, 2 on bad input", async () => {
    const file = path.join(os.tmpdir(), `Pulumi.tight-${process.pid}.yaml`);
    const text = fs.readFileSync(path.resolve(__dirname, "../stacks/Pulumi.aws-h100.yaml"), "utf8");
    fs.writeFileSync(
      file,
      text.replace(/monthlyUsd: \d+\n(\s+)enforce: advisory/, "monthlyUsd: 2000\n$1enforce: mandatory"),
    );
    const blocked = await cli("plan", "--stack-file", file, "--json");
    expect(blocked.code).toBe(3);
    expect(JSON.parse(blocked.out)).toMatchObject({
      resources: [{ type: "pulumi:pulumi:Stack" }],
      error: expect.stringMatching(/^budget \(mandatory\)/),
    });
    const bad = await cli("plan", "--stack", "nope");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--stack: no stack file");
  });
});
