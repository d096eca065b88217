/**
 * A **stand-in** for the KEDA HTTP add-on's external scaler, which the ScaledObject's `external-push`
 * trigger (`held-requests`) dials when `scaling.min` is 0. The add-on's Go module is not served here,
 * so its interceptor (which holds requests while the first engine loads) cannot run; this stand-in
 * speaks KEDA's external-scaler protocol (externalscaler.proto from the pinned KEDA release) and
 * reports the requests it is told are held (none unless a test says so).
 *
 * Why it is needed at all: KEDA v2.21 answers the HPA's query for *any* of a ScaledObject's metrics
 * with an error when *one* scaler fails (scale_handler.go, GetScaledObjectMetrics: "metric:… encountered
 * error"). Without the add-on's scaler the Prometheus triggers still wake the fleet from zero (KEDA's
 * own loop), but the HPA cannot scale it out. The README states the add-on as a prerequisite.
 *
 * The trigger names the in-cluster address `keda-add-ons-http-external-scaler.keda:9090`; the operator
 * reaches this stand-in through a loopback CONNECT proxy (HTTPS_PROXY, which gRPC-Go honours) that
 * maps only that address here and refuses every other.
 */
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { createRequire } from "node:module";
import { HTTP_ADDON_SCALER } from "../infra/kubernetes/autoscaling-manifests";

const sdk = createRequire(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-explicit-any -- loaded from the .proto at run time, untyped */
const grpc = sdk("@grpc/grpc-js") as any;
const protoLoader = sdk("@grpc/proto-loader") as any;

export class HttpAddonScalerStandIn {
  /** Requests the (absent) interceptor would be holding. */
  held = 0;
  private server?: any;
  private proxy?: http.Server;
  private streams = new Set<any>();
  /** The HTTPS_PROXY the operator is started with. */
  proxyUrl = "";

  constructor(private readonly protoDir: string) {}

  async start(): Promise<this> {
    const def = protoLoader.loadSync(path.join(this.protoDir, "externalscaler.proto"), {
      keepCase: true,
      longs: Number,
      defaults: true,
    });
    const pkg = grpc.loadPackageDefinition(def).externalscaler;
    const metricName = (ref: { scalerMetadata?: Record<string, string> }) =>
      ref.scalerMetadata?.["httpScaledObject"] ?? "held-requests";
    this.server = new grpc.Server();
    this.server.addService(pkg.ExternalScaler.service, {
      IsActive: (call: any, done: any) => done(null, { result: this.held > 0 }),
      StreamIsActive: (call: any) => {
        this.streams.add(call);
        call.write({ result: this.held > 0 });
        call.on("cancelled", () => this.streams.delete(call));
      },
      GetMetricSpec: (call: any, done: any) =>
        done(null, {
          metricSpecs: [{ metricName: metricName(call.request), targetSize: 1, targetSizeFloat: 1 }],
        }),
      GetMetrics: (call: any, done: any) =>
        done(null, {
          metricValues: [
            {
              metricName: call.request.metricName,
              metricValue: this.held,
              metricValueFloat: this.held,
            },
          ],
        }),
      StreamMetricSpec: (call: any) => call.emit("error", { code: grpc.status.UNIMPLEMENTED }),
    });
    const port = await new Promise<number>((ok, fail) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e: Error, p: number) =>
        e ? fail(e) : ok(p),
      ),
    );

    // CONNECT keda-add-ons-http-external-scaler.keda:9090 → the stand-in; nothing else.
    this.proxy = http.createServer((_req, res) => res.writeHead(405).end());
    this.proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket) => {
      if (req.url !== HTTP_ADDON_SCALER) {
        socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
        return;
      }
      const upstream = net.connect(port, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((ok) => this.proxy!.listen(0, "127.0.0.1", ok));
    this.proxyUrl = `http://127.0.0.1:${(this.proxy.address() as net.AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.end();
    await new Promise<void>((ok) => (this.server ? this.server.tryShutdown(() => ok()) : ok()));
    this.proxy?.closeAllConnections();
    await new Promise<void>((ok) => (this.proxy ? this.proxy.close(() => ok()) : ok()));
  }
}
