/**
 * Didit v2 routes: `POST /v2/face-match/`, `POST /auth/v2/token/` and the signed face-crop images.
 * Every answer body comes from the library's Didit formatter (`toDiditResponse`, `toDiditError`,
 * `diditAuthError`) or has Didit's `{ detail }` error shape.
 * @internal
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeReceived } from '../errors.js';
import { FaceMatchError, isFaceMatchError } from '../errors.js';
import { diditAuthError, DIDIT_FIELDS, parseDiditOptions, toDiditError, toDiditResponse, type DiditImageKind } from '../providers/didit.js';
import type { DiditClientConfig } from './config.js';
import { baseUrl, closeIfUnread, hasContentType, identify, routeBodyLimit, takeToken, type ServeContext } from './context.js';
import { checkImageUrl, IMAGE_ROUTE_PREFIX, signedImagePath } from './image-urls.js';
import { matchResultOf, type DiditJobResult } from './jobs.js';
import { FormError, readForm } from './multipart.js';
import { DeadlineError, QueueFullError } from './pool.js';
import { randomToken } from './secrets.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Didit client of a face-match request, once authenticated. */
    diditClient: DiditClientConfig | undefined;
  }
}

function detail(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).send({ detail: text });
}

function tooMany(reply: FastifyReply, retryAfterSeconds: number, why: string): FastifyReply {
  return reply.code(429).header('retry-after', String(retryAfterSeconds)).send({ detail: `Too many requests: ${why}. Retry after ${retryAfterSeconds} s.` });
}

/** The Didit answer to anything thrown while serving a face match. */
function sendDiditError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  closeIfUnread(request, reply);
  if (err instanceof QueueFullError) return tooMany(reply, err.retryAfterSeconds, 'the service is at capacity');
  if (err instanceof DeadlineError) {
    return reply.code(503).header('retry-after', '1').send({ detail: `The face match did not finish within the service's deadline of ${err.deadlineMs} ms.` });
  }
  let error = err;
  if (err instanceof FormError) {
    error =
      err.kind === 'too-large'
        ? new FaceMatchError('FILE_TOO_LARGE', err.message, { field: err.field, details: { maxBytes: err.maxBytes } })
        : new FaceMatchError('INVALID_INPUT', err.message, { field: err.field });
  }
  const fastifyCode = (err as FastifyError | undefined)?.code;
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fastifyCode === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    error = new FaceMatchError('INVALID_INPUT', `Expected Content-Type multipart/form-data but received ${JSON.stringify(String(request.headers['content-type'] ?? 'none').slice(0, 100))}`, { field: 'content-type' });
  } else if (typeof fastifyCode === 'string' && fastifyCode.startsWith('FST_') && (err as FastifyError).statusCode !== undefined && (err as FastifyError).statusCode! < 500) {
    error = new FaceMatchError('INVALID_INPUT', `Expected a well-formed request but it could not be read: ${(err as Error).message}`, { field: 'request' });
  }
  if (!isFaceMatchError(error)) request.log.error({ err }, 'face match failed');
  const answer = toDiditError(error, { requestId: request.id });
  return reply.code(answer.status).send(answer.body);
}

/** Registers the Didit routes on `app`. */
export function diditRoutes(ctx: ServeContext, options: { faceMatch: boolean }) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.decorateRequest('diditClient', undefined);
    app.setErrorHandler((err, request, reply) => {
      if (request.routeOptions.url?.startsWith('/auth/')) {
        closeIfUnread(request, reply);
        const status = (err as FastifyError).statusCode ?? 500;
        if (status >= 500) request.log.error({ err }, 'token request failed');
        return detail(reply, status >= 500 ? 500 : 400, status >= 500 ? 'The token could not be issued because of a server error.' : `Expected a form body grant_type=client_credentials but it could not be read: ${(err as Error).message}`);
      }
      return sendDiditError(request, reply, err);
    });

    // Didit's token endpoint: Basic client credentials, form body, a 24-hour bearer token.
    app.register(async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      scope.post('/auth/v2/token', {
        bodyLimit: 4096,
        onRequest: async (request, reply) => {
          const outcome = await ctx.auth.diditBasic(request.headers.authorization);
          if (outcome.ok) return void identify(request, reply, outcome.client.clientId);
          if (outcome.clientId) identify(request, reply, outcome.clientId);
          closeIfUnread(request, reply, routeBodyLimit(ctx, 'didit-token'));
          if (outcome.reason === 'throttled') return tooMany(reply, outcome.retryAfterSeconds ?? 1, 'too many token requests for this client');
          if (outcome.reason === 'disabled') return detail(reply, 403, 'This client is not authorized to obtain access tokens.');
          return detail(reply, 401, outcome.reason === 'missing' ? 'Expected Authorization: Basic base64(client_id:client_secret).' : 'Invalid client credentials.');
        },
        handler: async (request, reply) => {
          if (!hasContentType(request, 'application/x-www-form-urlencoded')) {
            return detail(reply, 400, `Expected Content-Type application/x-www-form-urlencoded but received ${JSON.stringify(String(request.headers['content-type'] ?? 'none').slice(0, 100))}.`);
          }
          const grant = (request.body as Record<string, unknown> | undefined)?.grant_type;
          if (grant !== 'client_credentials') {
            return detail(reply, 400, `Expected grant_type=client_credentials but received ${grant === undefined ? 'none' : JSON.stringify((typeof grant === 'string' ? grant : describeReceived(grant)).slice(0, 60))}.`);
          }
          const client = ctx.auth.diditClient(request.clientId!)!;
          const token = await ctx.auth.issueToken(client);
          request.log.info({ expiresIn: token.expires_in }, 'access token issued');
          return reply.header('cache-control', 'no-store').send({
            iss: ctx.config.publicUrl ?? 'facematch',
            iat: token.iat,
            sub: client.applicationId ?? client.clientId,
            client_id: client.clientId,
            organization_id: client.organizationId ?? client.clientId,
            expires_in: token.expires_in,
            exp: token.exp,
            access_token: token.access_token,
          });
        },
      });
    });

    if (!options.faceMatch) return;

    // Signed face crops: the source_image / target_image of a response, for imageTtlSeconds.
    app.get<{ Params: { file: string }; Querystring: { exp?: string; sig?: string } }>(`${IMAGE_ROUTE_PREFIX}:file`, async (request, reply) => {
      const id = request.params.file.replace(/\.jpg$/, '');
      const check = checkImageUrl(ctx.urlKey, id, request.query.exp, request.query.sig);
      if (check === 'bad') return detail(reply, 404, 'Not found.');
      if (check === 'expired') return detail(reply, 410, 'This image URL has expired.');
      const image = await ctx.store.getImage(id);
      if (!image) return detail(reply, 404, 'Not found.');
      const maxAge = Math.max(0, Number(request.query.exp) - Math.floor(Date.now() / 1000));
      return reply
        .header('content-type', image.contentType)
        .header('cache-control', `private, max-age=${maxAge}`)
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength));
    });

    app.post('/v2/face-match', {
      onRequest: async (request, reply) => {
        const outcome = await ctx.auth.diditBearer(request.headers.authorization);
        if (!outcome.ok) {
          if (outcome.clientId) identify(request, reply, outcome.clientId);
          closeIfUnread(request, reply, routeBodyLimit(ctx, 'didit-match'));
          const answer = diditAuthError(outcome.reason === 'disabled' ? 'forbidden' : 'unauthorized');
          return reply.code(answer.status).send(answer.body);
        }
        identify(request, reply, outcome.client.clientId);
        request.diditClient = outcome.client;
        const bucket = await takeToken(ctx, 'didit', outcome.client);
        if (!bucket.allowed) {
          ctx.metrics.rejected.inc({ reason: 'rate_limited' });
          closeIfUnread(request, reply, routeBodyLimit(ctx, 'didit-match'));
          return tooMany(reply, bucket.retryAfterSeconds, 'rate limit exceeded for this client');
        }
        if (ctx.pool.saturated()) {
          ctx.metrics.rejected.inc({ reason: 'queue_full' });
          closeIfUnread(request, reply, routeBodyLimit(ctx, 'didit-match'));
          return tooMany(reply, ctx.pool.retryAfterSeconds(), 'the service is at capacity');
        }
      },
      handler: async (request, reply) => {
        if (!request.isMultipart()) {
          return sendDiditError(request, reply, new FaceMatchError('INVALID_INPUT', `Expected Content-Type multipart/form-data but received ${JSON.stringify(String(request.headers['content-type'] ?? 'none').slice(0, 100))}`, { field: 'content-type' }));
        }
        const max = ctx.config.didit.maxImageBytes;
        let result: DiditJobResult;
        let options;
        try {
          const form = await readForm(request, { [DIDIT_FIELDS.source]: max, [DIDIT_FIELDS.target]: max, options: 64 * 1024 });
          for (const field of [DIDIT_FIELDS.source, DIDIT_FIELDS.target]) {
            if (!form.has(field)) throw new FaceMatchError('INVALID_INPUT', `Expected a file in the ${field} field of the form but it is missing`, { field });
          }
          options = parseDiditOptions(form.has('options') ? Buffer.from(form.get('options')!.bytes).toString('utf8') : undefined);
          const value = await ctx.pool.run({ kind: 'didit', user: form.get(DIDIT_FIELDS.source)!.bytes, ref: form.get(DIDIT_FIELDS.target)!.bytes });
          if (value.kind !== 'didit') throw new Error('Expected a Didit result from the worker');
          result = value;
        } catch (err) {
          if (err instanceof QueueFullError) ctx.metrics.rejected.inc({ reason: 'queue_full' });
          if (err instanceof DeadlineError) ctx.metrics.rejected.inc({ reason: 'deadline' });
          if (isFaceMatchError(err)) request.log.info({ code: err.code, field: err.field }, 'face match refused');
          return sendDiditError(request, reply, err);
        }
        const imageUrl = async (kind: DiditImageKind): Promise<string> => {
          const bytes = result.chips[kind];
          const id = randomToken(18);
          const ttl = ctx.config.didit.imageTtlSeconds;
          await ctx.store.putImage(id, { contentType: 'image/jpeg', bytes }, ttl);
          return `${baseUrl(ctx, request)}${signedImagePath(ctx.urlKey, id, Math.floor(Date.now() / 1000) + ttl)}`;
        };
        try {
          const body = await toDiditResponse(matchResultOf(result.result), {
            ...options,
            ...(ctx.config.didit.approveThreshold === undefined ? {} : { approveThreshold: ctx.config.didit.approveThreshold }),
            requestId: request.id,
            imageUrl,
          });
          request.log.info({ status: body.face_match.status, score: body.face_match.score, timings: result.result.timings }, 'face match done');
          return reply.send(body);
        } catch (err) {
          return sendDiditError(request, reply, err);
        }
      },
    });
  };
}
