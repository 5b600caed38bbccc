/**
 * test/generated/operations.ts (the typed documents the e2e tests use) is what `npm run codegen`
 * makes of schema/schema.graphql + schema/operations/*.graphql today: an operation or schema change
 * without a codegen run fails here instead of leaving the e2e tests on stale types.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createContext, generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("codegen artefacts", () => {
  it("test/generated/operations.ts is up to date with codegen.yml's inputs", async () => {
    const previous = process.cwd();
    process.chdir(ROOT); // codegen.yml's paths are relative to the repository root
    try {
      const flags = { config: resolve(ROOT, "codegen.yml"), silent: true, watch: false, require: [], overwrite: false, project: "", errorsOnly: false, profile: false, _: [] };
      const context = await createContext(flags as unknown as Parameters<typeof createContext>[0]);
      const outputs = (await generate(context, false)) as Array<{ filename: string; content: string }>;
      const generated = outputs.find((o) => o.filename === "test/generated/operations.ts");
      expect(generated, "codegen.yml generates test/generated/operations.ts").toBeDefined();
      const committed = readFileSync(resolve(ROOT, "test/generated/operations.ts"), "utf8");
      expect(generated!.content === committed, "test/generated/operations.ts drifted: run `npm run codegen` and commit it").toBe(true);
    } finally {
      process.chdir(previous);
    }
  });
});
