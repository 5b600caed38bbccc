/** The GraphQL surface: schema builder, context, error policy. */
export { buildGatewaySchema, READ_RESOLVERS } from "./schema.js";
export { rootScopes, Scopes } from "./root-scopes.js";
export type { RootScopes, RootOperationType } from "./root-scopes.js";
export type { BuildGatewaySchemaOptions } from "./schema.js";
export { createGatewayContext } from "./context.js";
export type { GatewayContext, GatewayServices, CreateContextOptions } from "./context.js";
export {
  ERROR_CODES,
  MASKED_MESSAGE,
  createFormatError,
  formatGraphQLError,
  gatewayError,
  badUserInput,
  toGatewayError,
  upstreamToGraphQLError,
} from "./common/errors.js";
export type { GatewayErrorCode } from "./common/errors.js";
export { DateTimeScalar, toDate, toDateTime } from "./common/scalars.js";
export { ContactRecord } from "./contact/contact.record.js";
export { Contact, CustomFieldValue } from "./contact/contact.type.js";
export { Task } from "./task/task.type.js";
export { Note } from "./note/note.type.js";
export { Appointment } from "./appointment/appointment.type.js";
