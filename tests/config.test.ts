import { describe, expect, it } from "vitest";
import { base, errorOf, merge, resolve } from "./helpers";

const line = (path: string, message: string, found: string) =>
  `invalid stack test:\n  - vllm-tco:${path}: ${message} (found ${found})`;

describe("stack config: every bad input names the setting, the value found and the fix", () => {
  it.each([
    [
      "unknown key",
      merge(base.aws, { scaling: { minimum: 1 } }),
      line(
        "scaling",
        "unknown setting `minimum`; remove it or check its spelling against the contract in cost/config/schema.ts",
        '["minimum"]',
      ),
    ],
    [
      "GPU typo suggests the nearest key",
      merge(base.kubernetes, { gpu: { type: "h100" } }),
      line(
        "gpu.type",
        'is not a GPU in the catalog; did you mean "h100-sxm"? known: h100-sxm, h100-pcie, h200, a100-80gb, a100-40gb, l40s',
        '"h100"',
      ),
    ],
    [
      "model typo suggests the nearest key",
      merge(base.aws, { model: { id: "llama-3.1-8" } }),
      line(
        "model.id",
        'is not a model in the catalog; did you mean "llama-3.1-8b"? known: llama-3.1-8b, llama-3.1-70b, llama-3.3-70b, qwen3-32b, qwen3-30b-a3b, gpt-oss-120b, gpt-oss-20b, qwen3-235b-a22b, glm-4.6, deepseek-v3.2, kimi-k2.6',
        '"llama-3.1-8"',
      ),
    ],
    [
      "min above max",
      merge(base.aws, { scaling: { min: 3, max: 2 } }),
      line("scaling.min", "is above scaling.max (2); lower min or raise max", "3"),
    ],
    [
      "tensor parallel that does not divide the GPUs",
      merge(base.kubernetes, { gpu: { count: 4, tensorParallel: 3 } }),
      line(
        "gpu.tensorParallel",
        "must divide gpu.count (4); the other GPUs run as data-parallel engines: use one of 1, 2, 4",
        "3",
      ),
    ],
    [
      "GPU count the model does not fit in",
      merge(base.kubernetes, { gpu: { count: 1 } }),
      line(
        "gpu.count",
        "1× h100-sxm cannot hold llama-3.3-70b bf16 (141.2 GB of weights) with a KV cache for one 16384-token sequence; use at least 2 GPUs per engine, or lower model.maxModelLen",
        "1",
      ),
    ],
    [
      "instance type whose GPUs cannot hold the model",
      merge(base.aws, { model: { id: "llama-3.3-70b" } }),
      line(
        "aws.instanceType",
        "1× h100-sxm cannot hold llama-3.3-70b bf16 (141.2 GB of weights) with a KV cache for one 32768-token sequence; pick an instance type with at least 4 h100-sxm GPUs, or lower model.maxModelLen",
        '"p5.4xlarge"',
      ),
    ],
    [
      "no volume",
      merge(base.aws, { workload: { monthlyInputTokens: undefined, monthlyOutputTokens: undefined } }),
      line(
        "workload",
        "needs a volume: requestsPerMonth, or monthlyInputTokens and monthlyOutputTokens",
        "(missing)",
      ),
    ],
    [
      "open ingress without saying so",
      merge(base.aws, { aws: { ingressCidrs: ["0.0.0.0/0"] } }),
      line(
        "aws.ingressCidrs",
        "together admit 3,702,390,784 public internet addresses (a /8 or more is open to the internet); set aws.allowOpenIngress: true to mean it, or list your clients' ranges",
        '"0.0.0.0/0"',
      ),
    ],
    [
      "a CIDR that does not parse",
      merge(base.aws, { aws: { ingressCidrs: ["10.0.0.0/33"] } }),
      line("aws.ingressCidrs[0]", "is not a CIDR block such as 10.0.0.0/16", '"10.0.0.0/33"'),
    ],
    [
      "spot-only with a floor and no fallback",
      merge(base.aws, { aws: { purchase: "spot" }, scaling: { min: 1, max: 2 } }),
      line(
        "aws.purchase",
        "with scaling.min 1 has no on-demand fallback when spot capacity is reclaimed; use purchase: mixed with onDemandBase ≥ 1, or set scaling.min: 0",
        '"spot"',
      ),
    ],
    [
      "managed host that does not serve the model",
      merge(base.managed, { model: { id: "llama-3.1-70b" }, managed: { host: "groq" } }),
      line(
        "managed.host",
        "does not serve llama-3.1-70b; hosts that do: bedrock, together, fireworks",
        '"groq"',
      ),
    ],
    [
      "negative cooldown",
      merge(base.aws, { scaling: { cooldownSeconds: -5 } }),
      line("scaling.cooldownSeconds", "must be at least 0", "-5"),
    ],
    [
      "latest image tag",
      merge(base.aws, { vllm: { version: "latest" } }),
      line("vllm.version", "must be a pinned version such as `v0.11.0`, not `latest`", '"latest"'),
    ],
    [
      "wrong type",
      merge(base.aws, { scaling: { max: "four" } }),
      line("scaling.max", "must be a number", '"four"'),
    ],
    [
      "unknown platform",
      merge(base.aws, { platform: "gcp" }),
      line("platform", 'must be one of "aws", "kubernetes", "managed"', '"gcp"'),
    ],
    [
      "GPU count that differs from the instance's",
      merge(base.aws, { gpu: { count: 2 } }),
      line(
        "gpu.count",
        "on aws one replica uses a whole p5.4xlarge (1 GPU); remove gpu.count or pick an instance type with 2 GPUs",
        "2",
      ),
    ],
    [
      "API typo",
      merge(base.aws, { compare: { apis: ["gpt-4o-mni"] } }),
      line(
        "compare.apis[0]",
        'is not an API in the catalog; did you mean "gpt-4o-mini"? known: gpt-4o-mini, gpt-4o, gpt-4.1, gpt-5, gpt-5-mini, gpt-5.1, claude-sonnet-4.5, claude-haiku-4.5, claude-opus-4.5, gemini-2.5-flash, gemini-2.5-flash-lite, gemini-3-flash, gemini-3-pro, gpt-5.5, gpt-5.4-mini, gpt-5.4-nano, claude-opus-4.8, claude-sonnet-4.6, gemini-3.1-pro, gemini-3.5-flash, gemini-3.1-flash-lite, deepseek-v4-pro, deepseek-v4-flash, glm-5.1, kimi-k2.6',
        '"gpt-4o-mni"',
      ),
    ],
    [
      "quality bar that is no setting",
      merge(base.aws, { compare: { qualityBar: "best" } }),
      line(
        "compare.qualityBar",
        "must be stack-model, same-model, any, or a score on compare.qualityIndex (LMArena text 800–2000, AA Intelligence Index 0–100)",
        '"best"',
      ),
    ],
    [
      "quality bar score off the scale",
      merge(base.aws, { compare: { qualityBar: 5000 } }),
      line("compare.qualityBar", "must be at most 2000", "5000"),
    ],
    [
      "arena score off the scale",
      merge(base.aws, { model: { arenaScore: -1 } }),
      line("model.arenaScore", "must be at least 800", "-1"),
    ],
    [
      "existing VPC without subnets",
      merge(base.aws, { aws: { vpcId: "vpc-123" } }),
      line(
        "aws.vpcId",
        "an existing VPC needs aws.publicSubnetIds (load balancer) and aws.privateSubnetIds (GPU hosts)",
        '"vpc-123"',
      ),
    ],
  ])("%s", (_name, raw, expected) => {
    expect(errorOf(raw)).toBe(expected);
  });

  it("reports every problem of a file at once", () => {
    const msg = errorOf(merge(base.aws, { scaling: { min: 5, max: 2 }, aws: { ingressCidrs: ["nope"] } }));
    expect(msg.split("\n").filter((l) => l.startsWith("  - "))).toEqual([
      "  - vllm-tco:scaling.min: is above scaling.max (2); lower min or raise max (found 5)",
      '  - vllm-tco:aws.ingressCidrs[0]: is not a CIDR block such as 10.0.0.0/16 (found "nope")',
    ]);
  });
});

describe("stack config: defaults are resolved once", () => {
  it("aws takes GPU type and count from the instance type", () => {
    const c = resolve(base.aws as never);
    expect([c.gpu.type.key, c.gpu.count, c.gpu.tensorParallel]).toEqual(["h100-sxm", 1, 1]);
    expect(c.aws!.instance.key).toBe("p5.4xlarge");
    expect(c.aws!.region).toBe("us-east-1");
    expect(c.model).toMatchObject({
      key: "llama-3.1-8b",
      dtype: "bf16",
      maxModelLen: 32768,
      servedName: "llama-3.1-8b",
      weightBytes: 16.06e9,
    });
    expect(c.scaling).toMatchObject({ min: 0, max: 1, metric: "queue", target: 5, idleMinutes: 15 });
    expect(c.operations).toMatchObject({ hoursPerMonth: 16, hourlyRateUsd: 96 });
  });

  it("kubernetes picks the fewest GPUs that hold the model when count is not given", () => {
    // 70B BF16 is 131.5 GiB of weights: two 80 GiB H100s hold it with a 16K-token KV cache, as vLLM runs it.
    const c = resolve(
      merge(base.kubernetes, { gpu: { count: undefined, tensorParallel: undefined } }) as never,
    );
    expect(c.gpu.count).toBe(2);
  });

  it("FP8 on a GPU without FP8 tensor cores is accepted (vLLM runs it weight-only) and priced that way", () => {
    const c = resolve(
      merge(base.kubernetes, { gpu: { type: "a100-80gb", count: 8 }, model: { dtype: "fp8" } }) as never,
    );
    expect(c.model.dtype).toBe("fp8");
  });

  it("a vLLM image tag that names no version is refused: the model prices that engine", () => {
    expect(() => resolve(merge(base.kubernetes, { vllm: { version: "nightly" } }) as never)).toThrow(
      /vllm\.version[\s\S]*must start with the vLLM version it packages/,
    );
  });

  it("accepts a Hugging Face id as an alias of a catalog model", () => {
    expect(
      resolve(merge(base.aws, { model: { id: "meta-llama/Meta-Llama-3.1-8B-Instruct" } }) as never).model.key,
    ).toBe("llama-3.1-8b");
  });

  it("derives monthly tokens from requests × tokens per request", () => {
    const c = resolve(base.kubernetes as never);
    expect([c.workload.monthlyInputTokens, c.workload.monthlyOutputTokens]).toEqual([1.5e9, 3e8]);
  });

  it("applies price overrides and marks their source as the stack", () => {
    const c = resolve(
      merge(base.aws, {
        prices: { instances: { "p5.4xlarge": { onDemand: 5 } }, apis: { "gpt-4o-mini": { output: 0.5 } } },
      }) as never,
    );
    expect(c.aws!.instance.onDemandUsdPerHour).toBe(5);
    expect(c.aws!.instance.sources.onDemand.asOf).toBe("stack config");
    expect(c.compare.apis.find((a) => a.key === "gpt-4o-mini")).toMatchObject({
      inputPerMillion: 0.15,
      outputPerMillion: 0.5,
    });
  });

  it("accepts an uncatalogued Hugging Face model when its architecture is given", () => {
    const c = resolve(
      merge(base.kubernetes, {
        model: {
          id: "acme/tiny-7b",
          parameters: 7e9,
          layers: 32,
          kvHeads: 8,
          headDim: 128,
          contextLength: 32768,
        },
        gpu: { count: 1 },
      }) as never,
    );
    expect(c.model).toMatchObject({ key: "tiny-7b", huggingFaceId: "acme/tiny-7b", activeParameters: 7e9 });
  });
});
