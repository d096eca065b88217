/**
 * The Pulumi program proper, from a resolved config: project the cost, print it, apply the budget
 * gate before any resource exists, then build the platform. `infra/index.ts` feeds it from
 * `pulumi.Config`; `vllm-tco plan` and the tests feed it under the mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { project } from "../cost/projection";
import { toDocument } from "../cost/report/json";
import { costSummary } from "../cost/report/summary";
import { textReport } from "../cost/report/text";
import { budgetMessage } from "./budget-gate";
import { componentArgs, type ComponentArgs } from "./component-args";
import { CostReport } from "./cost-report";
import { COMPONENT_NAME } from "./kubernetes/names";
import { AwsVllmFleet } from "./aws/vllm-fleet";
import { VllmService } from "./kubernetes/vllm-service";
import { ManagedModel } from "./managed/managed-model";
import type { StackConfig } from "../cost/config/stack-config";

export interface ProgramSecrets {
  readonly hfToken?: pulumi.Output<string>;
  readonly apiKey?: pulumi.Output<string>;
}

export type StackOutputs = Record<string, unknown>;

export async function runProgram(cfg: StackConfig, secrets: ProgramSecrets): Promise<StackOutputs> {
  const projection = project(cfg);
  const document = toDocument(projection);
  await pulumi.log.info(textReport(projection, { compact: true }));
  if (!projection.budget.ok) {
    if (projection.budget.enforce === "mandatory") throw new pulumi.RunError(budgetMessage(projection));
    await pulumi.log.warn(budgetMessage(projection));
  }
  if (
    cfg.platform !== "managed" &&
    !secrets.hfToken &&
    !cfg.secrets.hfToken &&
    cfg.model.huggingFaceId.startsWith("meta-llama/")
  ) {
    const how =
      "Run `pulumi config set --secret vllm-tco:hfToken hf_...` or reference an existing secret in vllm-tco:secrets.hfToken.";
    // A preview shows it and goes on (the examples preview without a token); an update stops before
    // creating anything: every replica would fail to download the weights, and on AWS the group would
    // keep replacing hosts that never become healthy, each one billed.
    if (!pulumi.runtime.isDryRun())
      throw new pulumi.RunError(
        `${cfg.model.huggingFaceId} is gated on Hugging Face and the stack has no token: no replica could download it. No resource was registered. ${how}`,
      );
    await pulumi.log.warn(
      `${cfg.model.huggingFaceId} is gated on Hugging Face: replicas cannot download it without a token, and \`pulumi up\` stops until the stack has one. ${how}`,
    );
  }
  new CostReport("cost", { document });
  const platform = await buildPlatform(componentArgs(cfg, projection), secrets);
  // A short summary, not the ~2,000-line document: a preview prints every output. The document is on
  // the CostReport component and from `vllm-tco cost --json`, both the same projection.
  return { cost: costSummary(document), ...platform };
}

async function buildPlatform(c: ComponentArgs, secrets: ProgramSecrets): Promise<StackOutputs> {
  switch (c.platform) {
    case "kubernetes": {
      const svc = new VllmService(COMPONENT_NAME, { ...c.args, ...secrets });
      return {
        endpoint: svc.endpoint,
        serviceName: svc.serviceName,
        autoscaler: svc.autoscaler,
        usage: svc.usage,
      };
    }
    case "aws": {
      const fleet = new AwsVllmFleet(COMPONENT_NAME, { ...c.args, ...secrets });
      return fleet.outputs();
    }
    case "managed": {
      const managed = new ManagedModel(COMPONENT_NAME, {
        ...c.args,
        ...(secrets.apiKey && { apiKey: secrets.apiKey }),
      });
      return managed.outputs();
    }
  }
}
