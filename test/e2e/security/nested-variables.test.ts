/**
 * Attack: `variables` nested 5,000 arrays deep (about 10 KB, no token). It used to answer HTTP 500
 * and log an error line each time. The pipeline's size stage refuses it first: 400
 * BAD_USER_INPUT saying how deep variables may nest, no error log line; over graphql-ws the
 * subscribe gets an `error` message with the same code.
 */
import { describe, expect, it } from "vitest";
import { MAX_VARIABLES_DEPTH } from "../../../src/server/pipeline/index.js";
import { useStack } from "../../support/harness.js";
import { wsOperation } from "../../support/ws-operation.js";

const DEPTH = 5_000;
const deep = `${"[".repeat(DEPTH)}1${"]".repeat(DEPTH)}`;

describe("deeply nested variables", () => {
  const stack = useStack();
  const errorLines = () => stack().logs.filter((l) => (JSON.parse(l) as { level?: number }).level! >= 50);

  it("answers 400 with a clear message over HTTP, without a token, and logs no error", async () => {
    const s = stack();
    const before = errorLines().length;
    const body = `{"query":"query($v: [String]) { viewer { locationId } }","variables":{"v":${deep}}}`;
    expect(body.length).toBeLessThan(11_000);
    const res = await fetch(`${s.gateway.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(json.errors[0]?.extensions["code"]).toBe("BAD_USER_INPUT");
    expect(json.errors[0]?.message).toContain(`nested at most ${MAX_VARIABLES_DEPTH} levels deep`);
    expect(errorLines().length).toBe(before);
    expect(s.sim.requests.length).toBe(0);
  });

  it("answers 400 for deep variables in a GET query string", async () => {
    const s = stack();
    const before = errorLines().length;
    const url = new URL(`${s.gateway.url}/graphql`);
    url.searchParams.set("query", "query($v: [String]) { viewer { locationId } }");
    // 1,000 levels: 5,000 percent-encoded would pass Node's 16 KiB header limit (a 431 of its own).
    url.searchParams.set("variables", `{"v":${"[".repeat(1_000)}1${"]".repeat(1_000)}}`);
    const res = await fetch(url, { headers: { accept: "application/json", "apollo-require-preflight": "true" } });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(json.errors[0]?.extensions["code"]).toBe("BAD_USER_INPUT");
    expect(errorLines().length).toBe(before);
  });

  it("refuses the same variables over graphql-ws with the same code", async () => {
    const s = stack();
    const before = errorLines().length;
    const token = await s.tokenFor();
    const outcome = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, {
      query: "query($v: [String]) { viewer { locationId } }",
      variablesJson: `{"v":${deep}}`,
    });
    expect(outcome.kind).toBe("error");
    expect(outcome.kind === "error" && outcome.errors[0]).toMatchObject({
      message: expect.stringContaining(`nested at most ${MAX_VARIABLES_DEPTH} levels deep`),
      extensions: { code: "BAD_USER_INPUT" },
    });
    expect(errorLines().length).toBe(before);
  });
});
