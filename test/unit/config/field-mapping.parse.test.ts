/**
 * FIELD_MAPPING files (src/config/field-mapping.parse.ts): a good file parses into typed fields;
 * every bad one stops loadConfig with ONE line naming the file, the field and the problem; a
 * mapping checked against a location's definitions names missing keys, incompatible types and
 * options a picklist lacks.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, mappingProblems, withDemoFieldMapping } from "../../../src/config/index.js";

const dir = mkdtempSync(join(tmpdir(), "cgw-field-mapping-"));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `mapping-${++n}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}
const load = (path: string) => loadConfig({ FIELD_MAPPING: path });

describe("FIELD_MAPPING", () => {
  it("the demo mapping parses: typed fields, an enum named after its field", () => {
    const mapping = load(resolve(import.meta.dirname, "../../../schema/field-mapping.demo.json")).fieldMapping!;
    expect(mapping.contact.map((f) => [f.name, f.key, f.type])).toContainEqual(["loanAmount", "contact.loan_amount", "Float"]);
    expect(mapping.contact.find((f) => f.name === "loanStage")).toMatchObject({ type: "Enum", enumName: "LoanStage", values: { PRE_APPROVAL: "Pre-Approval" } });
    expect(loadConfig({}).fieldMapping).toBeUndefined();
  });

  it.each<[string, unknown, RegExp]>([
    ["not JSON", "{ nope", /the file: is not JSON/],
    ["an unknown section", { opportunity: {} }, /opportunity: unknown section/],
    ["a bad field name", { contact: { "loan-amount": { key: "contact.loan_amount", type: "Float" } } }, /field loan-amount: expected a GraphQL field name/],
    ["a bad key", { contact: { loanAmount: { key: "loan_amount", type: "Float" } } }, /field loanAmount: expected "key" like "contact\.loan_amount"/],
    ["an unknown type", { contact: { loanAmount: { key: "contact.loan_amount", type: "Money" } } }, /field loanAmount: expected "type" to be one of String, Int, Float/],
    ["an Enum without values", { contact: { loanStage: { key: "contact.loan_stage", type: "Enum" } } }, /field loanStage: type Enum needs "values"/],
    ["a bad enum value", { contact: { loanStage: { key: "contact.loan_stage", type: "Enum", values: { "pre approval": "Pre-Approval" } } } }, /field loanStage: enum value "pre approval"/],
    ["a key mapped twice", { contact: { a: { key: "contact.x", type: "String" }, b: { key: "contact.x", type: "String" } } }, /field b: key contact\.x is already mapped by a/],
    ["values on a non-Enum", { contact: { a: { key: "contact.x", type: "String", values: { A: "a" } } } }, /field a: "values" is for type Enum only/],
  ])("%s: one line naming the file, the field and the problem", (_name, content, message) => {
    const path = file(content);
    let error: unknown;
    try {
      load(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text.split("\n")).toHaveLength(1);
    expect(text).toContain(`FIELD_MAPPING (${path})`);
    expect(text).toMatch(message);
  });

  it("a missing file is one line too", () => {
    expect(() => load(join(dir, "absent.json"))).toThrow(/^Invalid configuration: FIELD_MAPPING \(.*absent\.json\): the file: cannot be read \(ENOENT\)$/);
  });

  it("checked against definitions: missing key, incompatible type, options the picklist lacks", () => {
    const mapping = load(file({
      contact: {
        loanAmount: { key: "contact.loan_amount", type: "Float" },
        lender: { key: "contact.lender", type: "Float" },
        loanStage: { key: "contact.loan_stage", type: "Enum", values: { LEAD: "Lead", FUNDED: "Funded" } },
        creditTier: { key: "contact.credit_tier", type: "String" },
      },
    })).fieldMapping!;
    const problems = mappingProblems(mapping, [
      { id: "1", fieldKey: "contact.loan_amount", dataType: "MONETORY" },
      { id: "2", fieldKey: "contact.lender", dataType: "TEXT" },
      { id: "3", fieldKey: "contact.loan_stage", dataType: "SINGLE_OPTIONS", picklistOptions: ["Lead", "Closed"] },
    ]);
    expect(problems.map((p) => [p.field, p.problem])).toEqual([
      ["lender", expect.stringMatching(/contact\.lender is TEXT there, which a Float cannot map/)],
      ["loanStage", 'the picklist of contact.loan_stage lacks "Funded"'],
      ["creditTier", "no custom field contact.credit_tier in this location"],
    ]);
  });
});

describe("demo mode's field mapping (npm start and npm run doctor)", () => {
  it("is schema/field-mapping.demo.json when FIELD_MAPPING is unset, and FIELD_MAPPING's otherwise", () => {
    const demo = withDemoFieldMapping(loadConfig({}));
    expect(demo.fieldMapping?.source).toBe(resolve(import.meta.dirname, "../../../schema/field-mapping.demo.json"));
    expect(demo.fieldMapping?.contact.map((f) => f.name)).toContain("loanStage");
    const dir = mkdtempSync(join(tmpdir(), "cgw-demo-mapping-"));
    const own = join(dir, "mapping.json");
    writeFileSync(own, JSON.stringify({ contact: { creditTier: { key: "contact.credit_tier", type: "String" } } }));
    const configured = loadConfig({ FIELD_MAPPING: own });
    expect(withDemoFieldMapping(configured)).toBe(configured);
  });
});
