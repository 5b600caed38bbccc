/**
 * Root-field scopes are data on the schema (`@Scopes`, src/graphql/root-scopes.ts): every root
 * field of the gateway's schema declares them, a root field without them or a nested field with
 * them fails the build, and the pipeline's authorize stage requires every scope a selected root
 * field declares, beyond the operation type's own.
 */
import { getOperationAST, parse } from "graphql";
import { pino } from "pino";
import { Ctx, Field, FieldResolver, ObjectType, Query, Resolver, Root } from "type-graphql";
import { describe, expect, it } from "vitest";
import { createAuditLogger } from "../../../src/audit/index.js";
import { SCOPES, type CallerAuth } from "../../../src/auth/index.js";
import { loadConfig } from "../../../src/config/config.js";
import { buildGatewaySchema, rootScopes, Scopes } from "../../../src/graphql/index.js";
import { DASHBOARD_RESOLVERS } from "../../../src/graphql/dashboard/dashboard.resolver.js";
import { EVENT_RESOLVERS, createSchemaPubSub } from "../../../src/graphql/event/index.js";
import { WRITE_RESOLVERS } from "../../../src/graphql/write/index-write.js";
import { createOperationPipeline } from "../../../src/server/pipeline/operation.pipeline.js";

@ObjectType()
class Vault {
  @Field(() => String)
  label!: string;
}

@Resolver(() => Vault)
class VaultResolver {
  // A query that needs more than the read scope every query needs.
  @Scopes(SCOPES.read, SCOPES.write)
  @Query(() => Vault)
  vault(): Vault {
    return { label: "v" };
  }
}

@Resolver(() => Vault)
class UnscopedResolver {
  @Query(() => String)
  unscoped(): string {
    return "u";
  }
}

@ObjectType()
class Locker {
  @Field(() => String)
  label!: string;
}

@Resolver(() => Locker)
class LockerResolver {
  @Scopes(SCOPES.read)
  @Query(() => Locker)
  locker(): Locker {
    return { label: "l" };
  }

  @Scopes(SCOPES.write)
  @FieldResolver(() => String)
  secret(@Root() locker: Locker, @Ctx() _ctx: unknown): string {
    return locker.label;
  }
}

describe("root-field scopes", () => {
  it("every root field of the gateway's schema declares the contract's scope for its operation type", async () => {
    const schema = await buildGatewaySchema({ resolvers: [...WRITE_RESOLVERS, ...EVENT_RESOLVERS, ...DASHBOARD_RESOLVERS], pubSub: createSchemaPubSub() });
    const scopes = rootScopes(schema);
    for (const [type, rootType, scope] of [
      ["query", schema.getQueryType(), SCOPES.read],
      ["mutation", schema.getMutationType(), SCOPES.write],
      ["subscription", schema.getSubscriptionType(), SCOPES.read],
    ] as const) {
      const fields = Object.keys(rootType!.getFields());
      expect(fields.length).toBeGreaterThan(0);
      expect(Object.fromEntries(fields.map((f) => [f, scopes[type].get(f)]))).toEqual(Object.fromEntries(fields.map((f) => [f, [scope]])));
    }
  });

  it("fails the build for a root field without scopes and for scopes on a nested field", async () => {
    await expect(buildGatewaySchema({ resolvers: [UnscopedResolver] })).rejects.toThrow(/query field `unscoped`: expected @Scopes/);
    await expect(buildGatewaySchema({ resolvers: [LockerResolver] })).rejects.toThrow(/Locker\.secret: expected @Scopes only on root fields/);
  });

  it("the authorize stage requires every scope a selected root field declares", async () => {
    const schema = await buildGatewaySchema({ resolvers: [VaultResolver] });
    const pipeline = createOperationPipeline({ schema, config: loadConfig({}), audit: createAuditLogger({ logger: pino({ level: "silent" }) }) });
    const admit = (query: string, scopes: string[]) => {
      const document = parse(query);
      const auth: CallerAuth = { status: "authenticated", viewer: { subject: "s", locationId: "LocA", scopes } };
      return pipeline.admit({ document, operation: getOperationAST(document)!, variables: {}, operationKey: query, auth });
    };
    const refused = admit("{ vault { label } }", [SCOPES.read]);
    expect(refused).toMatchObject({ kind: "refused", stage: "authorize", asResult: true });
    expect(refused.kind === "refused" && refused.errors[0]!.extensions).toMatchObject({ code: "FORBIDDEN", reason: "missing_scope" });
    expect(refused.kind === "refused" && refused.errors[0]!.message).toBe("This query needs the scope contacts.write; the caller token grants: contacts.readonly");
    // The operation type's scope is required too.
    expect(admit("{ vault { label } }", [SCOPES.write])).toMatchObject({ kind: "refused", stage: "authorize" });
    expect(admit("{ vault { label } }", [SCOPES.read, SCOPES.write]).kind).toBe("execute");
    // Through a fragment as well.
    expect(admit("{ ...F } fragment F on Query { vault { label } }", [SCOPES.read])).toMatchObject({ kind: "refused", stage: "authorize" });
  });
});
