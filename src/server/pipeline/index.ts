/** The operation pipeline and its two transport adapters (HTTP through Apollo, graphql-ws). */
export {
  createOperationPipeline,
  GRAPHQL_BODY_LIMIT_BYTES,
  GRAPHQL_BODY_LIMIT_TEXT,
  MAX_VARIABLES_DEPTH,
  PIPELINE_STAGES,
} from "./operation.pipeline.js";
export type { Admission, OperationPipeline, OperationPipelineOptions, OperationRequest, StageName } from "./operation.pipeline.js";
export {
  apolloHttpHandler,
  apolloPipelineOptions,
  apolloPipelinePlugin,
  checkHttpRequest,
  createHttpAnswers,
  serveStoredAnswers,
  storedAnswerListener,
} from "./apollo.adapter.js";
export type { HttpAnswers } from "./apollo.adapter.js";
export {
  createWebSocketAdapter,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_TOO_MANY_SOCKETS,
  MAX_AUTHORIZATION_CHARS,
  MAX_FRAME_BYTES_BEFORE_INIT,
} from "./ws.adapter.js";
export type { WebSocketAdapter, WebSocketAdapterOptions, WebSocketStats } from "./ws.adapter.js";
export { answerBody, createResponseCache } from "./response-cache.js";
export type { ResponseCache, ResponseCacheOptions, ResponseCacheStats } from "./response-cache.js";
export { appendExtensionsBytes, createResponseExtensions, withExtensions } from "./response-extensions.build.js";
export type { ExecutedOperation, ExtensionValues, ResponseExtension, ResponseExtensions } from "./response-extensions.build.js";
