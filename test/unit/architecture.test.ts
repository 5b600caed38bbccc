/**
 * Keeps the dependency direction of the README's architecture section: server → graphql, webhooks → loaders, auth,
 * events → cache → upstream; `upstream/` knows no GraphQL; `graphql/` and `webhooks/` never import
 * each other; only `config/` reads the environment. Reads import lines; no module is executed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

interface Import {
  from: string; // src-relative file
  target: string; // src-relative file or package name
}

function imports(): Import[] {
  const result: Import[] = [];
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g)) {
      const spec = match[1]!;
      const target = spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)) : spec;
      result.push({ from: relative(SRC, file), target });
    }
  }
  return result;
}

const top = (path: string) => path.split("/")[0]!;

describe("architecture", () => {
  const all = imports();

  it("finds the source tree", () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it("upstream/ knows no GraphQL and no higher layer", () => {
    const bad = all.filter(
      (i) =>
        top(i.from) === "upstream" &&
        (/^(graphql|type-graphql|@apollo|graphql-ws)/.test(i.target) ||
          ["graphql", "server", "loaders", "cache", "auth", "events", "webhooks", "simulator"].includes(top(i.target))),
    );
    expect(bad).toEqual([]);
  });

  it("cache/ depends only on upstream, config and observability", () => {
    const bad = all.filter(
      (i) => top(i.from) === "cache" && ["graphql", "server", "loaders", "auth", "events", "webhooks"].includes(top(i.target)),
    );
    expect(bad).toEqual([]);
  });

  it("graphql/ and webhooks/ never import each other", () => {
    const bad = all.filter(
      (i) => (top(i.from) === "graphql" && top(i.target) === "webhooks") || (top(i.from) === "webhooks" && top(i.target) === "graphql"),
    );
    expect(bad).toEqual([]);
  });

  it("nothing below server/ imports server/ (it is the composition root)", () => {
    const bad = all.filter((i) => top(i.target) === "server" && !["server", "main.ts", "doctor.ts"].includes(top(i.from)));
    expect(bad).toEqual([]);
  });

  it("the simulator is independent of the gateway", () => {
    const bad = all.filter(
      (i) => top(i.from) === "simulator" && ["graphql", "server", "loaders", "cache", "auth", "events", "webhooks"].includes(top(i.target)),
    );
    expect(bad).toEqual([]);
  });

  it("the simulator owns its wire types: nothing in simulator/ imports src/ outside simulator/", () => {
    // It stands in for HighLevel: sharing the gateway's types would let a change on one side
    // silently redefine what the other sees on the wire.
    const srcTops = new Set(readdirSync(SRC).map((name) => name.replace(/\.ts$/, ".js")));
    const bad = all.filter((i) => top(i.from) === "simulator" && top(i.target) !== "simulator" && srcTops.has(top(i.target)));
    expect(bad).toEqual([]);
  });

  it("one operation pipeline: graphql-ws is served, and Apollo plugged, only by server/pipeline/", () => {
    // The stages (limits, auth, cost, cache, format, audit) live in server/pipeline/operation.pipeline.ts;
    // a second place wiring a transport would be a second pipeline.
    const wsServers = all.filter((i) => i.target.startsWith("graphql-ws") && !i.from.startsWith("server/pipeline/"));
    expect(wsServers).toEqual([]);
    const plugins = files(SRC)
      .filter((file) => /ApolloServerPlugin</.test(readFileSync(file, "utf8")))
      .map((file) => relative(SRC, file))
      .filter((file) => !file.startsWith("server/pipeline/") && file !== "server/gateway.ts");
    expect(plugins).toEqual([]);
  });

  it("resolvers reach the upstream only through the loaders and the write path", () => {
    // The GraphQL context carries ports (loaders, events, writes), never the client or the cache:
    // only the write runner holds them, so every write passes its checks, idempotency and audit.
    const bad = all.filter(
      (i) =>
        top(i.from) === "graphql" &&
        i.from !== "graphql/write/mutation-write.runner.ts" &&
        (i.target === "upstream/contacts.client.js" || i.target === "cache/resource-cache.js"),
    );
    expect(bad).toEqual([]);
  });

  it("only redis/ opens Redis connections (one command and one subscriber connection per process)", () => {
    const openers = files(SRC)
      .filter((file) => {
        const text = readFileSync(file, "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
        return /new\s+\(?\s*Redis\b|import\(\s*["']ioredis["']\)|\("ioredis"\)|import\s+(?!type\b)[^;]*from\s+["']ioredis["']/.test(text);
      })
      .map((file) => relative(SRC, file))
      .filter((file) => top(file) !== "redis");
    expect(openers).toEqual([]);
  });

  it("file roles come from the README's closed list", () => {
    const readme = readFileSync(resolve(SRC, "../README.md"), "utf8");
    const section = /\*\*File roles\.\*\*([\s\S]*?)`index\.ts` is a folder's public surface/.exec(readme)?.[1] ?? "";
    const roles = new Set([...section.matchAll(/`([a-z]+)`/g)].map((m) => m[1]!));
    expect(roles.size).toBeGreaterThan(20);
    const unknown = files(SRC)
      .map((file) => relative(SRC, file))
      .filter((file) => {
        const parts = file.split("/").pop()!.split(".");
        // <concept>.ts, or <concept>.<role>.ts; index-*.ts is a folder's surface too
        return parts.length > 2 && !roles.has(parts[parts.length - 2]!);
      });
    expect(unknown).toEqual([]);
  });

  it("unit test folders mirror src/", () => {
    const UNIT = resolve(import.meta.dirname);
    const folders = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? [relative(UNIT, path), ...folders(path)] : [];
      });
    const strays = folders(UNIT).filter((folder) => !existsSync(join(SRC, folder)));
    expect(strays).toEqual([]);
  });

  it("only config/ reads process.env", () => {
    const readers = files(SRC)
      .filter((file) => /process\.env\b/.test(readFileSync(file, "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")))
      .map((file) => relative(SRC, file))
      .filter((file) => top(file) !== "config");
    expect(readers).toEqual([]);
  });
});
