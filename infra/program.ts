/**
 * The Pulumi program proper, from a resolved config: project the cost, print it, apply the budget
 * gate before any resource exists, then build the platform. `infra/index.ts` feeds it from
 * `pulumi.Config`; `vllm-tco plan` and the tests feed it under the mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { sum, toCents } from "../cost/money";
import { project } from "../cost/projection";
import { toDocument } from "../cost/report/json";
import { textReport } from "../cost/report/text";
import { budgetMessage } from "./budget-gate";
import { CostReport } from "./cost-report";
import { COMPONENT_NAME } from "./kubernetes/names";
import { VllmService } from "./kubernetes/vllm-service";
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
  )
    await pulumi.log.warn(
      `${cfg.model.huggingFaceId} is gated on Hugging Face: replicas cannot download it without a token. Run \`pulumi config set --secret vllm-tco:hfToken hf_...\` or reference an existing secret in vllm-tco:secrets.hfToken.`,
    );
  new CostReport("cost", { document });
  // A managed host's Budget covers its token bill (engineer time is not an AWS charge).
  const tokenBill = toCents(
    sum(
      projection.selfHosted.breakdown.lineItems
        .filter((li) => li.name.endsWith("tokens"))
        .map((li) => li.monthly),
    ),
  );
  const platform = await buildPlatform(cfg, secrets, tokenBill);
  return { costReport: document, ...platform };
}

async function buildPlatform(
  cfg: StackConfig,
  secrets: ProgramSecrets,
  tokenBill: number,
): Promise<StackOutputs> {
  switch (cfg.platform) {
    case "kubernetes": {
      const svc = new VllmService(COMPONENT_NAME, { config: cfg, ...secrets });
      return {
        endpoint: svc.endpoint,
        serviceName: svc.serviceName,
        autoscaler: svc.autoscaler,
        usage: svc.usage,
      };
    }
    case "aws": {
      const { AwsVllmFleet } = await import("./aws/vllm-fleet");
      const fleet = new AwsVllmFleet(COMPONENT_NAME, { config: cfg, ...secrets });
      return fleet.outputs();
    }
    case "managed": {
      const { ManagedModel } = await import("./managed/managed-model");
      const managed = new ManagedModel(COMPONENT_NAME, {
        config: cfg,
        projectedMonthlyUsd: tokenBill,
        ...(secrets.apiKey && { apiKey: secrets.apiKey }),
      });
      return managed.outputs();
    }
  }
}
