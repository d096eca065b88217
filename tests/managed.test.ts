import { describe, expect, it } from "vitest";
import { loadStack } from "../cost/config/stack-file";
import { stackOption } from "../cost/projection";
import { toCents } from "../cost/money";
import { planStack } from "../infra/plan/run";
import { find, plan, rawStack, secretExposure, SENTINELS } from "./program-helpers";
import { base, merge, resolve } from "./helpers";

type Obj = Record<string, unknown>;
const PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inferenceprofile/vllm-profile";

describe("managed platform: Bedrock (the managed example stack)", async () => {
  const r = await plan("managed");
  const inputs = (type: string, name: string) => find(r, type, name).inputs as Obj;

  it("registers the profile, the invoke role, the budget, the usage topic and alarms, and nothing else", () => {
    expect(r.error).toBeUndefined();
    expect(r.resources.map((x) => `${x.type} ${x.name}`).sort()).toEqual(
      [
        "pulumi:pulumi:Stack vllm-tco-managed",
        "vllm-tco:cost:CostReport cost",
        "vllm-tco:managed:ManagedModel vllm",
        "aws:bedrock/inferenceProfile:InferenceProfile vllm-profile",
        "aws:iam/role:Role vllm-invoke",
        "aws:iam/rolePolicy:RolePolicy vllm-invoke",
        "aws:budgets/budget:Budget vllm-budget",
        "aws:sns/topic:Topic vllm-usage",
        "aws:sns/topicSubscription:TopicSubscription vllm-usage-0",
        "aws:cloudwatch/metricAlarm:MetricAlarm vllm-input-tokens",
        "aws:cloudwatch/metricAlarm:MetricAlarm vllm-output-tokens",
      ].sort(),
    );
  });

  it("the application inference profile copies the region's system profile for the model, tagged with the stack", () => {
    expect(inputs("aws:bedrock/inferenceProfile:InferenceProfile", "vllm-profile")).toMatchObject({
      name: "vllm-tco-managed-llama-3-3-70b",
      modelSource: {
        copyFrom:
          "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0",
      },
      tags: { "vllm-tco:stack": "managed" },
    });
  });

  it("the role may invoke only that profile (and models only through it)", () => {
    const policy = JSON.parse(inputs("aws:iam/rolePolicy:RolePolicy", "vllm-invoke")["policy"] as string);
    expect(policy.Statement[0]).toEqual({
      Sid: "InvokeThisProfile",
      Effect: "Allow",
      Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
      Resource: PROFILE_ARN,
    });
    expect(policy.Statement[1].Condition).toEqual({
      StringEquals: { "bedrock:InferenceProfileArn": PROFILE_ARN },
    });
  });

  it("the budget's amount is the projected token bill, with alerts at 80% and 100%", () => {
    const expected = toCents(
      stackOption(loadStack({ stack: "managed" }))
        .at(1)
        .lineItems.filter((li) => li.name.endsWith("tokens"))
        .reduce((s, li) => s + li.monthly, 0) as never,
    );
    expect(expected).toBe(518.4); // 600M × $0.72/M + 120M × $0.72/M
    expect(inputs("aws:budgets/budget:Budget", "vllm-budget")).toMatchObject({
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: "518.40",
      limitUnit: "USD",
      costFilters: [{ name: "TagKeyValue", values: ["user:vllm-tco:stack$managed"] }],
      notifications: [
        {
          threshold: 80,
          thresholdType: "PERCENTAGE",
          notificationType: "ACTUAL",
          comparisonOperator: "GREATER_THAN",
          subscriberEmailAddresses: ["platform-team@example.com"],
        },
        {
          threshold: 100,
          thresholdType: "PERCENTAGE",
          notificationType: "FORECASTED",
          comparisonOperator: "GREATER_THAN",
          subscriberEmailAddresses: ["platform-team@example.com"],
        },
      ],
    });
  });

  it("alarms when daily token use passes 1.2× the planned volume of an active day (5 days a week)", () => {
    // 600M input / (730/168 weeks × 5 active days) × 1.2 = 33,139,727; 120M output → 6,627,946.
    // Per calendar day (the old divisor) the alarm would fire every weekday at the planned volume.
    expect(inputs("aws:cloudwatch/metricAlarm:MetricAlarm", "vllm-input-tokens")).toMatchObject({
      namespace: "AWS/Bedrock",
      metricName: "InputTokenCount",
      threshold: 33139727,
      period: 86400,
      dimensions: { ModelId: PROFILE_ARN },
    });
    expect(inputs("aws:cloudwatch/metricAlarm:MetricAlarm", "vllm-output-tokens")).toMatchObject({
      metricName: "OutputTokenCount",
      threshold: 6627946,
    });
  });

  it("outputs how to call it", () => {
    expect(r.outputs).toMatchObject({
      endpoint: "https://bedrock-runtime.us-east-1.amazonaws.com",
      model: PROFILE_ARN,
    });
    expect(r.outputs["usage"]).toContain(
      `aws bedrock-runtime converse --region us-east-1 --model-id ${PROFILE_ARN}`,
    );
  });
});

describe("managed platform: the stack's region decides where Bedrock's resources live", () => {
  it("aws:region eu-west-1: the profile copies eu-west-1's system profile, and the endpoint is eu-west-1's", async () => {
    const raw = rawStack("managed");
    const r = await planStack(
      { ...raw, providerConfig: { ...raw.providerConfig, "aws:region": "eu-west-1" } },
      {
        secretValues: SENTINELS,
      },
    );
    const profile = find(r, "aws:bedrock/inferenceProfile:InferenceProfile", "vllm-profile").inputs as {
      modelSource: { copyFrom: string };
    };
    expect(profile.modelSource.copyFrom).toBe(
      "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.meta.llama3-3-70b-instruct-v1:0",
    );
    expect(r.outputs["endpoint"]).toBe("https://bedrock-runtime.eu-west-1.amazonaws.com");
  });
});

describe("managed platform: an OpenAI-compatible host", () => {
  it("records the endpoint and keeps the API key a secret, creating no cloud resource", async () => {
    const r = await plan(
      "managed",
      { model: { id: "llama-3.1-8b" }, managed: { host: "groq" } },
      { apiKey: SENTINELS.apiKey },
    );
    expect(r.error).toBeUndefined();
    expect(r.resources.filter((x) => x.type.startsWith("aws:"))).toEqual([]);
    expect(r.outputs).toMatchObject({
      endpoint: "https://api.groq.com/openai/v1",
      model: "llama-3.1-8b-instant",
      apiKey: "[secret]",
    });
    expect(secretExposure(r, SENTINELS.apiKey).every((p) => p.marked)).toBe(true);
  });

  it("an unsupported model/host pair is a config error that lists the hosts that serve it", async () => {
    const r = await plan("managed", { model: { id: "qwen3-30b-a3b" }, managed: { host: "fireworks" } });
    expect(r.error).toContain(
      'vllm-tco:managed.host: does not serve qwen3-30b-a3b; no catalogued host serves it: use platform aws or kubernetes (found "fireworks")',
    );
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack"]);
    const served = await plan("managed", { model: { id: "qwen3-32b" }, managed: { host: "fireworks" } });
    expect(served.error).toContain('does not serve qwen3-32b; hosts that do: groq (found "fireworks")');
  });
});

describe("managed-open pricing", () => {
  it.each([
    [1e8, 2e7, 0.72 * 100 + 0.72 * 20],
    [1e9, 2e8, 0.72 * 1000 + 0.72 * 200],
    [1e10, 2e9, 0.72 * 10000 + 0.72 * 2000],
  ])("Bedrock 70B at %d in / %d out costs tokens × $0.72/M plus 2 h of labour", (i, o, tokens) => {
    const c = resolve(
      merge(base.managed, { workload: { monthlyInputTokens: i, monthlyOutputTokens: o } }) as never,
    );
    expect(toCents(stackOption(c).at(1).total)).toBeCloseTo(tokens + 2 * 96, 2);
  });

  it("uses the host's cached-input price where it has one", () => {
    const c = resolve(
      merge(base.managed, {
        prices: { managed: { bedrock: { cachedInput: 0.36 } } },
        workload: { cachedInputShare: 0.5 },
      }) as never,
    );
    const items = stackOption(c)
      .at(1)
      .lineItems.map((li) => [li.name, toCents(li.monthly)]);
    // 600M input, half cached: 300M × 0.72 + 300M × 0.36; 120M output × 0.72
    expect(items.slice(0, 3)).toEqual([
      ["input tokens", 216],
      ["cached input tokens", 108],
      ["output tokens", 86.4],
    ]);
  });
});

describe("the managed stack's cost report", () => {
  it("shows its bill beside renting and owning GPUs for the same model, and the compared APIs", async () => {
    const { runCli } = await import("./helpers");
    const doc = JSON.parse((await runCli("cost", "--stack", "managed", "--json")).out);
    expect(doc.selfHosted).toMatchObject({ option: "managed:bedrock", monthlyUsd: 710.4 });
    expect(doc.selfHostedAlternatives.map((a: { id: string }) => a.id)).toEqual([
      "rented:p5.48xlarge:on-demand",
      "rented:p5.48xlarge:spot",
      "rented:p5.48xlarge:savings-plan",
      "owned",
    ]);
    expect(doc.apis.length).toBe(6);
    // Every row carries its prices' sources and dates, and its quality figure.
    for (const row of [...doc.apis, ...doc.managed, ...doc.selfHostedAlternatives]) {
      expect(row.lineItems.length, row.id).toBeGreaterThan(0);
      for (const li of row.lineItems) expect(li.asOf && li.sourceUrl, `${row.id} ${li.name}`).toBeTruthy();
      expect(row.quality.index, row.id).toBe("LMArena text");
    }
    const text = (await runCli("cost", "--stack", "managed")).out;
    expect(text).toContain("self-hosting the same model instead:");
  });
});
