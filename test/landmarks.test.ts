import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { DEFAULT_LANDMARK_CROP, mirrorSquare, regionToImage, resolveCrop, sampleSquare, squareRegion } from '../src/landmarks/crop.js';
import { createLandmarker, LANDMARK_GROUPS, landmarkCentre, type Landmarker } from '../src/landmarks/index.js';
import { buildLandmarkNet, LANDMARK_INPUT_SIZE } from '../src/landmarks/net.js';
import { averageWithMirrored, MIRROR_68, unflipLandmarks } from '../src/landmarks/points.js';
import { initBackend } from '../src/runtime/backend.js';
import { loadManifestWeights } from '../src/runtime/models.js';
import type { Point, RgbImage } from '../src/types.js';

/** A deterministic image: smooth colour gradients plus a pseudo-random texture. */
function syntheticImage(width: number, height: number, seed = 1): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < width * height; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    const x = i % width;
    const y = Math.floor(i / width);
    data[3 * i] = (x * 255) / width;
    data[3 * i + 1] = (y * 255) / height;
    data[3 * i + 2] = state >>> 24;
  }
  return { width, height, data };
}

function maxDistance(a: readonly Point[], b: readonly Point[]): number {
  return Math.max(...a.map((p, i) => Math.hypot(p.x - b[i]!.x, p.y - b[i]!.y)));
}

async function invalidInput(promise: Promise<unknown>): Promise<FaceMatchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FaceMatchError);
  expect((err as FaceMatchError).code).toBe('INVALID_INPUT');
  return err as FaceMatchError;
}

describe('68-point markup', () => {
  it('MIRROR_68 is a permutation that undoes itself and keeps the midline in place', () => {
    expect([...MIRROR_68].sort((a, b) => a - b)).toEqual(Array.from({ length: 68 }, (_, i) => i));
    MIRROR_68.forEach((j, i) => expect(MIRROR_68[j]).toBe(i));
    for (const midline of [8, 27, 28, 29, 30, 33, 51, 57, 62, 66]) expect(MIRROR_68[midline]).toBe(midline);
    expect(MIRROR_68[36]).toBe(45); // right eye outer corner ↔ left eye outer corner
    expect(MIRROR_68[39]).toBe(42); // inner corners
    expect(MIRROR_68[48]).toBe(54); // mouth corners
  });

  it('unflipping twice gives the points back; landmarkCentre averages a group', () => {
    const points = Array.from({ length: 68 }, (_, i) => ({ x: i * 1.5, y: 100 - i }));
    expect(unflipLandmarks(unflipLandmarks(points, 250), 250)).toEqual(points);
    expect(landmarkCentre(points, 'rightEye')).toEqual({ x: (1.5 * (36 + 41)) / 2, y: 100 - (36 + 41) / 2 });
    expect(LANDMARK_GROUPS.innerLip).toEqual([60, 67]);
    expect(() => landmarkCentre(points.slice(0, 40), 'leftEye')).toThrow(FaceMatchError);
  });

  it('averageWithMirrored returns the original when the mirrored run is its exact mirror image', () => {
    const relative = Float32Array.from({ length: 136 }, (_, i) => ((i * 37) % 100) / 100);
    const both = new Float32Array(272);
    both.set(relative, 0);
    MIRROR_68.forEach((j, i) => {
      both[136 + 2 * j] = 1 - relative[2 * i]!;
      both[136 + 2 * j + 1] = relative[2 * i + 1]!;
    });
    const averaged = averageWithMirrored(both, 0, 136);
    averaged.forEach((v, i) => expect(v).toBeCloseTo(relative[i]!, 6));
  });
});

describe('face crop', () => {
  it('derives a square from the box: larger side × scale, centre moved down by shiftY × height', () => {
    expect(squareRegion({ x: 10, y: 20, width: 100, height: 120 }, { scale: 1.5, shiftY: 0.1 })).toEqual({
      x: 60 - 90,
      y: 80 + 12 - 90,
      width: 180,
      height: 180,
    });
  });

  it('fills in the default crop and refuses values out of range with INVALID_INPUT on field crop', () => {
    expect(resolveCrop()).toEqual(DEFAULT_LANDMARK_CROP);
    expect(resolveCrop({ scale: 1.5 })).toEqual({ scale: 1.5, shiftY: DEFAULT_LANDMARK_CROP.shiftY });
    for (const bad of [{ scale: 0 }, { scale: -1 }, { scale: Number.NaN }, { scale: 5 }, { shiftY: 2 }, { shiftY: Number.POSITIVE_INFINITY }]) {
      expect(() => resolveCrop(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'crop' }) as Error);
    }
  });

  it('copies pixels exactly when the region is the image at the same size', () => {
    const image = syntheticImage(16, 16);
    const out = new Float32Array(16 * 16 * 3);
    sampleSquare(image, { x: 0, y: 0, width: 16, height: 16 }, 16, out, 0);
    out.forEach((v, i) => expect(v).toBeCloseTo(image.data[i]!, 4));
  });

  it('samples black outside the image', () => {
    const image: RgbImage = { width: 4, height: 4, data: new Uint8Array(48).fill(200) };
    const out = new Float32Array(8 * 8 * 3);
    sampleSquare(image, { x: -4, y: 0, width: 8, height: 8 }, 8, out, 0);
    // Row 0: four outside pixels (x < 0), then four inside.
    expect(Array.from(out.subarray(0, 12))).toEqual(new Array(12).fill(0));
    expect(Array.from(out.subarray(12, 24))).toEqual(new Array(12).fill(200));
    // Rows 4–7 lie below the image.
    expect(Math.max(...out.subarray(4 * 8 * 3))).toBe(0);
  });

  it('averages when shrinking, so a fine checkerboard becomes flat grey instead of aliasing', () => {
    const size = 8;
    const width = 64;
    const data = new Uint8Array(width * width * 3);
    for (let i = 0; i < width * width; i += 1) data.fill(((i % width) + Math.floor(i / width)) % 2 ? 255 : 0, 3 * i, 3 * i + 3);
    const out = new Float32Array(size * size * 3);
    sampleSquare({ width, height: width, data }, { x: 0, y: 0, width, height: width }, size, out, 0);
    for (const v of out) expect(v).toBeCloseTo(127.5, 3);
  });

  it('mirrors a sampled square left to right and maps relative outputs back to image pixels', () => {
    const buffer = Float32Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => (i < 12 ? i : 0));
    mirrorSquare(buffer, 0, 12, 2);
    expect(Array.from(buffer.subarray(12))).toEqual([3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8]);
    expect(regionToImage([0, 0, 0.5, 1], 0, 2, { x: 10, y: 20, width: 50, height: 50 })).toEqual([
      { x: 10, y: 20 },
      { x: 35, y: 70 },
    ]);
  });
});

describe('landmark network', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('refuses weights with a missing tensor or a wrong shape with MODEL_ERROR, freeing them', async () => {
    const before = tf.memory().numTensors;
    const missing = await loadManifestWeights('landmarks-68');
    missing['dense2/conv1/bias']!.dispose();
    delete missing['dense2/conv1/bias'];
    expect(() => buildLandmarkNet(missing)).toThrow(expect.objectContaining({ code: 'MODEL_ERROR', message: expect.stringContaining('dense2/conv1/bias') }) as Error);
    const reshaped = await loadManifestWeights('landmarks-68');
    reshaped['fc/bias']!.dispose();
    reshaped['fc/bias'] = tf.zeros([135]);
    expect(() => buildLandmarkNet(reshaped)).toThrow(expect.objectContaining({ code: 'MODEL_ERROR', message: expect.stringMatching(/fc\/bias.*\[136\].*\[135\]/) }) as Error);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maps a batch of 112×112 crops to 136 values each, without leaking tensors', async () => {
    const net = buildLandmarkNet(await loadManifestWeights('landmarks-68'));
    const before = tf.memory().numTensors;
    const input = tf.randomUniform([3, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const out = net.predict(input);
    expect(out.shape).toEqual([3, 136]);
    expect(Array.from(await out.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([input, out]);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    net.dispose();
    expect(() => net.predict(tf.zeros([1, 112, 112, 3]))).toThrow(FaceMatchError);
  });
});

describe('createLandmarker on synthetic images', () => {
  let landmarker: Landmarker;
  const image = syntheticImage(200, 160, 3);
  const box = { x: 40, y: 20, width: 100, height: 110 };

  beforeAll(async () => {
    await initBackend('wasm');
    landmarker = await createLandmarker();
  });
  afterAll(() => landmarker.dispose());

  it('returns 68 finite points near the crop', async () => {
    const points = await landmarker.landmarks(image, box);
    expect(points).toHaveLength(68);
    const region = squareRegion(box, DEFAULT_LANDMARK_CROP);
    for (const p of points) {
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      expect(p.x).toBeGreaterThan(region.x - region.width);
      expect(p.x).toBeLessThan(region.x + 2 * region.width);
    }
  });

  it('batches give the same points as single calls, in box order', async () => {
    const boxes = [box, { x: 0, y: 0, width: 60, height: 60 }, { x: 120, y: 90, width: 90, height: 80 }];
    const batch = await landmarker.landmarksBatch(image, boxes);
    expect(batch).toHaveLength(3);
    for (const [i, b] of boxes.entries()) expect(maxDistance(batch[i]!, await landmarker.landmarks(image, b))).toBeLessThan(1e-3);
    expect(await landmarker.landmarksBatch(image, [])).toEqual([]);
  });

  it('leaves the tensor count unchanged after 30 runs', async () => {
    await landmarker.landmarks(image, box);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i += 1) await landmarker.landmarks(image, box);
    await landmarker.landmarksBatch(image, [box, box]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses malformed images and boxes with INVALID_INPUT naming the input', async () => {
    const short: RgbImage = { width: 10, height: 10, data: new Uint8Array(299) };
    expect((await invalidInput(landmarker.landmarks(short, box))).field).toBe('image');
    expect((await invalidInput(landmarker.landmarks({ width: 0, height: 1, data: new Uint8Array(0) }, box))).field).toBe('image');
    expect((await invalidInput(landmarker.landmarks(image, { ...box, width: 0 }))).field).toBe('box');
    expect((await invalidInput(landmarker.landmarks(image, { ...box, x: Number.NaN }))).field).toBe('box');
    const outside = await invalidInput(landmarker.landmarks(image, { x: 300, y: 10, width: 50, height: 50 }));
    expect(outside.message).toMatch(/Expected a box overlapping the 200×160 image for /);
    expect((await invalidInput(landmarker.landmarksBatch(image, [box, { ...box, height: -3 }]))).field).toBe('boxes[1]');
    expect((await invalidInput(landmarker.landmarksBatch(image, 'boxes' as never))).field).toBe('boxes');
  });

  it('refuses bad options with INVALID_INPUT', async () => {
    expect((await invalidInput(createLandmarker({ crop: { scale: 0 } }))).field).toBe('crop');
    expect((await invalidInput(createLandmarker({ mirror: 'yes' as never }))).field).toBe('mirror');
  });

  it('with mirror averaging, the mirrored image in the mirrored box gives exactly the mirrored points', async () => {
    const flipped: RgbImage = { ...image, data: new Uint8Array(image.data.length) };
    for (let y = 0; y < image.height; y += 1) {
      for (let x = 0; x < image.width; x += 1) {
        for (let c = 0; c < 3; c += 1) flipped.data[(y * image.width + image.width - 1 - x) * 3 + c] = image.data[(y * image.width + x) * 3 + c]!;
      }
    }
    const mirroredBox = { ...box, x: image.width - box.x - box.width };
    const direct = await landmarker.landmarks(image, box);
    const back = unflipLandmarks(await landmarker.landmarks(flipped, mirroredBox), image.width);
    expect(maxDistance(direct, back)).toBeLessThan(1e-3);
  });

  it('dispose frees the weights and later calls fail with MODEL_ERROR', async () => {
    const before = tf.memory().numTensors;
    const own = await createLandmarker();
    // 49 weight tensors and the RGB mean.
    expect(tf.memory().numTensors).toBe(before + 50);
    own.dispose();
    own.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(own.landmarks(image, box)).rejects.toMatchObject({ code: 'MODEL_ERROR', field: 'model' });
  });

  it('loads from a given models folder and reports a wrong one with MODEL_ERROR', async () => {
    await expect(createLandmarker({ modelsDir: '/nonexistent/models' })).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });
});
