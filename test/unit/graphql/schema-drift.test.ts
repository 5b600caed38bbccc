/**
 * schema/schema.graphql is generated from the code: this test prints the schema of a real gateway
 * (every built-in feature) and fails when the committed file differs. `npm run schema:print`
 * (SCHEMA_WRITE=1) rewrites it; then run `npm run codegen` to refresh test/generated/.
 * Also keeps the sandbox's sample query equal to schema/operations/ContactsDashboard.graphql and
 * every named operation valid against the schema.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { lexicographicSortSchema, parse, printSchema, validate, type GraphQLSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { createLogger } from "../../../src/observability/logger.js";
import { SAMPLE_DASHBOARD_QUERY, createGateway, type Gateway } from "../../../src/server/index.js";
import { StaticCredentialProvider } from "../../../src/upstream/static-credentials.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const SCHEMA_FILE = resolve(ROOT, "schema/schema.graphql");
const OPERATIONS_DIR = resolve(ROOT, "schema/operations");
const HEADER = [
  "# GENERATED FILE — do not edit by hand.",
  "# Printed from the type-graphql resolvers of a running gateway by test/unit/graphql/schema-drift.test.ts;",
  "# regenerate with `npm run schema:print` (then `npm run codegen`). The test fails when this file drifts.",
  "",
].join("\n");

export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${HEADER}\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

describe("schema artefacts", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await createGateway({
      // The printed schema is the demo mapping's (schema/field-mapping.demo.json, what `npm start` uses).
      config: loadConfig({ PORT: "0", LOG_LEVEL: "silent", AUTH_JWT_SECRET: "schema-drift-secret-schema-drift-secret", FIELD_MAPPING: resolve(ROOT, "schema/field-mapping.demo.json") }),
      logger: createLogger({ level: "silent" }),
      credentials: new StaticCredentialProvider({ SchemaDriftLocation01: { token: "unused" } }),
      upstreamBaseUrl: "http://127.0.0.1:9", // never called
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("schema/schema.graphql matches the schema the code builds", () => {
    const printed = printGatewaySchema(gateway.schema);
    if (process.env["SCHEMA_WRITE"] === "1") writeFileSync(SCHEMA_FILE, printed);
    let committed = "";
    try {
      committed = readFileSync(SCHEMA_FILE, "utf8");
    } catch {
      // missing file: the comparison below fails with the full expected text
    }
    expect(committed, "schema/schema.graphql is stale: run `npm run schema:print` and commit it").toBe(printed);
  });

  it("every named operation in schema/operations is valid against the schema", () => {
    const files = readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith(".graphql"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const errors = validate(gateway.schema, parse(readFileSync(resolve(OPERATIONS_DIR, file), "utf8")));
      expect(errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    }
  });

  it("the sandbox's sample query is schema/operations/ContactsDashboard.graphql", () => {
    expect(readFileSync(resolve(OPERATIONS_DIR, "ContactsDashboard.graphql"), "utf8")).toBe(SAMPLE_DASHBOARD_QUERY);
  });
});
