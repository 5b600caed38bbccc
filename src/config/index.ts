export { ConfigError, loadConfig, loadConfigFromProcess, isDemoMode, HIGHLEVEL_ED25519_PUBLIC_KEY_PEM, HIGHLEVEL_RSA_PUBLIC_KEY_PEM } from "./config.js";
export type { Config, LogLevel } from "./config.js";
export { loadFieldMappingFile, parseFieldMapping, withDemoFieldMapping, mappingProblems, checkMappedField, MAPPED_TYPES } from "./field-mapping.parse.js";
export type { FieldMapping, MappedField, MappedType, MappingProblem, DefinitionLike } from "./field-mapping.parse.js";
