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
 * | `LOW_QUALITY` | the face's quality is below the floor the caller asked for (`minQuality`) |
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
  | 'LOW_QUALITY'
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
  'LOW_QUALITY',
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

/**
 * The most characters of a caller's text an error message or its details repeat. Longer text is
 * cut and its length given, so a 10 MB string passed as a path cannot make a 20 MB error.
 *
 * @category Errors
 */
export const MAX_ECHO_CHARS = 200;

/**
 * `text` as an error may repeat it: unchanged up to {@link MAX_ECHO_CHARS} characters, otherwise
 * its start, an ellipsis and its full length (`"aaaa…" (10485760 characters)`). Quoted as JSON.
 *
 * @internal
 */
export function echo(text: string, max = MAX_ECHO_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/**
 * `text` cut for an error's `details`: at most {@link MAX_ECHO_CHARS} characters, unquoted.
 *
 * @internal
 */
export function clip(text: string, max = MAX_ECHO_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * A short, safe description of any value for an error message: numbers and booleans as
 * themselves, strings quoted and capped ({@link echo}), `null`, `undefined`, arrays with their
 * length, and objects by constructor name. Never throws, even for a revoked Proxy or an object
 * whose getters throw.
 *
 * @internal
 */
export function describeReceived(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (typeof value === 'string') return value.length === 0 ? 'an empty string' : echo(value);
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    if (typeof value === 'symbol') return 'a symbol';
    if (typeof value === 'function') return 'a function';
    if (Array.isArray(value)) return `an array of ${value.length}`;
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    if (tag !== 'Object') return `a ${tag}`;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null) return 'an object with no prototype';
    const ctor = (proto as { constructor?: unknown }).constructor;
    const name = typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '' ? ctor.name : 'Object';
    return name === 'Object' ? 'an object' : `an object (${clip(name, 60)})`;
  } catch {
    return 'a value that cannot be inspected';
  }
}

/**
 * The one way facematch words a bad argument: `INVALID_INPUT` with the message
 * `Expected <expected> for <field> but received <value>`, `field` set, and `details` as given.
 *
 * @param field - the argument or option, as the caller spells it (`minConfidence`, `user_image`)
 * @param expected - what would have been accepted (`a number from 0 to 1`)
 * @param received - the value itself; described with {@link describeReceived}
 * @param details - machine-readable facts for `details`
 * @internal
 */
export function invalidInput(field: string, expected: string, received: unknown, details: Record<string, unknown> = {}): FaceMatchError {
  return new FaceMatchError('INVALID_INPUT', `Expected ${expected} for ${field} but received ${describeReceived(received)}`, { field, details });
}
