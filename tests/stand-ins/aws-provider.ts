/**
 * A STAND-IN for the `aws` resource provider plugin, for the real-engine tier (tests/pulumi-engine.test.ts).
 * The real provider (pulumi-aws) patches terraform-provider-aws and cannot be built here, and there is
 * no AWS account: this plugin speaks the real provider protocol to the real engine, written with
 * `@pulumi/pulumi`'s provider API, and answers like a cloud that accepts everything:
 *
 * - check: inputs as given; diff: a property-by-property comparison (so `ignoreChanges` and no-drift
 *   are the engine's own decisions); create/update: inputs echoed plus the attributes AWS computes,
 *   shaped as `vllm-tco plan` shapes them (infra/plan/mocks.ts: ARNs, DNS names, ARN suffixes), with
 *   an id stable for the resource's URN; read: state as stored; delete: nothing.
 * - invokes (caller identity, availability zones, SSM parameter): the same fixed answers as `plan`,
 *   except `getRandomPassword`, which draws a new password each call as AWS does, so a second `up`
 *   proves the kit keeps the first generated API key.
 *
 * It does NOT prove AWS's own validation (an instance type in a region, an AMI, quotas, IAM policy
 * semantics, a launch template AWS would refuse): the README says so.
 */
import * as crypto from "node:crypto";
import { main, type Provider } from "@pulumi/pulumi/provider";
import { mockCall, mockState } from "../../infra/plan/mocks";

/** The plugin's version: the one @pulumi/aws asks the engine for (its package.json). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require("@pulumi/aws/package.json") as { version: string }).version;

function typeAndName(urn: string): { type: string; name: string } {
  // urn:pulumi:<stack>::<project>::<parent types$>type::name
  const parts = urn.split("::");
  const types = parts[2] ?? "";
  return { type: types.split("$").pop() ?? types, name: parts[3] ?? "" };
}

function stableId(urn: string): string {
  return crypto.createHash("sha256").update(urn).digest("hex").slice(0, 17);
}

/** Attributes this stand-in computes on creation (infra/plan/mocks.ts): in the old state, never in inputs. */
const COMPUTED = new Set(["arn", "arnSuffix", "dnsName", "cidrBlock", "name", "latestVersion"]);

/**
 * The engine hands `diff` the old *state* (inputs plus computed attributes) and the new inputs: a
 * property changed when the new input differs from the old value, or an input present before is gone.
 */
function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(olds).filter((k) => !COMPUTED.has(k)), ...Object.keys(news)]);
  // `__defaults` and other bookkeeping the SDK adds are not the resource's own properties.
  return [...keys].filter((k) => !k.startsWith("__") && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}

function state(urn: string, inputs: Record<string, unknown>): { id: string; outs: Record<string, unknown> } {
  const { type, name } = typeAndName(urn);
  const id = stableId(urn);
  const result = mockState({ type, name, inputs, provider: "", custom: true, id } as never);
  return {
    id: type === "aws:autoscaling/group:Group" ? String(result.state["name"]) : id,
    outs: result.state,
  };
}

const provider: Provider = {
  version: VERSION,
  async check(_urn, _olds, news) {
    return { inputs: news };
  },
  async diff(_id, _urn, olds, news) {
    const changed = changedKeys(olds as Record<string, unknown>, news as Record<string, unknown>);
    return { changes: changed.length > 0, replaces: [] };
  },
  async create(urn, inputs) {
    return state(urn, inputs as Record<string, unknown>);
  },
  async read(id, _urn, props) {
    return { id, props };
  },
  async update(_id, urn, _olds, news) {
    return { outs: state(urn, news as Record<string, unknown>).outs };
  },
  async delete() {},
  async invoke(token, inputs) {
    if (token === "aws:secretsmanager/getRandomPassword:getRandomPassword")
      return { outputs: { randomPassword: crypto.randomBytes(24).toString("hex") } };
    return { outputs: mockCall({ token, inputs, provider: "" } as never) };
  },
};

void main(provider, process.argv.slice(2));
