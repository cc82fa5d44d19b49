/**
 * The closed set of error codes facematch uses. A code is stable across releases: match on it,
 * not on the message.
 *
 * | code | meaning |
 * |---|---|
 * | `INVALID_INPUT` | the argument is not usable at all (wrong type, missing file, bad option value) |
 * | `UNSUPPORTED_FORMAT` | the bytes are a recognised image or document format that is not accepted, or unknown bytes |
 * | `CORRUPT_IMAGE` | the bytes claim an accepted format but cannot be decoded |
 * | `FILE_TOO_LARGE` | the file is larger than the constraints allow (bytes) |
 * | `IMAGE_TOO_SMALL` | width or height is below the constraints' minimum |
 * | `IMAGE_TOO_LARGE` | width × height is above the pixel limit (refused before decoding) |
 * | `NO_FACE` | no face was found in the image |
 * | `MODEL_ERROR` | a model file is missing, altered (sha256 mismatch) or cannot be loaded |
 * | `BACKEND_ERROR` | the requested tfjs backend cannot be initialised |
 *
 * @category Errors
 */
export type FaceMatchErrorCode =
  | 'INVALID_INPUT'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT_IMAGE'
  | 'FILE_TOO_LARGE'
  | 'IMAGE_TOO_SMALL'
  | 'IMAGE_TOO_LARGE'
  | 'NO_FACE'
  | 'MODEL_ERROR'
  | 'BACKEND_ERROR';

/**
 * Every code in {@link FaceMatchErrorCode}, in a fixed order.
 *
 * @category Errors
 */
export const FACE_MATCH_ERROR_CODES: readonly FaceMatchErrorCode[] = Object.freeze([
  'INVALID_INPUT',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'FILE_TOO_LARGE',
  'IMAGE_TOO_SMALL',
  'IMAGE_TOO_LARGE',
  'NO_FACE',
  'MODEL_ERROR',
  'BACKEND_ERROR',
]);

/**
 * Options for {@link FaceMatchError}.
 *
 * @category Errors
 */
export interface FaceMatchErrorOptions {
  /** The input the error concerns, such as `user_image`, `ref_image`, `src` or `targetFront`. */
  field?: string;
  /** Machine-readable facts about the failure (for example `{ width, height, minWidth }`). */
  details?: Record<string, unknown>;
  /** The underlying error, when one was caught. */
  cause?: unknown;
}

/**
 * What {@link FaceMatchError.toJSON} returns.
 *
 * @category Errors
 */
export interface FaceMatchErrorJSON {
  /** Always `FaceMatchError`. */
  name: string;
  /** The stable code. */
  code: FaceMatchErrorCode;
  /** The input concerned, if any. */
  field: string | undefined;
  /** What was expected and what was received. */
  message: string;
  /** Machine-readable facts. */
  details: Record<string, unknown>;
}

/**
 * The one error type facematch throws. `code` is stable and comes from a closed set; `message`
 * says what was expected and what was received; `field` names the input it concerns.
 *
 * @example
 * ```ts
 * try {
 *   await matcher.match(a, b);
 * } catch (err) {
 *   if (err instanceof FaceMatchError && err.code === 'NO_FACE') console.log(`no face in ${err.field}`);
 * }
 * ```
 * @category Errors
 */
export class FaceMatchError extends Error {
  /** Stable error code, one of {@link FACE_MATCH_ERROR_CODES}. */
  readonly code: FaceMatchErrorCode;
  /** The input the error concerns, when there is one (`user_image`, `ref_image`, ...). */
  readonly field: string | undefined;
  /** Machine-readable facts about the failure. */
  readonly details: Record<string, unknown>;

  /**
   * @param code - stable error code
   * @param message - what was expected and what was received
   * @param options - field, details and cause
   */
  constructor(code: FaceMatchErrorCode, message: string, options: FaceMatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaceMatchError';
    this.code = code;
    this.field = options.field;
    this.details = options.details ?? {};
  }

  /** A plain object for logs and JSON: `{ name, code, field, message, details }`. */
  toJSON(): FaceMatchErrorJSON {
    return { name: this.name, code: this.code, field: this.field, message: this.message, details: this.details };
  }
}

/**
 * True when `value` is a {@link FaceMatchError}, optionally with the given code.
 *
 * @category Errors
 */
export function isFaceMatchError(value: unknown, code?: FaceMatchErrorCode): value is FaceMatchError {
  return value instanceof FaceMatchError && (code === undefined || value.code === code);
}

/**
 * Prefixes a message with the field name when there is one: `user_image: ...`. Internal helper.
 *
 * @internal
 */
export function describeField(field: string | undefined): string {
  return field === undefined ? 'the image' : field;
}
