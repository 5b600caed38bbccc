import { defineConfig } from "vitest/config";

// Tests run against real sockets (simulator and gateway on port 0) and the real Redis;
// timeouts are generous because CI machines are shared and slow.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    setupFiles: ["test/support/setup.ts"],
    reporters: ["default"],
  },
});
