import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARABLE_FACE_SIDE, selectFace } from '../src/detect/select.js';
import { createFaceDetector, type FaceDetector } from '../src/detect/detector.js';
import { createDlibResNetEmbedder } from '../src/embed/dlib-resnet.js';
import { DLIB_RESNET_FRAMING } from '../src/align/framing.js';
import { createFusedEmbedder } from '../src/embed/fusion.js';
import { parseEmbedderSpec } from '../src/embed/spec.js';
import type { Embedder } from '../src/embed/types.js';
import { FaceMatchError } from '../src/errors.js';
import { createLandmarker } from '../src/landmarks/landmarker.js';
import { describePipeline, FaceMatcher } from '../src/matcher.js';
import { resolveFaceMatcherOptions } from '../src/matcher-options.js';
import * as tf from '../src/runtime/tf.js';
import type { DetectedFace } from '../src/types.js';
import { lfwDirOrSkip, lfwImage } from './fixtures/lfw.js';
import { setTimeout as sleep } from 'node:timers/promises';

const LFW = lfwDirOrSkip('matcher-stages');

function face(x: number, y: number, side: number): DetectedFace {
  const box = { x, y, width: side, height: side };
  return { box, relativeBox: box, score: 0.9, keypoints: [] };
}

async function expectInvalid(promise: Promise<unknown>, field: string | RegExp): Promise<FaceMatchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FaceMatchError);
  const fme = err as FaceMatchError;
  expect(fme.code).toBe('INVALID_INPUT');
  if (typeof field === 'string') expect(fme.field).toBe(field);
  else expect(fme.field).toMatch(field);
  return fme;
}

describe('face selection', () => {
  it('largest takes the biggest box; center takes the most central face of comparable size', () => {
    const big = face(0, 0, 100); // top-left corner of a 400×400 image
    const central = face(170, 170, 70); // 0.7 of the big side, at the centre
    const tiny = face(190, 190, 20);
    expect(selectFace([central, big], 'largest', 400, 400)).toBe(1);
    expect(selectFace([big, central], 'center', 400, 400)).toBe(1);
    expect(selectFace([big, tiny], 'center', 400, 400)).toBe(0);
    const justTooSmall = face(170, 170, Math.floor(100 * COMPARABLE_FACE_SIDE) - 1);
    expect(selectFace([big, justTooSmall], 'center', 400, 400)).toBe(0);
    expect(selectFace([], 'center', 400, 400)).toBe(-1);
    expect(() => selectFace([big], 'middle' as never, 400, 400)).toThrow(FaceMatchError);
    // Largest is by area, as the detector orders faces: a tall box clipped at the frame's edge
    // (60×110) loses to a whole 90×90 face.
    const clipped: DetectedFace = { ...face(0, 0, 60), box: { x: 0, y: 0, width: 60, height: 110 } };
    expect(selectFace([clipped, face(200, 200, 90)], 'largest', 400, 400)).toBe(1);
  });
});

describe('embedder text form', () => {
  it('parses dlib, onnx paths with and without presets (Windows drive letters kept), and fusions', () => {
    expect(parseEmbedderSpec('dlib-resnet')).toEqual([{ kind: 'dlib-resnet' }]);
    expect(parseEmbedderSpec('onnx:/m/a.onnx')).toEqual([{ kind: 'onnx', model: '/m/a.onnx', preset: undefined }]);
    expect(parseEmbedderSpec('onnx:C:\\m\\a.onnx:facenet')).toEqual([{ kind: 'onnx', model: 'C:\\m\\a.onnx', preset: 'facenet' }]);
    expect(parseEmbedderSpec('dlib-resnet+onnx:x.onnx:arcface')).toEqual([{ kind: 'dlib-resnet' }, { kind: 'onnx', model: 'x.onnx', preset: 'arcface' }]);
    for (const bad of ['', 'arcface', 'dlib-resnet+', 'onnx:', 'onnx::arcface']) expect(() => parseEmbedderSpec(bad), bad).toThrow(FaceMatchError);
  });
});

describe('FaceMatcher options and arguments', () => {
  let matcher: FaceMatcher;
  beforeAll(async () => {
    matcher = await FaceMatcher.create({ backend: 'wasm', alignment: 'keypoints' });
  });
  afterAll(() => matcher.dispose());

  it('answers bad options of create with INVALID_INPUT naming them', async () => {
    await expectInvalid(FaceMatcher.create(null as never), 'options');
    await expectInvalid(FaceMatcher.create(42 as never), 'options');
    await expectInvalid(FaceMatcher.create({ embedder: {} as never }), 'embedder');
    await expectInvalid(FaceMatcher.create({ embedder: { name: 'x', dimension: 128, embed() {}, dispose() {} } as never }), 'embedder');
    await expectInvalid(FaceMatcher.create({ detector: {} as never }), 'detector');
    await expectInvalid(FaceMatcher.create({ landmarker: 'mine' as never }), 'landmarker');
    await expectInvalid(FaceMatcher.create({ faceSelection: 'middle' as never }), 'faceSelection');
    await expectInvalid(FaceMatcher.create({ flip: 'yes' as never }), 'flip');
    await expectInvalid(FaceMatcher.create({ minConfidence: 2 }), 'minConfidence');
    await expectInvalid(FaceMatcher.create({ maxSide: 0 }), 'maxSide');
    await expectInvalid(FaceMatcher.create({ calibration: { method: 'isotonic' } as never }), 'calibration');
    const typo = await expectInvalid(FaceMatcher.create({ detecter: 'full' } as never), 'options.detecter');
    expect(typo.message).toContain('did you mean detector?');
  });

  it('answers bad call arguments with INVALID_INPUT naming them, never a TypeError', async () => {
    const img = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
    await expectInvalid(matcher.embed(img, null as never), 'options');
    await expectInvalid(matcher.embed(img, { field: 42 } as never), 'field');
    await expectInvalid(matcher.embed(img, { detector: 'huge' } as never), 'detector');
    await expectInvalid(matcher.detect(img, 'user_image' as never), 'options');
    await expectInvalid(matcher.match(img, img, { fields: 42 } as never), 'fields');
    await expectInvalid(matcher.match(img, img, { fields: ['a'] } as never), 'fields');
    await expectInvalid(matcher.match(img, img, { fields: ['a', ''] } as never), 'fields[1]');
    await expectInvalid(matcher.match(img, img, { detector: ['short'] } as never), 'detector');
    await expectInvalid((matcher.match as (a: unknown) => Promise<unknown>)(img), 'target');
    await expectInvalid((matcher.match as () => Promise<unknown>)(), 'source');
    await expectInvalid(matcher.match(img, img, { constraints: 'strict' } as never), 'constraints');
    expect(() => matcher.score(Number.NaN)).toThrow(FaceMatchError);
  });

  it('describes its pipeline, with the weights digest once loaded', () => {
    const pure = describePipeline({ alignment: 'keypoints' });
    expect(pure).toMatchObject({ embedder: 'dlib-resnet', alignment: 'keypoints', framing: 'dlib-41@150', faceSelection: 'largest', flip: true });
    expect(pure.modelSha256).toBeUndefined();
    expect(matcher.pipeline.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveFaceMatcherOptions({}).embedder).toBe('dlib-resnet');
  });
});

describe.skipIf(!LFW)('FaceMatcher stages on LFW (FACEMATCH_LFW_DIR)', () => {
  const img = (name: string, n: number) => lfwImage(LFW!, name, n);

  it('rejects a call pending when dispose() is called with MODEL_ERROR, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      const m = await FaceMatcher.create({ backend: 'wasm' });
      const pending = m.match(img('Aaron_Peirsol', 1), img('Aaron_Peirsol', 2));
      const pendingDetect = m.detect(img('Abdullah_Gul', 13), { detector: 'full' });
      m.dispose();
      const [matched, detected] = await Promise.allSettled([pending, pendingDetect]);
      expect(matched).toMatchObject({ status: 'rejected', reason: { code: 'MODEL_ERROR', field: 'model' } });
      expect(detected).toMatchObject({ status: 'rejected', reason: { code: 'MODEL_ERROR' } });
    }
    // Detectors still loading when dispose() ran are freed when their load settles.
    await sleep(200);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('picks the central face with faceSelection center and the larger one by default', async () => {
    // A 600×400 frame: a bystander's face large at the left edge, the subject smaller at the centre.
    const bystander = await sharp(img('Abdullah_Gul', 13)).extract({ left: 60, top: 60, width: 130, height: 130 }).resize(200, 200).toBuffer();
    const subject = await sharp(img('Aaron_Peirsol', 1)).extract({ left: 60, top: 60, width: 130, height: 130 }).resize(150, 150).toBuffer();
    const photo = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#6a6a6a' } })
      .composite([
        { input: bystander, left: 0, top: 20 },
        { input: subject, left: 225, top: 125 },
      ])
      .jpeg()
      .toBuffer();
    const largest = await FaceMatcher.create({ backend: 'wasm' });
    const center = await FaceMatcher.create({ backend: 'wasm', faceSelection: 'center' });
    try {
      const a = await largest.embed(photo);
      const b = await center.embed(photo);
      expect(a.faceCount).toBeGreaterThanOrEqual(2);
      expect(a.face.box.x + a.face.box.width / 2).toBeLessThan(200);
      expect(b.face.box.x + b.face.box.width / 2).toBeGreaterThan(250);
      const subjectAlone = await center.embed(img('Aaron_Peirsol', 1));
      const bystanderAlone = await center.embed(img('Abdullah_Gul', 13));
      const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
      expect(cos(b.embedding, subjectAlone.embedding)).toBeGreaterThan(cos(b.embedding, bystanderAlone.embedding));
      const detection = await center.detect(photo);
      expect(detection.faces[detection.selected]!.box.x).toBeCloseTo(b.face.box.x, 6);
    } finally {
      largest.dispose();
      center.dispose();
    }
  });

  it('with the default selection, compares the face with the largest box area, as before face selection existed', async () => {
    const m = await FaceMatcher.create({ backend: 'wasm' });
    try {
      // Multi-face LFW photos where the bystander's box, clipped at the frame, is taller but smaller.
      for (const [name, n] of [['Julianna_Margulies', 2], ['Pamela_Anderson', 5], ['Monica_Bellucci', 4], ['Paul_Sarbanes', 2]] as const) {
        const { faces } = await m.detect(img(name, n));
        expect(faces.length, name).toBeGreaterThan(1);
        const byArea = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0]!;
        const embedded = await m.embed(img(name, n));
        expect(embedded.face.box, name).toEqual(byArea.box);
      }
    } finally {
      m.dispose();
    }
  });

  it('runs stages passed in as instances, and leaves them to their owner', async () => {
    const detector: FaceDetector = await createFaceDetector({ model: 'short' });
    const landmarker = await createLandmarker({ mirror: false });
    const dlib = await createDlibResNetEmbedder({ flip: true });
    const wrapped: Embedder = {
      name: 'my-dlib',
      dimension: dlib.dimension,
      inputSize: dlib.inputSize,
      framing: dlib.framing,
      embed: (chips) => dlib.embed(chips),
      dispose: () => undefined,
    };
    const stock = await FaceMatcher.create({ backend: 'wasm' });
    const custom = await FaceMatcher.create({ backend: 'wasm', detector, landmarker, embedder: wrapped });
    try {
      const a = await stock.match(img('Aaron_Peirsol', 1), img('Aaron_Peirsol', 2));
      const b = await custom.match(img('Aaron_Peirsol', 1), img('Aaron_Peirsol', 2));
      expect(b.embedder).toBe('my-dlib');
      expect(b.detector).toBe('blazeface-short');
      expect(b.similarity).toBeCloseTo(a.similarity, 5);
      expect(custom.calibration).toBeUndefined(); // nothing is stored for "my-dlib"
      await expectInvalid(custom.embed(img('Aaron_Peirsol', 1), { detector: 'full' }), 'detector');
      custom.dispose();
      // Still usable: the matcher did not dispose what it was given.
      expect(await detector.detect({ width: 8, height: 8, data: new Uint8Array(192) })).toEqual([]);
      expect((await dlib.embed([b.source.chip]))[0]).toHaveLength(128);
    } finally {
      stock.dispose();
      custom.dispose();
      detector.dispose();
      landmarker.dispose();
      dlib.dispose();
    }
  });

  it('fuses embedders so that the fused cosine is the weighted mean of the parts', async () => {
    const withFlip = await createDlibResNetEmbedder({ flip: true });
    const noFlip = await createDlibResNetEmbedder({ flip: false });
    const fused = createFusedEmbedder([withFlip, noFlip], { weights: [3, 1] });
    const a = await FaceMatcher.create({ backend: 'wasm', embedder: withFlip });
    const b = await FaceMatcher.create({ backend: 'wasm', embedder: noFlip });
    const f = await FaceMatcher.create({ backend: 'wasm', embedder: fused });
    try {
      const pair = [img('Abdullah_Gul', 13), img('Aaron_Peirsol', 2)] as const;
      const [ra, rb, rf] = await Promise.all([a.match(...pair), b.match(...pair), f.match(...pair)]);
      expect(rf.embedder).toBe('dlib-resnet+dlib-resnet');
      expect(f.pipeline.framing).toBe('dlib-41@150+dlib-41@150');
      expect(rf.similarity).toBeCloseTo(0.75 * ra.similarity + 0.25 * rb.similarity, 5);
      expect(Math.hypot(...(await f.embed(pair[0])).embedding)).toBeCloseTo(1, 5);
    } finally {
      a.dispose();
      b.dispose();
      f.dispose();
      fused.dispose();
      withFlip.dispose();
      noFlip.dispose();
    }
  });
});

describe('fusion and calibration guards', () => {
  const fake = (name: string, dimension: number): Embedder => ({
    name,
    dimension,
    inputSize: DLIB_RESNET_FRAMING.size,
    framing: DLIB_RESNET_FRAMING,
    embed: () => Promise.resolve([]),
    dispose: () => undefined,
  });
  const cos = (x: Float32Array, y: Float32Array): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
  const unit = (v: number[]): Float32Array => {
    const n = Math.hypot(...v);
    return Float32Array.from(v, (x) => x / n);
  };

  it('keeps the fused cosine the weighted mean of the parts when a part returns vectors that are not of unit length', () => {
    const fused = createFusedEmbedder([fake('p', 3), fake('q', 2)], { weights: [0.8, 0.2] });
    const [p1, p2, q1, q2] = [unit([1, 2, 2]), unit([2, 1, 2]), unit([1, 0]), unit([1, 1])];
    const scaled = (v: Float32Array, k: number): Float32Array => v.map((x) => x * k);
    const a = fused.fuse([scaled(p1, 7), scaled(q1, 0.01)]);
    const b = fused.fuse([scaled(p2, 0.5), scaled(q2, 40)]);
    expect(cos(a, b)).toBeCloseTo(0.8 * cos(p1, p2) + 0.2 * cos(q1, q2), 6);
    expect(() => fused.fuse([p1, unit([1, 2, 3])])).toThrow(FaceMatchError);
    expect(() => createFusedEmbedder([fake('p', 3)]).fuse([unit([1, 0])])).toThrow(/Expected 3 values/);
  });

  it('gives an embedder that only borrows the name dlib-resnet no calibration: the stored one is for the vendored weights', async () => {
    const borrowed = await FaceMatcher.create({ backend: 'wasm', embedder: fake('dlib-resnet', 128) });
    const vendored = await FaceMatcher.create({ backend: 'wasm' });
    try {
      expect(borrowed.calibration).toBeUndefined();
      expect(vendored.calibration).toMatchObject({ method: 'logistic' });
    } finally {
      borrowed.dispose();
      vendored.dispose();
    }
  });
});

describe('an onnx: text whose file is missing', () => {
  it('says the file is missing, not that it is a bad model name', async () => {
    const err = await FaceMatcher.create({ backend: 'wasm', embedder: 'onnx:/no/such/dir/model.onnx:arcface' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceMatchError);
    expect((err as FaceMatchError).message).toMatch(/\/no\/such\/dir\/model\.onnx/);
    expect((err as FaceMatchError).message).not.toMatch(/model name/);
  });
});
