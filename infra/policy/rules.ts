/**
 * The policy pack's rules as pure functions over (type, name, props): the CrossGuard pack
 * (infra/policy/index.ts) wraps them for `pulumi preview --policy-pack infra/policy`, and
 * `vllm-tco plan` applies them to the resources recorded under the mock runtime. One implementation,
 * two runners.
 */

import * as zlib from "node:zlib";
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
      const ranges = rules.flatMap((x) => [...strings(x["cidrBlocks"]), ...strings(x["ipv6CidrBlocks"])]);
      if (!openRanges(ranges)) return [];
      const ports = [
        ...new Set(rules.map((x) => `${String(x["fromPort"])}/${String(x["protocol"] ?? "tcp")}`)),
      ];
      return [`security group ${r.name} admits ${ports.join(", ")} from the public internet; ${fix}`];
    }
    const ranges = ingressRanges(r);
    if (ranges && openRanges(ranges))
      return [`security group rule ${r.name} admits traffic from the public internet; ${fix}`];
    return [];
  },
};

/**
 * The ranges of a standalone ingress rule (either shape), or undefined for anything else. Read by
 * content, not by field: an IPv6 range written into an IPv4 field (`cidrBlocks: ["::0/0"]`) is still
 * judged as the range it is.
 */
function ingressRanges(r: PolicyResource): string[] | undefined {
  if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && r.props["type"] === "ingress")
    return [...strings(r.props["cidrBlocks"]), ...strings(r.props["ipv6CidrBlocks"])];
  if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    return strings([r.props["cidrIpv4"], r.props["cidrIpv6"]].filter(Boolean));
  return undefined;
}

function openRanges(ranges: readonly string[]): boolean {
  return admitsPublicInternet(
    ranges.filter((c) => !c.includes(":")),
    ranges.filter((c) => c.includes(":")),
  );
}

/**
 * Standalone ingress rules of one security group, judged together: 512 rules of a /9 each are the
 * whole internet although none alone is.
 */
const noOpenIngressTogether: StackRule = {
  name: "no-open-model-ingress-together",
  description:
    "The standalone ingress rules of each security group, taken together, do not admit the public internet.",
  enforcementLevel: "mandatory",
  check(resources) {
    // Per group: its rules, their ranges together, and whether one is open on its own (the resource
    // rule reports that one already).
    const byGroup = new Map<string, { names: string[]; ranges: string[]; aloneOpen: boolean }>();
    for (const r of resources) {
      const ranges = ingressRanges(r);
      if (!ranges) continue;
      // A group id not known until creation (a preview of a new stack) cannot be told apart: such
      // rules are judged together, which can only add a warning, never hide one.
      const id = readKnown(r.props, "securityGroupId");
      const group = id.known ? JSON.stringify(id.v ?? "(no group)") : "(not known until creation)";
      const g = byGroup.get(group) ?? { names: [], ranges: [], aloneOpen: false };
      g.names.push(r.name);
      g.ranges.push(...ranges);
      g.aloneOpen ||= openRanges(ranges);
      byGroup.set(group, g);
    }
    return [...byGroup.values()]
      .filter((g) => g.names.length > 1 && !g.aloneOpen && openRanges(g.ranges))
      .map(
        (g) =>
          `${g.names.length} ingress rules of one security group (${g.names.slice(0, 3).join(", ")}${g.names.length > 3 ? ", …" : ""}) together admit the public internet; list client ranges in aws.ingressCidrs, or set aws.allowOpenIngress: true`,
      );
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
      // No root block device: the root volume is the AMI's default, unencrypted unless the account
      // says otherwise, which the pack cannot see.
      const noRoot = r.props["rootBlockDevice"] === undefined;
      const root = noRoot ? [] : [obj(r.props["rootBlockDevice"])];
      const missing = noRoot
        ? [
            `${r.name} has no rootBlockDevice, so its root volume is the AMI's default (unencrypted); set rootBlockDevice.encrypted: true`,
          ]
        : [];
      return [
        ...missing,
        ...[...root, ...arr(r.props["ebsBlockDevices"]).map(obj)]
          .filter((d) => !truthy(d["encrypted"]))
          .map(
            (d) =>
              `${r.name} has an unencrypted volume ${d["deviceName"] ? String(d["deviceName"]) : "(root)"}; set encrypted: true`,
          ),
      ];
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

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"];

/**
 * Every container image anywhere in a Kubernetes object: whatever the kind (Pod, PodTemplate, a
 * workload, a CronJob of any version, a `…Patch`), a container list is a container list.
 */
function kubeImages(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 12 || !value || typeof value !== "object") return out;
  if (Array.isArray(value)) {
    for (const v of value) kubeImages(v, out, depth + 1);
    return out;
  }
  for (const [k, v] of Object.entries(value as Obj)) {
    if (CONTAINER_LISTS.includes(k) && Array.isArray(v))
      for (const c of v) if (obj(c)["image"] !== undefined) out.push(String(obj(c)["image"]));
    kubeImages(v, out, depth + 1);
  }
  return out;
}

/** Flags of `docker run`/`docker pull` that take the next word as their value. */
const DOCKER_VALUE_FLAGS = new Set(
  "-e --env --env-file -v --volume -p --publish --gpus --name --network --net --ipc --shm-size -u --user --entrypoint --mount --runtime -l --label -w --workdir --log-driver --log-opt --restart --ulimit --device --cap-add --cap-drop --security-opt -m --memory --cpus --platform --pull --add-host -h --hostname --tmpfs --pid --uts --cgroupns --stop-signal --stop-timeout --health-cmd".split(
    " ",
  ),
);

/** The image each `docker run`/`docker pull` in a script names: its first word that is not a flag. */
function dockerImages(script: string): string[] {
  const out: string[] = [];
  for (const m of script.matchAll(/\bdocker\s+(?:container\s+)?(run|pull|create)\s+([^\n]*)/g)) {
    const words = m[2]!.split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w === "\\") continue;
      if (w.startsWith("-")) {
        if (!w.includes("=") && DOCKER_VALUE_FLAGS.has(w)) i++;
        continue;
      }
      out.push(w.replace(/^['"]|['"]$/g, ""));
      break;
    }
  }
  for (const m of script.matchAll(/\bIMAGE=['"]?([\w./:@-]+)/g)) out.push(m[1]!);
  // A variable ("$IMAGE") is judged where it is set.
  return out.filter((i) => !i.startsWith("$"));
}

const looksBase64 = (s: string) => s.length >= 16 && /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/.test(s.trim());

/**
 * Every layer cloud-init would unpack from a user-data value: base64 (once or nested), gzip, and MIME
 * multipart parts in base64; each layer's text is scanned, so wrapping a script does not hide it.
 * Bounded: a few layers, 10 MB of output each.
 */
export function unpackUserData(value: string): string[] {
  const texts: string[] = [];
  let frontier: Buffer[] = [Buffer.from(value, "utf8")];
  for (let round = 0; round < 5 && frontier.length; round++) {
    const next: Buffer[] = [];
    for (const b of frontier) {
      if (b[0] === 0x1f && b[1] === 0x8b) {
        try {
          next.push(zlib.gunzipSync(b, { maxOutputLength: 10 * 2 ** 20 }));
        } catch {
          // Not gzip after all: nothing more inside.
        }
        continue;
      }
      const text = b.toString("utf8");
      texts.push(text);
      if (looksBase64(text)) next.push(Buffer.from(text.trim(), "base64"));
      for (const m of text.matchAll(
        /Content-Transfer-Encoding:\s*base64\s*\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/gi,
      ))
        next.push(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
    }
    frontier = next;
  }
  return texts;
}

/** A resource's user data, every layer of it (none for other resources). */
function userDataLayers(r: PolicyResource): string[] {
  const raw =
    r.type === "aws:ec2/launchTemplate:LaunchTemplate"
      ? r.props["userData"]
      : (r.props["userDataBase64"] ?? r.props["userData"]);
  return typeof raw === "string" ? unpackUserData(raw) : [];
}

const pinnedImages: ResourceRule = {
  name: "pinned-images",
  description: "Container images are pinned to a version or digest, never `latest`.",
  enforcementLevel: "mandatory",
  check(r) {
    if (r.type.startsWith("kubernetes:"))
      return kubeImages(r.props)
        .filter((i) => !pinned(i))
        .map(
          (i) => `${r.name} runs ${JSON.stringify(i)}; pin a version tag such as vllm/vllm-openai:v0.11.0`,
        );
    const scripts = userDataLayers(r);
    return [...new Set(scripts.flatMap(dockerImages))]
      .filter((i) => !pinned(i))
      .map((i) => `${r.name}'s user data runs ${JSON.stringify(i)}; pin a version tag`);
  },
};

/**
 * Strings that look like credentials: Hugging Face tokens, OpenAI-style keys, AWS access key ids
 * (long-term AKIA and temporary ASIA) and AWS secret access keys where a name says what they are (a
 * bare 40-character string is too common to call a key, as secret scanners also decide).
 */
const SECRET_PATTERNS = [
  /\bhf_[A-Za-z0-9]{16,}/,
  /\bsk-[A-Za-z0-9-]{16,}/,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
  /(?:aws_?secret_?access_?key|SecretAccessKey)["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i,
];
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
      path === "userData" || path === "userDataBase64"
        ? unpackUserData(s).join("\n")
        : r.type === "kubernetes:core/v1:Secret" && path.startsWith("data.")
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
    // Under a ceiling, a projection that is not a number cannot pass it: NaN compares false with
    // everything, and null, a negative or a missing figure is no evidence of being under it.
    if (
      config.maxMonthlyUsd !== undefined &&
      (typeof monthly !== "number" || !Number.isFinite(monthly) || monthly < 0)
    )
      return [
        ...out,
        `the cost report's projection (${JSON.stringify(monthly ?? null)}) is not a monthly figure, so the organisation's maxMonthlyUsd $${config.maxMonthlyUsd.toFixed(2)} cannot be checked; re-run the preview, and report it if it persists`,
      ];
    if (config.maxMonthlyUsd !== undefined && typeof monthly === "number" && monthly > config.maxMonthlyUsd)
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
export const STACK_RULES: readonly StackRule[] = [costBudget, noOpenIngressTogether];

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
