import { defineConfig } from "vitest/config";

// Tests run against real sockets (simulator and gateway on port 0) and the real Redis;
// timeouts are generous because CI machines are shared and slow.
export default defineConfig({
  // graphql 16 has no "exports" map: Node loads its CJS build (as type-graphql and Apollo do) while
  // Vite would pick index.mjs for our sources -> "Cannot use GraphQLObjectType from another module
  // or realm". Pin every `import "graphql"` to the one build Node uses.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    setupFiles: ["test/support/setup.ts"],
    reporters: ["default"],
  },
});
