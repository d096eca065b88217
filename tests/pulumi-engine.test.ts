/**
 * The real Pulumi engine (tests/pulumi-engine.ts): `pulumi preview` with the policy pack of all three
 * example stacks, the mandatory budget gate failing a real preview, the onprem stack applied to a real
 * kube-apiserver with no drift and destroyed, the AWS stacks applied through the STAND-IN aws provider
 * with no drift on a second `up`, and `vllm-tco reap` reading the stack's outputs through the real CLI.
 * Runs on its own as `npm run test:pulumi`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { KubeApiServer } from "./kube-apiserver";
import { SENTINELS } from "./program-helpers";
import { PulumiProject, ROOT, type Ran } from "./pulumi-engine";

const STACKS = ["aws-h100", "onprem", "managed"] as const;
const CRDS = [
  "keda.sh_scaledobjects.yaml",
  "http.keda.sh_httpscaledobjects.yaml",
  "monitoring.coreos.com_servicemonitors.yaml",
].map((f) => path.join(__dirname, "contracts/crds", f));

let project: PulumiProject;

/** Sets `vllm-tco:<key>` in the copy's stack file, structured, as a user editing the file would. */
function setStackValue(stack: string, key: string, value: unknown): void {
  const file = path.join(project.dir, "stacks", `Pulumi.${stack}.yaml`);
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  doc.setIn(["config", `vllm-tco:${key}`], value);
  fs.writeFileSync(file, doc.toString());
}

async function ok(r: Promise<Ran>, what: string): Promise<Ran> {
  const done = await r;
  if (done.code !== 0) throw new Error(`${what} exited ${done.code}:\n${done.output.slice(-4000)}`);
  return done;
}

/** `pulumi stack init` on the file backend, with the secrets a user sets (sentinels, to find leaks). */
async function initStack(stack: string): Promise<void> {
  await ok(project.pulumi(["stack", "init", stack, "--non-interactive"]), `pulumi stack init ${stack}`);
  for (const [key, value] of [
    ["vllm-tco:hfToken", SENTINELS.hfToken],
    ["vllm-tco:apiKey", SENTINELS.apiKey],
  ] as const) {
    if (stack === "managed" && key === "vllm-tco:hfToken") continue;
    await ok(
      project.pulumi(["config", "set", "--secret", key, value, "--stack", stack]),
      `pulumi config set --secret ${key}`,
    );
  }
}

const policyPack = () => path.join(project.dir, "infra/policy/analyzer");

beforeAll(async () => {
  project = new PulumiProject();
  // A file backend in the test's own folder: `pulumi login file://…` as the README's local form.
  await ok(project.pulumi(["login", `file://${project.state}`]), "pulumi login");
  await project.installPlugins();
  for (const stack of STACKS) await initStack(stack);
}, 600_000);

afterAll(() => project?.remove());

function noSecretIn(output: string): void {
  for (const secret of Object.values(SENTINELS)) expect(output).not.toContain(secret);
}

describe("pulumi preview under the real engine, with the policy pack", () => {
  it.each(STACKS)(
    "%s: the cost report before the resources, every policy decided, no secret shown, a short cost output",
    async (stack) => {
      const r = await project.pulumi([
        "preview",
        "--stack",
        stack,
        "--policy-pack",
        policyPack(),
        "--non-interactive",
      ]);
      expect(r.code, r.output).toBe(0);
      const report = r.stdout.indexOf(`vllm-tco cost · stack ${stack} · `);
      expect(report, r.output).toBeGreaterThan(-1);
      // The first resource the program registers after the report (the CostReport component).
      const firstResource = r.stdout.indexOf("vllm-tco:cost:CostReport");
      expect(firstResource).toBeGreaterThan(report);
      expect(r.stdout).toMatch(/Policies:\s*\n\s*✅ vllm-tco@v0\.1\.0/);
      expect(r.output).not.toContain("can't run");
      expect(r.output).not.toMatch(/mandatory\]|advisory\]/); // no violation of any level
      noSecretIn(r.output);
      // The cost output is the summary, not the whole document.
      const outputs = r.stdout.slice(r.stdout.indexOf("Outputs:"));
      expect(outputs).toContain("verdict");
      expect(outputs).toContain(`npx vllm-tco cost --stack ${stack} --json`);
      expect(outputs).not.toContain("lineItems");
    },
    300_000,
  );

  it("a mandatory budget that breaks fails the real preview with the documented message and no resource", async () => {
    setStackValue("managed", "budget", { monthlyUsd: 1, enforce: "mandatory" });
    try {
      const r = await project.pulumi(["preview", "--stack", "managed", "--non-interactive"]);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("budget (mandatory) for stack managed: projected $");
      expect(r.output).toContain("is over budget.monthlyUsd $1.00");
      expect(r.output).toContain("No resource was registered.");
      expect(r.stdout).not.toContain("vllm-tco:cost:CostReport");
    } finally {
      setStackValue("managed", "budget", { monthlyUsd: 1500, enforce: "mandatory" });
    }
  }, 300_000);
});

describe("a gated model without a Hugging Face token, under the real engine", () => {
  it("the preview warns and succeeds; `pulumi up` stops before creating anything", async () => {
    // The example as shipped (the copy's own file has the token this tier set on it).
    fs.copyFileSync(
      path.join(ROOT, "stacks/Pulumi.aws-h100.yaml"),
      path.join(project.dir, "stacks/Pulumi.gated.yaml"),
    );
    await ok(project.pulumi(["stack", "init", "gated", "--non-interactive"]), "pulumi stack init gated");
    const preview = await project.pulumi(["preview", "--stack", "gated", "--non-interactive"]);
    expect(preview.code, preview.output).toBe(0);
    expect(preview.output).toContain("`pulumi up` stops until the stack has one");
    const up = await project.pulumi([
      "up",
      "--stack",
      "gated",
      "--yes",
      "--non-interactive",
      "--skip-preview",
    ]);
    expect(up.code).not.toBe(0);
    expect(up.output).toContain("is gated on Hugging Face and the stack has no token");
    const state = JSON.parse(
      (await ok(project.pulumi(["stack", "export", "--stack", "gated"]), "pulumi stack export")).stdout,
    ) as { deployment: { resources?: { type: string }[] } };
    expect(
      (state.deployment.resources ?? []).map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"),
    ).toEqual([]);
  }, 300_000);
});

describe("pulumi up / preview / destroy of the onprem stack against a real kube-apiserver", () => {
  const server = new KubeApiServer();
  beforeAll(async () => {
    await server.start({ controllerManager: true });
    await server.installCrds(CRDS);
    setStackValue("onprem", "kubernetes", {
      namespace: "vllm",
      keda: true,
      routing: "prefix",
      kubeconfig: server.kubeconfig,
      // No kubelet here: pods never run, so the provider's readiness waits would time out.
      waitForReady: false,
    });
  }, 600_000);
  afterAll(() => server.stop());

  it("up creates every object, a second preview shows no changes, destroy removes them", async () => {
    const up = await ok(
      project.pulumi(["up", "--stack", "onprem", "--yes", "--non-interactive", "--skip-preview"]),
      "pulumi up",
    );
    noSecretIn(up.output);
    const deployment = await server.get("apps/v1", "Deployment", "vllm", "vllm-engine");
    expect(deployment.status).toBe(200);
    const scaled = await server.get("keda.sh/v1alpha1", "ScaledObject", "vllm", "vllm-engine");
    expect(scaled.status).toBe(200);
    // The Hugging Face token reached the cluster as a Secret, not in the Deployment's spec.
    expect(JSON.stringify(deployment.body)).not.toContain(SENTINELS.hfToken);

    const again = await project.pulumi([
      "preview",
      "--stack",
      "onprem",
      "--non-interactive",
      "--expect-no-changes",
    ]);
    expect(again.code, again.output).toBe(0);

    await ok(
      project.pulumi(["destroy", "--stack", "onprem", "--yes", "--non-interactive", "--skip-preview"]),
      "pulumi destroy",
    );
    expect((await server.get("apps/v1", "Deployment", "vllm", "vllm-engine")).status).toBe(404);
    const left = await project.pulumi(["stack", "export", "--stack", "onprem"]);
    const resources =
      (JSON.parse(left.stdout) as { deployment: { resources?: unknown[] } }).deployment.resources ?? [];
    expect(resources).toEqual([]);
  }, 600_000);
});

describe("pulumi up of the AWS stacks through the STAND-IN aws provider", () => {
  it.each(["aws-h100", "managed"])(
    "%s: up, then a second up changes nothing (the generated API key is kept)",
    async (stack) => {
      const up = await ok(
        project.pulumi(["up", "--stack", stack, "--yes", "--non-interactive", "--skip-preview"]),
        `pulumi up ${stack}`,
      );
      noSecretIn(up.output);
      const again = await project.pulumi([
        "up",
        "--stack",
        stack,
        "--yes",
        "--non-interactive",
        "--expect-no-changes",
      ]);
      expect(again.code, again.output).toBe(0);
      const outputs = JSON.parse(
        (await ok(project.pulumi(["stack", "output", "--stack", stack, "--json"]), "pulumi stack output"))
          .stdout,
      ) as Record<string, unknown>;
      expect(outputs["endpoint"]).toEqual(expect.any(String));
      expect(outputs["cost"]).toMatchObject({ fullReport: `npx vllm-tco cost --stack ${stack} --json` });
    },
    600_000,
  );

  it("vllm-tco reap --stack aws-h100 reads the group from the stack's outputs through the real CLI", async () => {
    // Deployed (a no-op when the test above ran): the reaper reads what `up` exported.
    await ok(
      project.pulumi(["up", "--stack", "aws-h100", "--yes", "--non-interactive"]),
      "pulumi up aws-h100",
    );
    const group = (
      await ok(project.pulumi(["stack", "output", "groupName", "--stack", "aws-h100"]), "pulumi stack output")
    ).stdout.trim();
    // The stand-in names a group the kit leaves unnamed `<resource name>-asg` (AWS adds a random suffix).
    expect(group).toBe("vllm-fleet-asg");
    // As the README writes it, no flags: the group and the ALB's metric dimensions come from the stack's
    // outputs; CloudWatch is pointed at a closed loopback port (no AWS here), so the run ends unknown.
    const r = await project.exec(
      process.execPath,
      [path.join(ROOT, "dist/cli.js"), "reap", "--stack", "aws-h100", "--json", "--timeout-seconds", "20"],
      {
        env: {
          AWS_ENDPOINT_URL: "http://127.0.0.1:9",
          AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
          AWS_SECRET_ACCESS_KEY: "stand-in",
          AWS_EC2_METADATA_DISABLED: "true",
        },
      },
    );
    expect(r.code, r.output).toBe(12);
    expect(r.stderr).toContain(`reading cloudwatch metrics for Auto Scaling group ${group}`);
    const dims = JSON.parse(
      (await ok(project.pulumi(["stack", "output", "--stack", "aws-h100", "--json"]), "pulumi stack output"))
        .stdout,
    ) as Record<string, string>;
    expect(JSON.parse(r.stdout).evidence.source).toBe(`cloudwatch ${dims["loadBalancerArnSuffix"]}`);
  }, 300_000);
});

/** The ```sh block after the README's deploy-steps marker, one command a line, comments dropped. */
function deploySteps(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("<!-- deploy-steps");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block) throw new Error("README.md: no deploy-steps block");
  return block[1]!
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

describe("the README's deploying steps, run as written in a fresh copy", () => {
  it("login, select --create, a secret, preview, up, the cost output", async () => {
    const fresh = new PulumiProject();
    try {
      await fresh.installPlugins();
      const steps = deploySteps();
      expect(steps[0]).toBe("pulumi login --local");
      expect(steps.some((s) => s.startsWith("pulumi preview"))).toBe(true);
      const ran: Ran[] = [];
      for (const step of steps) {
        // Two edits only. The placeholder token becomes a sentinel, so a leak would be found.
        // The other: the state goes to the test's own folder. `--local` means `file://~`, and Pulumi finds
        // `~` in the password database, not $HOME, so as written it would write into the machine user's
        // ~/.pulumi; PULUMI_BACKEND_URL (which takes precedence over the login) keeps the test hermetic.
        const r = await fresh.exec("bash", ["-c", step.replace("hf_...", SENTINELS.hfToken)], {
          env: { PULUMI_BACKEND_URL: `file://${fresh.state}` },
        });
        expect(r.code, `${step}\n${r.output}`).toBe(0);
        noSecretIn(r.output);
        ran.push(r);
      }
      const preview = ran[steps.findIndex((s) => s.startsWith("pulumi preview"))]!;
      expect(preview.stdout).toContain("vllm-tco cost · stack aws-h100 · ");
      const cost = JSON.parse(ran.at(-1)!.stdout) as { verdict: string; fullReport: string };
      expect(cost.verdict).toMatch(/^[A-Z].*\$[\d,]+\.\d{2}\/month/);
      expect(cost.fullReport).toBe("npx vllm-tco cost --stack aws-h100 --json");
      expect(fs.readdirSync(fresh.state, { recursive: true }).join("\n")).toMatch(
        /stacks\/vllm-tco\/aws-h100\.json/,
      );
    } finally {
      fresh.remove();
    }
  }, 600_000);
});
