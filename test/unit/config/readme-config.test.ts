/** The README's configuration table names every variable src/config/config.ts reads. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("README", () => {
  it("documents every configuration variable", () => {
    const config = readFileSync(resolve(ROOT, "src/config/config.ts"), "utf8");
    const variables = new Set([...config.matchAll(/read\(\s*env,\s*"([A-Z][A-Z0-9_]+)"|httpUrl\(env, "([A-Z][A-Z0-9_]+)"|publicKeyPem\(env, "([A-Z][A-Z0-9_]+)"|aesKey\(env, "([A-Z][A-Z0-9_]+)"/g)].map((m) => m.slice(1).find(Boolean)!));
    expect(variables.size).toBeGreaterThan(30);
    const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Architecture"));
    expect([...variables].filter((v) => !table.includes(`\`${v}\``))).toEqual([]);
  });

  it("starts with the two-command quick start", () => {
    const readme = readFileSync(resolve(ROOT, "README.md"), "utf8");
    expect(readme).toMatch(/## Quick start[\s\S]*?```sh\nnpm ci\nnpm start\n```/);
  });
});
