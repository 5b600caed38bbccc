/**
 * The scopes each root field needs, declared on its resolver with `@Scopes(...)` and read from the
 * built schema (the field's `extensions.scopes`), so the operation pipeline authorises an operation
 * once, from its document, before anything executes (server/pipeline/operation.pipeline.ts, stage
 * "authorize"). This replaces type-graphql's `@Authorized`, which needs an `authChecker` and then
 * wraps every such resolver in an async middleware that runs per field call (and per subscription
 * event); `@Scopes` is plain data (type-graphql's `@Extensions`), nothing runs per field.
 *
 * Only root fields are authorised this way: a root field without scopes, or scopes declared on any
 * other field (which nothing would enforce), fail the schema build (`rootScopes` is called there).
 */
import { isObjectType, type GraphQLSchema } from "graphql";
import { Extensions } from "type-graphql";

export type RootOperationType = "query" | "mutation" | "subscription";

/** Root field name → the scopes it needs, per operation type. */
export type RootScopes = Readonly<Record<RootOperationType, ReadonlyMap<string, readonly string[]>>>;

/** Declares the scopes a root field (query, mutation, subscription) needs; every one is required. */
export function Scopes(...scopes: [string, ...string[]]): MethodDecorator {
  return Extensions({ scopes });
}

function declaredScopes(extensions: Readonly<Record<string, unknown>> | null | undefined): string[] | undefined {
  const scopes = extensions?.["scopes"];
  return Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => typeof s === "string") ? scopes : undefined;
}

/** The scopes of every root field of `schema`; throws when one lacks them or another field has some. */
export function rootScopes(schema: GraphQLSchema): RootScopes {
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() } as const;
  const result = {} as Record<RootOperationType, Map<string, readonly string[]>>;
  for (const type of ["query", "mutation", "subscription"] as const) {
    const scopes = new Map<string, readonly string[]>();
    for (const field of Object.values(roots[type]?.getFields() ?? {})) {
      const declared = declaredScopes(field.extensions);
      if (!declared) throw new TypeError(`${type} field \`${field.name}\`: expected @Scopes(<scope>, ...) on its resolver naming the scopes it needs; received ${JSON.stringify(field.extensions?.["scopes"] ?? null)}`);
      scopes.set(field.name, declared);
    }
    result[type] = scopes;
  }
  const rootTypes = new Set(Object.values(roots).filter((t) => t !== null && t !== undefined));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || rootTypes.has(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.extensions?.["scopes"] !== undefined) {
        throw new TypeError(`${type.name}.${field.name}: expected @Scopes only on root fields (queries, mutations, subscriptions), where the operation pipeline enforces them; nothing would check them on a nested field`);
      }
    }
  }
  return result;
}
