/**
 * The HTTP adapter's listener in front of express (`storedAnswerListener`), on a real node server
 * on port 0: a stored answer is sent as it is; a POST with no stored answer goes, body read, to
 * `missed` (executed without express) or, without `missed`, on to `next` marked as looked up; a
 * body that is not JSON goes to `onBodyError`; anything else goes on to `next` untouched.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { storedAnswerListener } from "../../src/server/pipeline/apollo.adapter.js";
import type { OperationPipeline } from "../../src/server/pipeline/operation.pipeline.js";
import type { CallerAuth } from "../../src/auth/index.js";

const STORED = Buffer.from(`{"data":{"stored":true}}\n`);
const pipeline = {
  checkRequest: () => undefined,
  operationKey: (op: { query: string }) => op.query,
  mayHaveStoredAnswer: (key: string) => key === "{ stored }",
  storedAnswer: (key: string) => (key === "{ stored }" ? [STORED] : undefined),
} as unknown as OperationPipeline;
const authenticate = async (): Promise<CallerAuth> => ({ status: "authenticated", viewer: { subject: "u", locationId: "loc", scopes: ["contacts.readonly"] } });

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function start(withMissed: boolean) {
  const seen: Array<{ via: string; body?: unknown }> = [];
  const answer = (via: string) => (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    seen.push({ via, body: req.body });
    res.writeHead(200, { "content-type": "text/plain" }).end(via);
  };
  server = createServer(
    storedAnswerListener(pipeline, authenticate, {
      path: "/graphql",
      limitBytes: 1024,
      next: answer("next"),
      onBodyError: (error, res) => {
        seen.push({ via: `bodyError ${error.status} ${error.type}` });
        res.writeHead(error.status).end();
      },
      ...(withMissed ? { missed: answer("missed") } : {}),
    }),
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/graphql`;
  const post = (body: string) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { seen, url, post };
}

describe("storedAnswerListener", () => {
  it("sends a stored answer; a miss goes to `missed` with its body, and never to express", async () => {
    const { seen, post } = await start(true);
    const hit = await post(JSON.stringify({ query: "{ stored }" }));
    expect(hit.headers.get("x-response-cache")).toBe("hit");
    expect(await hit.text()).toBe(STORED.toString());
    const miss = await post(JSON.stringify({ query: "{ other }", variables: { n: 1 } }));
    expect(await miss.text()).toBe("missed");
    expect(seen).toEqual([{ via: "missed", body: { query: "{ other }", variables: { n: 1 } } }]);
  });

  it("without `missed`, a miss goes on to express with its body read", async () => {
    const { seen, post } = await start(false);
    expect(await (await post(JSON.stringify({ query: "{ other }" }))).text()).toBe("next");
    expect(seen).toEqual([{ via: "next", body: { query: "{ other }" } }]);
  });

  it("a body that is not JSON is a body error; a GET goes on to express untouched", async () => {
    const { seen, url, post } = await start(true);
    expect((await post("{not json")).status).toBe(400);
    expect(await (await fetch(`${url}?query=%7B%20stored%20%7D`)).text()).toBe("next");
    expect(seen).toEqual([{ via: "bodyError 400 entity.parse.failed" }, { via: "next", body: undefined }]);
  });
});
