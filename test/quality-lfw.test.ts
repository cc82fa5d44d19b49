import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatcher } from '../src/matcher.js';
import { toDiditResponse, toDiditError } from '../src/providers/didit.js';
import { qualityFindings, type QualityCheck } from '../src/quality/findings.js';
import { measureFaceQuality } from '../src/quality/measure.js';
import { lfwDirOrSkip, lfwImage } from './fixtures/lfw.js';

const LFW = lfwDirOrSkip('quality-lfw');

/** Faces of several people, frontal and well lit in LFW. */
const PEOPLE: [string, number][] = [
  ['Aaron_Peirsol', 1],
  ['Abdullah_Gul', 13],
  ['Colin_Powell', 1],
  ['Laura_Bush', 1],
];

describe.skipIf(!LFW)('face quality on LFW faces degraded in code (FACEMATCH_LFW_DIR)', () => {
  let matcher: FaceMatcher;
  const file = (name: string, n: number) => lfwImage(LFW!, name, n);
  beforeAll(async () => {
    matcher = await FaceMatcher.create({ backend: 'wasm' });
  });
  afterAll(() => matcher.dispose());

  async function checksOf(image: Buffer): Promise<QualityCheck[]> {
    const r = await matcher.embed(image);
    return qualityFindings(r.quality).map((f) => f.check);
  }

  it('finds nothing wrong with clean LFW faces upscaled to 500×500, and says so in Didit terms', async () => {
    for (const [name, n] of PEOPLE) {
      const big = await sharp(file(name, n)).resize(500, 500, { kernel: 'lanczos3' }).jpeg({ quality: 92 }).toBuffer();
      expect(await checksOf(big), name).toEqual([]);
    }
    const [a, b] = await Promise.all(
      PEOPLE.slice(0, 2).map(([name, n]) => sharp(file(name, n)).resize(500, 500).jpeg({ quality: 92 }).toBuffer()),
    );
    const didit = await toDiditResponse(await matcher.match(a!, b!));
    expect(didit.face_match.warnings.map((w) => w.risk)).toEqual(['LOW_FACE_MATCH_SIMILARITY']);
  });

  it('calls a heavily blurred face blurry, and a Didit response carries the warning', async () => {
    for (const [name, n] of PEOPLE) {
      const blurred = await sharp(file(name, n)).resize(500, 500).blur(8).jpeg().toBuffer();
      expect(await checksOf(blurred), name).toContain('BLURRY_FACE');
    }
    const clean = await sharp(file('Aaron_Peirsol', 1)).resize(500, 500).jpeg().toBuffer();
    const blurred = await sharp(file('Aaron_Peirsol', 2)).resize(500, 500).blur(8).jpeg().toBuffer();
    const didit = await toDiditResponse(await matcher.match(clean, blurred));
    const warning = didit.face_match.warnings.find((w) => w.risk === 'BLURRY_FACE');
    expect(warning).toMatchObject({ log_type: 'warning', additional_data: { image: 'ref_image', component: 'sharpness' } });
    expect(didit.face_match.status).not.toBe('Approved');
  });

  it('calls darkened and over-exposed faces badly lit', async () => {
    for (const [name, n] of PEOPLE) {
      const dark = await sharp(file(name, n)).linear(0.18, 0).jpeg().toBuffer();
      const bright = await sharp(file(name, n)).linear(2.6, 60).jpeg().toBuffer();
      expect(await checksOf(dark), `${name} dark`).toContain('POOR_LIGHTING');
      expect(await checksOf(bright), `${name} bright`).toContain('POOR_LIGHTING');
    }
  });

  it('calls a small face in a large frame too small', async () => {
    for (const [name, n] of PEOPLE) {
      const small = await sharp(file(name, n)).resize(90, 90).toBuffer();
      const frame = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#7a7a7a' } })
        .composite([{ input: small, left: 300, top: 200 }])
        .jpeg({ quality: 95 })
        .toBuffer();
      expect(await checksOf(frame), name).toContain('FACE_TOO_SMALL');
    }
  });

  it('calls a face turned about the roll axis tilted', async () => {
    for (const [name, n] of PEOPLE) {
      const tilted = await sharp(file(name, n)).rotate(45, { background: '#808080' }).jpeg().toBuffer();
      expect(await checksOf(tilted), name).toContain('FACE_TILTED');
    }
  });

  it('calls a face whose eyes are painted over covered', async () => {
    for (const [name, n] of PEOPLE) {
      const found = await matcher.embed(file(name, n));
      const [right, left] = found.face.keypoints as [{ x: number; y: number }, { x: number; y: number }];
      const width = Math.round(left.x - right.x + 40);
      const bar = await sharp({ create: { width, height: 26, channels: 3, background: '#b08a78' } }).png().toBuffer();
      const covered = await sharp(file(name, n))
        .composite([{ input: bar, left: Math.round(right.x - 20), top: Math.round((right.y + left.y) / 2 - 13) }])
        .jpeg()
        .toBuffer();
      expect(await checksOf(covered), name).toContain('EYES_COVERED');
    }
  });

  it('declines with LOW_QUALITY when asked to, in library and Didit terms', async () => {
    const strict = await FaceMatcher.create({ backend: 'wasm', minQuality: 50 });
    try {
      const blurred = await sharp(file('Colin_Powell', 1)).blur(4).jpeg().toBuffer();
      const err = await strict.match(file('Colin_Powell', 2), blurred, { fields: ['user_image', 'ref_image'] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'LOW_QUALITY', field: 'ref_image', details: { minQuality: 50 } });
      const reply = toDiditError(err);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ face_match: { status: 'Declined', warnings: [{ risk: 'LOW_FACE_QUALITY', log_type: 'error' }] } });
      // A clean pair still matches under the same floor.
      expect((await strict.match(file('Colin_Powell', 1), file('Colin_Powell', 2))).score).toBeGreaterThan(50);
    } finally {
      strict.dispose();
    }
  });

  it('measures a face from its box, keypoints and chip alone (no landmarks: no pose, no eye openness)', async () => {
    const r = await matcher.embed(file('Laura_Bush', 1));
    const q = measureFaceQuality({
      image: { width: 250, height: 250, data: new Uint8Array(250 * 250 * 3).fill(120) },
      box: r.face.box,
      keypoints: r.face.keypoints,
      score: r.face.score,
      dlibChip: r.chip,
    });
    expect(q.components.pose).toBeUndefined();
    expect(q.components.eyeOpenness).toBeUndefined();
    // The chip it was given, not the flat image, is what the photometric measures read.
    expect(q.components.sharpness).toBeCloseTo(r.quality.components.sharpness, 9);
    expect(Math.abs(q.components.roll - r.quality.components.roll)).toBeLessThan(8);
  });
});
