import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '../src/runtime/tf.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { FaceMatcher } from '../src/matcher.js';
import { lfwDirOrSkip, lfwImage, pairsTxtImages } from './fixtures/lfw.js';

const LFW = lfwDirOrSkip('matcher');

/** A flat grey JPEG with nothing face-like in it. */
async function greyJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .jpeg()
    .toBuffer();
}

describe('FaceMatcher without LFW', () => {
  let matcher: FaceMatcher;
  beforeAll(async () => {
    matcher = await FaceMatcher.create({ backend: 'wasm' });
  });
  afterAll(() => matcher.dispose());

  it('rejects an image without a face with NO_FACE naming the field', async () => {
    const err = await matcher.embed(await greyJpeg(400, 300), { field: 'user_image' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceMatchError);
    expect((err as FaceMatchError).code).toBe('NO_FACE');
    expect((err as FaceMatchError).field).toBe('user_image');
    expect((err as FaceMatchError).message).toMatch(/Expected a face in user_image/);
  });

  it('passes image errors through with their code and field', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    await expect(matcher.match(pdf, await greyJpeg(300, 300), { fields: ['user_image', 'ref_image'] })).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      field: 'user_image',
    });
  });

  it('rejects bad options', async () => {
    await expect(FaceMatcher.create({ alignment: 'eyes' as never })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'alignment' });
    await expect(FaceMatcher.create({ embedder: 'arcface' as never })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'embedder' });
  });

  it('refuses to work after dispose', async () => {
    const m = await FaceMatcher.create({ backend: 'wasm', alignment: 'keypoints' });
    m.dispose();
    m.dispose();
    await expect(m.embed(await greyJpeg(100, 100))).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });
});

describe.skipIf(!LFW)('FaceMatcher on LFW (FACEMATCH_LFW_DIR)', () => {
  let matcher: FaceMatcher;
  const img = (name: string, n: number) => lfwImage(LFW!, name, n);
  beforeAll(async () => {
    matcher = await FaceMatcher.create({ backend: 'wasm' });
  });
  afterAll(() => matcher.dispose());

  it('embeds the largest face: a unit vector, a box in the middle, one chip of the embedder size', async () => {
    const r = await matcher.embed(img('Aaron_Peirsol', 1));
    expect(r.embedding).toHaveLength(128);
    expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 5);
    expect(r.imageWidth).toBe(250);
    expect(r.format).toBe('jpeg');
    expect(r.chip.width).toBe(150);
    const cx = r.face.box.x + r.face.box.width / 2;
    expect(cx).toBeGreaterThan(100);
    expect(cx).toBeLessThan(150);
    expect(r.face.relativeBox.width).toBeCloseTo(r.face.box.width / 250, 6);
    expect(r.timings.embed).toBeGreaterThan(0);
  });

  it('puts every same-person pair closer than every different-person pair', async () => {
    const same: [string, number, number][] = [
      ['Aaron_Peirsol', 1, 2],
      ['Abdullah_Gul', 13, 14],
      ['Adrian_McPherson', 1, 2],
      ['Alan_Ball', 1, 2],
    ];
    const different: [string, number, string, number][] = [
      ['AJ_Cook', 1, 'Marsha_Thomason', 1],
      ['Aaron_Sorkin', 2, 'Frank_Solich', 5],
      ['Abdel_Nasser_Assidi', 2, 'Hilary_Duff', 1],
      ['Abdoulaye_Wade', 4, 'Bruce_Weber', 1],
    ];
    const s = await Promise.all(same.map(([n, a, b]) => matcher.match(img(n, a), img(n, b)).then((r) => r.similarity)));
    const d = await Promise.all(different.map(([n1, a, n2, b]) => matcher.match(img(n1, a), img(n2, b)).then((r) => r.similarity)));
    expect(Math.min(...s)).toBeGreaterThan(Math.max(...d));
  });

  it('gives a match result with both faces, similarity, distance, score and timings', async () => {
    const r = await matcher.match(img('Aaron_Peirsol', 1), img('Aaron_Peirsol', 2));
    expect(r.distance).toBeCloseTo(Math.sqrt(2 - 2 * r.similarity), 5);
    expect(r.score).toBeGreaterThan(50);
    expect(r.embedder).toBe('dlib-resnet');
    expect(r.detector).toBe('blazeface-short');
    expect(r.source.faceCount).toBeGreaterThanOrEqual(1);
    for (const k of ['decode', 'detect', 'align', 'embed', 'compare', 'total'] as const) expect(r.timings[k]).toBeGreaterThanOrEqual(0);
    expect(r.timings.total).toBeGreaterThanOrEqual(r.timings.embed);
  });

  it('leaks no tensors over 100 matches', async () => {
    const a = img('Aaron_Peirsol', 1);
    const b = img('Aaron_Peirsol', 3);
    await matcher.match(a, b);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i += 1) await matcher.match(a, b);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('finds a face filling 5% of a 1920x1280 photo and reports it in original pixels', async () => {
    // 5% of 1920x1280 is a 350x350 region: scale the 250x250 LFW image to 350 and place it off-centre.
    const face = await sharp(img('Angela_Bassett', 1)).resize(350, 350).toBuffer();
    const photo = await sharp({ create: { width: 1920, height: 1280, channels: 3, background: { r: 90, g: 110, b: 95 } } })
      .composite([{ input: face, left: 1300, top: 200 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    const found = await matcher.detect(photo);
    expect(found.faces.length).toBeGreaterThanOrEqual(1);
    const box = found.faces[0]!.box;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    expect(Math.abs(cx - (1300 + 175))).toBeLessThan(40);
    expect(Math.abs(cy - (200 + 175))).toBeLessThan(50);
    // and the big photo matches the original 250x250 image of the same person
    const r = await matcher.match(photo, img('Angela_Bassett', 1));
    expect(r.score).toBeGreaterThan(90);
  });

  it('treats an EXIF-rotated phone photo like the upright one', async () => {
    // Store the pixels rotated 90° clockwise and say so with orientation 6: decoders must turn it back.
    const upright = img('Amber_Tamblyn', 1);
    const stored = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const rotated = await matcher.embed(stored);
    const plain = await matcher.embed(upright);
    expect(rotated.imageWidth).toBe(250);
    let dot = 0;
    for (let i = 0; i < 128; i += 1) dot += rotated.embedding[i]! * plain.embedding[i]!;
    expect(dot).toBeGreaterThan(0.98);
  });

  it('separates people on LFW images that View 2 does not use, at the default score of 50', async () => {
    // A held-out check of the whole public pipeline: people with several images, none in pairs.txt.
    const used = pairsTxtImages(LFW!);
    const people = readdirSync(path.join(LFW!, 'lfw-deepfunneled'))
      .sort()
      .map((name) => ({
        name,
        files: readdirSync(path.join(LFW!, 'lfw-deepfunneled', name))
          .sort()
          .filter((f) => !used.has(`${name}/${f}`)),
      }))
      .filter((p) => p.files.length >= 2);
    // Every 9th such person, deterministic: 24 people.
    const chosen = people.filter((_, i) => i % 9 === 0).slice(0, 24);
    const file = (p: { name: string; files: string[] }, k: number) => path.join(LFW!, 'lfw-deepfunneled', p.name, p.files[k]!);
    const emb = new Map<string, Float32Array>();
    for (const p of chosen) for (const k of [0, 1]) emb.set(file(p, k), (await matcher.embed(file(p, k))).embedding);
    let correct = 0;
    let total = 0;
    for (let i = 0; i < chosen.length; i += 1) {
      const p = chosen[i]!;
      const q = chosen[(i + 1) % chosen.length]!;
      const sameScore = matcher.score(dot(emb.get(file(p, 0))!, emb.get(file(p, 1))!));
      const diffScore = matcher.score(dot(emb.get(file(p, 0))!, emb.get(file(q, 1))!));
      correct += (sameScore >= 50 ? 1 : 0) + (diffScore < 50 ? 1 : 0);
      total += 2;
    }
    expect(chosen.length).toBe(24);
    expect(correct / total).toBeGreaterThanOrEqual(0.95);
  });
});

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += a[i]! * b[i]!;
  return s;
}
