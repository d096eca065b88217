/**
 * vllm-tco's CrossGuard policy pack: `pulumi preview --policy-pack infra/policy`. The rules live in
 * rules.ts (pure, shared with `vllm-tco plan`); this file only adapts them to @pulumi/policy.
 * Enforcement levels and the organisation's cost ceiling are set per stack or organisation with a
 * policy config file, e.g. `{ "cost-budget": { "enforcementLevel": "mandatory", "maxMonthlyUsd": 20000 } }`.
 */
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { RESOURCE_RULES, STACK_RULES, type PackConfig } from "./rules";

const resourcePolicies: ResourceValidationPolicy[] = RESOURCE_RULES.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: rule.enforcementLevel,
  validateResource: (args, reportViolation) => {
    for (const message of rule.check({ type: args.type, name: args.name, props: args.props }, {}))
      reportViolation(message);
  },
}));

const stackPolicies: StackValidationPolicy[] = STACK_RULES.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: rule.enforcementLevel,
  configSchema: { properties: { maxMonthlyUsd: { type: "number", minimum: 0 } } },
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
    for (const message of rule.check(resources, args.getConfig<PackConfig>())) reportViolation(message);
  },
}));

new PolicyPack("vllm-tco", { policies: [...resourcePolicies, ...stackPolicies] });
