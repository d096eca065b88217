/**
 * The policy pack's rules as pure functions over (type, name, props): the CrossGuard pack
 * (infra/policy/index.ts) wraps them for `pulumi preview --policy-pack infra/policy`, and
 * `vllm-tco plan` applies them to the resources recorded under the mock runtime. One implementation,
 * two runners.
 */

import { admitsPublicInternet } from "../../cost/config/cidr";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  /** Input paths known to be Pulumi secrets (the mock runtime knows; a real preview does not). */
  readonly secretPaths?: readonly string[];
}

export interface PackConfig {
  /** Organisation-wide ceiling on any stack's projected monthly cost, USD. */
  readonly maxMonthlyUsd?: number;
}

export interface Rule {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
}

export interface ResourceRule extends Rule {
  check(r: PolicyResource, config: PackConfig): string[];
}

export interface StackRule extends Rule {
  check(resources: readonly PolicyResource[], config: PackConfig): string[];
}

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly resource?: string;
  readonly message: string;
}

/** Tag/label a stack sets when it explicitly allows ingress from anywhere (aws.allowOpenIngress). */
export const OPEN_INGRESS_TAG = "vllm-tco:allowOpenIngress";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const strings = (v: unknown): string[] => arr(v).map(String);

const noOpenIngress: ResourceRule = {
  name: "no-open-model-ingress",
  description:
    "No ingress from the public internet (any set of ranges covering a /8 of public addresses, or ::/16 and wider) unless the stack explicitly allows it.",
  enforcementLevel: "mandatory",
  check(r) {
    const allowed = obj(r.props["tags"])[OPEN_INGRESS_TAG] === "true";
    if (allowed) return [];
    const fix = "list client ranges in aws.ingressCidrs, or set aws.allowOpenIngress: true";
    if (r.type === "aws:ec2/securityGroup:SecurityGroup") {
      // Together: two rules of one group for 0.0.0.0/1 and 128.0.0.0/1 admit everyone.
      const rules = arr(r.props["ingress"]).map(obj);
      const v4 = rules.flatMap((x) => strings(x["cidrBlocks"]));
      const v6 = rules.flatMap((x) => strings(x["ipv6CidrBlocks"]));
      if (!admitsPublicInternet(v4, v6)) return [];
      const ports = [
        ...new Set(rules.map((x) => `${String(x["fromPort"])}/${String(x["protocol"] ?? "tcp")}`)),
      ];
      return [`security group ${r.name} admits ${ports.join(", ")} from the public internet; ${fix}`];
    }
    if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && r.props["type"] === "ingress")
      return admitsPublicInternet(strings(r.props["cidrBlocks"]), strings(r.props["ipv6CidrBlocks"]))
        ? [`security group rule ${r.name} admits traffic from the public internet; ${fix}`]
        : [];
    if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      return admitsPublicInternet(
        strings([r.props["cidrIpv4"]].filter(Boolean)),
        strings([r.props["cidrIpv6"]].filter(Boolean)),
      )
        ? [`security group ingress rule ${r.name} admits traffic from the public internet; ${fix}`]
        : [];
    return [];
  },
};

const imdsv2: ResourceRule = {
  name: "imdsv2-required",
  description: "GPU hosts require IMDSv2 session tokens (no IMDSv1).",
  enforcementLevel: "mandatory",
  check(r) {
    if (r.type !== "aws:ec2/launchTemplate:LaunchTemplate" && r.type !== "aws:ec2/instance:Instance")
      return [];
    const options = obj(r.props["metadataOptions"]);
    const tokens = options["httpTokens"];
    // A disabled metadata endpoint serves neither IMDSv1 nor v2: nothing to require.
    return tokens === "required" || options["httpEndpoint"] === "disabled"
      ? []
      : [
          `${r.name} allows IMDSv1 (metadataOptions.httpTokens is ${JSON.stringify(tokens ?? "optional")}); set it to "required"`,
        ];
  },
};

const truthy = (v: unknown) => v === true || v === "true";

/** Resources with block devices of the EC2 instance shape (`rootBlockDevice`, `ebsBlockDevices`). */
const INSTANCE_SHAPES = [
  "aws:ec2/instance:Instance",
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  "aws:ec2/launchConfiguration:LaunchConfiguration",
];

const encryptedVolumes: ResourceRule = {
  name: "encrypted-volumes",
  description: "Every EBS volume is encrypted, in every shape that creates one.",
  enforcementLevel: "mandatory",
  check(r) {
    if (r.type === "aws:ec2/launchTemplate:LaunchTemplate")
      return arr(r.props["blockDeviceMappings"])
        .map(obj)
        .filter((m) => m["ebs"] !== undefined && !truthy(obj(m["ebs"])["encrypted"]))
        .map((m) => `${r.name} maps an unencrypted volume at ${String(m["deviceName"])}; set ebs.encrypted`);
    if (r.type === "aws:ebs/volume:Volume" && !truthy(r.props["encrypted"]))
      return [`volume ${r.name} is not encrypted`];
    if (INSTANCE_SHAPES.includes(r.type)) {
      const root = r.props["rootBlockDevice"] === undefined ? [] : [obj(r.props["rootBlockDevice"])];
      return [...root, ...arr(r.props["ebsBlockDevices"]).map(obj)]
        .filter((d) => !truthy(d["encrypted"]))
        .map(
          (d) =>
            `${r.name} has an unencrypted volume ${d["deviceName"] ? String(d["deviceName"]) : "(root)"}; set encrypted: true`,
        );
    }
    return [];
  },
};

/** An image reference with a fixed tag or digest (not `latest`, not tagless). */
export function pinned(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  return colon > 0 && image.slice(colon + 1) !== "latest";
}

/** The pod spec of every Kubernetes kind that runs containers, or undefined for other kinds. */
function podSpec(type: string, props: Obj): Obj | undefined {
  const spec = obj(props["spec"]);
  if (/^kubernetes:core\/v1:Pod$/.test(type)) return spec;
  if (/^kubernetes:batch\/v1:CronJob$/.test(type))
    return obj(obj(obj(obj(spec["jobTemplate"])["spec"])["template"])["spec"]);
  if (
    /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)|batch\/v1:Job|core\/v1:ReplicationController)$/.test(
      type,
    )
  )
    return obj(obj(spec["template"])["spec"]);
  return undefined;
}

function podImages(spec: Obj): string[] {
  return [
    ...arr(spec["containers"]),
    ...arr(spec["initContainers"]),
    ...arr(spec["ephemeralContainers"]),
  ].map((c) => String(obj(c)["image"] ?? ""));
}

/** User data as the host reads it: base64 (launch templates, `userDataBase64`) decoded, plain kept. */
export function userDataText(r: PolicyResource): string | undefined {
  const b64 =
    r.type === "aws:ec2/launchTemplate:LaunchTemplate" ? r.props["userData"] : r.props["userDataBase64"];
  if (typeof b64 === "string") return Buffer.from(b64, "base64").toString("utf8");
  return typeof r.props["userData"] === "string" ? r.props["userData"] : undefined;
}

const pinnedImages: ResourceRule = {
  name: "pinned-images",
  description: "Container images are pinned to a version or digest, never `latest`.",
  enforcementLevel: "mandatory",
  check(r) {
    const spec = podSpec(r.type, r.props);
    if (spec)
      return podImages(spec)
        .filter((i) => !pinned(i))
        .map(
          (i) => `${r.name} runs ${JSON.stringify(i)}; pin a version tag such as vllm/vllm-openai:v0.11.0`,
        );
    const script = userDataText(r);
    if (script !== undefined) {
      return [...script.matchAll(/\b(?:docker (?:pull|run)[^\n]*?|IMAGE=')([\w./-]+(?::[\w.-]+)?)/g)]
        .map((m) => m[1]!)
        .filter((i) => i.includes("/") && !pinned(i))
        .map((i) => `${r.name}'s user data runs ${JSON.stringify(i)}; pin a version tag`);
    }
    return [];
  },
};

/** Strings that look like credentials: Hugging Face tokens, OpenAI-style keys, AWS access keys. */
const SECRET_PATTERNS = [/\bhf_[A-Za-z0-9]{16,}/, /\bsk-[A-Za-z0-9-]{16,}/, /\bAKIA[0-9A-Z]{16}\b/];
/** Places built to hold secret values (encrypted at rest by their service). */
const SECRET_HOLDERS: Record<string, readonly string[]> = {
  "kubernetes:core/v1:Secret": ["data", "stringData"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretString", "secretBinary"],
};

/**
 * Reads one property. In a real preview the policy SDK throws UnknownValueError for a value not known
 * until creation (an id or ARN another resource will get): such a value is another resource's
 * output, never a literal the program wrote, so the credential scan skips it and still runs at
 * preview instead of being deferred to the update.
 */
function readKnown(
  value: Record<string | number, unknown>,
  key: string | number,
): { known: boolean; v?: unknown } {
  try {
    return { known: true, v: value[key] };
  } catch (e) {
    // @pulumi/policy's UnknownValueError (its class is internal; it carries the unknown's sentinel).
    if (e instanceof Error && "unknownTypeSentinel" in e) return { known: false };
    throw e;
  }
}

function stringsOf(value: unknown, at: string, out: [string, string][]): [string, string][] {
  if (typeof value === "string") out.push([at, value]);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = readKnown(value as unknown as Record<number, unknown>, i);
      if (r.known) stringsOf(r.v, `${at}[${i}]`, out);
    }
  } else if (value && typeof value === "object")
    for (const k of Object.keys(value)) {
      const r = readKnown(value as Record<string, unknown>, k);
      if (r.known) stringsOf(r.v, at ? `${at}.${k}` : k, out);
    }
  return out;
}

const noPlainSecrets: ResourceRule = {
  name: "no-plain-secrets",
  description:
    "No credential in a resource's inputs outside a secret store, and none unmarked as a Pulumi secret.",
  enforcementLevel: "mandatory",
  check(r) {
    const holders = SECRET_HOLDERS[r.type] ?? [];
    const marked = (path: string) =>
      (r.secretPaths ?? []).some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
    // Scan what the service will hold in the clear: decoded user data, decoded Secret `data`.
    const decoded = (path: string, s: string): string =>
      (r.type === "kubernetes:core/v1:Secret" && path.startsWith("data.")) ||
      (r.type === "aws:ec2/launchTemplate:LaunchTemplate" && path === "userData") ||
      path === "userDataBase64"
        ? `${s}\n${Buffer.from(s, "base64").toString("utf8")}`
        : s;
    return stringsOf(r.props, "", [])
      .filter(([path, s]) => SECRET_PATTERNS.some((re) => re.test(decoded(path, s))))
      .filter(
        ([path]) =>
          !(
            holders.some((h) => path === h || path.startsWith(`${h}.`)) &&
            (r.secretPaths === undefined || marked(path))
          ),
      )
      .map(
        ([path]) =>
          `${r.name} has a credential in plain text at ${path}; pass it as a Pulumi secret into a Secret or Secrets Manager, and reference it`,
      );
  },
};

export const COST_REPORT_TYPE = "vllm-tco:cost:CostReport";

interface BudgetDoc {
  readonly stack?: string;
  readonly selfHosted?: { readonly monthlyUsd?: number };
  readonly budget?: {
    readonly ok?: boolean;
    readonly enforce?: string;
    readonly violations?: readonly string[];
  };
}

const costBudget: StackRule = {
  name: "cost-budget",
  description: "The stack's projected monthly TCO meets its own budget rule and the organisation's ceiling.",
  enforcementLevel: "mandatory",
  check(resources, config) {
    const report = resources.find((r) => r.type === COST_REPORT_TYPE);
    if (!report)
      return [
        "no vllm-tco cost report in the stack: deploy through infra/index.ts so the projection is registered",
      ];
    const doc = obj(report.props["document"]) as BudgetDoc;
    // The stack's own rule blocks only when the stack says mandatory: an advisory budget warns in
    // the preview (the program logs it) and goes on, in the pack and in `vllm-tco plan` alike.
    const own = doc.budget?.ok === false && doc.budget.enforce === "mandatory";
    const out = [...(own ? (doc.budget?.violations ?? []) : [])];
    const monthly = doc.selfHosted?.monthlyUsd;
    if (config.maxMonthlyUsd !== undefined && monthly !== undefined && monthly > config.maxMonthlyUsd)
      out.push(
        `projected $${monthly.toFixed(2)}/month is above the organisation's maxMonthlyUsd $${config.maxMonthlyUsd.toFixed(2)}`,
      );
    return out;
  },
};

export const RESOURCE_RULES: readonly ResourceRule[] = [
  noOpenIngress,
  imdsv2,
  encryptedVolumes,
  pinnedImages,
  noPlainSecrets,
];
export const STACK_RULES: readonly StackRule[] = [costBudget];

/** Apply every rule, at its configured enforcement level, to a recorded set of resources. */
export function evaluate(
  resources: readonly PolicyResource[],
  config: PackConfig = {},
  levels: Readonly<Record<string, EnforcementLevel>> = {},
): Violation[] {
  const level = (r: Rule) => levels[r.name] ?? r.enforcementLevel;
  const out: Violation[] = [];
  for (const rule of RESOURCE_RULES) {
    if (level(rule) === "disabled") continue;
    for (const r of resources)
      for (const message of rule.check(r, config))
        out.push({
          policy: rule.name,
          enforcementLevel: level(rule),
          resource: `${r.type}::${r.name}`,
          message,
        });
  }
  for (const rule of STACK_RULES) {
    if (level(rule) === "disabled") continue;
    for (const message of rule.check(resources, config))
      out.push({ policy: rule.name, enforcementLevel: level(rule), message });
  }
  return out;
}
