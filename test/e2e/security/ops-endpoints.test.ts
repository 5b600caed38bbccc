/**
 * Operational endpoints: with METRICS_TOKEN, `GET /metrics` answers 401 without
 * `Authorization: Bearer <METRICS_TOKEN>` (and never echoes the token); `GET /readyz` stays open to
 * load balancers but names the degraded locations only to that bearer — everyone else gets counts.
 */
import { describe, expect, it } from "vitest";
import { LOCATION_A, useStack } from "../../support/harness.js";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";

describe("operational endpoints behind METRICS_TOKEN", () => {
  const stack = useStack({ env: { METRICS_TOKEN, BREAKER_FAILURE_THRESHOLD: "1", BREAKER_RESET_MS: "600000", UPSTREAM_RETRY_ATTEMPTS: "1", CACHE_TTL_MS: "0" } });

  it("/metrics needs the bearer token", async () => {
    const url = `${stack().gateway.url}/metrics`;
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${METRICS_TOKEN}`, METRICS_TOKEN]) {
      const refused = await fetch(url, { headers: authorization ? { authorization } : {} });
      expect(refused.status, String(authorization)).toBe(401);
      expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const text = await refused.text();
      expect(text).toContain("METRICS_TOKEN");
      expect(text).not.toContain(METRICS_TOKEN);
      expect(text).not.toContain("cgw_");
    }
    const allowed = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("cgw_");
  });

  it("/readyz lists degraded locations only to the bearer", async () => {
    const s = stack();
    s.sim.addFault({ route: "/contacts/:contactId", status: 503 });
    const token = await s.tokenFor();
    const readyz = async (authorization?: string) => (await fetch(`${s.gateway.url}/readyz`, { headers: authorization ? { authorization } : {} })).json();
    await expect
      .poll(async () => {
        await s.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: s.sim.data.listContacts(LOCATION_A)[0]!.id }, token);
        return readyz(`Bearer ${METRICS_TOKEN}`);
      }, { timeout: 10_000, interval: 100 })
      .toMatchObject({ status: "degraded", degraded: [{ locationId: LOCATION_A, breaker: "open" }] });
    const anonymous = await readyz();
    expect(anonymous).toMatchObject({ status: "degraded", degraded: [{ breaker: "open" }] });
    expect(JSON.stringify(anonymous)).not.toContain(LOCATION_A);
    expect(JSON.stringify(await readyz("Bearer not-the-metrics-token"))).not.toContain(LOCATION_A);
    s.sim.clearFaults();
  });
});
