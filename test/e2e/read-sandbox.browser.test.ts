/**
 * The sandbox in a real browser (Chromium via playwright-core, Debian's /usr/bin/chromium): GET
 * /graphql serves GraphiQL from the gateway itself, prefilled with the sample dashboard query; Run
 * shows seeded contact names; no request (HTTP or WebSocket) leaves 127.0.0.1 and the page's CSP
 * blocks nothing. A token pasted into the Headers tab is what the next subscription's
 * connection_init carries (not the prefilled one, and without waiting for an HTTP request).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintCallerToken } from "../../src/auth/index.js";
import { LOCATION_A, READ, TEST_JWT_SECRET, startStack, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";
import { launchChromium, visibleText } from "../support/browser.js";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  const token = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: [READ], locationId: LOCATION_A, expiresInSeconds: 3600 });
  stack = await startStack({ gateway: { sandbox: { defaultHeaders: { Authorization: `Bearer ${token}` } } } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("GET /graphql sandbox (browser)", () => {
  it("runs the prefilled sample query, shows contact names, and loads nothing from outside 127.0.0.1", async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1400 } });
    const page = await context.newPage();
    const requested: string[] = [];
    context.on("request", (req) => requested.push(req.url())); // the page's and its workers'
    page.on("websocket", (ws) => requested.push(ws.url()));
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // A load the page's CSP blocks never becomes a request: catch the attempt itself.
    const blocked: string[] = [];
    await page.exposeFunction("reportCspViolation", (uri: string) => void blocked.push(uri));
    await page.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { reportCspViolation(u: string): void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`)),
    );

    const response = await page.goto(`${stack.gateway.url}/graphql`, { waitUntil: "load" });
    expect(response?.status()).toBe(200);

    // Wait until the editor shows the sample query before running it.
    await page.waitForFunction(
      (fn) => new Function(`return (${fn})()`)().includes("query ContactsDashboard"),
      visibleText.toString(),
      { timeout: 30_000 },
    );
    stack.sim.clearRequests();
    await page.locator(".graphiql-execute-button").first().click();

    const expected = stack.sim.data.listContacts(LOCATION_A)[0]!.name!;
    await page.waitForFunction(
      ([fn, name]) => new Function(`return (${fn})()`)().includes(name),
      [visibleText.toString(), expected] as const,
      { timeout: 30_000 },
    );
    const text = (await page.evaluate(visibleText)) as string;
    expect(text).toContain(`"name": "${expected}"`);
    expect(text).not.toContain("UNAUTHENTICATED");
    // The run really went through the gateway to the upstream.
    expect(stack.upstream("/contacts/").length).toBeGreaterThanOrEqual(1);

    const outside = requested.filter((url) => {
      if (url.startsWith("data:") || url.startsWith("blob:")) return false;
      return new URL(url).hostname !== "127.0.0.1";
    });
    expect(outside).toEqual([]);
    expect(blocked).toEqual([]);
    expect(requested.some((url) => url.startsWith(`${stack.gateway.url}/graphql`))).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("a token pasted into the Headers tab authenticates the next subscription (connection_init), with no HTTP request in between", async () => {
    const prefilled = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: [READ], locationId: LOCATION_A, subject: "prefilled", expiresInSeconds: 3600 });
    await using plain = await startStack({
      gateway: { sandbox: { defaultHeaders: { Authorization: `Bearer ${prefilled}` }, defaultQuery: "subscription Live { contactEvents { type contactId } }" } },
    });
    const pasted = await plain.tokenFor({ subject: "pasted" });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 }, permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    const httpAfterPaste: string[] = [];
    let pastedYet = false;
    page.on("request", (req) => {
      if (pastedYet && req.url().startsWith("http")) httpAfterPaste.push(`${req.method()} ${req.url()}`);
    });
    const inits: string[] = [];
    const received: string[] = [];
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => {
        if (String(f.payload).includes('"connection_init"')) inits.push(String(f.payload));
      });
      ws.on("framereceived", (f) => received.push(String(f.payload)));
    });
    // GraphiQL introspects on load with the prefilled token; wait for it, so that afterwards only the
    // paste can change what the subscription sends.
    const introspected = page.waitForResponse(
      (r) => r.request().method() === "POST" && (r.request().postData() ?? "").includes("__schema"),
      { timeout: 30_000 },
    );
    await page.goto(`${plain.gateway.url}/graphql`, { waitUntil: "load" });
    expect((await introspected).request().headers()["authorization"]).toBe(`Bearer ${prefilled}`);
    await page.waitForFunction((fn) => new Function(`return (${fn})()`)().includes("subscription Live"), visibleText.toString(), { timeout: 30_000 });

    /** Replaces the Headers tab's text the way a person pastes (select all, then insert). */
    const pasteHeaders = async (value: string) => {
      await page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor").first().click();
      await page.keyboard.press("ControlOrMeta+A");
      await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify({ Authorization: value }));
      await page.keyboard.press("ControlOrMeta+V");
      await page.waitForFunction(
        ([fn, expected]) => new Function(`return (${fn})()`)().replace(/\s+/g, "").includes(expected),
        [visibleText.toString(), `"Authorization":"${value.slice(0, 40)}`.replace(/\s+/g, "")] as const,
        { timeout: 10_000 },
      );
    };

    await pasteHeaders(`Bearer ${pasted}`);
    pastedYet = true;
    await page.locator(".graphiql-execute-button").first().click();
    await waitFor(() => received.some((f) => f.includes('"connection_ack"')), { timeoutMs: 20_000, what: "connection_ack" });
    expect(inits).toHaveLength(1);
    expect(JSON.parse(inits[0]!)).toEqual({ type: "connection_init", payload: { authorization: `Bearer ${pasted}` } });
    expect(httpAfterPaste).toEqual([]);

    // A refused token is explained in the result pane (4403), not a silent spinner.
    await page.locator(".graphiql-execute-button").first().click(); // stops the running subscription
    await pasteHeaders("Bearer not-a-token");
    await page.locator(".graphiql-execute-button").first().click();
    await page.waitForFunction((fn) => new Function(`return (${fn})()`)().includes("Forbidden (4403)"), visibleText.toString(), { timeout: 20_000 });
    expect(inits).toHaveLength(2);
    expect(JSON.parse(inits[1]!).payload).toEqual({ authorization: "Bearer not-a-token" });
    await context.close();
  });
});
