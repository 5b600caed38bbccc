/**
 * `npm start` and the Docker image start node with the same flags (the young generation's size is a
 * start-up flag V8 cannot take later; src/main.ts sets what it can at run time).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("the start command", () => {
  it("is the same node command line in package.json and the Dockerfile", () => {
    const start = (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(resolve(ROOT, "Dockerfile"), "utf8"))?.[1];
    expect(cmd).toBeDefined();
    expect((JSON.parse(cmd!) as string[]).join(" ")).toBe(start);
    expect(start).toMatch(/^node (--[\w-]+(=\S+)? )*dist\/src\/main\.js$/);
  });
});
