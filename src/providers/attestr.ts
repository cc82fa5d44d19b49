/**
 * Attestr Face Match API v2 (`POST /api/v2/public/facex/match`): turns per-image match outcomes
 * or a {@link FaceMatchError} into the JSON and HTTP status Attestr would send.
 * @module
 */
import { checkMatchThreshold } from '../compare/decision.js';
import { describeReceived, FaceMatchError, isFaceMatchError } from '../errors.js';
import type { FaceReport, MatchResult } from '../result.js';
import { numberDetail, pixelLimitText, withField } from './error-details.js';

/**
 * The names of Attestr's three image fields, used as {@link FaceMatchError.field} for errors
 * about them.
 *
 * @category Providers
 */
export interface AttestrFieldNames {
  /** The selfie or user photo: `src`. */
  source: 'src';
  /** The front of the identity document: `targetFront`. */
  targetFront: 'targetFront';
  /** The back of the identity document: `targetBack`. */
  targetBack: 'targetBack';
}

/**
 * Attestr's image field names: pass them to the matcher so its errors name the Attestr fields.
 *
 * @category Providers
 */
export const ATTESTR_FIELDS: Readonly<AttestrFieldNames> = Object.freeze({ source: 'src', targetFront: 'targetFront', targetBack: 'targetBack' });

/** Attestr's documented image constraints, used in messages when the error carries none. */
const ATTESTR_LIMITS = { minWidth: 200, minHeight: 200, maxBytes: 10 * 1024 * 1024 } as const;

/**
 * Attestr's document types: `UIDAI` (Aadhaar), `DL` (driving licence), `PAN`, `VOTER` (voter
 * card), `PASSPORT`, `GOV` (any government identity document).
 *
 * @category Providers
 */
export type AttestrDocumentType = 'UIDAI' | 'DL' | 'PAN' | 'VOTER' | 'PASSPORT' | 'GOV';

/**
 * Every {@link AttestrDocumentType}.
 *
 * @category Providers
 */
export const ATTESTR_DOCUMENT_TYPES: readonly AttestrDocumentType[] = Object.freeze(['UIDAI', 'DL', 'PAN', 'VOTER', 'PASSPORT', 'GOV']);

/**
 * What happened to one image: the face found in it, or the error it raised (`NO_FACE`,
 * `UNSUPPORTED_FORMAT`, ...).
 *
 * @category Providers
 */
export type AttestrImageOutcome = FaceReport | FaceMatchError;

/**
 * One document side: its outcome and, when both it and `src` have a face, the calibrated score
 * (0–100) of `src` against it.
 *
 * @category Providers
 */
export interface AttestrTarget {
  /** The face found in this side, or its error. */
  outcome: AttestrImageOutcome;
  /** Score of `src` against this side; required when both have a face, ignored otherwise. */
  score?: number;
}

/**
 * Everything an Attestr response is made from: the outcome of each image and the scores.
 * {@link attestrInputFromMatches} builds one from {@link MatchResult}s.
 *
 * @category Providers
 */
export interface AttestrInput {
  /** The selfie's outcome. */
  src: AttestrImageOutcome;
  /** The document front. */
  targetFront: AttestrTarget;
  /** The document back, when one was sent. */
  targetBack?: AttestrTarget;
}

/**
 * Request parameters that shape the response.
 *
 * @category Providers
 */
export interface AttestrOptions {
  /** Required: a side matches when its score is at or above this. A number from 1 to 100. */
  threshold: number;
  /**
   * Document type. Attestr requires it; facematch only checks it, since matching does not depend
   * on it. Leave it out when not serving Attestr's HTTP API.
   */
  type?: AttestrDocumentType;
  /**
   * Report boxes and confidences of the faces found even when nothing matched. Default `false`:
   * like Attestr's own not-matched example, those fields are `null` then.
   */
  boxesWhenNotMatched?: boolean;
}

/**
 * The full response (HTTP 200) when every image could be read: the match outcome, which images
 * hold a face, each face's box relative to its image (0–1), detector confidence in percent, and
 * the match score of each side that reached the threshold.
 *
 * @category Providers
 */
export interface AttestrMatchResponse {
  /** True when the front or the back matched. */
  valid: boolean;
  /** `FACE_MATCHED` when `valid`, else `FACE_NOT_MATCHED`. */
  status: 'FACE_MATCHED' | 'FACE_NOT_MATCHED';
  /** Why nothing matched; `null` when matched. */
  message: string | null;
  /** A face was found in `src`. */
  srcValid: boolean;
  /** A face was found in `targetFront`. */
  targetFrontValid: boolean;
  /** A face was found in `targetBack` (false when no back was sent). */
  targetBackValid: boolean;
  /** Box height relative to the image height. */
  srcHeight: number | null;
  /** Box width relative to the image width. */
  srcWidth: number | null;
  /** Box left edge relative to the image width. */
  srcLeft: number | null;
  /** Box top edge relative to the image height. */
  srcTop: number | null;
  /** Detector confidence, percent. */
  srcConfidence: number | null;
  /** Box height relative to the image height. */
  targetFrontHeight: number | null;
  /** Box width relative to the image width. */
  targetFrontWidth: number | null;
  /** Box left edge relative to the image width. */
  targetFrontLeft: number | null;
  /** Box top edge relative to the image height. */
  targetFrontTop: number | null;
  /** Detector confidence, percent. */
  targetFrontConfidence: number | null;
  /** Match score 0–100 when at or above the threshold, else `null`. */
  targetFrontMatch: number | null;
  /** Box height relative to the image height. */
  targetBackHeight: number | null;
  /** Box width relative to the image width. */
  targetBackWidth: number | null;
  /** Box left edge relative to the image width. */
  targetBackLeft: number | null;
  /** Box top edge relative to the image height. */
  targetBackTop: number | null;
  /** Detector confidence, percent. */
  targetBackConfidence: number | null;
  /** Match score 0–100 when at or above the threshold, else `null`. */
  targetBackMatch: number | null;
}

/**
 * The response (HTTP 200) when an image is not a supported image file (only JPEG and PNG are).
 *
 * @category Providers
 */
export interface AttestrInvalidFileResponse {
  /** Always false. */
  valid: false;
  /** Always false, as in Attestr's example, whichever image was at fault. */
  srcValid: false;
  /** Always `INVALID_FILE_FORMAT`. */
  status: 'INVALID_FILE_FORMAT';
  /** `Image incompatible file type`. */
  message: string;
}

/**
 * The response (HTTP 200) when an image is readable but unusable (below the minimum size):
 * Attestr omits every key except `valid` and `message`.
 *
 * @category Providers
 */
export interface AttestrInvalidImageResponse {
  /** Always false. */
  valid: false;
  /** What was wrong, naming the image. */
  message: string;
}

/**
 * An Attestr face-match response (HTTP 200), in one of its three shapes.
 *
 * @category Providers
 */
export type AttestrResponse = AttestrMatchResponse | AttestrInvalidFileResponse | AttestrInvalidImageResponse;

/**
 * Attestr's error codes; see {@link ATTESTR_ERRORS}.
 *
 * @category Providers
 */
export type AttestrErrorCode = 4001 | 4005 | 4016 | 4031 | 4035 | 4039 | 4291 | 4292 | 4293 | 4294 | 5001;

/**
 * HTTP status and message of one Attestr error code.
 *
 * @category Providers
 */
export interface AttestrErrorSpec {
  /** HTTP status. */
  status: 400 | 401 | 403 | 429 | 500;
  /** The documented message. */
  message: string;
}

/**
 * Attestr's error catalogue, with its documented HTTP statuses and messages. facematch itself
 * produces 4001 (bad request) and 5001 (server fault); the others (credits, authorisation, rate
 * limits) belong to a server in front of it, see {@link attestrError}.
 *
 * @category Providers
 */
export const ATTESTR_ERRORS: Readonly<Record<AttestrErrorCode, Readonly<AttestrErrorSpec>>> = Object.freeze({
  4001: { status: 400, message: 'Malformed data or missing required parameter values' },
  4005: { status: 400, message: 'Operation could not be performed due to low credits balance' },
  4016: { status: 401, message: 'Invalid client authorization' },
  4031: { status: 403, message: 'Unauthorized access' },
  4035: { status: 403, message: 'Requested service is not provisioned for your account' },
  4039: { status: 403, message: "Client's IP address is not whitelisted" },
  4291: { status: 429, message: 'Maximum account rate limit exceeded' },
  4292: { status: 429, message: 'Maximum API rate limit exceeded' },
  4293: { status: 429, message: 'Maximum account daily limit exceeded' },
  4294: { status: 429, message: 'Maximum API daily limit exceeded' },
  5001: { status: 500, message: 'Request could not be processed' },
});

/**
 * An Attestr error body.
 *
 * @category Providers
 */
export interface AttestrErrorBody {
  /** Error code from {@link ATTESTR_ERRORS}. */
  code: AttestrErrorCode;
  /** The code's documented message. */
  message: string;
  /** More detail, for some errors. */
  details?: string;
}

/**
 * An HTTP 200 answer carrying an {@link AttestrResponse}.
 *
 * @category Providers
 */
export interface AttestrSuccessReply {
  /** Always 200. */
  status: 200;
  /** The response. */
  body: AttestrResponse;
}

/**
 * An HTTP error answer carrying an {@link AttestrErrorBody}.
 *
 * @category Providers
 */
export interface AttestrErrorReply {
  /** The HTTP status of the code. */
  status: AttestrErrorSpec['status'];
  /** The error body. */
  body: AttestrErrorBody;
}

/**
 * What an Attestr endpoint sends: status and JSON body.
 *
 * @category Providers
 */
export type AttestrReply = AttestrSuccessReply | AttestrErrorReply;

/**
 * The error answer for an Attestr error code, with optional detail.
 *
 * @category Providers
 */
export function attestrError(code: AttestrErrorCode, details?: string): AttestrErrorReply {
  const spec = ATTESTR_ERRORS[code];
  const body: AttestrErrorBody = { code, message: spec.message };
  if (details !== undefined) body.details = details;
  return { status: spec.status, body };
}

/**
 * Checks Attestr options: `threshold` required, 1–100; `type`, when given, one of
 * {@link ATTESTR_DOCUMENT_TYPES}.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` with field `threshold` or `type`.
 * @category Providers
 */
export function checkAttestrOptions(options: AttestrOptions): AttestrOptions {
  if (typeof options !== 'object' || options === null) {
    throw new FaceMatchError('INVALID_INPUT', `Expected an object { threshold, type? } with a threshold from 1 to 100 for the Attestr options but received ${describeReceived(options)}`, { field: 'threshold' });
  }
  const threshold = checkMatchThreshold(options.threshold, 'threshold');
  const { type } = options;
  if (type !== undefined && !ATTESTR_DOCUMENT_TYPES.includes(type)) {
    throw new FaceMatchError('INVALID_INPUT', `Expected one of ${ATTESTR_DOCUMENT_TYPES.join(', ')} for type but received ${describeReceived(type)}`, {
      field: 'type',
    });
  }
  return { ...options, threshold };
}

/** Codes an image outcome may carry and still be answered with a 200 response. */
const FORMAT_CODES = new Set(['UNSUPPORTED_FORMAT', 'CORRUPT_IMAGE']);
const IMAGE_CODES = new Set([...FORMAT_CODES, 'IMAGE_TOO_SMALL', 'NO_FACE', 'LOW_QUALITY']);

const IMAGE_NAMES: Readonly<Record<string, string>> = { src: 'source image', targetFront: 'target front image', targetBack: 'target back image' };

function imageName(field: string | undefined): string {
  return (field !== undefined && IMAGE_NAMES[field]) || field || 'an image';
}

function invalidFileFormat(): AttestrInvalidFileResponse {
  return { valid: false, srcValid: false, status: 'INVALID_FILE_FORMAT', message: 'Image incompatible file type' };
}


function imageTooSmall(error: FaceMatchError): AttestrInvalidImageResponse {
  const width = numberDetail(error, 'width');
  const height = numberDetail(error, 'height');
  const minWidth = numberDetail(error, 'minWidth') ?? ATTESTR_LIMITS.minWidth;
  const minHeight = numberDetail(error, 'minHeight') ?? ATTESTR_LIMITS.minHeight;
  const got = width === undefined || height === undefined ? '' : ` (${width}x${height})`;
  return { valid: false, message: `Image too small: the ${imageName(error.field)}${got} is below the minimum image size of ${minWidth}x${minHeight}` };
}

interface FaceFields {
  height: number | null;
  width: number | null;
  left: number | null;
  top: number | null;
  confidence: number | null;
}

const NO_FACE_FIELDS: FaceFields = { height: null, width: null, left: null, top: null, confidence: null };

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** The face's box clipped to the image, relative to its size, and the detector confidence in percent. */
function faceFields(report: FaceReport | undefined): FaceFields {
  if (report === undefined) return NO_FACE_FIELDS;
  const { x, y, width, height } = report.face.relativeBox;
  const left = clamp01(x);
  const top = clamp01(y);
  return {
    height: clamp01(y + height) - top,
    width: clamp01(x + width) - left,
    left,
    top,
    confidence: report.face.score * 100,
  };
}

function faceOf(outcome: AttestrImageOutcome | undefined): FaceReport | undefined {
  return outcome === undefined || isFaceMatchError(outcome) ? undefined : outcome;
}

/** The score of a side when it reaches the threshold, else null; checks it when it is needed. */
function sideMatch(src: FaceReport | undefined, target: AttestrTarget | undefined, field: string, threshold: number): number | null {
  if (src === undefined || target === undefined || faceOf(target.outcome) === undefined) return null;
  const { score } = target;
  if (typeof score !== 'number' || !(score >= 0 && score <= 100)) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected a number from 0 to 100 for ${field}.score (src and ${field} both have a face) but received ${describeReceived(score)}`,
      { field: `${field}.score` },
    );
  }
  return score >= threshold ? score : null;
}

function notMatchedMessage(srcFace: boolean, anyTargetFace: boolean, lowQuality: FaceMatchError | undefined): string {
  if (lowQuality && (!srcFace || !anyTargetFace)) return `Not matched, face quality too low in ${imageName(lowQuality.field)}`;
  if (!srcFace) return 'Not matched, face not detected in source image';
  if (!anyTargetFace) return 'Not matched, face not detected in target image';
  return 'Not matched, below threshold';
}

/**
 * Builds Attestr's face-match response (HTTP 200) from the outcome of each image.
 *
 * - `valid` is true, and `status` `FACE_MATCHED`, when the front or the back scores at or above
 *   the threshold; `targetFrontMatch` / `targetBackMatch` hold the score only then, else `null`.
 * - `srcValid`, `targetFrontValid`, `targetBackValid`: a face was found in that image (a missing
 *   back is not valid). A missing face, or one refused for its quality (`LOW_QUALITY`, when the
 *   matcher has a `minQuality`), is a `FACE_NOT_MATCHED` response, not an error.
 * - Boxes (`srcLeft`, `srcTop`, `srcWidth`, `srcHeight`, same for `targetFront*`, `targetBack*`)
 *   are relative to the image (0–1, clipped to it); confidences are percent. When nothing matched
 *   they are `null`, as in Attestr's example, unless `boxesWhenNotMatched` is set.
 * - An image outcome `UNSUPPORTED_FORMAT` or `CORRUPT_IMAGE` gives the `INVALID_FILE_FORMAT`
 *   response; `IMAGE_TOO_SMALL` gives `{ valid: false, message }`.
 *
 * @param input - the outcome of each image and the scores
 * @param options - `threshold` (required) and `type`
 * @throws {@link FaceMatchError} `INVALID_INPUT` for invalid options (field `threshold` or `type`)
 * or a missing score (field `targetFront.score` / `targetBack.score`); and any image outcome
 * whose error Attestr answers with an error code rather than a response (`FILE_TOO_LARGE`,
 * `IMAGE_TOO_LARGE`, `INVALID_INPUT`, `MODEL_ERROR`, `BACKEND_ERROR`) is thrown as it is. Pass
 * what is thrown to {@link toAttestrError}.
 * @category Providers
 */
export function toAttestrResponse(input: AttestrInput, options: AttestrOptions): AttestrResponse {
  const { threshold, boxesWhenNotMatched = false } = checkAttestrOptions(options);
  const outcomes = [input.src, input.targetFront.outcome, input.targetBack?.outcome];
  const errors = outcomes.filter((o): o is FaceMatchError => isFaceMatchError(o));
  const fatal = errors.find((e) => !IMAGE_CODES.has(e.code));
  if (fatal !== undefined) throw fatal;
  if (errors.some((e) => FORMAT_CODES.has(e.code))) return invalidFileFormat();
  const tooSmall = errors.find((e) => e.code === 'IMAGE_TOO_SMALL');
  if (tooSmall !== undefined) return imageTooSmall(tooSmall);

  const src = faceOf(input.src);
  const front = faceOf(input.targetFront.outcome);
  const back = faceOf(input.targetBack?.outcome);
  const frontMatch = sideMatch(src, input.targetFront, ATTESTR_FIELDS.targetFront, threshold);
  const backMatch = sideMatch(src, input.targetBack, ATTESTR_FIELDS.targetBack, threshold);
  const valid = frontMatch !== null || backMatch !== null;
  const showBoxes = valid || boxesWhenNotMatched;
  const s = faceFields(showBoxes ? src : undefined);
  const f = faceFields(showBoxes ? front : undefined);
  const b = faceFields(showBoxes ? back : undefined);

  return {
    valid,
    status: valid ? 'FACE_MATCHED' : 'FACE_NOT_MATCHED',
    message: valid ? null : notMatchedMessage(src !== undefined, front !== undefined || back !== undefined, errors.find((e) => e.code === 'LOW_QUALITY')),
    srcValid: src !== undefined,
    targetFrontValid: front !== undefined,
    targetBackValid: back !== undefined,
    srcHeight: s.height,
    srcWidth: s.width,
    srcLeft: s.left,
    srcTop: s.top,
    srcConfidence: s.confidence,
    targetFrontHeight: f.height,
    targetFrontWidth: f.width,
    targetFrontLeft: f.left,
    targetFrontTop: f.top,
    targetFrontConfidence: f.confidence,
    targetFrontMatch: frontMatch,
    targetBackHeight: b.height,
    targetBackWidth: b.width,
    targetBackLeft: b.left,
    targetBackTop: b.top,
    targetBackConfidence: b.confidence,
    targetBackMatch: backMatch,
  };
}

/**
 * The {@link AttestrInput} for a match of `src` against the document front and, optionally, a
 * match of the same `src` against the back (or the error the back raised).
 *
 * @category Providers
 */
export function attestrInputFromMatches(front: MatchResult, back?: MatchResult | FaceMatchError): AttestrInput {
  const input: AttestrInput = { src: front.source, targetFront: { outcome: front.target, score: front.score } };
  if (back !== undefined) {
    input.targetBack = isFaceMatchError(back) ? { outcome: back } : { outcome: back.target, score: back.score };
  }
  return input;
}


/**
 * Attestr's answer to a failure. Image problems are 200 responses, as Attestr reports them;
 * request problems are `{ code, message, details }` errors.
 *
 * | `FaceMatchError` code | HTTP | answer |
 * |---|---|---|
 * | `INVALID_INPUT` | 400 | code 4001, `details`: the message prefixed by the field (for example `threshold`) |
 * | `FILE_TOO_LARGE` | 400 | code 4001, `details`: the 10 MB limit (or the error's `details.maxBytes`) |
 * | `IMAGE_TOO_LARGE` | 400 | code 4001, `details`: the image's size and the pixel limit |
 * | `UNSUPPORTED_FORMAT`, `CORRUPT_IMAGE` | 200 | {@link AttestrInvalidFileResponse}: `INVALID_FILE_FORMAT`, `Image incompatible file type` |
 * | `IMAGE_TOO_SMALL` | 200 | {@link AttestrInvalidImageResponse}: `{ valid: false, message }` naming the image and the 200x200 minimum |
 * | `NO_FACE` | 200 | {@link AttestrInvalidImageResponse}: `{ valid: false, message }` naming the image (with every image's outcome at hand, {@link toAttestrResponse} gives the full `FACE_NOT_MATCHED` response instead) |
 * | `LOW_QUALITY` | 200 | like `NO_FACE`: the face is not usable (`srcValid` / `targetFrontValid` false in the full response), the message says its quality is too low |
 * | `MODEL_ERROR`, `BACKEND_ERROR` | 500 | code 5001 |
 * | anything that is not a `FaceMatchError` | 500 | code 5001 |
 *
 * @category Providers
 */
export function toAttestrError(error: unknown): AttestrReply {
  if (!isFaceMatchError(error)) return attestrError(5001);
  const field = error.field;
  switch (error.code) {
    case 'INVALID_INPUT':
      return attestrError(4001, withField(field, error.message));
    case 'FILE_TOO_LARGE': {
      const max = numberDetail(error, 'maxBytes') ?? ATTESTR_LIMITS.maxBytes;
      return attestrError(4001, withField(field, `Maximum allowed image size is ${Math.round((max / (1024 * 1024)) * 10) / 10} MB.`));
    }
    case 'IMAGE_TOO_LARGE':
      return attestrError(4001, withField(field, `The image has more pixels than the service processes${pixelLimitText(error)}`));
    case 'UNSUPPORTED_FORMAT':
    case 'CORRUPT_IMAGE':
      return { status: 200, body: invalidFileFormat() };
    case 'IMAGE_TOO_SMALL':
      return { status: 200, body: imageTooSmall(error) };
    case 'NO_FACE':
      return { status: 200, body: { valid: false, message: `Not matched, face not detected in ${imageName(field)}` } };
    case 'LOW_QUALITY':
      return { status: 200, body: { valid: false, message: `Not matched, face quality too low in ${imageName(field)}` } };
    case 'MODEL_ERROR':
    case 'BACKEND_ERROR':
      return attestrError(5001);
  }
}
