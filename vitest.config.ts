import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    pool: "forks",
    // vitest's default is one worker fewer than the cores, one worker on the 2-core machine; but
    // most of the suite's time is spent waiting on what a test started (the CLI in a child process,
    // Chromium, SwiftShader, wasm's worker threads), so two files at a time keep both cores busy
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
