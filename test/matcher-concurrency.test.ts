/**
 * One FaceMatcher under concurrent calls: 64 `match` calls at once must give exactly (bit for bit)
 * the scores, similarities and boxes the same calls give one after another, also when failing
 * inputs are mixed into the same batch, each of which must fail exactly as it fails alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatcher, FaceMatchError, type ImageInput } from '../src/index.js';
import { lfwDirOrSkip, lfwImage } from './fixtures/lfw.js';
import { jpegSpans } from './fuzz/bytes.js';
import { rgbToJpeg, syntheticFace } from './fuzz/faces.js';

const LFW = lfwDirOrSkip('matcher-concurrency');

/** What must not change between a sequential and a concurrent call. */
type Outcome =
  | { ok: true; score: number; similarity: number; distance: number; boxes: number[]; faceCounts: [number, number] }
  | { ok: false; code: string; field: string | undefined };

async function outcome(matcher: FaceMatcher, a: ImageInput, b: ImageInput): Promise<Outcome> {
  try {
    const r = await matcher.match(a, b, { fields: ['user_image', 'ref_image'] });
    const box = (x: { x: number; y: number; width: number; height: number }): number[] => [x.x, x.y, x.width, x.height];
    return { ok: true, score: r.score, similarity: r.similarity, distance: r.distance, boxes: [...box(r.source.face.box), ...box(r.target.face.box)], faceCounts: [r.source.faceCount, r.target.faceCount] };
  } catch (err) {
    if (!(err instanceof FaceMatchError)) throw err;
    return { ok: false, code: err.code, field: err.field };
  }
}

async function sequentialThenConcurrent(matcher: FaceMatcher, pairs: readonly (readonly [ImageInput, ImageInput])[]): Promise<[Outcome[], Outcome[]]> {
  const sequential: Outcome[] = [];
  for (const [a, b] of pairs) sequential.push(await outcome(matcher, a, b));
  const concurrent = await Promise.all(pairs.map(([a, b]) => outcome(matcher, a, b)));
  return [sequential, concurrent];
}

/** Inputs that must fail, each with the code it fails with. */
async function failingInputs(good: Buffer): Promise<{ input: ImageInput; code: string }[]> {
  const grey = await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
  return [
    { input: good.subarray(0, Math.floor(good.length * 0.6)), code: 'CORRUPT_IMAGE' }, // cut, no EOI
    { input: Buffer.from('%PDF-1.7\n%%EOF\n'), code: 'UNSUPPORTED_FORMAT' },
    { input: grey, code: 'NO_FACE' },
    { input: new Uint8Array(0), code: 'INVALID_INPUT' },
    { input: '/nonexistent/facematch/concurrency.jpg', code: 'INVALID_INPUT' },
    { input: claiming(good, 65_535, 65_535), code: 'IMAGE_TOO_LARGE' },
  ];
}

/** A copy of a JPEG whose frame header claims another size. */
function claiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  const sof = jpegSpans(out).segments.find((s) => /^FFC[0-35-79A-BD-F]$/.test(s.type));
  if (!sof) throw new Error('no SOF in the test JPEG');
  out.writeUInt16BE(height, sof.start + 5);
  out.writeUInt16BE(width, sof.start + 7);
  return out;
}

/** The first `n` same-person and `n` different-person pairs of LFW's pairs.txt, as file paths. */
function lfwPairs(dir: string, n: number): [string, string][] {
  const lines = readFileSync(path.join(dir, 'pairs.txt'), 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  const same = lines.filter((f) => f.length === 3).slice(0, n).map((f): [string, string] => [lfwImage(dir, f[0]!, Number(f[1])), lfwImage(dir, f[0]!, Number(f[2]))]);
  const diff = lines.filter((f) => f.length === 4).slice(0, n).map((f): [string, string] => [lfwImage(dir, f[0]!, Number(f[1])), lfwImage(dir, f[2]!, Number(f[3]))]);
  return same.flatMap((s, i) => [s, diff[i]!]);
}

describe('FaceMatcher under concurrent calls', () => {
  let matcher: FaceMatcher;
  beforeAll(async () => {
    matcher = await FaceMatcher.create({ backend: 'wasm' });
  });
  afterAll(() => matcher.dispose());

  it('gives the sequential results for 16 concurrent matches of synthetic faces mixed with failing inputs', async () => {
    const faces = await Promise.all(Array.from({ length: 6 }, async (_, i) => rgbToJpeg(await syntheticFace(224, 224, 100 + i))));
    const failing = await failingInputs(faces[0]!);
    const pairs: [ImageInput, ImageInput][] = [];
    for (let i = 0; i < 10; i++) pairs.push([faces[i % 6]!, faces[(i * 5 + 1) % 6]!]);
    failing.forEach((f, i) => pairs.splice(2 * i + 1, 0, i % 2 ? [faces[i]!, f.input] : [f.input, faces[i]!]));
    const [sequential, concurrent] = await sequentialThenConcurrent(matcher, pairs);
    expect(concurrent).toEqual(sequential);
    const goodOnes = sequential.filter((o) => o.ok);
    expect(goodOnes).toHaveLength(10); // every synthetic face was found
    const failed = sequential.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    expect(failed.map((o) => o.code).sort()).toEqual(failing.map((f) => f.code).sort());
    for (const o of failed) expect(['user_image', 'ref_image']).toContain(o.field);
  }, 300_000);

  it.skipIf(!LFW)('gives exactly the sequential scores and boxes for 64 concurrent matches of LFW pairs, alone and mixed with failing inputs', async () => {
    const good = lfwPairs(LFW!, 32);
    expect(good).toHaveLength(64);
    const [sequential, concurrent] = await sequentialThenConcurrent(matcher, good);
    expect(sequential.every((o) => o.ok)).toBe(true);
    expect(concurrent).toEqual(sequential);

    // 48 of the same pairs and 16 failing calls in one batch of 64, against the sequential outcomes.
    const failing = await failingInputs(readFileSync(good[0]![0]));
    const batch: { pair: [ImageInput, ImageInput]; expected: Outcome | undefined }[] = good.slice(0, 48).map((pair, i) => ({ pair, expected: sequential[i] }));
    for (let i = 0; batch.length < 64; i++) {
      const f = failing[i % failing.length]!;
      const other = good[i]![1];
      batch.splice((i * 7) % batch.length, 0, { pair: i % 2 ? [other, f.input] : [f.input, other], expected: undefined });
    }
    for (const b of batch) b.expected ??= await outcome(matcher, ...b.pair);
    const mixed = await Promise.all(batch.map((b) => outcome(matcher, ...b.pair)));
    expect(mixed).toEqual(batch.map((b) => b.expected));
    expect(mixed.filter((o) => !o.ok)).toHaveLength(16);
  }, 600_000); // about 30 s on an idle 2-core machine; several minutes when it is shared
});
