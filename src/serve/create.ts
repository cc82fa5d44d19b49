/**
 * The public entry of the service, loading fastify, ioredis and prom-client only when a server is
 * created, so that importing the library does not pay for them.
 * @module
 */
import type { CreateServerOptions, FaceMatchServer } from './server.js';

/**
 * Creates the service: connects the store, starts the inference workers (resolving once their
 * models are loaded) and builds the routes. Call {@link FaceMatchServer.listen} to serve, or use
 * {@link FaceMatchServer.app} inside an existing application. See the Self-hosting guide.
 *
 * @example
 * ```ts
 * import { createServer } from 'facematch';
 *
 * const server = await createServer({ config: { port: 8080, workers: 2, didit: { clients: [...] } } });
 * const { url } = await server.listen();
 * process.on('SIGTERM', () => void server.close());
 * ```
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an invalid configuration; `MODEL_ERROR` or
 * `BACKEND_ERROR` when the workers cannot load their models.
 * @category Service
 */
export async function createServer(options: CreateServerOptions = {}): Promise<FaceMatchServer> {
  const { createServerNow } = await import('./server.js');
  return createServerNow(options);
}
