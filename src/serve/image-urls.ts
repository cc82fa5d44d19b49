/**
 * Signed, expiring URLs of the face crops in Didit responses: `/v2/face-match/images/<id>.jpg?exp=<unix s>&sig=<HMAC>`.
 * The signature covers the id and the expiry, so neither can be changed; a bad signature is a 404,
 * a passed expiry a 410.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The route prefix of face-crop images. */
export const IMAGE_ROUTE_PREFIX = '/v2/face-match/images/';

/**
 * The outcome of checking a signed image URL: `ok`, `bad` (unsigned, malformed or forged: 404)
 * or `expired` (410).
 *
 * @category Service
 */
export type ImageUrlCheck = 'ok' | 'bad' | 'expired';

function signature(key: string, id: string, exp: number): Buffer {
  return createHmac('sha256', key).update(`facematch-image\n${id}\n${exp}`).digest();
}

/**
 * The path and query of a signed image URL for `id`, valid until `exp` (Unix seconds).
 *
 * @internal
 */
export function signedImagePath(key: string, id: string, exp: number): string {
  return `${IMAGE_ROUTE_PREFIX}${id}.jpg?exp=${exp}&sig=${signature(key, id, exp).toString('base64url')}`;
}

/**
 * Checks an image request's id, `exp` and `sig` in constant time.
 *
 * @internal
 */
export function checkImageUrl(key: string, id: string, exp: unknown, sig: unknown, nowSeconds = Date.now() / 1000): ImageUrlCheck {
  if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig) || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return 'bad';
  const expected = signature(key, id, Number(exp));
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad';
  return Number(exp) <= nowSeconds ? 'expired' : 'ok';
}
