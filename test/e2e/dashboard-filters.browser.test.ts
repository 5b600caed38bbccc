/**
 * The live dashboard page's filters in a real browser (Chromium via playwright-core), with the
 * demo field mapping: a loan-stage select (the mapping's Enum field) and the tags field narrow the
 * table to exactly the simulator's matches, the scope line says how many matched, and the page's
 * own SVG chart counts every match by loan stage.
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/browser.js";
import { mintCallerToken } from "../../src/auth/index.js";
import { DEMO_CUSTOM_FIELDS, DEMO_LOAN_STAGES } from "../../src/simulator/index.js";
import { LOCATION_A, TEST_JWT_SECRET, startStack, type Stack } from "../support/harness.js";

const STAGE_ID = DEMO_CUSTOM_FIELDS[5].id;
const ENUM = ["LEAD", "PRE_APPROVAL", "APPLICATION", "UNDERWRITING", "CLOSED"];

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  const readToken = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: ["contacts.readonly"], locationId: LOCATION_A, expiresInSeconds: 3600 });
  stack = await startStack({
    env: { FIELD_MAPPING: resolve(import.meta.dirname, "../../schema/field-mapping.demo.json") },
    gateway: { sandbox: { defaultHeaders: { Authorization: `Bearer ${readToken}` } } },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("GET /dashboard filters (browser)", () => {
  it("filters by loan stage and tag, says how many matched, and charts every match by loan stage", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${stack.gateway.url}/dashboard`);
    await page.getByRole("table").getByRole("row").nth(1).waitFor({ timeout: 10_000 });

    const contacts = stack.sim.data.listContacts(LOCATION_A);
    const stageOf = (c: (typeof contacts)[number]) => c.customFields?.find((f) => f.id === STAGE_ID)?.value;
    // The chart: one bar per option, each the exact count of matches (no filter yet: every contact).
    await page.waitForFunction(() => document.querySelectorAll("#stage-bars g[data-stage]").length === 5, null, { timeout: 10_000 });
    const bars = await page.locator("#stage-bars g[data-stage]").evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-stage"), Number(g.getAttribute("data-count"))]));
    expect(bars).toEqual(ENUM.map((value, i) => [value, contacts.filter((c) => stageOf(c) === DEMO_LOAN_STAGES[i]).length]));
    expect(await page.locator("#stage-bars").getAttribute("aria-label")).toMatch(/^Lead \d+, Pre-Approval \d+/);

    // Loan stage + tag.
    await page.getByRole("combobox", { name: "Loan stage" }).selectOption("UNDERWRITING");
    await page.getByLabel("Tags (comma-separated)").fill("refinance");
    await page.getByRole("button", { name: "Show" }).click();
    const expected = contacts.filter((c) => stageOf(c) === "Underwriting" && c.tags?.includes("refinance"));
    expect(expected.length).toBeGreaterThan(0);
    await page.waitForFunction(
      (ids) => {
        const rows = [...document.querySelectorAll("tbody tr")].map((r) => r.getAttribute("data-contact-id"));
        return rows.length === ids.length && ids.every((id) => rows.includes(id));
      },
      expected.slice(0, 25).map((c) => c.id),
      { timeout: 10_000 },
    );
    const stages = await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-stage")));
    expect(new Set(stages)).toEqual(new Set(["UNDERWRITING"]));
    await expect(page.locator("#scope").textContent()).resolves.toContain(`${expected.length} matching contacts`);
    // The chart now counts the refinance contacts by stage (the stage filter itself aside).
    const refinance = contacts.filter((c) => c.tags?.includes("refinance"));
    await page.waitForFunction(
      (n) => Number(document.querySelector('#stage-bars g[data-stage="UNDERWRITING"]')?.getAttribute("data-count")) === n,
      refinance.filter((c) => stageOf(c) === "Underwriting").length,
      { timeout: 10_000 },
    );
    const total = await page.locator("#stage-bars g[data-stage]").evaluateAll((gs) => gs.reduce((n, g) => n + Number(g.getAttribute("data-count")), 0));
    expect(total).toBe(refinance.length);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
