/**
 * `model.configFile`: a model the catalog lacks, read from the config.json its repository publishes.
 * Oracles: the parameter counts each model card states (never seen by the code), and the CLI run on a
 * stack file the way a user runs it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { architectureFromConfig } from "../cost/config/model-config-file";
import { runCli } from "./helpers";

const FIXTURES = path.join(__dirname, "fixtures", "config-json");
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as unknown;

describe("the architecture from a config.json", () => {
  it("Llama 3.1 8B: 8.03B parameters (model card), dense, GQA 32/8 heads of 128", () => {
    const a = architectureFromConfig(read("llama-3.1-8b.json"));
    expect(a.parameters / 1e9).toBeCloseTo(8.03, 2);
    expect(a.activeParameters).toBe(a.parameters);
    expect(a).toMatchObject({
      layers: 32,
      attentionHeads: 32,
      kvHeads: 8,
      headDim: 128,
      contextLength: 131072,
    });
    expect(a.experts).toBeUndefined();
  });

  it("Qwen3-30B-A3B: 30.5B total, 3.3B activated (model card; it counts the embedding table in both)", () => {
    const a = architectureFromConfig(read("qwen3-30b-a3b.json"));
    expect(a.parameters / 30.5e9).toBeGreaterThan(0.99);
    expect(a.parameters / 30.5e9).toBeLessThan(1.01);
    expect(a.activeParameters / 3.3e9).toBeGreaterThan(0.98);
    expect(a.activeParameters / 3.3e9).toBeLessThan(1.03);
    expect(a).toMatchObject({ experts: 128, expertsPerToken: 8 });
  });

  it("gpt-oss-120b: 116.83B total; 5.13B active (model card, without the 0.58B input embedding), MXFP4 → int4, 18 sliding-window layers", () => {
    const a = architectureFromConfig(read("gpt-oss-120b.json"));
    expect(a.parameters / 116.83e9).toBeGreaterThan(0.995);
    expect(a.parameters / 116.83e9).toBeLessThan(1.005);
    // Our count keeps the input embedding (201,088 × 2,880) in "active", as the catalog's dense counts do.
    const inputEmbedding = 201_088 * 2_880;
    expect((a.activeParameters - inputEmbedding) / 5.13e9).toBeGreaterThan(0.99);
    expect((a.activeParameters - inputEmbedding) / 5.13e9).toBeLessThan(1.01);
    expect(a).toMatchObject({
      hiddenSize: 2880,
      headDim: 64,
      nativeDtype: "int4",
      slidingWindow: { layers: 18, tokens: 128 },
    });
  });

  it.each([
    [{}, /has no layer count/],
    [[], /is not a JSON object/],
    [
      {
        num_hidden_layers: 2,
        hidden_size: 64,
        num_attention_heads: 2,
        max_position_embeddings: 128,
        vocab_size: 10,
        num_local_experts: 8,
      },
      /not how many each token uses/,
    ],
    [{ kv_lora_rank: 512, num_hidden_layers: 61 }, /multi-head latent attention/],
  ])("refuses an incomplete or unsupported config (%j)", (cfg, message) => {
    expect(() => architectureFromConfig(cfg)).toThrow(message);
  });
});

describe("vllm-tco cost with model.configFile", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-file-"));
  fs.copyFileSync(path.join(FIXTURES, "qwen3-30b-a3b.json"), path.join(dir, "qwen-config.json"));
  const stack = (model: Record<string, unknown>) => {
    const file = path.join(dir, "Pulumi.byconfig.yaml");
    fs.writeFileSync(
      file,
      stringify({
        config: {
          "vllm-tco:platform": "kubernetes",
          "vllm-tco:model": model,
          "vllm-tco:gpu": { type: "h100-sxm", count: 1 },
          "vllm-tco:workload": { requestsPerMonth: 1e6 },
        },
      }),
    );
    return file;
  };

  it("prices an uncatalogued model from its config.json, relative to the stack file", async () => {
    const file = stack({
      id: "example/Qwen3-30B-A3B-finetune",
      configFile: "qwen-config.json",
      arenaScore: 1330,
    });
    const r = await runCli("cost", "--stack-file", file, "--json");
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { model: { key: string }; selfHosted: { monthlyUsd: number } };
    expect(doc.model.key).toBe("qwen3-30b-a3b-finetune");
    expect(doc.selfHosted.monthlyUsd).toBeGreaterThan(0);
  });

  it("a missing file is exit 2 naming model.configFile, the value and the fix", async () => {
    const r = await runCli("cost", "--stack-file", stack({ id: "example/x", configFile: "nope.json" }));
    expect(r.code).toBe(2);
    expect(r.err).toContain("vllm-tco:model.configFile");
    expect(r.err).toContain('"nope.json"');
    expect(r.err).toMatch(/cannot be read \(ENOENT\); download config\.json/);
  });

  it("a file that is not JSON is exit 2, not a stack trace", async () => {
    fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
    const r = await runCli("cost", "--stack-file", stack({ id: "example/x", configFile: "broken.json" }));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/model\.configFile: is not valid JSON/);
  });
});
