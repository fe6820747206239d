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
    // Each worker keeps its modules from one file to the next: a fresh fork per file paid
    // ~2-6 s of forking and importing the hub's module graph, 178 times, and left the two
    // workers without a test to run for a third of the suite's time (docs/perf.md, "Test
    // suite duration"). Test files share no state through modules: hubs, stores and
    // clocks are built per test (no singletons at import time, no vi.mock).
    isolate: false,
  },
});
