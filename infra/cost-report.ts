import * as pulumi from "@pulumi/pulumi";
import type { CostDocument } from "../cost/report/json";

export interface CostReportArgs {
  /** The versioned cost document (cost/report/json.ts). */
  readonly document: CostDocument;
}

/**
 * Carries the stack's cost projection into the Pulumi state, so the policy pack's cost-budget policy
 * (and anyone reading the stack) sees the same figures the preview printed. It creates nothing.
 */
export class CostReport extends pulumi.ComponentResource {
  readonly document: pulumi.Output<CostDocument>;

  constructor(name: string, args: CostReportArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // The document is the component's own property: stack policies read it from `props.document`.
    super(CostReport.TYPE, name, { document: args.document }, opts);
    this.document = pulumi.output(args.document);
    this.registerOutputs({ document: this.document });
  }

  static readonly TYPE = "vllm-tco:cost:CostReport";
}
