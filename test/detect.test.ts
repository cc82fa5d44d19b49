import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlazeFaceModel,
  FULL_RANGE_ANCHORS,
  SHORT_RANGE_ANCHORS,
  computeLetterbox,
  createFaceDetector,
  decodeDetections,
  generateAnchors,
  imageToLetterbox,
  intersectionOverUnion,
  letterboxTensor,
  letterboxToImage,
  nonMaxSuppression,
  resolveFaceDetectorOptions,
  scoreFromLogit,
  toDetectedFace,
  type BlazeFaceDetector,
  type RawDetection,
} from '../src/detect/index.js';
import { FaceMatchError } from '../src/errors.js';
import { initBackend } from '../src/runtime/backend.js';
import type { RgbImage } from '../src/types.js';

/** A deterministic pseudo-random noise image (LCG), values 0–255. */
function noiseImage(width: number, height: number, seed = 7): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

function flatImage(width: number, height: number, value: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

function detection(score: number, x: number, y: number, size: number, keypointX = x): RawDetection {
  return { score, box: { x, y, width: size, height: size }, keypoints: Array.from({ length: 6 }, () => ({ x: keypointX, y })) };
}

describe('anchors', () => {
  it('short-range: 16×16×2 + 8×8×6 = 896 centres in output-row order', () => {
    const anchors = generateAnchors(SHORT_RANGE_ANCHORS);
    expect(anchors).toHaveLength(896);
    expect(anchors[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    expect(anchors[1]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    expect(anchors[2]).toEqual({ x: 1.5 / 16, y: 0.5 / 16 });
    expect(anchors[511]).toEqual({ x: 15.5 / 16, y: 15.5 / 16 });
    expect(anchors[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    expect(anchors[517]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    expect(anchors[518]).toEqual({ x: 1.5 / 8, y: 0.5 / 8 });
    expect(anchors[895]).toEqual({ x: 7.5 / 8, y: 7.5 / 8 });
  });

  it('full-range: one 48×48 grid, one anchor per cell = 2304 centres', () => {
    const anchors = generateAnchors(FULL_RANGE_ANCHORS);
    expect(anchors).toHaveLength(2304);
    expect(anchors[0]).toEqual({ x: 0.5 / 48, y: 0.5 / 48 });
    expect(anchors[1]).toEqual({ x: 1.5 / 48, y: 0.5 / 48 });
    expect(anchors[48]).toEqual({ x: 0.5 / 48, y: 1.5 / 48 });
    expect(anchors[2303]).toEqual({ x: 47.5 / 48, y: 47.5 / 48 });
  });

  it('rejects options that are not positive integers', () => {
    expect(() => generateAnchors({ ...SHORT_RANGE_ANCHORS, strides: [8, 0] })).toThrow(FaceMatchError);
    expect(() => generateAnchors({ ...SHORT_RANGE_ANCHORS, inputSize: 12.5 })).toThrow(/positive integer/);
  });
});

describe('letterbox geometry', () => {
  it('fits a wide image: full width, centred vertically', () => {
    expect(computeLetterbox(500, 250, 128)).toEqual({
      size: 128,
      imageWidth: 500,
      imageHeight: 250,
      contentWidth: 128,
      contentHeight: 64,
      padLeft: 0,
      padTop: 32,
    });
  });

  it('fits a tall image: full height, centred horizontally', () => {
    const lb = computeLetterbox(1280, 1920, 192);
    expect([lb.contentWidth, lb.contentHeight, lb.padLeft, lb.padTop]).toEqual([128, 192, 32, 0]);
  });

  it('maps points to the input and back exactly', () => {
    for (const [w, h] of [
      [500, 250],
      [250, 500],
      [333, 251],
      [1920, 1280],
    ] as const) {
      const lb = computeLetterbox(w, h, 128);
      for (const p of [
        { x: 0, y: 0 },
        { x: w, y: h },
        { x: 0.37 * w, y: 0.81 * h },
      ]) {
        const back = letterboxToImage(lb, imageToLetterbox(lb, p));
        expect(back.x).toBeCloseTo(p.x, 9);
        expect(back.y).toBeCloseTo(p.y, 9);
      }
      // The image corners land on the content corners.
      expect(imageToLetterbox(lb, { x: 0, y: 0 })).toEqual({ x: lb.padLeft / 128, y: lb.padTop / 128 });
    }
  });

  it('rejects a non-integer or empty size', () => {
    expect(() => computeLetterbox(0, 10, 128)).toThrow(FaceMatchError);
    expect(() => computeLetterbox(10.5, 10, 128)).toThrow(/imageWidth/);
  });
});

describe('letterboxTensor', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('puts a bright blob where the letterbox geometry says, pads with -1, scales to [-1, 1]', async () => {
    // A smooth Gaussian blob, so its centroid survives resampling; an off-by-half-pixel resize
    // convention would move it by about 0.3 input pixels.
    const width = 500;
    const height = 250;
    const [cx, cy, sigma] = [321.3, 118.7, 12];
    const image = flatImage(width, height, 0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = Math.round(255 * Math.exp(-((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) / (2 * sigma * sigma)));
        image.data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
      }
    }
    const lb = computeLetterbox(width, height, 128);
    const before = tf.memory().numTensors;
    const input = letterboxTensor(image, lb);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(input.shape).toEqual([1, 128, 128, 3]);
    const values = await input.data();
    input.dispose();

    let sum = 0;
    let sx = 0;
    let sy = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        const v = values[(y * 128 + x) * 3]!;
        min = Math.min(min, v);
        max = Math.max(max, v);
        const inPadding = y < lb.padTop || y >= lb.padTop + lb.contentHeight;
        if (inPadding) expect(v).toBe(-1);
        const weight = v + 1;
        sum += weight;
        sx += weight * (x + 0.5);
        sy += weight * (y + 0.5);
      }
    }
    expect(min).toBe(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    const expected = imageToLetterbox(lb, { x: cx, y: cy });
    expect(Math.abs(sx / sum - expected.x * 128)).toBeLessThan(0.05);
    expect(Math.abs(sy / sum - expected.y * 128)).toBeLessThan(0.05);
    // The blob's mass scales with the area: 2πσ² × (128/500)², in units of weight 2 (black -1 to white 1).
    expect(sum / 2 / (2 * Math.PI * sigma * sigma * (128 / 500) ** 2)).toBeCloseTo(1, 2);
  });

  it('holds at most the two full-size copies at once for a large photo (the wasm heap keeps its peak)', async () => {
    const [width, height] = [1600, 1200];
    const image = flatImage(width, height, 0);
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 7919) % 251;
    const lb = computeLetterbox(width, height, 128);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => letterboxTensor(image, lb));
    const input = info.result as tf.Tensor;
    // int32 and float32 of 1600×1200×3 are 23 MB each; each halving after them is a quarter of
    // the last. Held to the end of the tidy scope they came to about 54 MB.
    const fullCopy = 4 * width * height * 3;
    expect(info.peakBytes).toBeLessThanOrEqual(2 * fullCopy + 1024 * 1024);
    expect(info.peakBytes).toBeGreaterThanOrEqual(2 * fullCopy);
    expect(input.shape).toEqual([1, 128, 128, 3]);
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('decodeDetections', () => {
  const anchors = generateAnchors(SHORT_RANGE_ANCHORS);

  it('adds offsets in input pixels to the anchor centre and keeps rows above the minimum score', () => {
    const raw = new Float32Array(896 * 17).fill(-50);
    const row = 600; // an 8×8-grid anchor
    raw.set([2, 6.4, -12.8, 32, 64, -16, -16, 16, -16, 0, 0, 0, 16, -40, 0, 40, 0], row * 17);
    const found = decodeDetections(raw, anchors, 128, 0.5);
    expect(found).toHaveLength(1);
    const [d] = found as [RawDetection];
    const a = anchors[row]!;
    expect(d.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(d.box.x + d.box.width / 2).toBeCloseTo(a.x + 0.05, 6);
    expect(d.box.y + d.box.height / 2).toBeCloseTo(a.y - 0.1, 6);
    expect(d.box.width).toBeCloseTo(0.25, 6);
    expect(d.box.height).toBeCloseTo(0.5, 6);
    expect(d.keypoints).toHaveLength(6);
    expect(d.keypoints[0]!.x).toBeCloseTo(a.x - 0.125, 6);
    expect(d.keypoints[3]!.y).toBeCloseTo(a.y + 0.125, 6);
    expect(d.keypoints[5]!.x).toBeCloseTo(a.x + 40 / 128, 6);
    expect(decodeDetections(raw, anchors, 128, 0.9)).toHaveLength(0);
  });

  it('clips logits to ±100 like MediaPipe', () => {
    expect(scoreFromLogit(1e6)).toBe(scoreFromLogit(100));
    expect(scoreFromLogit(-1e6)).toBe(scoreFromLogit(-100));
    expect(scoreFromLogit(0)).toBe(0.5);
  });

  it('refuses an output that does not have one row per anchor', () => {
    const err = (() => {
      try {
        decodeDetections(new Float32Array(2304 * 17), anchors, 128, 0.5);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FaceMatchError);
    expect((err as FaceMatchError).code).toBe('MODEL_ERROR');
    expect((err as FaceMatchError).message).toContain('896 rows of 17');
  });
});

describe('nonMaxSuppression', () => {
  it('computes IoU', () => {
    expect(intersectionOverUnion({ x: 0, y: 0, width: 2, height: 2 }, { x: 1, y: 0, width: 2, height: 2 })).toBeCloseTo(1 / 3, 9);
    expect(intersectionOverUnion({ x: 0, y: 0, width: 1, height: 1 }, { x: 2, y: 2, width: 1, height: 1 })).toBe(0);
    expect(intersectionOverUnion({ x: 0, y: 0, width: 0, height: 1 }, { x: 0, y: 0, width: 1, height: 1 })).toBe(0);
  });

  const candidates = [detection(0.6, 0.12, 0.1, 0.4, 0.3), detection(0.9, 0.1, 0.1, 0.4, 0.1), detection(0.7, 0.6, 0.6, 0.2)];

  it('weighted: blends a cluster by score, keeps the best score, leaves separate faces alone', () => {
    const kept = nonMaxSuppression(candidates, 0.3, 'weighted');
    expect(kept).toHaveLength(2);
    const [merged, other] = kept as [RawDetection, RawDetection];
    expect(merged.score).toBe(0.9);
    expect(merged.box.x).toBeCloseTo((0.9 * 0.1 + 0.6 * 0.12) / 1.5, 9);
    expect(merged.keypoints[2]!.x).toBeCloseTo((0.9 * 0.1 + 0.6 * 0.3) / 1.5, 9);
    expect(other).toBe(candidates[2]);
  });

  it('hard: keeps the best of a cluster unchanged', () => {
    const kept = nonMaxSuppression(candidates, 0.3, 'hard');
    expect(kept).toEqual([candidates[1], candidates[2]]);
  });

  it('merges only above the IoU threshold and honours maxDetections', () => {
    expect(nonMaxSuppression(candidates, 0.95, 'weighted')).toHaveLength(3);
    expect(nonMaxSuppression(candidates, 0.3, 'weighted', 1)).toHaveLength(1);
    expect(nonMaxSuppression([], 0.3)).toEqual([]);
  });
});

describe('toDetectedFace', () => {
  it('un-letterboxes, clips the box to the image and leaves keypoints unclipped', () => {
    const lb = computeLetterbox(500, 250, 128);
    const raw: RawDetection = {
      score: 0.8,
      box: { x: -0.05, y: 0.3, width: 0.3, height: 0.2 },
      keypoints: Array.from({ length: 6 }, () => ({ x: -0.02, y: 0.5 })),
    };
    const face = toDetectedFace(raw, lb);
    expect(face.box.x).toBe(0);
    expect(face.box.width).toBeCloseTo(0.25 * 500, 9);
    expect(face.box.y).toBeCloseTo((0.3 * 128 - 32) * (250 / 64), 9);
    expect(face.box.height).toBeCloseTo(0.2 * 128 * (250 / 64), 9);
    expect(face.relativeBox.width).toBeCloseTo(0.25, 9);
    expect(face.relativeBox.y).toBeCloseTo(face.box.y / 250, 9);
    expect(face.keypoints[0]!.x).toBeCloseTo(-0.02 * 500, 9);
    expect(face.keypoints[0]!.y).toBeCloseTo(125, 9);
    expect(face.score).toBe(0.8);
  });
});

describe('options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveFaceDetectorOptions()).toEqual({
      model: 'auto',
      minConfidence: 0.5,
      iouThreshold: 0.3,
      maxFaces: 10,
      suppression: 'weighted',
      backend: 'auto',
    });
    expect(resolveFaceDetectorOptions({ model: undefined, maxFaces: 2 }).model).toBe('auto');
  });

  it.each([
    [{ minConfidence: 1.5 }, 'minConfidence'],
    [{ iouThreshold: Number.NaN }, 'iouThreshold'],
    [{ maxFaces: 0 }, 'maxFaces'],
    [{ maxFaces: 2.5 }, 'maxFaces'],
    [{ model: 'tiny' as never }, 'model'],
    [{ suppression: 'soft' as never }, 'suppression'],
    [{ modelsDir: '' }, 'modelsDir'],
  ])('rejects %o naming the field', (options, field) => {
    expect(() => resolveFaceDetectorOptions(options)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field }));
  });
});

describe('FaceDetector on synthetic images', () => {
  let detector: BlazeFaceDetector;
  beforeAll(async () => {
    detector = await createFaceDetector({ model: 'auto', backend: 'wasm' });
  });
  afterAll(() => detector.dispose());

  it('has one output row per anchor for both models', async () => {
    for (const id of ['blazeface-short', 'blazeface-full'] as const) {
      const model = await BlazeFaceModel.load(id);
      const pass = await model.run(flatImage(64, 48, 128), 0);
      expect(pass.detections).toHaveLength(id === 'blazeface-short' ? 896 : 2304);
      model.dispose();
    }
  });

  it.each([
    ['noise 640×480', noiseImage(640, 480)],
    ['noise 1920×1280', noiseImage(1920, 1280, 3)],
    ['flat grey 500×500', flatImage(500, 500, 128)],
    ['black 300×200', flatImage(300, 200, 0)],
  ])('finds no face in %s, trying both models, without leaking tensors', async (_, image) => {
    const before = tf.memory().numTensors;
    const result = await detector.detectWithInfo(image);
    expect(result.faces).toEqual([]);
    expect(result.model).toBe('blazeface-full');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a malformed image with INVALID_INPUT naming the field', async () => {
    await expect(detector.detect({ width: 10, height: 10, data: new Uint8Array(299) }, 'user_image')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'user_image',
      message: expect.stringContaining('300 RGB bytes but received 299'),
    });
    await expect(detector.detect({ width: 0, height: 10, data: new Uint8Array(0) })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'image' });
    await expect(detector.detect(null as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses to detect after dispose', async () => {
    const d = await createFaceDetector({ model: 'short' });
    d.dispose();
    d.dispose();
    await expect(d.detect(flatImage(8, 8, 0))).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });

  it('fails with MODEL_ERROR when the models folder does not exist', async () => {
    await expect(createFaceDetector({ modelsDir: '/nonexistent/facematch-models' })).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });
});
