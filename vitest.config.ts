import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Pulumi's mock runtime keeps process-wide state: each test file gets its own worker process.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
