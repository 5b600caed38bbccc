// The logger's redaction covers what the OPS area handles: tokens, secrets, the credentials key,
// authorization and cookie headers, at the depths our log calls use.
import { Writable } from "node:stream";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { createLogger } from "../../../src/observability/logger.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}

describe("log redaction", () => {
  it("never prints the token, JWT secret, client secret or credentials key of a logged Config", () => {
    const key = randomBytes(32).toString("base64");
    const old = randomBytes(32).toString("base64");
    const secrets = { token: "pit-" + randomBytes(8).toString("hex"), jwt: "j".repeat(20) + randomBytes(8).toString("hex"), client: "cs-" + randomBytes(8).toString("hex") };
    const config = loadConfig({
      CONTACTS_API_URL: "http://127.0.0.1:1",
      CONTACTS_API_TOKEN: secrets.token,
      CONTACTS_LOCATION_ID: "loc1",
      AUTH_JWT_SECRET: secrets.jwt,
      OAUTH_CLIENT_ID: "client",
      OAUTH_CLIENT_SECRET: secrets.client,
      CREDENTIALS_KEY: key,
      CREDENTIALS_KEY_PREVIOUS: old,
    });
    const { lines, logger } = capture();
    logger.info({ config }, "config");
    logger.info(config, "config at top level");
    logger.info({ request: { headers: { authorization: `Bearer ${secrets.token}`, cookie: "cgw_oauth_state=abc" } } }, "req");
    logger.info({ record: { accessToken: secrets.token, refreshToken: secrets.client } }, "record");
    const text = lines.join("\n");
    expect(lines.length).toBe(4);
    for (const s of [secrets.token, secrets.jwt, secrets.client, "cgw_oauth_state=abc"]) expect(text).not.toContain(s);
    // Buffers serialise as {type:"Buffer",data:[…]}: check neither form leaks.
    for (const k of [key, old]) {
      expect(text).not.toContain(k);
      expect(text).not.toContain(JSON.stringify([...Buffer.from(k, "base64")]).slice(1, 40));
    }
  });
});
