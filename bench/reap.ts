/**
 * How long one reaper decision takes against a real Prometheus (Debian's package) for 1, 10, 100 and
 * 1,000 replicas: the three raw-sample queries over the window plus the evidence checks and the
 * decision. One loopback exporter serves every replica's vLLM metrics with its own `instance` label
 * (Prometheus keeps it with `honor_labels`), so 1,000 replicas need one scrape target, not 1,000
 * servers. Run: npm run bench:reap.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { decide } from "../infra/reap/decide";
import { observePrometheus } from "../infra/reap/prometheus";
import { Prometheus, sleep } from "../tests/reap-harness";

const WINDOW = 10;

function exporter(n: number): Promise<http.Server> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const l = `instance="replica-${i}",model_name="bench"`;
    lines.push(
      `vllm:num_requests_running{${l}} 0`,
      `vllm:num_requests_waiting{${l}} 0`,
      `vllm:request_success_total{${l}} 7`,
    );
  }
  const body = `${lines.join("\n")}\n`;
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { "content-type": "text/plain" }).end(body),
  );
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function once(n: number): Promise<void> {
  const server = await exporter(n);
  const prom = await new Prometheus().start([(server.address() as AddressInfo).port], { honorLabels: true });
  try {
    await prom.waitForTargets(1);
    await sleep((WINDOW + 2) * 1000);
    const times: number[] = [];
    let decision = "";
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const obs = await observePrometheus({
        url: prom.url,
        selector: 'model_name="bench"',
        windowSeconds: WINDOW,
        now: Date.now() / 1000,
      });
      decision = decide({ ...obs, expectedReplicas: n }, 2.5).decision;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${String(n).padStart(5)} replicas: median ${times[3]!.toFixed(1)} ms per decision (min ${times[0]!.toFixed(1)}, max ${times[6]!.toFixed(1)}), decision ${decision}`,
    );
  } finally {
    await prom.stop();
    server.close();
  }
}

void (async () => {
  console.log(`== vllm-tco reap: one decision against Prometheus (window ${WINDOW} s, 1 s scrapes)`);
  for (const n of [1, 10, 100, 1000]) await once(n);
})();
