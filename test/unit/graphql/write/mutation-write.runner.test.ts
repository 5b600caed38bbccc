/** The write runner's order of checks and its error mapping, with in-memory fakes (no sockets). */
import { describe, expect, it, vi } from "vitest";
import type { GraphQLError } from "graphql";
import type { AuditEntry, AuditLogger } from "../../../../src/audit/index.js";
import { createMemoryIdempotencyStore } from "../../../../src/idempotency/index.js";
import {
  runMutation,
  writeUpstreamError,
  type MutationPlan,
  type WriteDeps,
  type WriteRequest,
} from "../../../../src/graphql/write/mutation-write.runner.js";
import { createUpstreamScopeMemory } from "../../../../src/graphql/write/scope-write.memory.js";
import { UpstreamError } from "../../../../src/upstream/upstream.error.js";

function context(options: { granted?: string[]; key?: string } = {}) {
  const records: AuditEntry[] = [];
  const write = {
    idempotency: createMemoryIdempotencyStore(),
    audit: { record: (entry) => void records.push(entry) } satisfies AuditLogger,
    scopeMemory: createUpstreamScopeMemory(),
    close: async () => undefined,
  };
  const cache = { applyChanges: vi.fn(), load: vi.fn(), peek: vi.fn() };
  const deps = {
    client: {} as never,
    cache: cache as never,
    credentials: { grantedScopes: () => options.granted } as never,
    write,
  } satisfies WriteDeps;
  const request = {
    requireViewer: () => ({ subject: "u1", locationId: "loc1", scopes: ["contacts.write"] }),
    headers: options.key ? { "idempotency-key": options.key } : {},
  } satisfies WriteRequest;
  return { ctx: { deps, request }, records, write, cache };
}

function plan(overrides: Partial<MutationPlan<string>> = {}): MutationPlan<string> & { write: ReturnType<typeof vi.fn> } {
  return {
    operation: "createContact",
    args: { input: { firstName: "A" } },
    problems: [],
    targetIds: {},
    write: vi.fn(async () => "written"),
    changes: vi.fn(() => [{ type: "contact", locationId: "loc1", contactId: "c1" }]),
    ...overrides,
  } as MutationPlan<string> & { write: ReturnType<typeof vi.fn> };
}

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as GraphQLError).extensions?.["code"];
  }
  return "no error";
};

describe("runMutation", () => {
  it("refuses invalid input first: no scope check, no store, no write", async () => {
    const { ctx, records } = context({ granted: ["contacts.readonly"] });
    const p = plan({ problems: [{ field: "input.email", expected: "an email", received: "x" }] });
    expect(await codeOf(runMutation(ctx.deps, ctx.request, p))).toBe("BAD_USER_INPUT");
    expect(p.write).not.toHaveBeenCalled();
    expect(records).toMatchObject([{ outcome: "rejected", errorCode: "BAD_USER_INPUT" }]);
  });

  it("refuses when the upstream credential lacks contacts.write, before the write", async () => {
    const { ctx } = context({ granted: ["contacts.readonly"] });
    const p = plan();
    expect(await codeOf(runMutation(ctx.deps, ctx.request, p))).toBe("FORBIDDEN");
    expect(p.write).not.toHaveBeenCalled();
  });

  it("remembers an upstream missing-scope answer and refuses the next write without calling", async () => {
    const { ctx } = context();
    const missing = new UpstreamError({ code: "FORBIDDEN", reason: "missing_scope", message: "m", method: "POST", route: "/contacts/", status: 401 });
    const first = plan({ write: vi.fn(async () => Promise.reject(missing)) as never });
    expect(await codeOf(runMutation(ctx.deps, ctx.request, first))).toBe("FORBIDDEN");
    const second = plan();
    expect(await codeOf(runMutation(ctx.deps, ctx.request, second))).toBe("FORBIDDEN");
    expect(second.write).not.toHaveBeenCalled();
  });

  it("a precondition read refused for contacts.readonly names that scope and does not mark contacts.write missing", async () => {
    const { ctx, write } = context();
    const readRefused = new UpstreamError({ code: "FORBIDDEN", reason: "missing_scope", message: "m", method: "GET", route: "/contacts/:contactId", status: 401 });
    const p = plan({ precondition: async () => Promise.reject(readRefused) });
    try {
      await runMutation(ctx.deps, ctx.request, p);
      expect.unreachable("expected FORBIDDEN");
    } catch (error) {
      expect((error as GraphQLError).extensions).toMatchObject({ code: "FORBIDDEN", missingScope: "contacts.readonly" });
      expect((error as GraphQLError).message).toContain("contacts.readonly");
    }
    expect(p.write).not.toHaveBeenCalled();
    expect(write.scopeMemory.isMissing("loc1", "contacts.write")).toBe(false);
    expect(await runMutation(ctx.deps, ctx.request, plan())).toBe("written");
  });

  it("a 5xx after a POST was sent is an unknown outcome: the key is not freed, a repeat writes nothing", async () => {
    const { ctx, records } = context({ key: "k-5xx" });
    const failed = new UpstreamError({ code: "UPSTREAM_ERROR", reason: "server_error", message: "m", method: "POST", route: "/contacts/", status: 502, outcomeUnknown: true });
    const first = plan({ write: vi.fn(async () => Promise.reject(failed)) as never });
    try {
      await runMutation(ctx.deps, ctx.request, first);
      expect.unreachable("expected an error");
    } catch (error) {
      expect((error as GraphQLError).extensions).toMatchObject({ code: "UPSTREAM_ERROR", outcomeUnknown: true });
      expect((error as GraphQLError).message).toContain("MAY HAVE HAPPENED");
    }
    const again = plan();
    expect(await codeOf(runMutation(ctx.deps, ctx.request, again))).toBe("UPSTREAM_UNAVAILABLE");
    expect(again.write).not.toHaveBeenCalled();
    expect(records.map((r) => r.outcome)).toEqual(["unknown", "unknown"]);
  });

  it("an unreachable idempotency store refuses the write (not attempted) instead of writing unguarded", async () => {
    const { ctx, records, write } = context({ key: "k-down" });
    write.idempotency = { kind: "redis", begin: async () => Promise.reject(new Error("ECONNREFUSED")), close: async () => undefined };
    const p = plan();
    expect(await codeOf(runMutation(ctx.deps, ctx.request, p))).toBe("UPSTREAM_UNAVAILABLE");
    expect(p.write).not.toHaveBeenCalled();
    expect(records).toMatchObject([{ outcome: "failed", errorCode: "UPSTREAM_UNAVAILABLE", idempotent: true }]);
  });

  it("a repeat that outlasts the wait for the first attempt is CONFLICT (in progress), with no write", async () => {
    const { ctx, write } = context({ key: "k-busy" });
    write.idempotency = createMemoryIdempotencyStore({ waitTimeoutMs: 20 });
    let finish!: (value: string) => void;
    const first = plan({ write: vi.fn(() => new Promise<string>((resolve) => (finish = resolve))) as never });
    const running = runMutation(ctx.deps, ctx.request, first);
    await vi.waitFor(() => expect(first.write).toHaveBeenCalled());
    const second = plan();
    expect(await codeOf(runMutation(ctx.deps, ctx.request, second))).toBe("CONFLICT");
    expect(second.write).not.toHaveBeenCalled();
    finish("written");
    expect(await running).toBe("written");
    expect(await runMutation(ctx.deps, ctx.request, plan())).toBe("written");
  });

  it("applies the result to the cache and audits success", async () => {
    const { ctx, records, cache } = context({ key: "k1" });
    const p = plan();
    expect(await runMutation(ctx.deps, ctx.request, p)).toBe("written");
    expect(p.changes).toHaveBeenCalledWith("loc1", "written");
    expect(cache.applyChanges).toHaveBeenCalledWith([{ type: "contact", locationId: "loc1", contactId: "c1" }], { origin: "mutation" });
    expect(await runMutation(ctx.deps, ctx.request, plan())).toBe("written");
    expect(records.map((r) => r.outcome)).toEqual(["success", "replayed"]);
  });

  it("a failed precondition writes nothing and frees the key", async () => {
    const { ctx } = context({ key: "k2" });
    const conflict = Object.assign(new Error("conflict"), { extensions: { code: "CONFLICT" } });
    const p = plan({ precondition: async () => Promise.reject(conflict) });
    await expect(runMutation(ctx.deps, ctx.request, p)).rejects.toBe(conflict);
    expect(p.write).not.toHaveBeenCalled();
    expect(await runMutation(ctx.deps, ctx.request, plan())).toBe("written");
  });
});

describe("writeUpstreamError", () => {
  const base = { method: "POST", route: "/contacts/", message: "m" };
  it("maps duplicate, validation, not found, foreign location and unknown outcome", () => {
    const dup = writeUpstreamError(new UpstreamError({ ...base, code: "CONFLICT", reason: "duplicate_contact", existingContactId: "c9", status: 400 }), "l");
    expect(dup.extensions).toMatchObject({ code: "CONFLICT", existingContactId: "c9" });
    const invalid = writeUpstreamError(
      new UpstreamError({ ...base, code: "BAD_USER_INPUT", reason: "validation", upstreamMessages: ["email must be an email"], status: 422 }),
      "l",
    );
    expect(invalid.extensions).toMatchObject({ code: "BAD_USER_INPUT", upstreamMessages: ["email must be an email"] });
    expect(writeUpstreamError(new UpstreamError({ ...base, code: "NOT_FOUND", reason: "not_found", status: 400 }), "l").extensions["code"]).toBe("NOT_FOUND");
    expect(writeUpstreamError(new UpstreamError({ ...base, code: "FORBIDDEN", reason: "location_forbidden", status: 403 }), "l").extensions["code"]).toBe("FORBIDDEN");
    const unknown = writeUpstreamError(new UpstreamError({ ...base, code: "UPSTREAM_UNAVAILABLE", reason: "timeout", outcomeUnknown: true }), "l");
    expect(unknown.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", outcomeUnknown: true });
    expect(unknown.message).toContain("MAY HAVE HAPPENED");
  });
});

