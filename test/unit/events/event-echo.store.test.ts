/** The pairing of the gateway's announcements with HighLevel's webhooks (src/events/event-echo.store.ts). */
import { describe, expect, it } from "vitest";
import { ContactEventType, type ContactEvent } from "../../../src/events/contact-event.types.js";
import { createMemoryEchoStore, echoKey } from "../../../src/events/event-echo.store.js";
import { gatewayEventBuilder } from "../../../src/events/gateway-event.build.js";

const build = gatewayEventBuilder(() => 0);
const tagUpdate = (id = "c1"): ContactEvent => build.contact(ContactEventType.CONTACT_TAG_UPDATE, "L1", { id });

describe("event echo store (memory)", () => {
  it("pairs each side with the other's claim, in either order, counting claims", async () => {
    const store = createMemoryEchoStore();
    expect(await store.claim("gateway", tagUpdate())).toBe("first");
    expect(await store.claim("gateway", tagUpdate())).toBe("first");
    expect(await store.claim("webhook", tagUpdate())).toBe("echo");
    expect(await store.claim("webhook", tagUpdate())).toBe("echo");
    expect(await store.claim("webhook", tagUpdate())).toBe("first"); // a third change, made in HighLevel
    expect(await store.claim("gateway", tagUpdate())).toBe("echo"); // …paired with the next announcement
  });

  it("keeps different changes apart: type, resource and location", async () => {
    const store = createMemoryEchoStore();
    await store.claim("gateway", tagUpdate("c1"));
    expect(await store.claim("webhook", tagUpdate("c2"))).toBe("first");
    expect(await store.claim("webhook", build.contact(ContactEventType.CONTACT_UPDATE, "L1", { id: "c1" }))).toBe("first");
    expect(await store.claim("webhook", build.contact(ContactEventType.CONTACT_TAG_UPDATE, "L2", { id: "c1" }))).toBe("first");
    expect(await store.claim("webhook", tagUpdate("c1"))).toBe("echo");
  });

  it("claims expire: a webhook claim after 30 s, a gateway claim after 10 minutes", async () => {
    let now = 0;
    const store = createMemoryEchoStore({ now: () => now });
    await store.claim("webhook", tagUpdate());
    now += 30_001;
    expect(await store.claim("gateway", tagUpdate())).toBe("first");
    now += 600_001;
    expect(await store.claim("webhook", tagUpdate())).toBe("first");
  });

  it("TASK_UPDATE (which HighLevel never sends) is never paired", async () => {
    const task = build.task(ContactEventType.TASK_UPDATE, "L1", { id: "t1", contactId: "c1", title: "x", completed: false });
    expect(echoKey(task)).toBeUndefined();
    const store = createMemoryEchoStore();
    expect(await store.claim("gateway", task)).toBe("first");
    expect(await store.claim("webhook", task)).toBe("first");
  });
});
