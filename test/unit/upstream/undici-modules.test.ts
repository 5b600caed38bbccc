/**
 * src/upstream/undici-modules.ts loads undici's parts from their own modules: they must be the
 * index's own classes (an undici upgrade that moves them fails here), and `request` must send
 * what undici's own `request` sends, through the given dispatcher or the global one.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import * as undici from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pool, request, undiciErrors } from "../../../src/upstream/undici-modules.js";

interface Seen {
  method: string | undefined;
  url: string | undefined;
  contentType: string | undefined;
  body: string;
}

const seen: Seen[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    seen.push({ method: req.method, url: req.url, contentType: req.headers["content-type"], body });
    res.writeHead(req.url?.startsWith("/missing") ? 404 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
  });
});
let origin = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("undici's parts", () => {
  it("are the classes undici's index exports", () => {
    expect(Pool).toBe(undici.Pool);
    expect(undiciErrors.RequestAbortedError).toBe(undici.errors.RequestAbortedError);
    expect(undiciErrors.HeadersTimeoutError).toBe(undici.errors.HeadersTimeoutError);
  });

  it("request sends the method, path with query, headers and body, and answers the status and body", async () => {
    seen.length = 0;
    const get = await request(new URL(`${origin}/contacts/?query=a%20b`));
    expect(get.statusCode).toBe(200);
    expect(await get.body.json()).toEqual({ ok: true });
    const post = await request(`${origin}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token",
    });
    expect(post.statusCode).toBe(200);
    await post.body.dump();
    const missing = await request(`${origin}/missing`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
    expect(seen).toEqual([
      { method: "GET", url: "/contacts/?query=a%20b", contentType: undefined, body: "" },
      { method: "POST", url: "/oauth/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=refresh_token" },
      { method: "GET", url: "/missing", contentType: undefined, body: "" },
    ]);
  });

  it("request goes through the dispatcher it is given", async () => {
    seen.length = 0;
    const dispatched: string[] = [];
    const agent = new undici.Agent().compose((dispatch) => (options, handler) => {
      dispatched.push(`${options.method} ${options.path}`);
      return dispatch(options, handler);
    });
    try {
      const response = await request(`${origin}/readyz`, { dispatcher: agent });
      await response.body.dump();
      expect(dispatched).toEqual(["GET /readyz"]);
      expect(seen.map((s) => s.url)).toEqual(["/readyz"]);
    } finally {
      await agent.close();
    }
  });

  it("request fails like undici's when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gave up"));
    await expect(request(`${origin}/slow`, { signal: controller.signal })).rejects.toThrow("gave up");
  });
});
