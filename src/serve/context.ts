/**
 * What every route of one server shares: its configuration, store, pool, clients, metrics and
 * the key that signs image URLs; and the small hooks the provider routes have in common.
 * @internal
 * @module
 */
import type { Socket } from 'node:net';
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
 * Prepares an answer sent before the request's body has been read whole. By default the
 * connection closes after the answer, so the rest of an upload is never read. With `drainUpTo`,
 * a body not yet touched whose declared Content-Length is at most that many bytes is instead left
 * for Node to read and discard after the answer, keeping the connection: a client still uploading
 * then reliably reads the 401 or 429 instead of a reset connection.
 */
export function closeIfUnread(request: FastifyRequest, reply: FastifyReply, drainUpTo = 0): void {
  if (request.raw.complete) return;
  const declared = Number(request.headers['content-length']);
  if (drainUpTo > 0 && !request.raw.readableDidRead && Number.isInteger(declared) && declared >= 0 && declared <= drainUpTo) return;
  reply.header('connection', 'close');
  lingerOnClose(request.raw.socket);
}

/** How long a closing connection stays open after its answer, for the client to read it. */
const LINGER_MS = 2000;

/**
 * After an answer with `Connection: close`, Node ends the socket and destroys it at once. With
 * upload bytes still arriving, the destroy sends a TCP reset, and a client that has not yet read
 * the answer loses it (its fetch fails with EPIPE or ECONNRESET). Here the socket sends its FIN
 * and then lingers: it is destroyed when the client closes its side, or after {@link LINGER_MS}.
 * While it lingers, the unread body is not read: the client's upload stalls on TCP back-pressure.
 */
function lingerOnClose(socket: Socket | null): void {
  if (!socket || (socket as Socket & { facematchLinger?: boolean }).facematchLinger) return;
  (socket as Socket & { facematchLinger?: boolean }).facematchLinger = true;
  socket.destroySoon = function destroySoon(this: Socket): void {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
  };
}

/** Multipart framing allowance on top of the parts' own limits. */
const FORM_OVERHEAD = 64 * 1024;

/** The largest body a route accepts, for {@link closeIfUnread}'s `drainUpTo`. */
export function routeBodyLimit(ctx: ServeContext, route: 'didit-match' | 'didit-token' | 'attestr-media' | 'attestr-match'): number {
  switch (route) {
    case 'didit-match':
      return 2 * ctx.config.didit.maxImageBytes + 2 * FORM_OVERHEAD;
    case 'didit-token':
      return 4096;
    case 'attestr-media':
      return ctx.config.attestr.maxUploadBytes + FORM_OVERHEAD;
    case 'attestr-match':
      return 64 * 1024;
  }
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
