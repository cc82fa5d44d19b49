import { describe, expect, it } from 'vitest';
import { FACE_MATCH_ERROR_CODES, FaceMatchError } from '../src/errors.js';
import { checkPixelCount, resolveConstraints } from '../src/image/constraints.js';
import {
  ATTESTR_ERRORS,
  ATTESTR_FIELDS,
  attestrError,
  attestrInputFromMatches,
  toAttestrError,
  toAttestrResponse,
  type AttestrInput,
  type AttestrMatchResponse,
} from '../src/providers/attestr.js';
import { makeFaceReport, makeMatchResult } from './providers-builders.js';
import {
  ATTESTR_EXAMPLE_ERROR,
  ATTESTR_EXAMPLE_INVALID_FILE,
  ATTESTR_EXAMPLE_MATCHED_TEXT,
  ATTESTR_EXAMPLE_NOT_MATCHED,
} from './providers-fixtures.js';
import { schemaErrors } from './providers-schemas.js';

const noFace = (field: string): FaceMatchError => new FaceMatchError('NO_FACE', `no face in ${field}`, { field });

function full(input: AttestrInput, threshold = 80, boxesWhenNotMatched = false): AttestrMatchResponse {
  const response = toAttestrResponse(input, { threshold, type: 'GOV', boxesWhenNotMatched });
  expect(schemaErrors('attestrResponse', response)).toBe('');
  expect('srcHeight' in response).toBe(true);
  return response as AttestrMatchResponse;
}

describe('reference document examples', () => {
  it('the documented not-matched, invalid-file and error examples validate against our schemas', () => {
    expect(schemaErrors('attestrResponse', ATTESTR_EXAMPLE_NOT_MATCHED)).toBe('');
    expect(schemaErrors('attestrResponse', ATTESTR_EXAMPLE_INVALID_FILE)).toBe('');
    expect(schemaErrors('attestrError', ATTESTR_EXAMPLE_ERROR)).toBe('');
  });

  it('the matched example validates once its repeated srcHeight key is read as srcWidth', () => {
    // Verbatim, JSON keeps the second srcHeight and has no srcWidth: the schema notices.
    const verbatim = JSON.parse(ATTESTR_EXAMPLE_MATCHED_TEXT) as Record<string, unknown>;
    expect(verbatim.srcWidth).toBeUndefined();
    expect(schemaErrors('attestrResponse', verbatim)).toMatch(/srcWidth/);
    const occurrences = [...ATTESTR_EXAMPLE_MATCHED_TEXT.matchAll(/"srcHeight"/g)];
    expect(occurrences).toHaveLength(2);
    const second = occurrences[1]!.index;
    const repaired = ATTESTR_EXAMPLE_MATCHED_TEXT.slice(0, second) + '"srcWidth"' + ATTESTR_EXAMPLE_MATCHED_TEXT.slice(second + '"srcHeight"'.length);
    expect(schemaErrors('attestrResponse', JSON.parse(repaired))).toBe('');
  });

  it('our error catalogue holds the documented example', () => {
    expect(attestrError(4001).body).toEqual(ATTESTR_EXAMPLE_ERROR);
    expect(attestrError(4001).status).toBe(400);
    for (const [code, spec] of Object.entries(ATTESTR_ERRORS)) {
      expect(schemaErrors('attestrError', { code: Number(code), message: spec.message })).toBe('');
    }
  });

  it('the schemas reject what Attestr would not send', () => {
    expect(schemaErrors('attestrResponse', { ...ATTESTR_EXAMPLE_NOT_MATCHED, valid: true })).not.toBe('');
    expect(schemaErrors('attestrResponse', { ...ATTESTR_EXAMPLE_NOT_MATCHED, srcLeft: 1.5 })).not.toBe('');
    expect(schemaErrors('attestrResponse', { ...ATTESTR_EXAMPLE_INVALID_FILE, status: 'FACE_NOT_MATCHED' })).not.toBe('');
    expect(schemaErrors('attestrError', { code: 4002, message: 'x' })).not.toBe('');
  });
});

describe('toAttestrResponse', () => {
  it('a front match above the threshold: valid, FACE_MATCHED, relative boxes, confidences in percent', () => {
    const src = makeFaceReport({ relativeBox: { x: 0.27, y: 0.31, width: 0.44, height: 0.5 }, score: 0.9999 });
    const front = makeFaceReport({ relativeBox: { x: 0.22, y: 0.4, width: 0.07, height: 0.13 }, score: 0.95 });
    const r = full({ src, targetFront: { outcome: front, score: 91.5 } });
    expect(r).toMatchObject({ valid: true, status: 'FACE_MATCHED', message: null, srcValid: true, targetFrontValid: true, targetBackValid: false });
    expect(r.srcLeft).toBeCloseTo(0.27, 12);
    expect(r.srcTop).toBeCloseTo(0.31, 12);
    expect(r.srcWidth).toBeCloseTo(0.44, 12);
    expect(r.srcHeight).toBeCloseTo(0.5, 12);
    expect(r.srcConfidence).toBeCloseTo(99.99, 10);
    expect(r.targetFrontConfidence).toBeCloseTo(95, 10);
    expect(r.targetFrontWidth).toBeCloseTo(0.07, 12);
    expect(r.targetFrontMatch).toBe(91.5);
    expect(r.targetBackMatch).toBeNull();
    expect(r.targetBackHeight).toBeNull();
    // Same keys, same order as the documented response.
    expect(Object.keys(r)).toEqual(Object.keys(ATTESTR_EXAMPLE_NOT_MATCHED));
  });

  it('a score exactly at the threshold matches; below it targetFrontMatch is null and nothing matched', () => {
    expect(full({ src: makeFaceReport(), targetFront: { outcome: makeFaceReport(), score: 80 } }).targetFrontMatch).toBe(80);
    const below = full({ src: makeFaceReport(), targetFront: { outcome: makeFaceReport(), score: 79.99 } });
    expect(below).toMatchObject({ valid: false, status: 'FACE_NOT_MATCHED', message: 'Not matched, below threshold', targetFrontMatch: null });
    // Like the documented not-matched example: faces found, boxes withheld.
    expect(below).toEqual({ ...ATTESTR_EXAMPLE_NOT_MATCHED });
  });

  it('reports boxes when nothing matched only on request', () => {
    const r = full({ src: makeFaceReport(), targetFront: { outcome: makeFaceReport(), score: 10 } }, 80, true);
    expect(r.valid).toBe(false);
    expect(r.srcWidth).toBeCloseTo(0.35, 12);
    expect(r.targetFrontConfidence).toBeCloseTo(98, 10);
    expect(r.targetFrontMatch).toBeNull();
  });

  it('valid when the back matches though the front does not', () => {
    const r = full({
      src: makeFaceReport(),
      targetFront: { outcome: makeFaceReport(), score: 40 },
      targetBack: { outcome: makeFaceReport({ score: 0.9 }), score: 88 },
    });
    expect(r).toMatchObject({ valid: true, status: 'FACE_MATCHED', targetFrontMatch: null, targetBackMatch: 88, targetBackValid: true });
    expect(r.targetBackConfidence).toBeCloseTo(90, 10);
    expect(r.targetFrontConfidence).toBeCloseTo(98, 10);
  });

  it('no face in an image is a 200 FACE_NOT_MATCHED with that image not valid', () => {
    const noSrcFace = full({ src: noFace('src'), targetFront: { outcome: makeFaceReport() } });
    expect(noSrcFace).toMatchObject({ valid: false, status: 'FACE_NOT_MATCHED', srcValid: false, targetFrontValid: true, targetBackValid: false });
    expect(noSrcFace.message).toMatch(/source image/);
    const noFrontFace = full({ src: makeFaceReport(), targetFront: { outcome: noFace('targetFront') } });
    expect(noFrontFace).toMatchObject({ valid: false, srcValid: true, targetFrontValid: false });
    expect(noFrontFace.message).toMatch(/target image/);
    // The back still matches when the front holds no face.
    const backOnly = full({ src: makeFaceReport(), targetFront: { outcome: noFace('targetFront') }, targetBack: { outcome: makeFaceReport(), score: 99 } });
    expect(backOnly).toMatchObject({ valid: true, targetFrontValid: false, targetBackValid: true, targetBackMatch: 99 });
  });

  it('clips a box that overhangs the image to the image', () => {
    const src = makeFaceReport({ relativeBox: { x: -0.1, y: 0.8, width: 0.4, height: 0.3 } });
    const r = full({ src, targetFront: { outcome: makeFaceReport(), score: 99 } });
    expect(r.srcLeft).toBe(0);
    expect(r.srcWidth).toBeCloseTo(0.3, 12);
    expect(r.srcTop).toBeCloseTo(0.8, 12);
    expect(r.srcHeight).toBeCloseTo(0.2, 12);
  });

  it('a PDF or a corrupt file gives the INVALID_FILE_FORMAT response', () => {
    const pdf = new FaceMatchError('UNSUPPORTED_FORMAT', 'a PDF document', { field: 'targetFront' });
    const response = toAttestrResponse({ src: makeFaceReport(), targetFront: { outcome: pdf } }, { threshold: 80 });
    expect(response).toEqual(ATTESTR_EXAMPLE_INVALID_FILE);
    const corrupt = new FaceMatchError('CORRUPT_IMAGE', 'truncated', { field: 'targetBack' });
    expect(toAttestrResponse({ src: makeFaceReport(), targetFront: { outcome: makeFaceReport(), score: 99 }, targetBack: { outcome: corrupt } }, { threshold: 80 })).toEqual(
      ATTESTR_EXAMPLE_INVALID_FILE,
    );
  });

  it('an image below 200x200 gives { valid: false, message }', () => {
    const small = new FaceMatchError('IMAGE_TOO_SMALL', 'small', { field: 'src', details: { width: 150, height: 120 } });
    const response = toAttestrResponse({ src: small, targetFront: { outcome: makeFaceReport() } }, { threshold: 80 });
    expect(response).toEqual({ valid: false, message: 'Image too small: the source image (150x120) is below the minimum image size of 200x200' });
    expect(schemaErrors('attestrResponse', response)).toBe('');
  });

  it('throws request-level image errors for toAttestrError', () => {
    const big = new FaceMatchError('FILE_TOO_LARGE', 'too big', { field: 'targetFront' });
    expect(() => toAttestrResponse({ src: makeFaceReport(), targetFront: { outcome: big } }, { threshold: 80 })).toThrow(big);
  });

  it('validates threshold and type, and needs a score where both faces exist', () => {
    const input: AttestrInput = { src: makeFaceReport(), targetFront: { outcome: makeFaceReport(), score: 90 } };
    for (const threshold of [0, 101, Number.NaN, undefined, '85']) {
      expect(() => toAttestrResponse(input, { threshold: threshold as number })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'threshold' }));
    }
    expect(() => toAttestrResponse(input, { threshold: 85, type: 'PASSPORTS' as never })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'type' }));
    for (const type of ['UIDAI', 'DL', 'PAN', 'VOTER', 'PASSPORT', 'GOV'] as const) expect(toAttestrResponse(input, { threshold: 1, type }).valid).toBe(true);
    expect(toAttestrResponse(input, { threshold: 100 }).valid).toBe(false);
    expect(() => toAttestrResponse({ src: makeFaceReport(), targetFront: { outcome: makeFaceReport() } }, { threshold: 85 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'targetFront.score' }),
    );
  });

  it('builds its input from match results', () => {
    const front = makeMatchResult(60);
    const back = makeMatchResult(97, front.source);
    const input = attestrInputFromMatches(front, back);
    expect(input.src).toBe(front.source);
    expect(input.targetFront).toEqual({ outcome: front.target, score: 60 });
    expect(input.targetBack).toEqual({ outcome: back.target, score: 97 });
    expect(full(input)).toMatchObject({ valid: true, targetFrontMatch: null, targetBackMatch: 97 });
    const missingBack = attestrInputFromMatches(front, noFace('targetBack'));
    expect(full(missingBack, 50)).toMatchObject({ valid: true, targetFrontMatch: 60, targetBackValid: false });
  });
});

describe('toAttestrError', () => {
  it('an invalid threshold is a 400 with code 4001 and the reason in details', () => {
    let thrown: unknown;
    try {
      toAttestrResponse({ src: makeFaceReport(), targetFront: { outcome: makeFaceReport(), score: 90 } }, { threshold: 150 });
    } catch (err) {
      thrown = err;
    }
    const reply = toAttestrError(thrown);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      code: 4001,
      message: 'Malformed data or missing required parameter values',
      details: 'Expected a number from 1 to 100 for threshold but received 150',
    });
    expect(schemaErrors('attestrError', reply.body)).toBe('');
  });

  it('a PDF is INVALID_FILE_FORMAT, a too-large file a 4001 about 10 MB', () => {
    expect(toAttestrError(new FaceMatchError('UNSUPPORTED_FORMAT', 'pdf', { field: 'src' }))).toEqual({ status: 200, body: ATTESTR_EXAMPLE_INVALID_FILE });
    const big = toAttestrError(new FaceMatchError('FILE_TOO_LARGE', 'big', { field: ATTESTR_FIELDS.targetBack }));
    expect(big).toEqual({
      status: 400,
      body: { code: 4001, message: 'Malformed data or missing required parameter values', details: 'targetBack: Maximum allowed image size is 10 MB.' },
    });
  });

  it('too many pixels is a 4001 giving the size and the limit', () => {
    let thrown: unknown;
    try {
      checkPixelCount(10_000, 10_000, resolveConstraints('attestr'), ATTESTR_FIELDS.source);
    } catch (err) {
      thrown = err;
    }
    expect((toAttestrError(thrown).body as { details: string }).details).toBe(
      'src: The image has more pixels than the service processes (10000x10000, 100 MP). Maximum: 50,000,000 pixels (50 MP) per image.',
    );
  });

  it('answers every error code deliberately, and valid against the schemas', () => {
    const expected: Record<FaceMatchError['code'], number> = {
      INVALID_INPUT: 400,
      UNSUPPORTED_FORMAT: 200,
      CORRUPT_IMAGE: 200,
      FILE_TOO_LARGE: 400,
      IMAGE_TOO_SMALL: 200,
      IMAGE_TOO_LARGE: 400,
      LOW_QUALITY: 200,
      NO_FACE: 200,
      MODEL_ERROR: 500,
      BACKEND_ERROR: 500,
    };
    for (const code of FACE_MATCH_ERROR_CODES) {
      const reply = toAttestrError(new FaceMatchError(code, `${code} at /srv/secret`, { field: 'targetFront' }));
      expect(reply.status, code).toBe(expected[code]);
      expect(schemaErrors(reply.status === 200 ? 'attestrResponse' : 'attestrError', reply.body), code).toBe('');
      if (reply.status === 500) expect(JSON.stringify(reply.body)).not.toMatch(/secret/);
    }
    expect(toAttestrError(new Error('boom'))).toEqual({ status: 500, body: { code: 5001, message: 'Request could not be processed' } });
    expect(toAttestrError(noFace('src')).body).toEqual({ valid: false, message: 'Not matched, face not detected in source image' });
  });
});
