/**
 * The sandbox in a real browser (Chromium via playwright-core, Debian's /usr/bin/chromium): GET
 * /graphql serves GraphiQL from the gateway itself, prefilled with the sample dashboard query; Run
 * shows seeded contact names; no request (HTTP or WebSocket) leaves 127.0.0.1.
 */
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintCallerToken } from "../../src/auth/index.js";
import { LOCATION_A, READ, TEST_JWT_SECRET, startStack, type Stack } from "../support/harness.js";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Text as a person reads it: Monaco renders spaces as U+00A0 (stack.md pitfall 9). */
const visibleText = () => document.body.innerText.replace(/\u00a0/g, " ");

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  const token = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: [READ], locationId: LOCATION_A, expiresInSeconds: 3600 });
  stack = await startStack({ gateway: { sandbox: { defaultHeaders: { Authorization: `Bearer ${token}` } } } });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
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
    page.on("request", (req) => requested.push(req.url()));
    page.on("websocket", (ws) => requested.push(ws.url()));
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));

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
    expect(requested.some((url) => url.startsWith(`${stack.gateway.url}/graphql`))).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("subscriptions authenticate with the token GraphiQL last sent over HTTP (a pasted token, not only the demo one)", async () => {
    await using plain = await startStack({ gateway: { sandbox: { defaultQuery: "subscription Live { contactEvents { type contactId } }" } } });
    const token = await plain.tokenFor();
    const context = await browser.newContext();
    const page = await context.newPage();
    const frames: string[] = [];
    let acked!: () => void;
    const ack = new Promise<void>((resolve) => (acked = resolve));
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => frames.push(`sent ${String(f.payload)}`));
      ws.on("framereceived", (f) => {
        frames.push(`received ${String(f.payload)}`);
        if (String(f.payload).includes('"connection_ack"')) acked();
      });
    });
    await page.goto(`${plain.gateway.url}/graphql`, { waitUntil: "load" });
    await page.waitForFunction(
      (fn) => new Function(`return (${fn})()`)().includes("subscription Live"),
      visibleText.toString(),
      { timeout: 30_000 },
    );
    // What GraphiQL does when a query runs with a token pasted into the Headers tab.
    const status = await page.evaluate(
      async (authorization) =>
        (await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json", authorization }, body: '{"query":"{ viewer { locationId } }"}' })).status,
      `Bearer ${token}`,
    );
    expect(status).toBe(200);
    await page.locator(".graphiql-execute-button").first().click();
    await Promise.race([ack, new Promise((_, reject) => setTimeout(() => reject(new Error(`no connection_ack; frames: ${frames.join(" | ")}`)), 20_000))]);
    const init = frames.find((f) => f.startsWith("sent") && f.includes("connection_init"));
    expect(init).toContain(`"authorization":"Bearer ${token}"`);
    expect(frames.some((f) => f.includes('"connection_ack"'))).toBe(true);
    await context.close();
  });
});
