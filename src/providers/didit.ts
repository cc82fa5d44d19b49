/**
 * Didit Face Match API v2 (`POST /v2/face-match`): turns a {@link MatchResult} or a
 * {@link FaceMatchError} into the JSON and HTTP status Didit would send.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { checkScoreThreshold, decide, resolveDecisionThresholds, roundScore, type Decision } from '../compare/decision.js';
import { describeReceived, FaceMatchError, invalidInput, isFaceMatchError } from '../errors.js';
import { qualityFindings, type QualityCheck, type QualityLimits } from '../quality/findings.js';
import type { FaceReport, MatchResult } from '../result.js';
import { numberDetail, pixelLimitText, withField } from './error-details.js';
import type { RgbImage } from '../types.js';
import { chipToDataUrl, type ChipImageFormat } from './chip-url.js';

/**
 * The names of Didit's two image fields, used as {@link FaceMatchError.field} for errors about
 * them.
 *
 * @category Providers
 */
export interface DiditFieldNames {
  /** The user's face image to be verified: `user_image` (the match's source). */
  source: 'user_image';
  /** The reference image to compare against: `ref_image` (the match's target). */
  target: 'ref_image';
}

/**
 * Didit's image field names: pass them to the matcher so its errors name the Didit fields.
 *
 * @category Providers
 */
export const DIDIT_FIELDS: Readonly<DiditFieldNames> = Object.freeze({ source: 'user_image', target: 'ref_image' });

/** Didit's documented image requirements, used in error details when the error carries none. */
const DIDIT_LIMITS = { minWidth: 480, minHeight: 480, maxBytes: 5 * 1024 * 1024, formats: 'JPEG, PNG, WebP' } as const;

/**
 * Severity of a Didit warning: `information` (no effect on the status), `warning` (sends it to
 * review) or `error` (declines it).
 *
 * @category Providers
 */
export type DiditLogType = 'information' | 'warning' | 'error';

/**
 * The risk codes facematch emits in Didit warnings; see {@link DIDIT_WARNINGS}.
 *
 * @category Providers
 */
export type DiditRisk = 'LOW_FACE_MATCH_SIMILARITY' | 'NO_FACE_DETECTED' | 'MULTIPLE_FACES_DETECTED' | QualityCheck;

/**
 * The fixed texts of one warning.
 *
 * @category Providers
 */
export interface DiditWarningText {
  /** One line. */
  short_description: string;
  /** One or two sentences. */
  long_description: string;
}

/**
 * The warning catalogue. Every warning facematch puts in a Didit response comes from here.
 *
 * | risk | when | `log_type` | `additional_data` |
 * |---|---|---|---|
 * | `LOW_FACE_MATCH_SIMILARITY` | status is `In Review` or `Declined` (score below the approve threshold) | `warning` when In Review, `error` when Declined | `null` |
 * | `NO_FACE_DETECTED` | no face in `user_image` or `ref_image`; the status is `Declined`, the score 0 | `error` | `{ image }`: the field, when known |
 * | `MULTIPLE_FACES_DETECTED` | an image holds more than one face; the largest was used | `information` | `{ image, face_count }` |
 * | the quality checks ({@link QUALITY_CHECKS}: `LOW_FACE_QUALITY`, `FACE_NOT_CLEAR`, `FACE_TOO_SMALL`, `BLURRY_FACE`, `POOR_LIGHTING`, `UNEVEN_LIGHTING`, `FACE_NOT_FRONTAL`, `FACE_TILTED`, `EYES_CLOSED`, `EYES_COVERED`) | a face's quality crosses a limit of {@link DEFAULT_QUALITY_LIMITS} | the finding's severity (`information` or `warning`); `error` when the face is below the `minQuality` floor | `{ image, component, value, limit }` |
 *
 * `LOW_FACE_MATCH_SIMILARITY`'s texts are Didit's own, from its API reference; the others are
 * facematch's wording for risk codes Didit uses elsewhere in its platform.
 *
 * @category Providers
 */
export const DIDIT_WARNINGS: Readonly<Record<DiditRisk, Readonly<DiditWarningText>>> = Object.freeze({
  LOW_FACE_MATCH_SIMILARITY: Object.freeze({
    short_description: 'Low face match similarity',
    long_description:
      "The facial features of the provided image don't closely match the reference image, suggesting a potential identity mismatch.",
  }),
  NO_FACE_DETECTED: Object.freeze({
    short_description: 'No face detected',
    long_description: 'No face could be found in one of the images, so the two faces could not be compared.',
  }),
  MULTIPLE_FACES_DETECTED: Object.freeze({
    short_description: 'Multiple faces detected',
    long_description: 'More than one face was found in the image; the largest face was used for the comparison.',
  }),
  LOW_FACE_QUALITY: Object.freeze({
    short_description: 'Low face image quality',
    long_description: 'Taken together, the size, sharpness, lighting and pose of the face make the comparison markedly less reliable.',
  }),
  FACE_NOT_CLEAR: Object.freeze({
    short_description: 'Face not clearly visible',
    long_description: 'The face detector is unsure of the face: it may be partly covered, turned away, cut off or barely visible.',
  }),
  FACE_TOO_SMALL: Object.freeze({
    short_description: 'Face too small',
    long_description: 'The face has too few pixels (its eyes are too close together in the image) for a reliable comparison.',
  }),
  BLURRY_FACE: Object.freeze({
    short_description: 'Blurry face',
    long_description: 'The face is out of focus, blurred by motion, or upscaled from a small image.',
  }),
  POOR_LIGHTING: Object.freeze({
    short_description: 'Poor lighting',
    long_description: 'The face is too dark or too bright, or much of it is crushed to black or blown to white.',
  }),
  UNEVEN_LIGHTING: Object.freeze({
    short_description: 'Uneven lighting',
    long_description: 'One side of the face is much darker than the other.',
  }),
  FACE_NOT_FRONTAL: Object.freeze({
    short_description: 'Face not frontal',
    long_description: 'The head is turned or tilted up or down too far for a reliable comparison.',
  }),
  FACE_TILTED: Object.freeze({
    short_description: 'Face tilted',
    long_description: 'The head is tilted far sideways in the image; it was straightened for the comparison, but such photos are matched less reliably.',
  }),
  EYES_CLOSED: Object.freeze({
    short_description: 'Eyes closed',
    long_description: 'The eyes appear closed or nearly closed.',
  }),
  EYES_COVERED: Object.freeze({
    short_description: 'Eyes covered',
    long_description: 'Something covers the eyes (dark glasses, a hand, a bar), hiding features the comparison relies on.',
  }),
});

/**
 * One entry of `face_match.warnings`.
 *
 * @category Providers
 */
export interface DiditWarning {
  /** Stable risk code. */
  risk: DiditRisk;
  /** Facts about this occurrence, or `null`. */
  additional_data: Record<string, unknown> | null;
  /** Severity. */
  log_type: DiditLogType;
  /** One-line description. */
  short_description: string;
  /** Longer description. */
  long_description: string;
}

/**
 * The `face_match` object of a Didit response.
 *
 * @category Providers
 */
export interface DiditFaceMatch {
  /** `Approved`, `In Review` or `Declined`. */
  status: Decision;
  /** Similarity score 0–100, two decimals. 0 when a face is missing. */
  score: number;
  /** The processed face of `user_image` (a `data:` URL unless an `imageUrl` maker is given); `null` when it has no face. */
  source_image: string | null;
  /** The processed face of `ref_image`; `null` when it has no face. */
  target_image: string | null;
  /** Warnings from {@link DIDIT_WARNINGS}. */
  warnings: DiditWarning[];
}

/**
 * A Didit face-match response (HTTP 200).
 *
 * @category Providers
 */
export interface DiditResponse {
  /** Unique id of the request (a UUID unless one is supplied). */
  request_id: string;
  /** The result. */
  face_match: DiditFaceMatch;
  /** When the request was created, ISO 8601. */
  created_at: string;
}

/**
 * A Didit error body.
 *
 * @category Providers
 */
export interface DiditErrorBody {
  /** What went wrong. */
  detail: string;
}

/**
 * An HTTP 200 answer carrying a {@link DiditResponse}.
 *
 * @category Providers
 */
export interface DiditSuccessReply {
  /** Always 200. */
  status: 200;
  /** The response. */
  body: DiditResponse;
}

/**
 * An HTTP error answer carrying a {@link DiditErrorBody}.
 *
 * @category Providers
 */
export interface DiditErrorReply {
  /** 400 (bad image or parameter), 401 (authentication), 403 (authorisation) or 500 (server fault). */
  status: 400 | 401 | 403 | 500;
  /** The error body. */
  body: DiditErrorBody;
}

/**
 * What a Didit endpoint sends: status and JSON body.
 *
 * @category Providers
 */
export type DiditReply = DiditSuccessReply | DiditErrorReply;

/**
 * Which processed image an image URL is made for: `source` (`user_image`) or `target`
 * (`ref_image`).
 *
 * @category Providers
 */
export type DiditImageKind = 'source' | 'target';

/**
 * Makes the URL put in `source_image` / `target_image` for a face chip, for example after storing
 * the chip somewhere the client can fetch it.
 *
 * @category Providers
 */
export type DiditImageUrlMaker = (kind: DiditImageKind, chip: RgbImage) => string | Promise<string>;

/**
 * The request's `options` object, as Didit documents it. Other keys are accepted and ignored.
 *
 * @category Providers
 */
export interface DiditRequestOptions {
  /** Scores below this are declined. A number from 0 to 100; default 30. */
  face_match_score_decline_threshold?: number;
}

/**
 * Fields that identify a response: for {@link toDiditResponse} and for the 200 answers of
 * {@link toDiditError}.
 *
 * @category Providers
 */
export interface DiditEnvelopeOptions {
  /** `request_id` to report; default a fresh `crypto.randomUUID()`. */
  requestId?: string;
  /** When the request was created; default now. */
  createdAt?: Date;
}

/**
 * Options of {@link toDiditResponse}: Didit's own request option plus facematch's (camelCase,
 * not part of Didit's API).
 *
 * @category Providers
 */
export interface DiditResponseOptions extends DiditRequestOptions, DiditEnvelopeOptions {
  /**
   * Scores at or above this are `Approved`, between the decline threshold and this `In Review`.
   * Didit sets it in its console, not per request. A number from 0 to 100; default
   * {@link DEFAULT_APPROVE_THRESHOLD} (raised to the decline threshold when that is higher).
   */
  approveThreshold?: number;
  /** Makes the image URLs; default: the chip as a `data:` URL in {@link DiditResponseOptions.imageFormat}. */
  imageUrl?: DiditImageUrlMaker;
  /** Format of the default `data:` URLs: `jpeg` (default) or `png`. */
  imageFormat?: ChipImageFormat;
  /** Overrides of the quality limits behind the quality warnings; default {@link DEFAULT_QUALITY_LIMITS}. */
  qualityLimits?: Partial<QualityLimits>;
  /**
   * When true (default), a quality finding of severity `warning` in either image keeps the status
   * from being `Approved`: it is `In Review` at best, as Didit's `warning` log type means.
   */
  qualityReview?: boolean;
  /**
   * Declines the match (status `Declined`, a `LOW_FACE_QUALITY` warning of type `error`) when either
   * face's overall quality is below this, 0–100. Default: no floor.
   */
  minQuality?: number;
}

const THRESHOLD_FIELDS = { declineThreshold: 'face_match_score_decline_threshold', approveThreshold: 'approveThreshold' } as const;

/**
 * Removes commas that directly precede `}` or `]` outside strings, so the options JSON of Didit's
 * own documentation example (`{"face_match_score_decline_threshold": 40,}`) parses.
 */
function stripTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      const rest = text.slice(i + 1).trimStart();
      if (rest.startsWith('}') || rest.startsWith(']')) continue;
    }
    out += c;
  }
  return out;
}

/**
 * Reads the request's `options` part: a JSON string (as sent in the multipart form), an already
 * parsed object, or nothing. Trailing commas are tolerated, as in Didit's own example. Keys other
 * than `face_match_score_decline_threshold` are ignored.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT`, field `options` when it is not a JSON object, or
 * field `face_match_score_decline_threshold` when that is not a number from 0 to 100.
 * @category Providers
 */
export function parseDiditOptions(raw: unknown): DiditRequestOptions {
  let value = raw;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(stripTrailingCommas(value));
    } catch (cause) {
      throw new FaceMatchError('INVALID_INPUT', 'Expected a JSON object for options but received text that is not valid JSON', { field: 'options', cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaceMatchError('INVALID_INPUT', `Expected a JSON object for options but received ${describeReceived(value)}`, {
      field: 'options',
    });
  }
  const threshold = (value as Record<string, unknown>).face_match_score_decline_threshold;
  if (threshold === undefined) return {};
  return { face_match_score_decline_threshold: checkScoreThreshold(threshold, THRESHOLD_FIELDS.declineThreshold) };
}

function warning(risk: DiditRisk, log_type: DiditLogType, additional_data: Record<string, unknown> | null): DiditWarning {
  return { risk, additional_data, log_type, ...DIDIT_WARNINGS[risk] };
}

/** Checks the envelope options and returns `request_id` and `created_at`. */
function envelopeFields(options: DiditEnvelopeOptions): Pick<DiditResponse, 'request_id' | 'created_at'> {
  const createdAt = options.createdAt ?? new Date();
  if (!(createdAt instanceof Date) || Number.isNaN(createdAt.getTime())) {
    throw invalidInput('createdAt', 'a valid Date', createdAt);
  }
  const requestId = options.requestId ?? randomUUID();
  if (typeof requestId !== 'string' || requestId.length === 0) {
    throw invalidInput('requestId', 'a non-empty string', requestId);
  }
  return { request_id: requestId, created_at: createdAt.toISOString() };
}

function multipleFaces(report: FaceReport, image: string): DiditWarning[] {
  return report.faceCount > 1 ? [warning('MULTIPLE_FACES_DETECTED', 'information', { image, face_count: report.faceCount })] : [];
}

/**
 * Builds Didit's face-match response from a match. The score is rounded to two decimals and the
 * status decided on the rounded score, so the two always agree. `source_image` / `target_image`
 * hold the aligned face chips the embedder saw, as `data:image/jpeg;base64,...` URLs unless
 * `imageUrl` is given. Warnings come from {@link DIDIT_WARNINGS}.
 *
 * Didit documents one request option, `face_match_score_decline_threshold`; there are no others
 * (no image rotation or the like) to honour or refuse.
 *
 * @param result - the provider-neutral match (`source` is `user_image`, `target` is `ref_image`)
 * @param options - thresholds, request id, creation time and image URLs
 * @throws {@link FaceMatchError} `INVALID_INPUT` when an option is invalid (field names the
 * option: `face_match_score_decline_threshold`, `approveThreshold`, `requestId`, `createdAt`) or
 * the result's score is not 0–100 (field `score`). Pass it to {@link toDiditError} for the 400.
 * @category Providers
 */
export async function toDiditResponse(result: MatchResult, options: DiditResponseOptions = {}): Promise<DiditResponse> {
  const thresholds = resolveDecisionThresholds(
    { declineThreshold: options.face_match_score_decline_threshold, approveThreshold: options.approveThreshold },
    THRESHOLD_FIELDS,
  );
  if (typeof result.score !== 'number' || !(result.score >= 0 && result.score <= 100)) {
    throw invalidInput('score', 'a match score from 0 to 100', result?.score);
  }
  const { request_id, created_at } = envelopeFields(options);
  const score = roundScore(result.score);
  let status: Decision = decide(score, thresholds);

  const { minQuality, qualityReview = true } = options;
  if (minQuality !== undefined) checkScoreThreshold(minQuality, 'minQuality');
  if (typeof qualityReview !== 'boolean') throw invalidInput('qualityReview', 'true or false', qualityReview);
  const sides = [
    { report: result.source, image: DIDIT_FIELDS.source },
    { report: result.target, image: DIDIT_FIELDS.target },
  ] as const;
  const qualityWarnings: DiditWarning[] = [];
  let belowFloor = false;
  let review = false;
  for (const { report, image } of sides) {
    // Fails closed: an overall that is not a number is below any floor.
    const sideBelowFloor = minQuality !== undefined && !(report.quality.overall >= minQuality);
    if (sideBelowFloor) {
      belowFloor = true;
      qualityWarnings.push(warning('LOW_FACE_QUALITY', 'error', { image, component: 'overall', value: report.quality.overall, limit: minQuality }));
    }
    for (const f of qualityFindings(report.quality, options.qualityLimits)) {
      if (sideBelowFloor && f.check === 'LOW_FACE_QUALITY') continue;
      if (f.severity === 'warning') review = true;
      qualityWarnings.push(warning(f.check, f.severity, { image, component: f.component, value: f.value, limit: f.limit }));
    }
  }
  if (belowFloor) status = 'Declined';
  else if (review && qualityReview && status === 'Approved') status = 'In Review';

  const warnings: DiditWarning[] = [];
  if (score < thresholds.approveThreshold) warnings.push(warning('LOW_FACE_MATCH_SIMILARITY', score < thresholds.declineThreshold ? 'error' : 'warning', null));
  warnings.push(...multipleFaces(result.source, DIDIT_FIELDS.source), ...multipleFaces(result.target, DIDIT_FIELDS.target));
  warnings.push(...qualityWarnings);

  const makeUrl: DiditImageUrlMaker = options.imageUrl ?? ((_kind, chip) => chipToDataUrl(chip, options.imageFormat ?? 'jpeg'));
  const [source_image, target_image] = await Promise.all([makeUrl('source', result.source.chip), makeUrl('target', result.target.chip)]);

  return { request_id, face_match: { status, score, source_image, target_image, warnings }, created_at };
}



function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)}MB`;
}

function badRequest(detail: string): DiditErrorReply {
  return { status: 400, body: { detail } };
}

function serverError(): DiditErrorReply {
  return { status: 500, body: { detail: 'The face match could not be performed because of a server error.' } };
}

/**
 * Didit's answer to a failure. Most failures are `{ detail }` errors; a missing face is a
 * `Declined` response, as Didit reports face-match problems inside the result.
 *
 * | `FaceMatchError` code | HTTP | answer |
 * |---|---|---|
 * | `INVALID_INPUT` | 400 | `detail`: the message, prefixed by the field (for example `face_match_score_decline_threshold`) |
 * | `UNSUPPORTED_FORMAT` | 400 | `detail`: `<field>: Invalid image format. Supported formats: JPEG, PNG, WebP.` |
 * | `CORRUPT_IMAGE` | 400 | `detail`: the image could not be decoded; supported formats |
 * | `FILE_TOO_LARGE` | 400 | `detail`: maximum file size (5MB per image unless the error's `details.maxBytes` says otherwise) |
 * | `IMAGE_TOO_SMALL` | 400 | `detail`: minimum resolution (480x480 pixels unless `details.minWidth` / `minHeight` say otherwise) |
 * | `IMAGE_TOO_LARGE` | 400 | `detail`: the image's size and the pixel limit (`details.maxPixels`, else 50,000,000 pixels) |
 * | `NO_FACE` | 200 | {@link DiditResponse}: `Declined`, score 0, the image(s) `null`, a `NO_FACE_DETECTED` warning |
 * | `LOW_QUALITY` | 200 | {@link DiditResponse}: `Declined`, score 0, the images `null`, a `LOW_FACE_QUALITY` warning of type `error` with the face's quality and the floor |
 * | `MODEL_ERROR`, `BACKEND_ERROR` | 500 | `detail`: a generic server error (no internals leak) |
 * | anything that is not a `FaceMatchError` | 500 | same |
 *
 * 401 and 403 concern authentication, which happens before facematch runs: see
 * {@link diditAuthError}.
 *
 * @param error - what was thrown
 * @param options - request id and creation time for the 200 answer
 * @throws {@link FaceMatchError} `INVALID_INPUT` when `options.requestId` or `options.createdAt` is invalid.
 * @category Providers
 */
export function toDiditError(error: unknown, options: DiditEnvelopeOptions = {}): DiditReply {
  if (!isFaceMatchError(error)) return serverError();
  const field = error.field;
  switch (error.code) {
    case 'INVALID_INPUT':
      return badRequest(withField(field, error.message));
    case 'UNSUPPORTED_FORMAT':
      return badRequest(withField(field, `Invalid image format. Supported formats: ${DIDIT_LIMITS.formats}.`));
    case 'CORRUPT_IMAGE':
      return badRequest(
        withField(field, `The image could not be decoded: the file is damaged or not a valid image. Supported formats: ${DIDIT_LIMITS.formats}.`),
      );
    case 'FILE_TOO_LARGE': {
      const bytes = numberDetail(error, 'bytes');
      const max = numberDetail(error, 'maxBytes') ?? DIDIT_LIMITS.maxBytes;
      const got = bytes === undefined ? '' : ` (${megabytes(bytes)})`;
      return badRequest(withField(field, `File too large${got}. Maximum file size: ${megabytes(max)} per image.`));
    }
    case 'IMAGE_TOO_SMALL': {
      const width = numberDetail(error, 'width');
      const height = numberDetail(error, 'height');
      const minWidth = numberDetail(error, 'minWidth') ?? DIDIT_LIMITS.minWidth;
      const minHeight = numberDetail(error, 'minHeight') ?? DIDIT_LIMITS.minHeight;
      const got = width === undefined || height === undefined ? '' : ` (${width}x${height})`;
      return badRequest(withField(field, `Image resolution too low${got}. Minimum resolution: ${minWidth}x${minHeight} pixels.`));
    }
    case 'IMAGE_TOO_LARGE':
      return badRequest(withField(field, `Image dimensions too large${pixelLimitText(error)}`));
    case 'NO_FACE': {
      const faceMatch: DiditFaceMatch = {
        status: 'Declined',
        score: 0,
        source_image: null,
        target_image: null,
        warnings: [warning('NO_FACE_DETECTED', 'error', field === undefined ? null : { image: field })],
      };
      const { request_id, created_at } = envelopeFields(options);
      return { status: 200, body: { request_id, face_match: faceMatch, created_at } };
    }
    case 'LOW_QUALITY': {
      const faceMatch: DiditFaceMatch = {
        status: 'Declined',
        score: 0,
        source_image: null,
        target_image: null,
        warnings: [
          warning('LOW_FACE_QUALITY', 'error', { image: field ?? null, component: 'overall', value: error.details.quality ?? null, limit: error.details.minQuality ?? null }),
        ],
      };
      const { request_id, created_at } = envelopeFields(options);
      return { status: 200, body: { request_id, face_match: faceMatch, created_at } };
    }
    case 'MODEL_ERROR':
    case 'BACKEND_ERROR':
      return serverError();
  }
}

/**
 * Which authentication failure: `unauthorized` (401: invalid or missing access token) or
 * `forbidden` (403: the token may not use this API).
 *
 * @category Providers
 */
export type DiditAuthFailure = 'unauthorized' | 'forbidden';

/**
 * Didit's 401 and 403 answers, for a server that checks access tokens before matching.
 *
 * @category Providers
 */
export function diditAuthError(kind: DiditAuthFailure): DiditErrorReply {
  return kind === 'unauthorized'
    ? { status: 401, body: { detail: 'Invalid or missing access_token.' } }
    : { status: 403, body: { detail: 'Not authorized to access this API or insufficient subscription plan.' } };
}
