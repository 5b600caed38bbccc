/**
 * Direct field resolvers: a `@FieldResolver` method whose only parameters are `@Root()`, `@Ctx()`
 * and `@Info()` is called straight from graphql-js, without type-graphql's per-call handler
 * (node_modules/type-graphql/build/esm/resolvers/create.js `createHandlerResolver`), which at
 * every call allocates its resolver data, looks the resolver instance up in its container by a
 * linear scan, sorts and maps the parameter list and enters the middleware chain. A page of 50
 * contacts with their tasks, notes and appointments makes ~600 such calls (`Task.dueDate`,
 * `Contact.email`, `Contact.tasks`…).
 *
 * The method gets exactly the arguments type-graphql would pass it. Every other field keeps
 * type-graphql's handler: one with arguments (they are converted and may be validated), with
 * middlewares or roles, a `@Root("property")` or `@Ctx("property")`, or a root of a declared class
 * the value is not an instance of (type-graphql would copy it into one). The type-graphql classes
 * stay the source of the schema; only `resolve` functions change.
 */
import { GraphQLObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { getMetadataStorage } from "type-graphql";

type Param = { target: Function; methodName: string; index: number; kind: string; propertyName?: string; getType?: () => unknown };

/** What type-graphql's metadata says of one resolver class method (the fields this module reads). */
interface Storage {
  fieldResolvers: ReadonlyArray<{ kind: string; target: Function; methodName: string; schemaName: string }>;
  resolverClasses: ReadonlyArray<{ target: Function; getObjectType: () => unknown }>;
  objectTypes: ReadonlyArray<{ target: Function; name: string }>;
  params: readonly Param[];
  middlewares: ReadonlyArray<{ target: Function; fieldName: string }>;
  resolverMiddlewares: ReadonlyArray<{ target: Function }>;
  authorizedFields: ReadonlyArray<{ target: Function; fieldName: string }>;
  authorizedResolver: ReadonlyArray<{ target: Function }>;
}

/**
 * Replaces the `resolve` of every eligible field resolver of `resolverClasses` in `schema` (built
 * from them by type-graphql, without global middlewares or an auth checker). Returns the
 * replaced fields as `Type.field`.
 */
export function useDirectFieldResolvers(schema: GraphQLSchema, resolverClasses: readonly Function[]): string[] {
  const storage = getMetadataStorage() as unknown as Storage;
  const classes = new Set(resolverClasses);
  const instances = new Map<Function, Record<string, (...args: unknown[]) => unknown>>();
  const replaced: string[] = [];
  const objectClassOf = (target: Function) => storage.resolverClasses.find((r) => r.target === target)?.getObjectType();
  const ours = storage.fieldResolvers.filter((r) => r.kind === "external" && classes.has(r.target));
  for (const resolver of ours) {
    const { target, methodName } = resolver;
    const objectClass = objectClassOf(target);
    // Two classes resolving the same field: leave type-graphql's choice alone.
    if (ours.some((other) => other !== resolver && other.schemaName === resolver.schemaName && objectClassOf(other.target) === objectClass)) continue;
    if (storage.resolverMiddlewares.some((m) => m.target === target) || storage.authorizedResolver.some((a) => a.target === target)) continue;
    if (storage.middlewares.some((m) => m.target === target && m.fieldName === methodName)) continue;
    if (storage.authorizedFields.some((a) => a.target === target && a.fieldName === methodName)) continue;
    const params = storage.params.filter((p) => p.target === target && p.methodName === methodName).sort((a, b) => a.index - b.index);
    const plain = params.every((p, i) => p.index === i && (p.kind === "info" || ((p.kind === "root" || p.kind === "context") && !p.propertyName)));
    if (!plain) continue;
    const typeName = storage.objectTypes.find((o) => o.target === objectClass)?.name;
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = type instanceof GraphQLObjectType ? type.getFields()[resolver.schemaName] : undefined;
    if (!field?.resolve) continue;

    let instance = instances.get(target);
    if (!instance) instances.set(target, (instance = new (target as new () => Record<string, (...args: unknown[]) => unknown>)()));
    const method = instance[methodName];
    if (typeof method !== "function") continue;
    const self = instance;
    const handler = field.resolve;
    // A root declared as a class: type-graphql copies a value that is not an instance into one.
    const rootType = params.find((p) => p.kind === "root")?.getType?.();
    const rootClass = typeof rootType === "function" && rootType !== Object ? rootType : undefined;
    const pick = params.map((p) => p.kind);
    const direct: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) => {
      if (rootClass && root !== null && root !== undefined && !(root instanceof rootClass)) return handler(root, args, context, info);
      switch (pick.length) {
        case 0:
          return method.call(self);
        case 1:
          return method.call(self, arg(pick[0]!, root, context, info));
        case 2:
          return method.call(self, arg(pick[0]!, root, context, info), arg(pick[1]!, root, context, info));
        default:
          return method.apply(self, pick.map((kind) => arg(kind, root, context, info)));
      }
    };
    field.resolve = direct;
    replaced.push(`${typeName}.${resolver.schemaName}`);
  }
  return replaced;
}

function arg(kind: string, root: unknown, context: unknown, info: unknown): unknown {
  return kind === "root" ? root : kind === "context" ? context : info;
}
