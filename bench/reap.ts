/**
 * How long one reaper decision takes against a real Prometheus (Debian's package) for 1, 10 and 100
 * replicas: three range queries over the window plus the decision. Run: npm run bench:reap.
 */
import { performance } from "node:perf_hooks";
import { decide } from "../infra/reap/decide";
import { observePrometheus } from "../infra/reap/prometheus";
import { Prometheus, sleep, StandInReplica } from "../tests/reap-harness";

const WINDOW = 10;

async function once(n: number): Promise<void> {
  const replicas = await Promise.all(Array.from({ length: n }, () => new StandInReplica("bench").start()));
  const prom = await new Prometheus().start(replicas.map((r) => r.port));
  try {
    await prom.waitForTargets(n);
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
      `${String(n).padStart(4)} replicas: median ${times[3]!.toFixed(1)} ms per decision (min ${times[0]!.toFixed(1)}, max ${times[6]!.toFixed(1)}), decision ${decision}`,
    );
  } finally {
    await prom.stop();
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

void (async () => {
  console.log(`== vllm-tco reap: one decision against Prometheus (window ${WINDOW} s, 1 s scrapes)`);
  for (const n of [1, 10, 100]) await once(n);
})();
