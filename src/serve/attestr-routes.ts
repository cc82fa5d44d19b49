/**
 * Attestr v2 routes: `POST /api/v2/public/media/image/multipart` (media upload) and
 * `POST /api/v2/public/facex/match`. Bodies come from the library's Attestr formatter
 * (`toAttestrResponse`, `toAttestrError`, `attestrError`).
 * @internal
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clip, describeReceived, FaceMatchError, invalidInput, isFaceMatchError } from '../errors.js';
import { sniffFormat } from '../image/sniff.js';
import { ATTESTR_DOCUMENT_TYPES, ATTESTR_FIELDS, attestrError, checkAttestrOptions, toAttestrError, toAttestrResponse, type AttestrDocumentType, type AttestrErrorCode } from '../providers/attestr.js';
import { attestrMediaError, type AttestrMediaErrorCode } from './attestr-media.js';
import type { AttestrClientConfig } from './config.js';
import { closeIfUnread, hasContentType, identify, routeBodyLimit, takeToken, type ServeContext } from './context.js';
import { attestrInputOf } from './jobs.js';
import { FormError, readForm } from './multipart.js';
import { DeadlineError, QueueFullError, WorkerCrashError } from './pool.js';
import { randomAlphanumeric, safeEqual } from './secrets.js';
import { StoreFullError } from './store.js';

const MEDIA_ROUTE = '/api/v2/public/media/image/multipart';

/** Attestr's media id: `MX` and 22 random alphanumerics (about 131 bits). */
const MEDIA_ID = /^MX[0-9A-Za-z]{22}$/;

/** True on the media-upload route, whose errors carry `httpStatusCode` and codes of their own. */
function isMedia(reply: FastifyReply): boolean {
  return reply.request.routeOptions.url === MEDIA_ROUTE;
}

function send(reply: FastifyReply, code: AttestrErrorCode | AttestrMediaErrorCode, details?: string, retryAfter?: number): FastifyReply {
  const answer = isMedia(reply) ? attestrMediaError(code as AttestrMediaErrorCode, details) : attestrError(code as AttestrErrorCode, details);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.code(answer.status).send(answer.body);
}

/** The Attestr answer to anything thrown while serving a request. */
function sendAttestrError(ctx: ServeContext, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  closeIfUnread(request, reply);
  if (err instanceof QueueFullError) {
    ctx.metrics.rejected.inc({ reason: 'queue_full' });
    return send(reply, 4292, 'The service is at capacity; retry later.', err.retryAfterSeconds);
  }
  if (err instanceof DeadlineError) {
    ctx.metrics.rejected.inc({ reason: 'deadline' });
    return send(reply, 5001, `The face match did not finish within the service's deadline of ${err.deadlineMs} ms.`);
  }
  if (err instanceof StoreFullError) {
    request.log.warn('media store full');
    return send(reply, 5001, 'The media store is full; retry later.');
  }
  if (err instanceof FormError) {
    if (err.kind === 'too-large') return send(reply, 4005, `The file is larger than the ${Math.round(((err.maxBytes ?? 0) / (1024 * 1024)) * 10) / 10} MB limit.`);
    return send(reply, 4001, err.message);
  }
  const fastifyCode = (err as FastifyError | undefined)?.code;
  const status = (err as FastifyError | undefined)?.statusCode;
  if (typeof fastifyCode === 'string' && fastifyCode.startsWith('FST_') && status !== undefined && status < 500) {
    const why =
      fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? `unsupported Content-Type ${JSON.stringify(String(request.headers['content-type'] ?? 'none').slice(0, 100))}`
        : fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'the body is larger than the limit'
          : clip((err as Error).message, 160);
    return send(reply, 4001, `Expected a well-formed request but ${why}.`);
  }
  if (!isFaceMatchError(err) && !(err instanceof WorkerCrashError)) request.log.error({ err }, 'attestr request failed');
  if (err instanceof WorkerCrashError) request.log.error({ err: err.message }, 'inference worker crashed');
  if (isMedia(reply)) return send(reply, 5001);
  const answer = toAttestrError(err);
  return reply.code(answer.status).send(answer.body);
}

/** An optional or required media id field of the match body. */
function mediaIdField(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || (value === null && !required)) {
    if (required) throw invalidInput(field, 'a media id from the image media upload', value);
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) throw invalidInput(field, 'a media id from the image media upload', value);
  return value;
}

/** Registers the Attestr routes on `app`. */
export function attestrRoutes(ctx: ServeContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((err, request, reply) => sendAttestrError(ctx, request, reply, err));

    const authenticate = async (request: FastifyRequest, reply: FastifyReply, inference: boolean): Promise<FastifyReply | undefined> => {
      const drain = routeBodyLimit(ctx, inference ? 'attestr-match' : 'attestr-media');
      const outcome = await ctx.auth.attestrBasic(request.headers.authorization);
      if (!outcome.ok) {
        if (outcome.clientId) identify(request, reply, outcome.clientId);
        closeIfUnread(request, reply, drain);
        if (outcome.reason === 'disabled') return send(reply, 4031);
        if (outcome.reason === 'throttled') return send(reply, 4291, 'Too many failed authorization attempts for this client.', outcome.retryAfterSeconds);
        return send(reply, 4016);
      }
      identify(request, reply, outcome.client.clientId);
      const bucket = await takeToken(ctx, 'attestr', outcome.client as AttestrClientConfig);
      if (!bucket.allowed) {
        ctx.metrics.rejected.inc({ reason: 'rate_limited' });
        closeIfUnread(request, reply, drain);
        return send(reply, 4291, undefined, bucket.retryAfterSeconds);
      }
      if (inference && ctx.pool.saturated()) {
        ctx.metrics.rejected.inc({ reason: 'queue_full' });
        closeIfUnread(request, reply, drain);
        return send(reply, 4292, 'The service is at capacity; retry later.', ctx.pool.retryAfterSeconds());
      }
      return undefined;
    };

    app.post(MEDIA_ROUTE, {
      onRequest: async (request, reply) => {
        await authenticate(request, reply, false);
      },
      handler: async (request, reply) => {
        if (!request.isMultipart()) {
          return send(reply, 4001, `Expected Content-Type multipart/form-data but received ${JSON.stringify(String(request.headers['content-type'] ?? 'none').slice(0, 100))}.`);
        }
        const form = await readForm(request, { file: ctx.config.attestr.maxUploadBytes });
        const file = form.get('file');
        if (!file || file.bytes.byteLength === 0) return send(reply, 4001, 'Expected an image in the file field of the form but it is missing or empty.');
        const format = sniffFormat(file.bytes);
        if (format !== 'jpeg' && format !== 'png') return send(reply, 4007, `Only JPEG and PNG images are supported; the file is ${format === 'unknown' ? 'not a recognised image' : format.toUpperCase()}.`);
        const id = `MX${randomAlphanumeric(22)}`;
        const originalName = clip(file.filename ?? 'file', 255);
        await ctx.store.putMedia(id, { clientId: request.clientId!, originalName, bytes: file.bytes }, ctx.config.attestr.mediaTtlSeconds);
        request.log.info({ bytes: file.bytes.byteLength, format }, 'media stored');
        return reply.send({ _id: id, originalName });
      },
    });

    app.post('/api/v2/public/facex/match', {
      bodyLimit: 64 * 1024,
      onRequest: async (request, reply) => {
        await authenticate(request, reply, true);
      },
      handler: async (request, reply) => {
        if (!hasContentType(request, 'application/json')) {
          return send(reply, 4001, `Expected Content-Type application/json but received ${JSON.stringify(String(request.headers['content-type'] ?? 'none').slice(0, 100))}.`);
        }
        const body = request.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          return sendAttestrError(ctx, request, reply, invalidInput('body', 'a JSON object with src, targetFront, type and threshold', body));
        }
        const fields = body as Record<string, unknown>;
        let ids: { src: string; targetFront: string; targetBack: string | undefined };
        let options: { threshold: number; type: AttestrDocumentType };
        try {
          ids = {
            src: mediaIdField(fields, ATTESTR_FIELDS.source, true)!,
            targetFront: mediaIdField(fields, ATTESTR_FIELDS.targetFront, true)!,
            targetBack: mediaIdField(fields, ATTESTR_FIELDS.targetBack, false),
          };
          if (fields.type === undefined) throw invalidInput('type', `one of ${ATTESTR_DOCUMENT_TYPES.join(', ')}`, fields.type);
          options = checkAttestrOptions({ threshold: fields.threshold as number, type: fields.type as AttestrDocumentType }) as typeof options;
        } catch (err) {
          return sendAttestrError(ctx, request, reply, err);
        }
        const media: Record<string, Uint8Array> = {};
        for (const [field, id] of Object.entries(ids)) {
          if (id === undefined) continue;
          const record = MEDIA_ID.test(id) ? await ctx.store.getMedia(id) : undefined;
          // A foreign id is answered exactly like an unknown one, so ids cannot be probed.
          if (!record || !safeEqual(record.clientId, request.clientId!)) {
            return send(reply, 4001, `${field}: no media with id ${describeReceived(id)} for this client (unknown, expired or uploaded by another client).`);
          }
          // A copy: the job's bytes are transferred to the worker, and the stored media must stay whole.
          media[field] = new Uint8Array(record.bytes);
        }
        try {
          const result = await ctx.pool.run({
            kind: 'attestr',
            src: media[ATTESTR_FIELDS.source]!,
            targetFront: media[ATTESTR_FIELDS.targetFront]!,
            ...(media[ATTESTR_FIELDS.targetBack] ? { targetBack: media[ATTESTR_FIELDS.targetBack] } : {}),
            documents: true,
          });
          if (result.kind !== 'attestr') throw new FaceMatchError('MODEL_ERROR', 'Expected an Attestr result from the inference worker');
          const response = toAttestrResponse(attestrInputOf(result), options);
          request.log.info({ valid: response.valid, status: 'status' in response ? response.status : undefined }, 'face match done');
          return reply.send(response);
        } catch (err) {
          if (isFaceMatchError(err)) request.log.info({ code: err.code, field: err.field }, 'face match refused');
          return sendAttestrError(ctx, request, reply, err);
        }
      },
    });
  };
}
