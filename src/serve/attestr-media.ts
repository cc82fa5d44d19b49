/**
 * Error answers of Attestr's image media upload, which the library's face-match formatter does not
 * cover: that page documents `{ httpStatusCode, code, message, details? }` bodies and two codes of
 * its own (4005 file larger than 15 MB, 4007 incompatible file type). The codes it shares with the
 * face match keep the face match's messages ({@link ATTESTR_ERRORS}).
 * @module
 */
import { ATTESTR_ERRORS, type AttestrErrorCode } from '../providers/attestr.js';

/**
 * An Attestr media-upload error code.
 *
 * @category Service
 */
export type AttestrMediaErrorCode = Exclude<AttestrErrorCode, 4005 | 4035> | 4005 | 4007;

/**
 * The body of a media-upload error.
 *
 * @category Service
 */
export interface AttestrMediaErrorBody {
  /** The HTTP status, repeated in the body. */
  httpStatusCode: number;
  /** The error code. */
  code: AttestrMediaErrorCode;
  /** The code's message. */
  message: string;
  /** More detail, for some errors. */
  details?: string;
}

const OWN: Readonly<Record<4005 | 4007, { status: 400; message: string }>> = Object.freeze({
  4005: { status: 400, message: 'File size exceeds the maximum allowed size of 15 MB' },
  4007: { status: 400, message: 'Image incompatible file type' },
});

/**
 * The status and body of a media-upload error.
 *
 * @category Service
 */
export function attestrMediaError(code: AttestrMediaErrorCode, details?: string): { status: number; body: AttestrMediaErrorBody } {
  const spec = code === 4005 || code === 4007 ? OWN[code] : ATTESTR_ERRORS[code];
  const body: AttestrMediaErrorBody = { httpStatusCode: spec.status, code, message: spec.message };
  if (details !== undefined) body.details = details;
  return { status: spec.status, body };
}
