/**
 * A walk of one operation as graphql's executor sees it: the operation, then each fragment it
 * reaches (spread anywhere below, at any depth), each once, with type information; fragments and
 * other operations of the document that it does not reach are not visited. Used where a judgement
 * depends on the operation alone (id-arguments.check.ts: which fields take IDs;
 * src/server/pipeline/execution.runner.ts: whether it may be compiled).
 */
import {
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";

/**
 * Visits `operation` and the fragments it reaches, each with the visitor `visitorFor` gives (a
 * fresh `TypeInfo` per definition; the visitor must not handle `FragmentSpread`, the walk does).
 * `BREAK` from the visitor ends that definition's visit; `done()`, asked before each next one,
 * ends the walk.
 */
export function visitOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  visitorFor: (typeInfo: TypeInfo) => ASTVisitor,
  done: () => boolean = () => false,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const queue: Array<OperationDefinitionNode | FragmentDefinitionNode> = [operation];
  const queued = new Set<string>();
  while (queue.length > 0 && !done()) {
    const typeInfo = new TypeInfo(schema);
    visit(
      queue.shift()!,
      visitWithTypeInfo(typeInfo, {
        ...visitorFor(typeInfo),
        FragmentSpread(node) {
          const fragment = fragments.get(node.name.value);
          if (fragment && !queued.has(node.name.value)) {
            queued.add(node.name.value);
            queue.push(fragment);
          }
        },
      }),
    );
  }
}
