import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    // Pulumi's mock runtime keeps process-wide state: each test file gets its own worker process.
    pool: "forks",
    // Vitest's default on this project's 2-core machines is one fork (cores - 1), but most files wait
    // on servers and child processes (Prometheus windows, moto, npm, Chromium): three forks overlap
    // the waiting. The server tiers still run one file at a time (scripts/test.sh).
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    testTimeout: 30_000,
    // A developer's own price cache must not change the figures tests expect.
    env: { VLLM_TCO_PRICE_CACHE: "/nonexistent/vllm-tco-test-prices.json" },
    hookTimeout: 60_000,
  },
});
