// The OAuth install `state`: HMAC-signed, expiring, bound to the browser's cookie, single use.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createOAuthStateSigner } from "../../../src/credentials/index.js";

describe("OAuth state", () => {
  it("verifies once, for the cookie it was issued with, until it expires", () => {
    let t = 1_000;
    const signer = createOAuthStateSigner({ secret: randomBytes(32), ttlMs: 60_000, now: () => t });
    const a = signer.issue();
    const b = signer.issue();
    expect(a.state).not.toBe(b.state);
    expect(signer.verify(a.state, b.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/cookie/) });
    expect(signer.verify(a.state, a.nonce)).toEqual({ ok: true, nonce: a.nonce });
    expect(signer.verify(a.state, a.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/already used/) });
    t += 60_001;
    expect(signer.verify(b.state, b.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/expired/) });
  });

  it("refuses a state signed with another secret or tampered with", () => {
    const mine = createOAuthStateSigner({ secret: randomBytes(32) });
    const theirs = createOAuthStateSigner({ secret: randomBytes(32) }).issue();
    expect(mine.verify(theirs.state, theirs.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/signature/) });
    const ok = mine.issue();
    const [nonce, , sig] = ok.state.split(".");
    expect(mine.verify(`${nonce}.${Date.now() + 10 ** 9}.${sig}`, ok.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/signature/) });
    expect(mine.verify("garbage", ok.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/malformed/) });
    expect(mine.verify(undefined, ok.nonce)).toMatchObject({ ok: false, problem: expect.stringMatching(/missing/) });
  });
});
