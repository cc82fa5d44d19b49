/**
 * `facematch serve`: a self-hosted face-match service compatible with Didit v2 and Attestr v2.
 * @module
 */
export { createServer } from './create.js';
export type { CreateServerOptions, FaceMatchServer, ServerAddresses } from './server.js';
export {
  applyServeOverrides,
  checkServeConfig,
  createExampleConfig,
  readServeConfig,
  resolveServeConfig,
  serveConfigSchemaPath,
  SERVE_ENV,
  type AttestrClientConfig,
  type AttestrConfig,
  type AttestrCredentials,
  type DiditConfig,
  type DiditCredentials,
  type ExampleConfig,
  type LogConfig,
  type MemoryStoreConfig,
  type MetricsConfig,
  type QueueConfig,
  type RedisStoreConfig,
  type DiditClientConfig,
  type ResolvedServeConfig,
  type ServeClientConfig,
  type ServeConfig,
  type ServeCredentials,
  type StoreConfig,
} from './config.js';
export { hashSecret, verifySecret, isSecretHash } from './secrets.js';
export { matchAttestr, type AttestrImages, type AttestrMatchOptions } from './attestr-match.js';
export type { RateLimit } from './store.js';
