// The sandbox runs subscriptions: in a real browser (Debian's Chromium via playwright-core), GraphiQL
// served by the gateway opens graphql-ws on the same /graphql path with the token from its Headers
// tab, and a webhook accepted by the intake shows up in the result pane.
import type { Browser } from "playwright-core";
import { launchChromium, visibleText } from "../support/browser.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintCallerToken } from "../../src/auth/index.js";
import { LOCATION_A, READ, TEST_JWT_SECRET, startStack, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const SUBSCRIPTION = "subscription SandboxEvents { contactEvents { type webhookId } }";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  const token = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: [READ], locationId: LOCATION_A, expiresInSeconds: 3600 });
  stack = await startStack({
    env: webhookKeyEnv(keys),
    gateway: { sandbox: { defaultHeaders: { Authorization: `Bearer ${token}` }, defaultQuery: SUBSCRIPTION } },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("sandbox subscriptions (browser)", () => {
  it("runs contactEvents over graphql-ws and shows a webhook's event", async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
    const page = await context.newPage();
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(`${stack.gateway.url}/graphql`, { waitUntil: "load" });
    await page.waitForFunction((fn) => new Function(`return (${fn})()`)().includes("SandboxEvents"), visibleText.toString(), { timeout: 30_000 });
    await page.locator(".graphiql-execute-button").first().click();

    // the subscription starts asynchronously: deliver events until one is on screen
    let n = 0;
    await waitFor(
      async () => {
        n += 1;
        await postWebhook(
          `${stack.gateway.url}/webhooks/highlevel`,
          webhookBody({ type: "NoteCreate", locationId: LOCATION_A, id: "sandboxnote000000001", contactId: "c1", body: "x" }, { webhookId: `sandbox-event-${n}` }),
          { keys },
        );
        const text = (await page.evaluate(visibleText)) as string;
        return text.includes('"type": "NOTE_CREATE"') && text.includes("sandbox-event-");
      },
      { timeoutMs: 30_000, intervalMs: 300, what: "the event in GraphiQL's result pane" },
    );
    const text = (await page.evaluate(visibleText)) as string;
    expect(text).not.toMatch(/UNAUTHENTICATED|FORBIDDEN|4403/);
    expect(sockets.some((url) => url === `${stack.gateway.wsUrl}`)).toBe(true);
    await context.close();
  });
});
