import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVE_THRESHOLD } from '../src/compare/decision.js';
import { FACE_MATCH_ERROR_CODES, FaceMatchError } from '../src/errors.js';
import {
  DIDIT_FIELDS,
  DIDIT_WARNINGS,
  diditAuthError,
  parseDiditOptions,
  toDiditError,
  toDiditResponse,
  type DiditResponse,
} from '../src/providers/didit.js';
import { checkPixelCount, resolveConstraints } from '../src/image/constraints.js';
import { loadImage } from '../src/image/load.js';
import { encodeChip } from '../src/providers/chip-url.js';
import type { RgbImage } from '../src/types.js';
import { cleanQuality, makeChip, makeFaceReport, makeMatchResult } from './providers-builders.js';
import { DIDIT_EXAMPLE_ERROR, DIDIT_EXAMPLE_OPTIONS_TEXT, DIDIT_EXAMPLE_RESPONSE } from './providers-fixtures.js';
import { schemaErrors } from './providers-schemas.js';

async function decodeDataUrl(url: string, mime: string): Promise<RgbImage> {
  const prefix = `data:${mime};base64,`;
  expect(url.startsWith(prefix)).toBe(true);
  return (await loadImage(Buffer.from(url.slice(prefix.length), 'base64'), { decoder: 'builtin' })).image;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('reference document examples', () => {
  it('the documented response and error validate against our schemas', () => {
    expect(schemaErrors('diditResponse', DIDIT_EXAMPLE_RESPONSE)).toBe('');
    expect(schemaErrors('diditError', DIDIT_EXAMPLE_ERROR)).toBe('');
  });

  it('our LOW_FACE_MATCH_SIMILARITY texts are the documented ones', () => {
    const documented = DIDIT_EXAMPLE_RESPONSE.face_match.warnings[0]!;
    expect(DIDIT_WARNINGS.LOW_FACE_MATCH_SIMILARITY).toEqual({
      short_description: documented.short_description,
      long_description: documented.long_description,
    });
  });

  it('the schemas reject what Didit would not send', () => {
    const badStatus = { ...DIDIT_EXAMPLE_RESPONSE, face_match: { ...DIDIT_EXAMPLE_RESPONSE.face_match, status: 'Pending' } };
    expect(schemaErrors('diditResponse', badStatus)).toMatch(/status/);
    const badScore = { ...DIDIT_EXAMPLE_RESPONSE, face_match: { ...DIDIT_EXAMPLE_RESPONSE.face_match, score: 120 } };
    expect(schemaErrors('diditResponse', badScore)).toMatch(/score/);
    expect(schemaErrors('diditResponse', { ...DIDIT_EXAMPLE_RESPONSE, created_at: 'yesterday' })).toMatch(/created_at/);
    expect(schemaErrors('diditError', { message: 'x' })).not.toBe('');
  });
});

describe('toDiditResponse', () => {
  it('builds the documented shape with a UUID, an ISO time and the chips as JPEG data URLs', async () => {
    const result = makeMatchResult(65.4321);
    const response = await toDiditResponse(result);
    expect(schemaErrors('diditResponse', response)).toBe('');
    expect(Object.keys(response)).toEqual(['request_id', 'face_match', 'created_at']);
    expect(Object.keys(response.face_match)).toEqual(['status', 'score', 'source_image', 'target_image', 'warnings']);
    expect(response.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(response.created_at).toISOString()).toBe(response.created_at);
    expect(response.face_match.status).toBe('In Review');
    expect(response.face_match.score).toBe(65.43);
    expect(response.face_match.warnings).toEqual([{ risk: 'LOW_FACE_MATCH_SIMILARITY', additional_data: null, log_type: 'warning', ...DIDIT_WARNINGS.LOW_FACE_MATCH_SIMILARITY }]);

    const decoded = await decodeDataUrl(response.face_match.source_image!, 'image/jpeg');
    expect([decoded.width, decoded.height]).toEqual([150, 150]);
    expect(meanAbsDiff(decoded.data, result.source.chip.data)).toBeLessThan(4);
    expect(response.face_match.target_image).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('encodes chips without sharp too: PNG losslessly, JPEG within a few levels', async () => {
    const chip = makeChip();
    const png = await encodeChip(chip, 'png', 'builtin');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const decoder of ['builtin', 'sharp'] as const) {
      const back = (await loadImage(png, { decoder })).image;
      expect(Buffer.from(back.data).equals(Buffer.from(chip.data)), decoder).toBe(true);
    }
    const jpeg = await encodeChip(chip, 'jpeg', 'builtin');
    const decoded = (await loadImage(jpeg, { decoder: 'sharp' })).image;
    expect(meanAbsDiff(decoded.data, chip.data)).toBeLessThan(4);
    await expect(encodeChip({ width: 2, height: 2, data: new Uint8Array(5) })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'chip' });
  });

  it('uses the supplied request id, creation time, image format and URL maker', async () => {
    const createdAt = new Date('2024-07-24T08:54:25.443Z');
    const png = await toDiditResponse(makeMatchResult(90), { requestId: 'req-1', createdAt, imageFormat: 'png' });
    expect(png.request_id).toBe('req-1');
    expect(png.created_at).toBe('2024-07-24T08:54:25.443Z');
    const decoded = await decodeDataUrl(png.face_match.target_image!, 'image/png');
    expect(Buffer.from(decoded.data).equals(Buffer.from(makeChip().data))).toBe(true);

    const seen: string[] = [];
    const custom = await toDiditResponse(makeMatchResult(90), {
      imageUrl: (kind, chip) => {
        seen.push(`${kind}:${chip.width}x${chip.height}`);
        return `https://images.example/${kind}.jpg`;
      },
    });
    expect(seen.sort()).toEqual(['source:150x150', 'target:150x150']);
    expect(custom.face_match.source_image).toBe('https://images.example/source.jpg');
    expect(custom.face_match.target_image).toBe('https://images.example/target.jpg');
  });

  it('decides on the two-decimal score: 29.99 Declined, 30 In Review, approve threshold Approved', async () => {
    const status = async (score: number, options = {}): Promise<DiditResponse> => toDiditResponse(makeMatchResult(score), { imageUrl: () => 'u', ...options });
    const declined = await status(29.99);
    expect(declined.face_match.status).toBe('Declined');
    expect(declined.face_match.warnings[0]).toMatchObject({ risk: 'LOW_FACE_MATCH_SIMILARITY', log_type: 'error' });
    expect((await status(30)).face_match.status).toBe('In Review');
    // 29.996 is shown as 30 and so is In Review, never a Declined "30".
    const rounded = await status(29.996);
    expect(rounded.face_match).toMatchObject({ score: 30, status: 'In Review' });
    const approved = await status(DEFAULT_APPROVE_THRESHOLD);
    expect(approved.face_match.status).toBe('Approved');
    expect(approved.face_match.warnings).toEqual([]);
    expect((await status(DEFAULT_APPROVE_THRESHOLD - 0.01)).face_match.status).toBe('In Review');
    expect((await status(39.99, { face_match_score_decline_threshold: 40 })).face_match.status).toBe('Declined');
    expect((await status(70, { approveThreshold: 70 })).face_match.status).toBe('Approved');
  });

  it('warns MULTIPLE_FACES_DETECTED for each image holding more than one face', async () => {
    const result = makeMatchResult(95, makeFaceReport({ faceCount: 2 }), makeFaceReport({ faceCount: 3 }));
    const response = await toDiditResponse(result, { imageUrl: () => 'u' });
    expect(response.face_match.status).toBe('Approved');
    expect(response.face_match.warnings).toEqual([
      { risk: 'MULTIPLE_FACES_DETECTED', additional_data: { image: 'user_image', face_count: 2 }, log_type: 'information', ...DIDIT_WARNINGS.MULTIPLE_FACES_DETECTED },
      { risk: 'MULTIPLE_FACES_DETECTED', additional_data: { image: 'ref_image', face_count: 3 }, log_type: 'information', ...DIDIT_WARNINGS.MULTIPLE_FACES_DETECTED },
    ]);
    expect(schemaErrors('diditResponse', response)).toBe('');
  });

  it('rejects an invalid decline threshold with an error naming the option, answered as a 400', async () => {
    for (const bad of [150, -1, Number.NaN, '40']) {
      const error = await toDiditResponse(makeMatchResult(50), { face_match_score_decline_threshold: bad as number }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FaceMatchError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'face_match_score_decline_threshold' });
      const reply = toDiditError(error);
      expect(reply.status).toBe(400);
      expect(schemaErrors('diditError', reply.body)).toBe('');
      expect((reply.body as { detail: string }).detail).toMatch(/^Expected a number from 0 to 100 for face_match_score_decline_threshold/);
    }
    await expect(toDiditResponse(makeMatchResult(50), { face_match_score_decline_threshold: 90, approveThreshold: 80 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'face_match_score_decline_threshold',
    });
    await expect(toDiditResponse(makeMatchResult(50), { requestId: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'requestId' });
  });

  it('declines below the quality floor on either side, warns for each side once, and fails closed on a quality that is not a number', async () => {
    const low = cleanQuality({ sharpness: 0.003 }); // overall 0, BLURRY_FACE and LOW_FACE_QUALITY
    const both = await toDiditResponse(makeMatchResult(99, makeFaceReport({ quality: low }), makeFaceReport({ quality: low })), { minQuality: 30 });
    expect(both.face_match.status).toBe('Declined');
    const lowWarnings = both.face_match.warnings.filter((w) => w.risk === 'LOW_FACE_QUALITY');
    expect(lowWarnings.map((w) => [w.log_type, (w.additional_data as { image: string }).image])).toEqual([
      ['error', 'user_image'],
      ['error', 'ref_image'],
    ]);
    // Only user_image under the floor: ref_image's own low-quality warning is still reported.
    const poor = cleanQuality({ sharpness: 0.0062 }); // overall about 20: under 25, over the floor of 10
    expect(poor.overall).toBeGreaterThan(10);
    const one = await toDiditResponse(makeMatchResult(99, makeFaceReport({ quality: low }), makeFaceReport({ quality: poor })), { minQuality: 10 });
    expect(one.face_match.warnings.filter((w) => w.risk === 'LOW_FACE_QUALITY').map((w) => [w.log_type, (w.additional_data as { image: string }).image])).toEqual([
      ['error', 'user_image'],
      ['warning', 'ref_image'],
    ]);
    const broken = makeFaceReport({ quality: { ...cleanQuality(), overall: Number.NaN } });
    const nan = await toDiditResponse(makeMatchResult(99, makeFaceReport(), broken), { minQuality: 30 });
    expect(nan.face_match.status).toBe('Declined');
    const clean = await toDiditResponse(makeMatchResult(99), { minQuality: 30 });
    expect(clean.face_match.status).toBe('Approved');
  });

  it('rejects a malformed chip', async () => {
    const result = makeMatchResult(50);
    result.target.chip = { width: 150, height: 150, data: new Uint8Array(10) };
    await expect(toDiditResponse(result)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'chip' });
  });
});

describe('parseDiditOptions', () => {
  it("reads the documentation's own options JSON, trailing comma included", () => {
    expect(parseDiditOptions(DIDIT_EXAMPLE_OPTIONS_TEXT)).toEqual({ face_match_score_decline_threshold: 40 });
    expect(parseDiditOptions({ face_match_score_decline_threshold: 35, something_else: true })).toEqual({ face_match_score_decline_threshold: 35 });
    expect(parseDiditOptions(undefined)).toEqual({});
    expect(parseDiditOptions('  ')).toEqual({});
    expect(parseDiditOptions('{"note": "a,}", "face_match_score_decline_threshold": 0,}')).toEqual({ face_match_score_decline_threshold: 0 });
  });

  it('rejects what is not an options object or an out-of-range threshold', () => {
    expect(() => parseDiditOptions('{face_match_score_decline_threshold: 40')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'options' }));
    expect(() => parseDiditOptions('[1, 2]')).toThrow(expect.objectContaining({ field: 'options' }));
    expect(() => parseDiditOptions('{"face_match_score_decline_threshold": 101}')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'face_match_score_decline_threshold' }),
    );
    expect(() => parseDiditOptions({ face_match_score_decline_threshold: '40' })).toThrow(expect.objectContaining({ field: 'face_match_score_decline_threshold' }));
  });
});

describe('toDiditError', () => {
  const error = (code: FaceMatchError['code'], field?: string, details?: Record<string, unknown>): FaceMatchError =>
    new FaceMatchError(code, `${code} happened`, { field, details });

  it('a PDF is a 400 naming the field and the accepted formats', () => {
    const reply = toDiditError(error('UNSUPPORTED_FORMAT', DIDIT_FIELDS.source, { format: 'pdf' }));
    expect(reply).toEqual({ status: 400, body: { detail: 'user_image: Invalid image format. Supported formats: JPEG, PNG, WebP.' } });
  });

  it('IMAGE_TOO_SMALL is a 400 about the minimum resolution', () => {
    const withDetails = toDiditError(error('IMAGE_TOO_SMALL', 'ref_image', { width: 320, height: 240, minWidth: 480, minHeight: 480 }));
    expect(withDetails).toEqual({ status: 400, body: { detail: 'ref_image: Image resolution too low (320x240). Minimum resolution: 480x480 pixels.' } });
    const bare = toDiditError(error('IMAGE_TOO_SMALL'));
    expect(bare).toEqual({ status: 400, body: { detail: 'Image resolution too low. Minimum resolution: 480x480 pixels.' } });
  });

  it('IMAGE_TOO_LARGE is a 400 giving the size and the pixel limit', () => {
    let thrown: unknown;
    try {
      checkPixelCount(9000, 6000, resolveConstraints('didit'), 'ref_image');
    } catch (err) {
      thrown = err;
    }
    expect(toDiditError(thrown)).toEqual({
      status: 400,
      body: { detail: 'ref_image: Image dimensions too large (9000x6000, 54 MP). Maximum: 50,000,000 pixels (50 MP) per image.' },
    });
    expect(toDiditError(error('IMAGE_TOO_LARGE', 'user_image')).body).toEqual({ detail: 'user_image: Image dimensions too large. Maximum: 50,000,000 pixels (50 MP) per image.' });
  });

  it('a missing file names the field once', async () => {
    const thrown = await loadImage('/nonexistent/facematch/ref.jpg', { field: DIDIT_FIELDS.target }).catch((e: unknown) => e);
    const detail = (toDiditError(thrown).body as { detail: string }).detail;
    expect(detail.match(/ref_image/g)).toHaveLength(1);
    expect(detail).toMatch(/^Expected a readable image file for ref_image but /);
  });

  it('FILE_TOO_LARGE is a 400 about the 5MB limit', () => {
    const reply = toDiditError(error('FILE_TOO_LARGE', 'user_image', { bytes: 6 * 1024 * 1024 + 300_000 }));
    expect(reply).toEqual({ status: 400, body: { detail: 'user_image: File too large (6.3MB). Maximum file size: 5MB per image.' } });
  });

  it('NO_FACE is a Declined response with a NO_FACE_DETECTED warning', () => {
    const reply = toDiditError(error('NO_FACE', 'ref_image'), { requestId: 'r', createdAt: new Date(0) });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      request_id: 'r',
      face_match: {
        status: 'Declined',
        score: 0,
        source_image: null,
        target_image: null,
        warnings: [{ risk: 'NO_FACE_DETECTED', additional_data: { image: 'ref_image' }, log_type: 'error', ...DIDIT_WARNINGS.NO_FACE_DETECTED }],
      },
      created_at: '1970-01-01T00:00:00.000Z',
    });
    expect(schemaErrors('diditResponse', reply.body)).toBe('');
  });

  it('answers every error code deliberately, and valid against the schemas', () => {
    const expected: Record<FaceMatchError['code'], number> = {
      INVALID_INPUT: 400,
      UNSUPPORTED_FORMAT: 400,
      CORRUPT_IMAGE: 400,
      FILE_TOO_LARGE: 400,
      IMAGE_TOO_SMALL: 400,
      IMAGE_TOO_LARGE: 400,
      LOW_QUALITY: 200,
      NO_FACE: 200,
      MODEL_ERROR: 500,
      BACKEND_ERROR: 500,
    };
    for (const code of FACE_MATCH_ERROR_CODES) {
      const reply = toDiditError(error(code, 'user_image'));
      expect(reply.status, code).toBe(expected[code]);
      expect(schemaErrors(reply.status === 200 ? 'diditResponse' : 'diditError', reply.body), code).toBe('');
    }
    // Internals never leak into a 500.
    const model = toDiditError(new FaceMatchError('MODEL_ERROR', 'sha256 mismatch for /opt/models/x.bin'));
    expect(JSON.stringify(model)).not.toMatch(/opt|sha256/);
    expect(toDiditError(new TypeError('boom'))).toEqual(model);
  });

  it('401 and 403 for a server that checks tokens', () => {
    expect(diditAuthError('unauthorized').status).toBe(401);
    expect(diditAuthError('forbidden').status).toBe(403);
    expect(schemaErrors('diditError', diditAuthError('forbidden').body)).toBe('');
  });
});
