import { describe, expect, it } from "vitest";
import { createWebhookActivity } from "../../../src/cache/webhook-activity.state.js";

describe("webhook activity", () => {
  it("a location flows for the window after a delivery, per location", () => {
    let now = 0;
    const activity = createWebhookActivity({ windowMs: 1_000, now: () => now });
    expect(activity.flowing("A")).toBe(false);
    activity.seen("A");
    now = 999;
    expect(activity.flowing("A")).toBe(true);
    expect(activity.flowing("B")).toBe(false);
    now = 1_000;
    expect(activity.flowing("A")).toBe(false);
    expect(createWebhookActivity({ windowMs: 0 }).flowing("A")).toBe(false);
  });

  it("shares deliveries through Redis: another instance learns of them on its next look", async () => {
    const store = new Map<string, string>();
    const redis = {
      command: () => ({
        get: async (key: string) => store.get(key) ?? null,
        set: async (key: string, value: string) => void store.set(key, value),
      }) as never,
      keyPrefix: "t:",
    };
    let now = 10_000;
    const a = createWebhookActivity({ windowMs: 60_000, redis, now: () => now });
    const b = createWebhookActivity({ windowMs: 60_000, redis, now: () => now, shareEveryMs: 0 });
    a.seen("L");
    await Promise.resolve();
    expect(store.get("t:webhooks:seen:L")).toBe("10000");
    expect(b.flowing("L")).toBe(false); // asks Redis in the background
    await new Promise((resolve) => setImmediate(resolve));
    now = 11_000;
    expect(b.flowing("L")).toBe(true);
  });
});
