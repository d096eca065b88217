/**
 * The stack-config contract: one `vllm-tco:` namespace, camelCase, structured values.
 * Pure (no Pulumi import) so the cost CLI reads the same contract from a stack's YAML that the
 * Pulumi program reads through `pulumi.Config`. Every default is written next to its field, except
 * the ownership defaults (purchase price, support contract, power, depreciation…): sourced figures,
 * they live with their sources in cost/catalog/ownership.ts, and each field here names its default.
 */
import { z } from "zod";
import { GPUS, INSTANCE_TYPES, APIS, MANAGED_HOSTS, BYTES_PER_PARAMETER } from "../catalog";

/**
 * Every number has an upper bound (stated beside its field as "at most"): far past any real
 * deployment, low enough that every cost stays a finite, exact amount of money.
 */
const posInt = (max = 1_000_000) => z.int().positive().max(max);
const nonNegInt = (max = 1_000_000) => z.int().nonnegative().max(max);
const share = () => z.number().min(0).max(1);
/** A Kubernetes name that must be a DNS label (RFC 1123): namespaces. */
const dnsLabel = () =>
  z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      "must be a DNS label (RFC 1123): lowercase letters, digits and `-`, at most 63, starting and ending alphanumeric",
    );
/** A Kubernetes object name (RFC 1123 subdomain): claims, storage classes. */
const dnsSubdomain = () =>
  z
    .string()
    .max(253)
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      "must be a Kubernetes object name: lowercase letters, digits, `-` and `.`, starting and ending alphanumeric",
    );
/** An http(s) URL (Prometheus): no other scheme is ever fetched. */
const httpUrl = () => z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
/** An image tag (OCI distribution spec: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`), never `latest`. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** An image repository without tag or digest: `[registry[:port]/]path`, lowercase path components. */
const REPOSITORY = /^([a-zA-Z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** $ (per hour, per million tokens, per month): at most `max`. */
const dollars = (max = 1_000_000) => z.number().nonnegative().max(max);
/** Tokens or requests a month: at most 10¹³ (about 3.8 million tokens a second, all month). */
const volume = () => z.number().nonnegative().max(1e13);

/** A reference to a secret that already exists, instead of a Pulumi secret in this stack. */
const SecretRef = z.strictObject({
  /** A Kubernetes Secret in the serving namespace holding the value under `key`. */
  kubernetesSecret: z.strictObject({ name: z.string().min(1), key: z.string().min(1) }).optional(),
  /** An AWS Secrets Manager secret's ARN (the whole secret string is the value). */
  awsSecretArn: z.string().startsWith("arn:aws").optional(),
});

export const ModelSchema = z.strictObject({
  /** Catalog key (`llama-3.1-8b`) or Hugging Face id (`meta-llama/Llama-3.1-8B-Instruct`). Required. */
  id: z.string().min(1),
  /**
   * Weight precision. Default: the checkpoint's own (int4 for gpt-oss's MXFP4 experts), else `bf16`.
   * `fp8` on a GPU without FP8 tensor cores runs as weight-only FP8.
   */
  dtype: z.enum(Object.keys(BYTES_PER_PARAMETER) as [keyof typeof BYTES_PER_PARAMETER]).optional(),
  /** vLLM `--max-model-len`. Default: the model's context, capped at 32768 to leave room for batching. */
  maxModelLen: posInt(10_000_000).optional(),
  /** vLLM `--served-model-name`, the `model` clients send. Default: the catalog key. */
  servedName: z
    .string()
    .min(1)
    .max(128)
    // It lands in a PromQL matcher (`model_name="…"`), a Host header and engine flags: a quote, brace
    // or comma would widen the reaper's query to other teams' replicas.
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/,
      "must be letters, digits and . _ : / - (it lands in metric label matchers)",
    )
    .optional(),
  /** Repository vLLM loads, when it differs from the catalog's (a quantized variant, say). */
  huggingFaceId: z.string().min(1).optional(),
  /** Architecture overrides; required for a Hugging Face id the catalog does not know. */
  /** At most 10¹³ parameters, 1000 layers, 1024 KV heads and head size, a 10-million-token context. */
  parameters: z.number().positive().max(1e13).optional(),
  activeParameters: z.number().positive().max(1e13).optional(),
  layers: posInt(1000).optional(),
  kvHeads: posInt(1024).optional(),
  headDim: posInt(1024).optional(),
  /** Query heads (config.json `num_attention_heads`); sizes attention FLOPs. Default: the catalog's, else estimated. */
  attentionHeads: posInt(1024).optional(),
  contextLength: posInt(10_000_000).optional(),
  /** config.json `hidden_size`, when it is not heads × head size. */
  hiddenSize: posInt(1_000_000).optional(),
  /** Routed experts per MoE layer and experts each token uses (config.json `num_local_experts`, `num_experts_per_tok`). */
  experts: posInt(100_000).optional(),
  expertsPerToken: posInt(100_000).optional(),
  /** Layers attending to a sliding window only, and the window (config.json `layer_types`, `sliding_window`). */
  slidingWindow: z.strictObject({ layers: posInt(1000), tokens: posInt(10_000_000) }).optional(),
  /**
   * A model's config.json (downloaded from its Hugging Face repository), relative to the stack file:
   * its architecture and parameter count are read from it. Fields stated here win over the file's.
   */
  configFile: z.string().min(1).max(4096).optional(),
  /**
   * The model's LMArena text score (style control), for a model the catalog does not rate or a
   * fine-tune that scores differently; the default quality bar holds other lanes to it.
   */
  arenaScore: z.number().min(800).max(2000).optional(),
  /**
   * The model's Artificial Analysis Intelligence Index v4.1 score (0–100), for a model the catalog
   * does not rate there; used when the stack compares on that index.
   */
  intelligenceIndex: z.number().min(0).max(100).optional(),
});

export const GpuSchema = z.strictObject({
  /** GPU catalog key. Default: the AWS instance type's GPU on `aws`, else `h100-sxm`. */
  type: z.string().optional(),
  /** GPUs per replica. Default: all of the instance's GPUs on `aws`, else the fewest (1, 2, 4, 8) that hold the model. */
  count: posInt().max(8).optional(),
  /** vLLM `--tensor-parallel-size`. Default: `count`. Must divide `count`. */
  tensorParallel: posInt(8).optional(),
});

export const VllmSchema = z.strictObject({
  /** Container image repository, without a tag (the tag is `version`). Default `vllm/vllm-openai`. */
  image: z
    .string()
    .regex(
      REPOSITORY,
      "must be an image repository without a tag, such as `vllm/vllm-openai`; put the tag in vllm.version",
    )
    .default("vllm/vllm-openai"),
  /** Image tag, pinned. Default `v0.11.0`. `latest` is refused. */
  version: z
    .string()
    .regex(TAG, "must be an image tag such as `v0.11.0`")
    .default("v0.11.0")
    .refine((v) => v !== "latest", "must be a pinned version such as `v0.11.0`, not `latest`"),
  /** HTTP port vLLM listens on. Default 8000. */
  port: posInt().max(65535).default(8000),
  /** vLLM `--gpu-memory-utilization`. Default 0.9. */
  gpuMemoryUtilization: z.number().gt(0).max(0.98).default(0.9),
  /** vLLM `--max-num-seqs`. Default: the concurrency that meets the latency target. */
  maxNumSeqs: posInt(65_536).optional(),
  /** How fast weights load (download or disk to GPU), MB/s: sizes startup probes and grace periods. Default 200. */
  loadMegabytesPerSecond: z.number().positive().max(1_000_000).default(200),
  /** Extra vLLM flags, appended last. Default none. */
  extraArgs: z.array(z.string()).default([]),
});

export const ScalingSchema = z.strictObject({
  /** Fewest replicas. Default 0 (scale to zero when idle). */
  min: nonNegInt(10_000).default(0),
  /** Most replicas. Default 1. */
  max: posInt(10_000).default(1),
  /** What the autoscaler tracks: vLLM's waiting queue, running requests, or load-balancer requests per target. Default `queue`. */
  metric: z.enum(["queue", "running", "requests"]).default("queue"),
  /** Target value of `metric` per replica. Default 5 (queue), 32 (running), 60 (requests per minute). */
  target: z.number().positive().max(1_000_000).optional(),
  /** Minutes without requests before scaling to zero. Default 15. */
  idleMinutes: posInt(10_080).default(15),
  /** How often the autoscaler reads the metric, seconds. Default 15. */
  pollingSeconds: posInt(3600).default(15),
  /** Seconds after the last scale event before scaling in. Default 300. */
  cooldownSeconds: nonNegInt(86_400).default(300),
  /** Share of a replica's latency-bound throughput used before another is added (capacity planning). Default 0.8. */
  targetUtilization: z.number().gt(0).max(1).default(0.8),
});

export const WorkloadSchema = z.strictObject({
  /** Input (prompt) tokens a month. Give these two, or `requestsPerMonth`. */
  monthlyInputTokens: volume().optional(),
  /** Output (completion) tokens a month. */
  monthlyOutputTokens: volume().optional(),
  /** Requests a month; the token volumes are then requests × tokens per request. */
  requestsPerMonth: volume().optional(),
  /** Mean prompt length. Default 1500. */
  inputTokensPerRequest: posInt(10_000_000).default(1500),
  /** Mean completion length. Default 300. */
  outputTokensPerRequest: posInt(10_000_000).default(300),
  /** Share of input tokens served from a prefix cache (APIs' cached-input price; vLLM's skipped prefill). Default 0.3. */
  cachedInputShare: share().default(0.3),
  /** Hours a day with traffic. Default 24. */
  activeHoursPerDay: z.number().gt(0).max(24).default(24),
  /** Days a week with traffic. Default 7. */
  activeDaysPerWeek: z.number().gt(0).max(7).default(7),
  /** Busiest hour's demand over the active hours' mean. Default 1 (flat). */
  peakToAverage: z.number().min(1).max(10).default(1),
  /** Largest acceptable p90 gap between a stream's tokens, ms. Default 50 (20 tokens/s a stream). */
  interTokenLatencyMs: z.number().positive().max(60_000).default(50),
  /** Largest acceptable p90 time to first token, ms. Default 2000: a chat reply starts within 2 s for 9 users in 10. */
  timeToFirstTokenMs: z.number().positive().max(600_000).default(2000),
  /**
   * Hybrid routing: the hard share of the traffic goes to a frontier API (one of compare.apis), the
   * rest to this stack's model. The report then prices the hybrid beside the pure lanes, and the
   * cheapest split that keeps at least `hardShare` on the API. Default: no hybrid.
   */
  routing: z.strictObject({ api: z.string(), hardShare: share() }).optional(),
});

export const AwsSchema = z.strictObject({
  /** Region. Default: `aws:region`, else `us-east-1`. Catalog prices are us-east-1's. */
  region: z.string().optional(),
  /** EC2 instance type from the catalog. Default `p5.4xlarge`. */
  instanceType: z.string().default("p5.4xlarge"),
  /** How instances are bought. `mixed` = `onDemandBase` on-demand, the rest `spotPercentage`% spot. Default `on-demand`. */
  purchase: z.enum(["on-demand", "spot", "savings-plan", "mixed"]).default("on-demand"),
  /** On-demand instances kept under a mixed fleet. Default 0. */
  onDemandBase: nonNegInt(10_000).default(0),
  /** Spot share above the base in a mixed fleet, percent. Default 70. */
  spotPercentage: z.int().min(0).max(100).default(70),
  /** Existing VPC; with it, `publicSubnetIds` and `privateSubnetIds` are required. Default: a new VPC. */
  vpcId: z.string().optional(),
  publicSubnetIds: z.array(z.string()).optional(),
  privateSubnetIds: z.array(z.string()).optional(),
  /**
   * IPv4 CIDRs the load balancer admits. Default: the VPC's own range. Ranges that together admit the
   * public internet (a /8 or more of public addresses: `0.0.0.0/0`, `10.0.0.0/1`, two /1 halves) need
   * `allowOpenIngress`; any public address makes the load balancer internet-facing (and bills egress).
   */
  ingressCidrs: z.array(z.string()).optional(),
  /** Allow `ingressCidrs` that open the model to the internet (`0.0.0.0/0` and the like). Default false. */
  allowOpenIngress: z.boolean().default(false),
  /** ACM certificate ARN; HTTPS on 443 when set. Default: HTTP on 80. */
  certificateArn: z.string().optional(),
  /** Public SSM parameter holding the AMI id. Default: the Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04). */
  amiSsmParameter: z
    .string()
    .default("/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id"),
  /** A fixed AMI id, instead of the SSM lookup. */
  amiId: z.string().optional(),
  /**
   * Root EBS volume, GB. Default: sized from the model (cost/root-volume.ts: OS + image + weights when
   * they live on it, +10%); a stated size below that is refused.
   */
  rootVolumeGb: posInt(16_384).optional(),
  /** Keep stopped, pre-initialised instances to shorten cold starts. Default off. */
  warmPool: z
    .strictObject({ enabled: z.boolean().default(false), size: nonNegInt(100).default(1) })
    .optional(),
});

export const KubernetesSchema = z.strictObject({
  /** Path to a kubeconfig file. Default: the user's default kubeconfig. */
  kubeconfig: z.string().optional(),
  /** Context in the kubeconfig. Default: its current context. */
  context: z.string().optional(),
  /** Namespace to deploy into. Default `vllm`. */
  namespace: dnsLabel().default("vllm"),
  /** Create the namespace (false: it already exists). Default true. */
  createNamespace: z.boolean().default(true),
  /** StorageClass of the model-cache claim. Default: the cluster's default class. */
  storageClass: dnsSubdomain().optional(),
  /** Size of the model-cache claim, GiB. Default: twice the weights, at least 50. */
  modelCacheGi: posInt().optional(),
  /** Access mode of the model-cache claim: ReadWriteMany (NFS, CephFS, EFS) when replicas span nodes. Default ReadWriteOnce. */
  modelCacheAccessMode: z.enum(["ReadWriteOnce", "ReadWriteMany"]).default("ReadWriteOnce"),
  /** Use this existing PersistentVolumeClaim for the model cache instead of creating one. */
  existingClaim: dnsSubdomain().optional(),
  /** Autoscale with KEDA (installed in the cluster). false: a HorizontalPodAutoscaler with a floor of one. Default true. */
  keda: z.boolean().default(true),
  /** Prometheus server address KEDA queries. Default `http://prometheus-operated.monitoring:9090`. */
  prometheusAddress: httpUrl().default("http://prometheus-operated.monitoring:9090"),
  /** Namespace Prometheus runs in: the network policy lets it scrape the engines. Default `monitoring`. */
  monitoringNamespace: z.string().default("monitoring"),
  /**
   * Create a ServiceMonitor (the Prometheus Operator, which the default `prometheusAddress` names);
   * false: `prometheus.io/*` scrape annotations, which only annotation-based scrape configs read (the
   * Operator ignores them, and KEDA would then get no metrics). Default true.
   */
  serviceMonitor: z.boolean().default(true),
  /**
   * Labels on the ServiceMonitor, so the Operator's `serviceMonitorSelector` picks it up.
   * Default `{ release: "kube-prometheus-stack" }`, what that chart's Prometheus selects by default.
   */
  serviceMonitorLabels: z.record(z.string(), z.string()).default({ release: "kube-prometheus-stack" }),
  /** How the router spreads requests. Default `prefix`. */
  routing: z.enum(["prefix", "session", "roundrobin"]).default("prefix"),
  /** The router image, pinned. Default: the vLLM production-stack router, a tag seen in public deployments. */
  routerImage: z
    .string()
    .default("lmcache/lmstack-router:0.1.9.dev9-g37bafbcf5.d20260107")
    .refine((v) => {
      const at = v.lastIndexOf(":");
      return (
        at > v.lastIndexOf("/") &&
        REPOSITORY.test(v.slice(0, at)) &&
        TAG.test(v.slice(at + 1)) &&
        !v.endsWith(":latest")
      );
    }, "must be `repository:tag` with a pinned tag, not `latest`"),
  /** Router replicas (CPU only; keep two for availability). Default 2. */
  routerReplicas: posInt(100).default(2),
  /** Host header clients send through the KEDA HTTP add-on when scaling from zero. Default `<servedName>.<namespace>`. */
  host: dnsSubdomain().optional(),
  /** Namespaces whose pods may call the router. Default: the serving namespace only. */
  clientNamespaces: z.array(dnsLabel()).max(100).default([]),
  /** Extra node selector terms for GPU pods. Default: the GPU product label only. */
  nodeSelector: z.record(z.string(), z.string()).default({}),
  /**
   * Let `pulumi up` wait until the engines and router run (Deployments ready, Services with endpoints,
   * the cache claim bound). false: create the objects and return (the `pulumi.com/skipAwait`
   * annotation), for clusters whose GPU nodes arrive later or a control plane without nodes. Default true.
   */
  waitForReady: z.boolean().default(true),
});

export const ManagedSchema = z.strictObject({
  /** The managed host. Required for `platform: managed`. */
  host: z.enum(MANAGED_HOSTS),
  /** Budget alert recipients (Bedrock). Default none. */
  alertEmails: z.array(z.email()).default([]),
  /** Budget alert thresholds, percent of the projected monthly spend. Default [80, 100]. */
  alertThresholdsPercent: z.array(z.number().positive().max(1000)).max(10).default([80, 100]),
  /** Token-usage alarm at this multiple of the planned daily volume. Default 1.2. */
  usageAlarmFactor: z.number().min(1).max(100).default(1.2),
});

const TokenPriceOverride = z.strictObject({
  input: dollars().optional(),
  cachedInput: dollars().optional(),
  output: dollars().optional(),
});

/** An API's overrides: its prices, and the reasoning tokens it bills per visible output token (measured from its usage reports). */
const ApiPriceOverride = TokenPriceOverride.extend({
  reasoningTokensPerOutputToken: z.number().min(0).max(100).optional(),
});

export const PricesSchema = z.strictObject({
  /** Prices older than this many days are flagged in reports; cache entries older are not used. Default 30. */
  maxAgeDays: posInt(3650).default(30),
  /** Per-instance-type overrides, $/hour. */
  instances: z
    .record(
      z.string(),
      z.strictObject({
        onDemand: dollars().optional(),
        spot: dollars().optional(),
        savingsPlan: dollars().optional(),
      }),
    )
    .default({}),
  /** Per-API overrides, $ per million tokens. */
  apis: z.record(z.string(), ApiPriceOverride).default({}),
  /** Per-managed-host overrides for this stack's model, $ per million tokens. */
  managed: z.partialRecord(z.enum(MANAGED_HOSTS), TokenPriceOverride).default({}),
});

export const CompareSchema = z.strictObject({
  /**
   * API catalog keys to set against. Default, by the index the stack compares on: on the AA
   * Intelligence Index, today's small, mid and frontier model of OpenAI, Anthropic and Google and
   * DeepSeek's, Moonshot's and Zhipu's APIs; on the LMArena snapshot, the 2025 generation it rates
   * (config/quality-index.ts lists both).
   */
  apis: z.array(z.string()).min(1).optional(),
  /**
   * The quality index lanes are compared on: `lmarena-text` (LMArena's text leaderboard, 2025-12
   * snapshot) or `aa-intelligence` (Artificial Analysis Intelligence Index v4.1). Default: the newest
   * index that rates the stack's model. Lanes it does not rate are shown as unrated.
   */
  qualityIndex: z.enum(["lmarena-text", "aa-intelligence"]).optional(),
  /** Also price every managed-open host serving the model. Default true. */
  managedHosts: z.boolean().default(true),
  /**
   * Which lanes the verdict may choose, by their score on `compare.qualityIndex`. `stack-model`
   * (default): lanes at least as good as the stack's own model; `same-model`: only lanes serving the
   * stack's model (self-hosted and managed-open); `any`: every lane; a number: lanes scoring at least
   * that on the index (LMArena text 800–2000, AA Intelligence Index 0–100).
   */
  qualityBar: z
    .union([z.enum(["stack-model", "same-model", "any"]), z.number().min(0).max(2000)], {
      error:
        "must be stack-model, same-model, any, or a score on compare.qualityIndex (LMArena text 800–2000, AA Intelligence Index 0–100)",
    })
    .default("stack-model"),
});

export const OwnershipSchema = z.strictObject({
  /** Purchase price of one server, $. Default 270000. */
  purchaseUsd: dollars(100_000_000).optional(),
  /** Months over which it is written off. Default 36. */
  depreciationMonths: posInt(240).optional(),
  /** GPUs in one server. Default 8. */
  gpusPerServer: posInt(64).optional(),
  /** Whole-server power at load and at idle, W. Default 7500 / 1800. */
  loadWatts: z.number().positive().max(1_000_000).optional(),
  idleWatts: z.number().positive().max(1_000_000).optional(),
  /** Power usage effectiveness of the room. Default 1.58. */
  pue: z.number().min(1).max(3).optional(),
  /** $/kWh. Default 0.13. */
  electricityUsdPerKwh: dollars(10).optional(),
  /** Rack space, cross-connects and remote hands per server per month, $. Default 800. */
  rackUsdPerMonth: dollars().optional(),
  /** Vendor support contract per server per year, $. Default 39800 (a year of DGX H100 support). */
  supportUsdPerYear: dollars(10_000_000).optional(),
  /** Yearly cost of the capital tied up in the servers, % of the average book value. Default 0 (cash bought, no return forgone). */
  costOfCapitalPercent: z.number().min(0).max(100).optional(),
  /** Resale value at the end of depreciation, % of the purchase price. Default 0. */
  residualValuePercent: z.number().min(0).max(100).optional(),
});

export const OperationsSchema = z.strictObject({
  /** Engineer hours a month on the serving stack. Default 16 (aws), 32 (kubernetes), 2 (managed). */
  hoursPerMonth: z.number().nonnegative().max(744).optional(),
  /** Loaded hourly rate, $. Default 96. */
  hourlyRateUsd: dollars(10_000).optional(),
});

export const BudgetSchema = z.strictObject({
  /** Largest acceptable projected monthly total, $. */
  monthlyUsd: z.number().positive().max(1e10).optional(),
  /** Largest acceptable ratio of self-hosted cost to the cheapest compared API meeting the quality bar (any API, when none does). */
  maxRatioToCheapestApi: z.number().positive().max(1_000_000).optional(),
  /** `mandatory` stops the update when the rule fails; `advisory` warns. Default `advisory`. */
  enforce: z.enum(["mandatory", "advisory"]).default("advisory"),
});

export const SecretsSchema = z.strictObject({
  /** Existing Hugging Face token. Default: the stack's Pulumi secret `vllm-tco:hfToken`. */
  hfToken: SecretRef.optional(),
  /** Existing vLLM API key. Default: the Pulumi secret `vllm-tco:apiKey`, else one generated. */
  apiKey: SecretRef.optional(),
});

export const MetricsSchema = z.strictObject({
  /** Prometheus HTTP API base URL that scrapes the replicas (for `vllm-tco reap`). */
  prometheusUrl: httpUrl().optional(),
});

/** The whole `vllm-tco:` namespace as written in a stack file (before catalog resolution). */
export const StackConfigSchema = z.strictObject({
  /** Where to serve. Required. */
  platform: z.enum(["aws", "kubernetes", "managed"]),
  model: ModelSchema,
  gpu: GpuSchema.default({}),
  vllm: VllmSchema.default(VllmSchema.parse({})),
  scaling: ScalingSchema.default(ScalingSchema.parse({})),
  workload: WorkloadSchema,
  aws: AwsSchema.optional(),
  kubernetes: KubernetesSchema.optional(),
  managed: ManagedSchema.optional(),
  compare: CompareSchema.default(CompareSchema.parse({})),
  prices: PricesSchema.default(PricesSchema.parse({})),
  ownership: OwnershipSchema.default({}),
  operations: OperationsSchema.default({}),
  budget: BudgetSchema.default(BudgetSchema.parse({})),
  secrets: SecretsSchema.default({}),
  metrics: MetricsSchema.default({}),
});

export type StackConfigInput = z.input<typeof StackConfigSchema>;
export type ParsedStackConfig = z.output<typeof StackConfigSchema>;

/** Keys of the namespace that must be Pulumi secrets; they are not part of the structured contract. */
export const SECRET_KEYS = ["hfToken", "apiKey"] as const;

/** Names the catalog keys each free-form field is checked against, for "did you mean". */
export const CATALOG_KEYS = {
  gpu: Object.keys(GPUS),
  instance: Object.keys(INSTANCE_TYPES),
  api: Object.keys(APIS),
};

/** The defaults of the sections a platform may omit, for code that prices other shapes (one place). */
export const AWS_DEFAULTS = AwsSchema.parse({});
export const VLLM_DEFAULTS = VllmSchema.parse({});
