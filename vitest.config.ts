import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // One first-started demo hall per run, copied by the test hubs (test/helpers/hub-template.ts).
    globalSetup: ["test/global-setup.ts"],
    // Forks, not threads: serialport's native binding and child processes (socat, the hub
    // under SIGKILL) behave best in their own process.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep browser and crash tests from starving each other.
    maxWorkers: 2,
    // Each file gets a fresh worker (the default). Keeping modules from file to file
    // (isolate: false) cut the import time but not CI's wall time (779 s against 783 s) and
    // let files meet in one worker: two browser tests failed there that pass alone.
  },
});
