/**
 * Contract tests: what the kit renders, checked against the software it configures at the pinned
 * versions (tests/contracts/: published CRDs, extracts of vLLM's and the router's parsers, each with
 * its sources), not against the kit's own expectations.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderKubernetes } from "../infra/kubernetes/manifests";
import { hpaMetric } from "../infra/kubernetes/autoscaling-manifests";
import { ENGINE_COMMAND } from "../infra/vllm/engine";
import { kubeArgs } from "./helpers";
import { crdErrors, crdKinds } from "./contracts/crd-schema";
import { find, plan } from "./program-helpers";

const DIR = path.join(__dirname, "contracts");
const VLLM_EXTRACT = path.join(DIR, "vllm-v0.11.0-api-server.json");
const ROUTER_EXTRACT = path.join(DIR, "router-0.1.9.json");

type Obj = Record<string, unknown>;
interface Container {
  command?: string[];
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  ports: { containerPort: number }[];
}
interface Deployment {
  spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } };
}

function python(script: string, args: string[]): { status: number | null; out: Obj; stderr: string } {
  const r = spawnSync("python3", [path.join(DIR, script), ...args], { encoding: "utf8" });
  return { status: r.status, out: r.status === 0 ? (JSON.parse(r.stdout) as Obj) : {}, stderr: r.stderr };
}
const vllmParse = (argv: string[]) => python("vllm_args.py", [VLLM_EXTRACT, ...argv]);
const routerParse = (argv: string[]) => python("router_args.py", [ROUTER_EXTRACT, ...argv]);

const render = (patch: Obj = {}, secrets = { apiKey: { name: "vllm-api-key", key: "value" } }) =>
  renderKubernetes(kubeArgs(patch), "vllm", secrets);
const container = (d: unknown) => (d as Deployment).spec.template.spec.containers[0]!;

describe("CRD-backed objects validate against the pinned, published CRDs (unknown fields refused)", () => {
  it("the pinned CRDs are the three kinds the kit renders", () => {
    expect(crdKinds().sort()).toEqual([
      "http.keda.sh/v1alpha1 HTTPScaledObject",
      "keda.sh/v1alpha1 ScaledObject",
      "monitoring.coreos.com/v1 ServiceMonitor",
    ]);
  });

  it.each([
    ["onprem as shipped", {}],
    ["scale to zero (HTTP add-on)", { scaling: { min: 0 } }],
    ["requests metric", { scaling: { metric: "requests", target: 90 } }],
    ["fractional running target", { scaling: { min: 0, metric: "running", target: 2.5 } }],
  ])("%s", (_name, patch) => {
    const m = render(patch) as unknown as Record<string, { apiVersion: string; kind: string } | undefined>;
    const custom = [m["scaledObject"], m["httpScaledObject"], m["serviceMonitor"]].filter(
      (x) => x !== undefined,
    );
    expect(custom.length).toBeGreaterThanOrEqual(2);
    for (const obj of custom) expect(crdErrors(obj!), `${obj!.kind}`).toEqual([]);
  });

  it("a misplaced field or a fractional integer is refused (the check can fail)", () => {
    const m = render({ scaling: { min: 0 } });
    const so = structuredClone(m.scaledObject!) as unknown as { spec: Obj };
    (so.spec["advanced"] as Obj)["cooldownPeriod"] = 300;
    expect(crdErrors(so as never).join("\n")).toContain(
      "must NOT have additional properties (cooldownPeriod)",
    );
    const hso = structuredClone(m.httpScaledObject!) as unknown as {
      spec: { scalingMetric: { concurrency: Obj } };
    };
    hso.spec.scalingMetric.concurrency["targetValue"] = 2.5;
    expect(crdErrors(hso as never).join("\n")).toContain("must be integer");
  });
});

describe("the engine command line, parsed as vLLM v0.11.0 parses it", () => {
  it.each([
    ["onprem", "meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b"],
    ["aws-h100", "meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"],
  ])("%s: the engine loads the stack's model under its served name", async (stack, model, served) => {
    const r = await plan(stack);
    let argv: string[];
    if (stack === "onprem") {
      const c = container(find(r, "kubernetes:apps/v1:Deployment", "vllm-engine").inputs);
      argv = [...c.command!, ...c.args];
    } else {
      // The user data's `docker run … --entrypoint python3 IMAGE ARGS…`, words unquoted as bash would.
      const ud = Buffer.from(
        find(r, "aws:ec2/launchTemplate:LaunchTemplate", "vllm-host").inputs["userData"] as string,
        "base64",
      ).toString("utf8");
      const line = /--entrypoint (\S+) vllm\/vllm-openai:\S+ (.*)$/m.exec(ud)!;
      const words = spawnSync("bash", ["-c", `printf '%s\\n' ${line[2]}`], { encoding: "utf8" }).stdout;
      argv = [line[1]!, ...words.trimEnd().split("\n")];
    }
    const parsed = vllmParse(argv);
    expect(parsed.stderr).toBe("");
    expect(parsed.out["model"]).toBe(model);
    expect(parsed.out["served_model_name"]).toEqual([served]);
    expect(parsed.out["enable_prefix_caching"]).toBe(true);
    expect(Number(parsed.out["max_num_seqs"])).toBeGreaterThan(1);
  });

  it("the old positional form would have loaded vLLM's default model (why --model is used)", () => {
    const parsed = vllmParse([
      ...ENGINE_COMMAND,
      "meta-llama/Llama-3.1-8B-Instruct",
      "--served-model-name",
      "x",
    ]);
    expect(parsed.out["model"]).toBe("Qwen/Qwen3-0.6B");
  });

  it("a flag vLLM does not know is refused by its parser", () => {
    const parsed = vllmParse([...ENGINE_COMMAND, "--model", "m", "--max-num-seq", "8"]);
    expect(parsed.status).toBe(2);
    expect(parsed.stderr).toContain("unrecognized arguments: --max-num-seq");
  });
});

describe("the router and engine contract (production-stack router at the pinned tag)", () => {
  it.each(["prefix", "session", "roundrobin"])(
    "routing %s: the router's own parser accepts the arguments",
    (routing) => {
      const m = render({ kubernetes: { routing } });
      const parsed = routerParse(container(m.router).args);
      expect(parsed.stderr).toBe("");
      expect(parsed.out["service_discovery"]).toBe("k8s");
      // Discovery: the namespace, a selector that matches the engine pods, and the engines' port.
      const engine = m.engine as unknown as Deployment;
      expect(parsed.out["k8s_namespace"]).toBe("vllm");
      const selector = String(parsed.out["k8s_label_selector"]).split(",");
      for (const term of selector) {
        const [k, v] = term.split("=");
        expect(engine.spec.template.metadata.labels[k!], term).toBe(v);
      }
      expect(parsed.out["k8s_port"]).toBe(container(m.engine).ports[0]!.containerPort);
    },
  );

  it("the router reads the engines' API key from the same Secret as the engines", () => {
    const m = render();
    const key = (c: Container) => c.env?.find((e) => e.name === "VLLM_API_KEY")?.valueFrom;
    expect(key(container(m.router))).toEqual({ secretKeyRef: { name: "vllm-api-key", key: "value" } });
    expect(key(container(m.router))).toEqual(key(container(m.engine)));
  });
});

describe("HPA mode asks for the metric names prometheus-adapter's default rules serve", () => {
  it.each([
    ["queue", 5, "vllm:num_requests_waiting", "5000m"],
    ["running", 32, "vllm:num_requests_running", "32000m"],
    ["requests", 90, "vllm:request_success", "1500m"],
  ])("%s", (metric, target, name, averageValue) => {
    expect(hpaMetric(kubeArgs({ kubernetes: { keda: false }, scaling: { metric, target } }))).toEqual({
      name,
      averageValue,
    });
  });
});

describe("AWS combinations the Auto Scaling API refuses are config errors", () => {
  it.each(["spot", "mixed"])("warm pool with purchase %s", async (purchase) => {
    const r = await plan("aws-h100", { aws: { purchase, warmPool: { enabled: true } }, scaling: { min: 0 } });
    expect(r.error).toContain("vllm-tco:aws.warmPool.enabled");
    expect(r.error).toContain(`cannot be combined with aws.purchase: ${purchase}`);
    expect(r.resources.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});

/**
 * The serving path without a GPU: the engine's rendered command runs the vLLM stand-in
 * (tests/contracts/vllm_standin.py, named as such: it parses like vLLM and answers like its HTTP
 * surface, it does not generate), and a stand-in for the router keeps the production-stack router's
 * discovery contract (service_discovery.py): only pods matching the selector, `GET /v1/models` with
 * the key from its own environment, requests routed by model name, "model not found" otherwise.
 */
describe("end to end: a keyed request through the router reaches an engine serving the stack's model", () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill()));

  async function startEngine(c: Container, env: Record<string, string>): Promise<string> {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn("python3", [path.join(DIR, "vllm_standin.py"), ...c.command!, ...c.args], {
      env: { ...process.env, ...env, STANDIN_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    await new Promise<void>((ok, fail) => {
      child.stdout!.once("data", () => ok());
      child.once("exit", (code) => fail(new Error(`engine stand-in exited ${code}`)));
    });
    return `http://127.0.0.1:${port}`;
  }

  /** The router stand-in: discovers the engines it is given as pods, with its container's environment. */
  async function startRouter(
    env: Record<string, string>,
    pods: { url: string; labels: Record<string, string> }[],
    selector: string,
  ) {
    const engines = new Map<string, string>();
    for (const pod of pods) {
      const matches = selector.split(",").every((t) => pod.labels[t.split("=")[0]!] === t.split("=")[1]);
      if (!matches) continue;
      const res = await fetch(`${pod.url}/v1/models`, {
        headers: env["VLLM_API_KEY"] ? { Authorization: `Bearer ${env["VLLM_API_KEY"]}` } : {},
      });
      if (!res.ok) continue; // the router logs "Failed to get model name" and skips the pod
      const body = (await res.json()) as { data: { id: string }[] };
      engines.set(body.data[0]!.id, pod.url);
    }
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", async () => {
        const model = (JSON.parse(body) as { model: string }).model;
        const url = engines.get(model);
        if (!url) {
          res.writeHead(400, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ error: `Model ${model} not found or vLLM engine is sleeping.` }));
          return;
        }
        const upstream = await fetch(`${url}${req.url}`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: req.headers.authorization ?? "" },
          body,
        });
        res.writeHead(upstream.status, { "Content-Type": "application/json" });
        res.end(await upstream.text());
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    children.push({ kill: () => server.close() } as never);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("keyed: discovered, routed by the served name, answered by the stack's model; without the key the router finds nothing", async () => {
    const m = render();
    const key = "sk-e2e-test-key-0123456789";
    const engine = container(m.engine);
    // The engine's key, as its rendered env reads it (secretKeyRef to the same Secret).
    expect(engine.env?.find((e) => e.name === "VLLM_API_KEY")?.valueFrom?.secretKeyRef.name).toBe(
      "vllm-api-key",
    );
    const engineUrl = await startEngine(engine, { VLLM_API_KEY: key });
    const routerArgs = routerParse(container(m.router).args).out;
    const pods = [
      { url: engineUrl, labels: (m.engine as unknown as Deployment).spec.template.metadata.labels },
    ];
    const ask = (router: string) =>
      fetch(`${router}/v1/chat/completions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "llama-3.3-70b", messages: [{ role: "user", content: "Hello" }] }),
      });

    // The router's environment as rendered, with the Secret's value filled in as the kubelet would.
    const secrets: Record<string, string> = { "vllm-api-key/value": key };
    const routerEnv = Object.fromEntries(
      (container(m.router).env ?? []).map((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        return [e.name, ref ? secrets[`${ref.name}/${ref.key}`]! : e.value!];
      }),
    );
    const withKey = await startRouter(routerEnv, pods, String(routerArgs["k8s_label_selector"]));
    const ok = await ask(withKey);
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { model: string; choices: { message: { content: string } }[] };
    expect(answer.model).toBe("llama-3.3-70b");
    expect(answer.choices[0]!.message.content).toBe("loaded meta-llama/Llama-3.3-70B-Instruct");

    // The defect this guards against: a router without the key discovers no engine.
    const withoutKey = await startRouter({}, pods, String(routerArgs["k8s_label_selector"]));
    expect((await ask(withoutKey)).status).toBe(400);
    // And the engine itself refuses an unkeyed request.
    expect((await fetch(`${engineUrl}/v1/models`)).status).toBe(401);
    const metrics = await (await fetch(`${engineUrl}/metrics`)).text();
    expect(metrics).toContain('vllm:num_requests_waiting{model_name="llama-3.3-70b"}');
  });
});
