/**
 * The OpenAPI 3.1 description of every route the service serves, at `GET /openapi.json`.
 * @internal
 * @module
 */
import { packageVersion } from '../runtime/package.js';

const json = (schema: object) => ({ 'application/json': { schema } });
const diditError = { type: 'object', required: ['detail'], properties: { detail: { type: 'string' } } };
const attestrError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'integer' }, message: { type: 'string' }, details: { type: 'string' } },
};
const retryAfter = { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' } };
const diditErrors = {
  '400': { description: 'Invalid parameters, missing or unusable files.', content: json(diditError) },
  '401': { description: 'Invalid or missing access_token.', content: json(diditError) },
  '403': { description: 'The client is disabled.', content: json(diditError) },
  '429': { description: 'Rate limit exceeded, or the inference queue is full.', headers: retryAfter, content: json(diditError) },
  '500': { description: 'Server error (no internals are shown).', content: json(diditError) },
  '503': { description: 'The match did not finish within the deadline.', headers: retryAfter, content: json(diditError) },
};
const attestrErrors = {
  '400': { description: '4001 malformed or missing parameters; 4005 file too large; 4007 file type.', content: json(attestrError) },
  '401': { description: '4016 invalid client authorization.', content: json(attestrError) },
  '403': { description: '4031 unauthorized access (client disabled).', content: json(attestrError) },
  '429': { description: '4291 client rate limit; 4292 the inference queue is full.', headers: retryAfter, content: json(attestrError) },
  '500': { description: '5001 request could not be processed (worker fault, deadline).', content: json(attestrError) },
};
const text = { 'text/plain': { schema: { type: 'string' } } };

/** The OpenAPI document. `paths` keys are fastify route URLs with `{param}` placeholders. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'facematch serve',
      version: packageVersion(),
      description: 'Self-hosted face match, compatible with the Didit v2 and Attestr v2 face-match APIs. See docs/self-hosting.md.',
    },
    components: {
      securitySchemes: {
        diditClient: { type: 'http', scheme: 'basic', description: 'base64(client_id:client_secret), for the token endpoint.' },
        diditBearer: { type: 'http', scheme: 'bearer', description: 'access_token from POST /auth/v2/token/.' },
        attestrBasic: { type: 'http', scheme: 'basic', description: 'Basic <authToken>, as issued by facematch serve --init.' },
      },
    },
    paths: {
      '/auth/v2/token': {
        post: {
          summary: 'Didit: obtain an access token (client credentials). Also served with a trailing slash.',
          security: [{ diditClient: [] }],
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['grant_type'], properties: { grant_type: { const: 'client_credentials' } } } } },
          },
          responses: {
            '200': {
              description: 'The token.',
              content: json({
                type: 'object',
                properties: {
                  iss: { type: 'string' },
                  iat: { type: 'integer' },
                  sub: { type: 'string' },
                  client_id: { type: 'string' },
                  organization_id: { type: 'string' },
                  expires_in: { type: 'integer' },
                  exp: { type: 'integer' },
                  access_token: { type: 'string' },
                },
              }),
            },
            '400': { description: 'Bad body or grant type.', content: json(diditError) },
            '401': { description: 'Invalid client credentials.', content: json(diditError) },
            '403': { description: 'Client disabled.', content: json(diditError) },
            '429': { description: 'Too many attempts for this client.', headers: retryAfter, content: json(diditError) },
          },
        },
      },
      '/v2/face-match': {
        post: {
          summary: 'Didit: compare user_image with ref_image. Also served with a trailing slash.',
          security: [{ diditBearer: [] }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['user_image', 'ref_image'],
                  properties: {
                    user_image: { type: 'string', format: 'binary', description: 'JPEG, PNG or WebP; at least 480x480; at most 5 MB.' },
                    ref_image: { type: 'string', format: 'binary', description: 'JPEG, PNG or WebP; at least 480x480; at most 5 MB.' },
                    options: { type: 'string', description: 'JSON: {"face_match_score_decline_threshold": 0-100} (default 30).' },
                  },
                },
              },
            },
          },
          responses: { '200': { description: 'The match (schemas/didit-response.schema.json).', content: json({ type: 'object' }) }, ...diditErrors },
        },
      },
      '/v2/face-match/images/{file}': {
        get: {
          summary: 'Didit: a processed face crop (source_image / target_image), at its signed URL for 60 minutes.',
          parameters: [
            { name: 'file', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'exp', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'sig', in: 'query', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'The image.', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
            '404': { description: 'Unknown image or bad signature.', content: json(diditError) },
            '410': { description: 'The URL has expired.', content: json(diditError) },
          },
        },
      },
      '/api/v2/public/media/image/multipart': {
        post: {
          summary: 'Attestr: upload an image; the media id it returns is what the face match takes.',
          security: [{ attestrBasic: [] }],
          requestBody: {
            required: true,
            content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'JPEG or PNG, at most 15 MB.' } } } } },
          },
          responses: {
            '200': { description: 'Stored.', content: json({ type: 'object', required: ['_id', 'originalName'], properties: { _id: { type: 'string' }, originalName: { type: 'string' } } }) },
            ...attestrErrors,
          },
        },
      },
      '/api/v2/public/facex/match': {
        post: {
          summary: 'Attestr: match the src face against the document front (and back).',
          security: [{ attestrBasic: [] }],
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['src', 'targetFront', 'type', 'threshold'],
              properties: {
                src: { type: 'string' },
                targetFront: { type: 'string' },
                targetBack: { type: 'string' },
                type: { enum: ['UIDAI', 'DL', 'PAN', 'VOTER', 'PASSPORT', 'GOV'] },
                threshold: { type: 'number', minimum: 1, maximum: 100 },
              },
            }),
          },
          responses: { '200': { description: 'The match (schemas/attestr-response.schema.json).', content: json({ type: 'object' }) }, ...attestrErrors },
        },
      },
      '/healthz': { get: { summary: 'Liveness: the process answers.', responses: { '200': { description: 'Alive.', content: json({ type: 'object' }) } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: models loaded in at least one worker, queue not saturated, store reachable.',
          responses: { '200': { description: 'Ready.', content: json({ type: 'object' }) }, '503': { description: 'Not ready.', content: json({ type: 'object' }) } },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics.', responses: { '200': { description: 'Text exposition format.', content: text } } } },
      '/openapi.json': { get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) } } } },
    },
  };
}
