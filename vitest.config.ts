import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    // Pulumi's mock runtime keeps process-wide state: each test file gets its own worker process.
    pool: "forks",
    testTimeout: 30_000,
    // A developer's own price cache must not change the figures tests expect.
    env: { VLLM_TCO_PRICE_CACHE: "/nonexistent/vllm-tco-test-prices.json" },
    hookTimeout: 60_000,
  },
});
