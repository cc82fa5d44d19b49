/**
 * `createServer`: the Didit v2 / Attestr v2 compatible face-match service as a fastify app, for
 * `facematch serve` or for embedding in an existing application.
 * @module
 */
import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Authenticator } from './auth.js';
import { attestrRoutes } from './attestr-routes.js';
import { resolveServeConfig, type ResolvedServeConfig, type ServeConfig } from './config.js';
import type { ServeContext } from './context.js';
import { diditRoutes } from './didit-routes.js';
import { createMemoryStore } from './memory-store.js';
import { createMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { WorkerPool } from './pool.js';
import { createRedisStore } from './redis-store.js';
import { randomToken } from './secrets.js';
import type { ServeStore } from './store.js';

/**
 * Options of {@link createServer}.
 *
 * @category Service
 */
export interface CreateServerOptions {
  /** The configuration (the file's content); checked against the schema. Default `{}`. */
  config?: ServeConfig;
  /** Where the JSON log lines go. Default standard output. */
  logStream?: NodeJS.WritableStream;
  /** Set false for no logging at all. Default true. */
  logger?: boolean;
}

/**
 * Where a started server listens.
 *
 * @category Service
 */
export interface ServerAddresses {
  /** The main listener, such as `http://127.0.0.1:8080`. */
  url: string;
  /** The token-only listener, when `authPort` is set. */
  authUrl: string | undefined;
}

/**
 * A running service: its fastify apps, its resolved configuration, and how to listen and stop.
 *
 * @category Service
 */
export interface FaceMatchServer {
  /** The configuration with every default filled in. */
  readonly config: ResolvedServeConfig;
  /** The fastify app of the main listener: mount it, `inject` into it, or `listen` through {@link FaceMatchServer.listen}. */
  readonly app: FastifyInstance;
  /** The fastify app of the token-only listener, when `authPort` is set. */
  readonly authApp: FastifyInstance | undefined;
  /** `app.inject`: requests without a socket, for tests. */
  readonly inject: FastifyInstance['inject'];
  /** Starts listening on the configured host and port(s). */
  listen(): Promise<ServerAddresses>;
  /**
   * Stops accepting connections, lets in-flight requests finish, then stops the workers and the
   * store. Idempotent.
   */
  close(): Promise<void>;
  /** @internal */
  readonly pool: WorkerPool;
  /** @internal */
  readonly store: ServeStore;
  /** @internal */
  readonly urlKey: string;
  /** Every route of {@link FaceMatchServer.app}, method and URL. @internal */
  readonly routes: readonly { method: string; url: string }[];
}

function stripQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function fastifyOptions(config: ResolvedServeConfig, options: CreateServerOptions): FastifyServerOptions {
  const logger =
    options.logger === false
      ? false
      : {
          level: config.log.level,
          ...(options.logStream ? { stream: options.logStream } : {}),
          // Never headers (Authorization), never query strings (image URL signatures), never bodies.
          serializers: {
            req: (req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
              method: req.method,
              url: stripQuery(req.url),
              remoteAddress: req.ip ?? req.socket?.remoteAddress,
            }),
            res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          },
          redact: { paths: ['req.headers', 'headers', 'authorization', '*.authorization'], censor: '[redacted]' },
        };
  return {
    logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    bodyLimit: 1024 * 1024,
  };
}

async function openStore(config: ResolvedServeConfig): Promise<ServeStore> {
  return config.store.type === 'redis'
    ? createRedisStore({ url: config.store.url, ...(config.store.keyPrefix === undefined ? {} : { keyPrefix: config.store.keyPrefix }) })
    : createMemoryStore(config.store.maxBytes === undefined ? {} : { maxBytes: config.store.maxBytes });
}

function opsRoutes(ctx: ServeContext, closing: () => boolean) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const stats = ctx.pool.stats();
      const store = await ctx.store.ping();
      const ready = !closing() && stats.ready > 0 && !ctx.pool.saturated() && store;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', workers: { size: stats.size, ready: stats.ready, busy: stats.busy }, queue: { waiting: stats.waiting, capacity: stats.maxWaiting }, store: store ? 'ok' : 'unreachable' });
    });
    if (ctx.config.metrics.enabled) {
      app.get('/metrics', async (_request, reply) => reply.header('content-type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()));
    }
    app.get('/openapi.json', async () => openApiDocument());
  };
}

function instrument(app: FastifyInstance, ctx: ServeContext, closing: () => boolean): void {
  // While shutting down, answers close their connection: a kept-alive socket would hold close() open.
  app.addHook('onSend', async (_request, reply) => {
    if (closing()) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
}

/**
 * {@link createServer}'s implementation, loaded on demand.
 *
 * @internal
 */
export async function createServerNow(options: CreateServerOptions = {}): Promise<FaceMatchServer> {
  const config = resolveServeConfig(options.config ?? {});
  const store = await openStore(config);
  let pool: WorkerPool | undefined;
  try {
    const metrics = createMetrics(() => pool, store);
    let log: FastifyBaseLogger | undefined;
    pool = new WorkerPool({
      size: config.workers,
      maxWaiting: config.queue.maxWaiting,
      deadlineMs: config.queue.deadlineMs,
      init: { matcher: config.matcher },
      onEvent: (event) => {
        metrics.onPoolEvent(event);
        if (event.type !== 'job-done') log?.warn({ event }, 'inference pool event');
      },
    });
    await pool.start();
    const urlKey = config.urlSecret ?? (await store.sharedValue('url-key', () => randomToken(32)));
    const auth = new Authenticator({ store, didit: config.didit.clients, attestr: config.attestr.clients, tokenTtlSeconds: config.didit.tokenTtlSeconds });
    const ctx: ServeContext = { config, store, pool, auth, metrics, urlKey };
    let closing = false;

    const app = Fastify(fastifyOptions(config, options));
    const routes: { method: string; url: string }[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
    });
    app.decorateRequest('clientId', undefined);
    await app.register(multipart);
    instrument(app, ctx, () => closing);
    await app.register(opsRoutes(ctx, () => closing));
    if (config.didit.enabled) await app.register(diditRoutes(ctx, { faceMatch: true }));
    if (config.attestr.enabled) await app.register(attestrRoutes(ctx));
    log = app.log;

    let authApp: FastifyInstance | undefined;
    if (config.authPort !== null && config.didit.enabled) {
      authApp = Fastify(fastifyOptions(config, options));
      authApp.decorateRequest('clientId', undefined);
      instrument(authApp, ctx, () => closing);
      await authApp.register(diditRoutes(ctx, { faceMatch: false }));
    }
    await app.ready();
    await authApp?.ready();

    let closed: Promise<void> | undefined;
    const livePool = pool;
    return {
      config,
      app,
      authApp,
      inject: app.inject.bind(app),
      pool: livePool,
      store,
      urlKey,
      routes,
      async listen() {
        const url = await app.listen({ host: config.host, port: config.port });
        const authUrl = authApp ? await authApp.listen({ host: config.host, port: config.authPort! }) : undefined;
        return { url, authUrl };
      },
      close() {
        closed ??= (async () => {
          closing = true;
          await Promise.all([app.close(), authApp?.close()]);
          await livePool.close();
          await store.close();
        })();
        return closed;
      },
    };
  } catch (err) {
    await pool?.close(true);
    await store.close();
    throw err;
  }
}
