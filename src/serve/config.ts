/**
 * The service's configuration: its types, the JSON Schema check (ajv, `schemas/serve-config.schema.json`),
 * defaults, and the environment-variable overrides.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { FaceMatchError, clip, describeReceived } from '../errors.js';
import type { FaceMatcherOptions } from '../matcher-options.js';
import { packageRoot } from '../runtime/package.js';
import { hashSecret, randomAlphanumeric, randomToken } from './secrets.js';
import type { RateLimit } from './store.js';

/**
 * Fields every client entry has.
 *
 * @category Service
 */
export interface ServeClientConfig {
  /** Public client id. */
  clientId: string;
  /** A label for logs. */
  name?: string;
  /** Refuse this client with the provider's 403. */
  disabled?: boolean;
  /** This client's own bucket, instead of the service's default. */
  rateLimit?: RateLimit;
}

/**
 * A Didit client: it exchanges `clientId:secret` for access tokens.
 *
 * @category Service
 */
export interface DiditClientConfig extends ServeClientConfig {
  /** scrypt hash of the client secret ({@link hashSecret}). */
  secretHash: string;
  /** The token's `sub`. Default: the client id. */
  applicationId?: string;
  /** The token's `organization_id`. Default: the client id. */
  organizationId?: string;
}

/**
 * An Attestr client: it sends `Authorization: Basic <authToken>` on every call.
 *
 * @category Service
 */
export interface AttestrClientConfig extends ServeClientConfig {
  /** scrypt hash of the auth token ({@link hashSecret}). */
  tokenHash: string;
}

/**
 * The in-process store.
 *
 * @category Service
 */
export interface MemoryStoreConfig {
  /** `memory`. */
  type: 'memory';
  /** Most bytes of media and crops held. Default 512 MiB. */
  maxBytes?: number;
}

/**
 * The Redis store, shared by several instances.
 *
 * @category Service
 */
export interface RedisStoreConfig {
  /** `redis`. */
  type: 'redis';
  /** Connection URL, such as `redis://127.0.0.1:6379/0`. */
  url: string;
  /** Prefix of every key. Default `facematch:`. */
  keyPrefix?: string;
}

/**
 * Where the service keeps its state.
 *
 * @category Service
 */
export type StoreConfig = MemoryStoreConfig | RedisStoreConfig;

/**
 * The bounded queue in front of the workers.
 *
 * @category Service
 */
export interface QueueConfig {
  /** Requests that may wait for a worker; beyond it the provider's 429 is sent at once. Default 16 per worker. */
  maxWaiting?: number;
  /** Per-request deadline from queueing to answer, ms. Default 30000. */
  deadlineMs?: number;
}

/**
 * The Didit routes.
 *
 * @category Service
 */
export interface DiditConfig {
  /** Serve them. Default true. */
  enabled?: boolean;
  /** Clients allowed to obtain access tokens. */
  clients?: DiditClientConfig[];
  /** Life of an access token (`expires_in`), seconds. Default 86400. */
  tokenTtlSeconds?: number;
  /** Life of the `source_image` / `target_image` URLs, seconds. Default 3600. */
  imageTtlSeconds?: number;
  /** Scores at or above it are Approved. Default: the library's `DEFAULT_APPROVE_THRESHOLD`. */
  approveThreshold?: number;
  /** Largest `user_image` / `ref_image` accepted while streaming, bytes. Default 5 MiB. */
  maxImageBytes?: number;
}

/**
 * The Attestr routes.
 *
 * @category Service
 */
export interface AttestrConfig {
  /** Serve them. Default true. */
  enabled?: boolean;
  /** Clients allowed to call them. */
  clients?: AttestrClientConfig[];
  /** Life of an uploaded media id, seconds. Default 3600. */
  mediaTtlSeconds?: number;
  /** Largest media upload accepted while streaming, bytes. Default 15 MiB. */
  maxUploadBytes?: number;
}

/**
 * Logging.
 *
 * @category Service
 */
export interface LogConfig {
  /** pino level. Default `info`. */
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/**
 * Prometheus metrics.
 *
 * @category Service
 */
export interface MetricsConfig {
  /** Serve `GET /metrics`. Default true. */
  enabled?: boolean;
}

/**
 * The configuration file of `facematch serve`, as `schemas/serve-config.schema.json` describes it.
 * Every field is optional; {@link resolveServeConfig} fills in the defaults.
 *
 * @category Service
 */
export interface ServeConfig {
  /** Path or URL of the schema, for editors. */
  $schema?: string;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Main port. Default 8080; 0 picks a free one. */
  port?: number;
  /** Optional second port serving only the Didit token endpoint. */
  authPort?: number | null;
  /** Base URL of the face-crop links. Default: from the request's Host header. */
  publicUrl?: string;
  /** Inference worker threads. Default: one per core. */
  workers?: number;
  /** The bounded queue in front of the workers. */
  queue?: QueueConfig;
  /** Grace period on SIGTERM, ms. Default 30000. */
  shutdownGraceMs?: number;
  /** The store. Default memory. */
  store?: StoreConfig;
  /** HMAC key of the face-crop URLs (at least 32 characters). Default: random, kept in the store. */
  urlSecret?: string;
  /** Default per-client rate limit. Default 20 at once, 10 per second. */
  rateLimit?: RateLimit;
  /** Didit routes. */
  didit?: DiditConfig;
  /** Attestr routes. */
  attestr?: AttestrConfig;
  /** Options of every worker's `FaceMatcher.create`, passed through unchanged (JSON-serialisable ones). */
  matcher?: FaceMatcherOptions;
  /** Logging. */
  log?: LogConfig;
  /** Prometheus metrics. */
  metrics?: MetricsConfig;
}

/**
 * A {@link ServeConfig} with every default filled in.
 *
 * @category Service
 */
export interface ResolvedServeConfig {
  /** Listen address. */
  host: string;
  /** Main port. */
  port: number;
  /** Second port for the token endpoint, or null. */
  authPort: number | null;
  /** Base URL of face-crop links, or null to use the Host header. */
  publicUrl: string | null;
  /** Worker threads. */
  workers: number;
  /** Queue limits. */
  queue: Required<QueueConfig>;
  /** Grace period on SIGTERM, ms. */
  shutdownGraceMs: number;
  /** The store. */
  store: StoreConfig;
  /** HMAC key, or null for one kept in the store. */
  urlSecret: string | null;
  /** Default rate limit. */
  rateLimit: RateLimit;
  /** Didit settings (`approveThreshold` may stay undefined: the library's default). */
  didit: Required<Omit<DiditConfig, 'approveThreshold'>> & Pick<DiditConfig, 'approveThreshold'>;
  /** Attestr settings. */
  attestr: Required<AttestrConfig>;
  /** Matcher options. */
  matcher: FaceMatcherOptions;
  /** Log level. */
  log: Required<LogConfig>;
  /** Metrics on or off. */
  metrics: Required<MetricsConfig>;
}

/** Didit's 5 MB per image and Attestr's 15 MB per media upload, in bytes. */
const MB = 1024 * 1024;

type AddFormats = (ajv: Ajv2020) => unknown;
const formatsExport = addFormatsModule as unknown as AddFormats & { default?: AddFormats };
const addFormats: AddFormats = formatsExport.default ?? formatsExport;

let validator: ValidateFunction | undefined;

/**
 * Path of `schemas/serve-config.schema.json` in the installed package.
 *
 * @category Service
 */
export function serveConfigSchemaPath(): string {
  return path.join(packageRoot(), 'schemas', 'serve-config.schema.json');
}

function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(serveConfigSchemaPath(), 'utf8')) as object);
  }
  return validator;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const key of pointer.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

function describeError(config: unknown, e: ErrorObject): string {
  const at = e.instancePath === '' ? 'the configuration' : e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
    const key = (e.params as { additionalProperty?: string; unevaluatedProperty?: string }).additionalProperty ?? (e.params as { unevaluatedProperty?: string }).unevaluatedProperty;
    return `Expected only known keys in ${at} but received the key ${JSON.stringify(clip(String(key), 60))}`;
  }
  let wanted = (e.message ?? 'be valid').replace(/^must /, '');
  if (e.keyword === 'const') wanted = `be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  if (e.keyword === 'enum') wanted = `be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `Expected ${at} to ${wanted} but received ${describeReceived(valueAt(config, e.instancePath))}`;
}

/**
 * Checks a configuration against `schemas/serve-config.schema.json`.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `config`, or the path of the first bad
 * value) listing every problem found.
 * @category Service
 */
export function checkServeConfig(config: unknown): ServeConfig {
  const check = validate();
  if (check(config)) return config as ServeConfig;
  const errors = (check.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'allOf');
  const seen = new Set<string>();
  const lines = errors.map((e) => describeError(config, e)).filter((l) => !seen.has(l) && seen.add(l));
  const first = errors[0];
  const field = first && first.instancePath !== '' ? `config${first.instancePath.replace(/\//g, '.')}` : 'config';
  throw new FaceMatchError('INVALID_INPUT', `Invalid facematch serve configuration: ${lines.slice(0, 8).join('; ')}`, {
    field,
    details: { problems: lines },
  });
}

/**
 * Reads and checks a configuration file (JSON).
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the file is missing, not JSON or not valid.
 * @category Service
 */
export function readServeConfig(file: string): ServeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FaceMatchError('INVALID_INPUT', `Expected a readable configuration file at ${JSON.stringify(clip(file))} but it could not be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
      field: 'config',
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new FaceMatchError('INVALID_INPUT', `Expected JSON in ${JSON.stringify(clip(file))} but it does not parse: ${(cause as Error).message}`, { field: 'config', cause });
  }
  return checkServeConfig(parsed);
}

/**
 * The environment variables that override the file, and the setting each one sets.
 *
 * @category Service
 */
export const SERVE_ENV: Readonly<Record<string, string>> = Object.freeze({
  FACEMATCH_SERVE_HOST: 'host',
  FACEMATCH_SERVE_PORT: 'port',
  FACEMATCH_SERVE_AUTH_PORT: 'authPort',
  FACEMATCH_SERVE_PUBLIC_URL: 'publicUrl',
  FACEMATCH_SERVE_WORKERS: 'workers',
  FACEMATCH_SERVE_QUEUE_MAX: 'queue.maxWaiting',
  FACEMATCH_SERVE_DEADLINE_MS: 'queue.deadlineMs',
  FACEMATCH_SERVE_REDIS_URL: 'store (type redis, url)',
  FACEMATCH_SERVE_URL_SECRET: 'urlSecret',
  FACEMATCH_SERVE_LOG_LEVEL: 'log.level',
});

function numeric(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/**
 * A copy of `config` with the {@link SERVE_ENV} variables and then the `overrides` (command-line
 * flags) applied, checked again against the schema.
 *
 * @category Service
 */
export function applyServeOverrides(config: ServeConfig, env: NodeJS.ProcessEnv = process.env, overrides: Partial<Pick<ServeConfig, 'host' | 'port' | 'workers'>> = {}): ServeConfig {
  const out = structuredClone(config) as ServeConfig & Record<string, unknown>;
  const e = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  if (e('FACEMATCH_SERVE_HOST')) out.host = e('FACEMATCH_SERVE_HOST');
  if (e('FACEMATCH_SERVE_PORT')) out.port = numeric(e('FACEMATCH_SERVE_PORT')!) as number;
  if (e('FACEMATCH_SERVE_AUTH_PORT')) out.authPort = numeric(e('FACEMATCH_SERVE_AUTH_PORT')!) as number;
  if (e('FACEMATCH_SERVE_PUBLIC_URL')) out.publicUrl = e('FACEMATCH_SERVE_PUBLIC_URL');
  if (e('FACEMATCH_SERVE_WORKERS')) out.workers = numeric(e('FACEMATCH_SERVE_WORKERS')!) as number;
  if (e('FACEMATCH_SERVE_QUEUE_MAX')) out.queue = { ...out.queue, maxWaiting: numeric(e('FACEMATCH_SERVE_QUEUE_MAX')!) as number };
  if (e('FACEMATCH_SERVE_DEADLINE_MS')) out.queue = { ...out.queue, deadlineMs: numeric(e('FACEMATCH_SERVE_DEADLINE_MS')!) as number };
  if (e('FACEMATCH_SERVE_REDIS_URL')) {
    const prefix = out.store?.type === 'redis' ? out.store.keyPrefix : undefined;
    out.store = { type: 'redis', url: e('FACEMATCH_SERVE_REDIS_URL')!, ...(prefix === undefined ? {} : { keyPrefix: prefix }) };
  }
  if (e('FACEMATCH_SERVE_URL_SECRET')) out.urlSecret = e('FACEMATCH_SERVE_URL_SECRET');
  if (e('FACEMATCH_SERVE_LOG_LEVEL')) out.log = { ...out.log, level: e('FACEMATCH_SERVE_LOG_LEVEL') as never };
  if (overrides.host !== undefined) out.host = overrides.host;
  if (overrides.port !== undefined) out.port = overrides.port;
  if (overrides.workers !== undefined) out.workers = overrides.workers;
  return checkServeConfig(out);
}

/**
 * Fills in every default of a checked configuration.
 *
 * @category Service
 */
export function resolveServeConfig(config: ServeConfig = {}): ResolvedServeConfig {
  const c = checkServeConfig(config);
  const workers = c.workers ?? Math.max(1, availableParallelism());
  return {
    host: c.host ?? '127.0.0.1',
    port: c.port ?? 8080,
    authPort: c.authPort ?? null,
    publicUrl: c.publicUrl?.replace(/\/+$/, '') ?? null,
    workers,
    queue: { maxWaiting: c.queue?.maxWaiting ?? 16 * workers, deadlineMs: c.queue?.deadlineMs ?? 30_000 },
    shutdownGraceMs: c.shutdownGraceMs ?? 30_000,
    store: c.store ?? { type: 'memory' },
    urlSecret: c.urlSecret ?? null,
    rateLimit: c.rateLimit ?? { burst: 20, perSecond: 10 },
    didit: {
      enabled: c.didit?.enabled ?? true,
      clients: c.didit?.clients ?? [],
      tokenTtlSeconds: c.didit?.tokenTtlSeconds ?? 86_400,
      imageTtlSeconds: c.didit?.imageTtlSeconds ?? 3_600,
      approveThreshold: c.didit?.approveThreshold,
      maxImageBytes: c.didit?.maxImageBytes ?? 5 * MB,
    },
    attestr: {
      enabled: c.attestr?.enabled ?? true,
      clients: c.attestr?.clients ?? [],
      mediaTtlSeconds: c.attestr?.mediaTtlSeconds ?? 3_600,
      maxUploadBytes: c.attestr?.maxUploadBytes ?? 15 * MB,
    },
    matcher: c.matcher ?? {},
    log: { level: c.log?.level ?? 'info' },
    metrics: { enabled: c.metrics?.enabled ?? true },
  };
}

/**
 * The plaintext credentials `facematch serve --init` prints once.
 *
 * @category Service
 */
export interface ServeCredentials {
  /** The Didit client: send `Basic base64(clientId:clientSecret)` to `/auth/v2/token/`. */
  didit: DiditCredentials;
  /** The Attestr client: send `Basic <authToken>`. */
  attestr: AttestrCredentials;
}

/**
 * A Didit client's plaintext credentials.
 *
 * @category Service
 */
export interface DiditCredentials {
  /** The client id. */
  clientId: string;
  /** The client secret. */
  clientSecret: string;
}

/**
 * An Attestr client's plaintext credentials.
 *
 * @category Service
 */
export interface AttestrCredentials {
  /** The token sent as `Authorization: Basic <authToken>`: base64 of `clientId:secret`. */
  authToken: string;
}

/**
 * What {@link createExampleConfig} returns.
 *
 * @category Service
 */
export interface ExampleConfig {
  /** The configuration to write to the file: secrets hashed. */
  config: ServeConfig;
  /** The plaintext credentials, to hand to the clients once. */
  credentials: ServeCredentials;
}

/**
 * A fresh example configuration with one Didit and one Attestr client (their secrets scrypt-hashed
 * in it) and the plaintext credentials, which are not stored anywhere.
 *
 * @category Service
 */
export async function createExampleConfig(): Promise<ExampleConfig> {
  const diditId = `didit-${randomAlphanumeric(12)}`;
  const diditSecret = randomToken(32);
  const attestrId = `attestr-${randomAlphanumeric(12)}`;
  const authToken = Buffer.from(`${attestrId}:${randomToken(32)}`).toString('base64');
  const config: ServeConfig = {
    $schema: serveConfigSchemaPath(),
    host: '127.0.0.1',
    port: 8080,
    authPort: null,
    queue: { deadlineMs: 30_000 },
    shutdownGraceMs: 30_000,
    store: { type: 'memory' },
    urlSecret: randomToken(32),
    rateLimit: { burst: 20, perSecond: 10 },
    didit: {
      enabled: true,
      clients: [{ clientId: diditId, name: 'example Didit client', secretHash: await hashSecret(diditSecret), applicationId: randomUUID(), organizationId: randomUUID() }],
      tokenTtlSeconds: 86_400,
      imageTtlSeconds: 3_600,
    },
    attestr: { enabled: true, clients: [{ clientId: attestrId, name: 'example Attestr client', tokenHash: await hashSecret(authToken) }], mediaTtlSeconds: 3_600 },
    matcher: { backend: 'auto' },
    log: { level: 'info' },
    metrics: { enabled: true },
  };
  return { config: checkServeConfig(config), credentials: { didit: { clientId: diditId, clientSecret: diditSecret }, attestr: { authToken } } };
}
