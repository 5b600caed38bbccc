// Out-of-order webhooks over real HTTP: HighLevel re-sends a delivery after a 429 (up to 6 times,
// 10 minutes apart, same payload), so an OLD ContactUpdate can arrive after a newer one. The older
// one must never overwrite the newer state in the gateway's cache.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCATION_A, READ, startStack, type Stack } from "../support/harness.js";
import { postWebhook, webhookBody, webhookKeyEnv, generateTestWebhookKeys } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const MIN = 60_000;
let stack: Stack;
let token: string;

const CONTACT = /* GraphQL */ `query One($id: ID!) { contact(id: $id) { id name tags } }`;
type One = { contact: { id: string; name: string | null; tags: string[] } | null };

const post = (fields: Record<string, unknown>, extra: { webhookId: string; timestamp: string }) =>
  postWebhook(`${stack.gateway.url}/webhooks/highlevel`, webhookBody({ locationId: LOCATION_A, ...fields }, extra), { keys });
/** The webhook form of a seeded contact (flat, the event `type` in place of the contact's own). */
function seeded(index: number) {
  const contact = stack.sim.data.listContacts(LOCATION_A)[index];
  if (!contact) throw new Error(`expected at least ${index + 1} seeded contacts in location A`);
  const { type: _ownType, ...fields } = contact;
  return fields;
}
async function nameOf(id: string): Promise<string | null | undefined> {
  const res = await stack.gql<One>(CONTACT, { id }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data?.contact?.name;
}

beforeAll(async () => {
  stack = await startStack({ env: webhookKeyEnv(keys) });
  token = await stack.tokenFor({ scopes: [READ], locationId: LOCATION_A });
});

afterAll(async () => {
  await stack?.close();
});

describe("an older ContactUpdate delivered after a newer one", () => {
  it("with dateUpdated (exact): the query keeps answering the newer state from the cache", async () => {
    const contact = seeded(0);
    const base = Date.parse(String(contact.dateUpdated));
    expect(Number.isFinite(base)).toBe(true);
    await nameOf(contact.id); // cached as the upstream has it

    const now = Date.now();
    const newer = await post(
      { ...contact, type: "ContactUpdate", name: "Newer Name", tags: ["newer"], dateUpdated: new Date(base + 2 * MIN).toISOString() },
      { webhookId: "order-newer", timestamp: new Date(now).toISOString() },
    );
    expect(newer.status).toBe(200);
    // the 1-minute update, re-sent 30 minutes after HighLevel first tried it
    const older = await post(
      { ...contact, type: "ContactUpdate", name: "Older Name", tags: ["older"], dateUpdated: new Date(base + MIN).toISOString() },
      { webhookId: "order-older", timestamp: new Date(now - 30 * MIN).toISOString() },
    );
    expect(older.status).toBe(200);

    stack.sim.clearRequests();
    const res = await stack.gql<One>(CONTACT, { id: contact.id }, token);
    expect(res.body.data?.contact).toEqual({ id: contact.id, name: "Newer Name", tags: ["newer"] });
    expect(stack.upstream()).toEqual([]); // answered from the cache: the newer webhook's state
  });

  it("without dateUpdated (HighLevel's documented payload): the late older one is never written", async () => {
    const { dateUpdated: _version, ...contact } = seeded(1);
    const upstreamName = contact.name;
    await nameOf(contact.id);

    const now = Date.now();
    expect((await post({ ...contact, type: "ContactUpdate", name: "Fresh Name" }, { webhookId: "undated-newer", timestamp: new Date(now).toISOString() })).status).toBe(200);
    expect(await nameOf(contact.id)).toBe("Fresh Name"); // a fresh event is written through

    const late = { webhookId: "undated-older", timestamp: new Date(now - 20 * MIN).toISOString() };
    expect((await post({ ...contact, type: "ContactUpdate", name: "Stale Name" }, late)).status).toBe(200);
    // not provably older than what is cached, so evicted: the next read asks the upstream
    stack.sim.clearRequests();
    expect(await nameOf(contact.id)).toBe(upstreamName);
    expect(stack.upstream("/contacts/:contactId")).toHaveLength(1);
  });
});
