/**
 * A **stand-in** for the Pulumi engine's side of a program run: the ResourceMonitor and Engine gRPC
 * services on loopback, built from the SDK's own generated service definitions (so the wire protocol
 * is the SDK's). Resources are answered with the plan's realistic mock state and invokes with its
 * mock answers; log lines are kept. What it does not do: diff, create or check anything a provider
 * would (it is not the engine).
 */
import { createRequire } from "node:module";
import { mockCall, mockState } from "../infra/plan/mocks";

const sdk = createRequire(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-explicit-any -- generated protobuf classes carry no types here */
const grpc = sdk("@grpc/grpc-js") as any;
const resourcePb = sdk("./proto/resource_pb.js") as any;
const resourceRpc = sdk("./proto/resource_grpc_pb.js") as any;
const enginePb = sdk("./proto/engine_pb.js") as any;
const engineRpc = sdk("./proto/engine_grpc_pb.js") as any;
const providerPb = sdk("./proto/provider_pb.js") as any;
const { Struct } = sdk("google-protobuf/google/protobuf/struct_pb.js") as any;
const { Empty } = sdk("google-protobuf/google/protobuf/empty_pb.js") as any;

export interface MonitorLog {
  readonly severity: string;
  readonly message: string;
}

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** The inputs as the SDK sent them: values unknown until creation are the engine's unknown sentinel. */
  readonly inputs: Record<string, unknown>;
}

const SEVERITY = ["debug", "info", "warning", "error"];

/** Drops undefined (protobuf Structs cannot carry it) and keeps the SDK's secret and unknown markers. */
const plain = (v: unknown): any => JSON.parse(JSON.stringify(v ?? {}));

export class StandInMonitor {
  readonly logs: MonitorLog[] = [];
  readonly registered: Registered[] = [];
  readonly invoked: string[] = [];
  readonly unimplemented = new Set<string>();
  address = "";
  private server: any;
  private root = "";

  /**
   * `preview`: answer as the engine does in a preview, where nothing is created: a new resource's
   * outputs are its inputs, and what only its provider would compute (ids, ARNs, generated names) is
   * left out, which the SDK reads as unknown.
   */
  constructor(
    private readonly stack: string,
    private readonly opts: { preview?: boolean } = {},
  ) {}

  async start(): Promise<this> {
    this.server = new grpc.Server();
    const monitor: Record<string, unknown> = {
      supportsFeature: (call: any, cb: any) => {
        const r = new resourcePb.SupportsFeatureResponse();
        // Secrets are the one feature the program relies on; the rest as an older engine would say.
        r.setHassupport(call.request.getId() === "secrets");
        cb(null, r);
      },
      registerResource: (call: any, cb: any) => {
        const q = call.request;
        const type: string = q.getType();
        const name: string = q.getName();
        const custom: boolean = q.getCustom();
        const inputs = q.getObject()?.toJavaScript() ?? {};
        this.registered.push({ type, name, custom, inputs });
        const r = new resourcePb.RegisterResourceResponse();
        r.setUrn(`urn:pulumi:${this.stack}::vllm-tco::${type}::${name}`);
        if (custom && this.opts.preview) {
          r.setId("");
          r.setObject(Struct.fromJavaScript(plain(inputs)));
        } else if (custom) {
          const s = mockState({ type, name, inputs, provider: "", id: undefined } as never);
          r.setId(s.id ?? `${name}-id`);
          r.setObject(Struct.fromJavaScript(plain(s.state)));
        } else r.setObject(Struct.fromJavaScript({}));
        cb(null, r);
      },
      registerResourceOutputs: (_call: any, cb: any) => cb(null, new Empty()),
      invoke: (call: any, cb: any) => {
        const token: string = call.request.getTok();
        this.invoked.push(token);
        const r = new providerPb.InvokeResponse();
        r.setReturn(
          Struct.fromJavaScript(
            plain(mockCall({ token, inputs: call.request.getArgs()?.toJavaScript() ?? {} } as never)),
          ),
        );
        cb(null, r);
      },
    };
    const engine: Record<string, unknown> = {
      log: (call: any, cb: any) => {
        this.logs.push({
          severity: SEVERITY[call.request.getSeverity()] ?? "info",
          message: call.request.getMessage(),
        });
        cb(null, new Empty());
      },
      getRootResource: (_call: any, cb: any) => {
        const r = new enginePb.GetRootResourceResponse();
        r.setUrn(this.root);
        cb(null, r);
      },
      setRootResource: (call: any, cb: any) => {
        this.root = call.request.getUrn();
        cb(null, new enginePb.SetRootResourceResponse());
      },
    };
    // Every other method answers UNIMPLEMENTED, and is recorded: a call the program needs shows up.
    const withFallback = (
      service: Record<string, { originalName?: string }>,
      impl: Record<string, unknown>,
    ) => {
      const all: Record<string, unknown> = {};
      for (const method of Object.keys(service))
        all[method] =
          impl[method] ??
          ((_call: unknown, cb: (e: unknown) => void) => {
            this.unimplemented.add(method);
            cb({ code: grpc.status.UNIMPLEMENTED, details: `${method} is not implemented by the stand-in` });
          });
      return all;
    };
    this.server.addService(
      resourceRpc.ResourceMonitorService,
      withFallback(resourceRpc.ResourceMonitorService, monitor),
    );
    this.server.addService(engineRpc.EngineService, withFallback(engineRpc.EngineService, engine));
    const port = await new Promise<number>((ok, fail) =>
      this.server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (e: Error | null, p: number) => (e ? fail(e) : ok(p)),
      ),
    );
    this.address = `127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((ok) => this.server.tryShutdown(() => ok()));
  }
}
