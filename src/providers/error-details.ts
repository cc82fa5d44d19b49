/**
 * Small helpers shared by the provider formatters to phrase {@link FaceMatchError}s.
 * @internal
 * @module
 */
import type { FaceMatchError } from '../errors.js';
import { DEFAULT_MAX_PIXELS } from '../image/constraints.js';

/**
 * Prefixes a message with the field it concerns (`user_image: ...`), unless the message already
 * starts with it or names it the way facematch's messages do (`Expected a readable image file
 * for user_image but ...`).
 *
 * @internal
 */
export function withField(field: string | undefined, message: string): string {
  if (field === undefined || field === '') return message;
  const named = new RegExp(`(^|\\bfor )${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(message);
  return named ? message : `${field}: ${message}`;
}

/**
 * A finite number from the error's `details`, or undefined.
 *
 * @internal
 */
export function numberDetail(error: FaceMatchError, key: string): number | undefined {
  const value = error.details[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * What an `IMAGE_TOO_LARGE` error says about the limit, for a provider's message: the image's
 * size when known and the pixel limit (the error's `details.maxPixels`, else facematch's default):
 * ` (9000x6000, 54 MP). Maximum: 50,000,000 pixels (50 MP) per image.`
 *
 * @internal
 */
export function pixelLimitText(error: FaceMatchError): string {
  const width = numberDetail(error, 'width');
  const height = numberDetail(error, 'height');
  const max = numberDetail(error, 'maxPixels') ?? DEFAULT_MAX_PIXELS;
  const mp = (n: number): string => `${Number((n / 1e6).toFixed(1))} MP`;
  const got = width === undefined || height === undefined ? '' : ` (${width}x${height}, ${mp(width * height)})`;
  return `${got}. Maximum: ${max.toLocaleString('en-US')} pixels (${mp(max)}) per image.`;
}
