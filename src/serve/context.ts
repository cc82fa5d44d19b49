/**
 * What every route of one server shares: its configuration, store, pool, clients, metrics and
 * the key that signs image URLs; and the small hooks the provider routes have in common.
 * @internal
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from './auth.js';
import type { ResolvedServeConfig, ServeClientConfig } from './config.js';
import type { ServeMetrics } from './metrics.js';
import type { WorkerPool } from './pool.js';
import type { BucketResult, ServeStore } from './store.js';

/** The shared state of one server. */
export interface ServeContext {
  config: ResolvedServeConfig;
  store: ServeStore;
  pool: WorkerPool;
  auth: Authenticator;
  metrics: ServeMetrics;
  urlKey: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client's id, once known. */
    clientId: string | undefined;
  }
}

/** Records the client on the request and in every later log line of it. */
export function identify(request: FastifyRequest, reply: FastifyReply, clientId: string): void {
  request.clientId = clientId;
  request.log = request.log.child({ clientId });
  reply.log = request.log;
}

/** The client's bucket: its own limit, else the service's. */
export function takeToken(ctx: ServeContext, provider: string, client: ServeClientConfig): Promise<BucketResult> {
  return ctx.store.take(`rate:${provider}:${client.clientId}`, client.rateLimit ?? ctx.config.rateLimit);
}

/**
 * Answers an error before the request's body has been read whole: the connection is closed after
 * the answer, so the rest of an upload is never read (Node ends the socket instead of draining it).
 */
export function closeIfUnread(request: FastifyRequest, reply: FastifyReply): void {
  if (!request.raw.complete) reply.header('connection', 'close');
}

/** The base URL clients reached this server at: the configured public URL, else protocol and Host. */
export function baseUrl(ctx: ServeContext, request: FastifyRequest): string {
  return ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** True when the request's Content-Type is `type` (parameters ignored). */
export function hasContentType(request: FastifyRequest, type: string): boolean {
  const header = request.headers['content-type'];
  return typeof header === 'string' && header.split(';')[0]!.trim().toLowerCase() === type;
}
