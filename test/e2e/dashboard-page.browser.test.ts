/**
 * The live dashboard page in a real browser (Chromium via playwright-core): it loads from the
 * gateway alone (no other origin), shows attention-ordered contacts with the demo token prefilled,
 * and a task completed through the `completeTask` mutation shows on the page within 2 s without a
 * reload (simulator webhook -> gateway intake -> contactEvents over graphql-ws -> re-read).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { mintCallerToken } from "../../src/auth/index.js";
import { LOCATION_A, TEST_JWT_SECRET, startStack, type Stack } from "../support/harness.js";

const DAY = 86_400_000;
const COMPANY = "Browser Probe Brokerage";

let stack: Stack;
let browser: Browser;
let readToken: string;
let contactId: string;
let taskId: string;

beforeAll(async () => {
  readToken = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: ["contacts.readonly"], locationId: LOCATION_A, expiresInSeconds: 3600 });
  stack = await startStack({
    trustSimulatorWebhooks: true,
    // Like demo mode: the sandbox (and so the dashboard) prefill the read-only token.
    gateway: { sandbox: { defaultHeaders: { Authorization: `Bearer ${readToken}` } } },
  });
  const now = Date.now();
  const contact = stack.sim.data.createContact(LOCATION_A, { firstName: "Petra", lastName: "Probe", companyName: COMPANY, email: "petra.probe@example.com" });
  contactId = contact.id;
  taskId = stack.sim.data.createTask(contactId, { title: "Call the lender back", dueDate: new Date(now - 2 * DAY).toISOString(), completed: false }).id;
  stack.sim.data.createTask(contactId, { title: "Send the disclosure", dueDate: new Date(now + 3 * DAY).toISOString(), completed: false });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("GET /dashboard (browser)", () => {
  it("loads from the gateway alone, shows contacts, and shows a completed task within 2 s without a reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const foreign: string[] = [];
    page.on("request", (req) => {
      if (!req.url().startsWith(stack.gateway.url) && !req.url().startsWith(stack.gateway.url.replace("http", "ws"))) foreign.push(req.url());
    });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));

    await page.goto(`${stack.gateway.url}/dashboard`);
    // Accessible structure: labelled controls, a table with a caption, a live region.
    await expect(page.getByLabel("Caller token").inputValue()).resolves.toBe(readToken);
    await page.getByRole("table").getByRole("row").nth(1).waitFor({ timeout: 10_000 }); // demo prefill auto-loads
    expect(await page.locator("caption").textContent()).toMatch(/overdue tasks/);
    expect(await page.locator("[aria-live]").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("tbody tr").count()).toBeGreaterThan(5);

    // Narrow to the probe contact.
    await page.getByLabel("Search").fill(COMPANY);
    await page.getByRole("button", { name: "Show" }).click();
    const row = page.locator(`tr[data-contact-id="${contactId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toContain("Call the lender back");
    expect(await row.locator("td").nth(0).textContent()).toBe("1"); // overdue
    // Let the live subscription settle before the change.
    await page.waitForFunction(() => document.body.dataset["live"] === "connected", null, { timeout: 10_000 });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const writeToken = await stack.tokenFor({ scopes: ["contacts.readonly", "contacts.write"] });
    const done = await stack.gql(
      `mutation($c: ID!, $t: ID!) { completeTask(contactId: $c, taskId: $t) { id completed } }`,
      { c: contactId, t: taskId },
      writeToken,
    );
    expect(done.body.errors).toBeUndefined();
    const completedAt = Date.now();

    await page.waitForFunction(
      (id) => {
        const tr = document.querySelector(`tr[data-contact-id="${id}"]`);
        return !!tr && !tr.textContent?.includes("Call the lender back") && tr.classList.contains("changed");
      },
      contactId,
      { timeout: 2_000, polling: 25 },
    );
    const elapsedMs = Date.now() - completedAt;
    expect(elapsedMs).toBeLessThan(2_000);
    expect(await row.locator("td").nth(0).textContent()).toBe("0");
    expect(await row.textContent()).toContain("Send the disclosure");
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.locator("#announcer").textContent()).toMatch(/task completed/);

    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("serves the page with a strict CSP and the graphql-ws browser client from the gateway", async () => {
    const html = await fetch(`${stack.gateway.url}/dashboard`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    const client = await fetch(`${stack.gateway.url}/dashboard/graphql-ws.js`);
    expect(client.status).toBe(200);
    expect(await client.text()).toMatch(/graphqlWs/);
  });

  it("says so when the token is refused", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.gateway.url}/dashboard`);
    await page.getByLabel("Caller token").fill("not-a-token");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForFunction(() => document.getElementById("status")?.dataset["kind"] === "error", null, { timeout: 5_000 });
    expect(await page.locator("#status").textContent()).toMatch(/UNAUTHENTICATED|refused/);
    await page.close();
  });
});
