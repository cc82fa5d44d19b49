/**
 * Small helpers shared by the provider formatters to phrase {@link FaceMatchError}s.
 * @internal
 * @module
 */
import type { FaceMatchError } from '../errors.js';

/**
 * Prefixes a message with the field it concerns (`user_image: ...`), unless it already starts
 * with it.
 *
 * @internal
 */
export function withField(field: string | undefined, message: string): string {
  return field === undefined || message.startsWith(field) ? message : `${field}: ${message}`;
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
