import path from 'node:path';
import * as tf from '../src/runtime/tf.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceDetector, type BlazeFaceDetector as FaceDetector } from '../src/detect/index.js';
import type { DetectedFace, Point, RgbImage } from '../src/types.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';

const LFW_DIR = lfwDirOrSkip('detect-lfw');

/** LFW deep-funneled images holding exactly one face at the default confidence. */
const SINGLE_FACE = [
  'Abel_Pacheco/Abel_Pacheco_0001.jpg',
  'Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg',
  'Amber_Tamblyn/Amber_Tamblyn_0001.jpg',
  'Anders_Fogh_Rasmussen/Anders_Fogh_Rasmussen_0001.jpg',
  'Angela_Bassett/Angela_Bassett_0001.jpg',
  'Ann_Veneman/Ann_Veneman_0003.jpg',
  'Anthony_Fauci/Anthony_Fauci_0001.jpg',
  'Barbara_Brezigar/Barbara_Brezigar_0001.jpg',
];
/** An LFW image with three people in it. */
const GROUP = 'Bertrand_Bonello/Bertrand_Bonello_0001.jpg';

function lfwFile(relative: string): string {
  return path.join(LFW_DIR!, 'lfw-deepfunneled', relative);
}

async function toRgb(input: sharp.Sharp): Promise<RgbImage> {
  const { data, info } = await input.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A deterministic noise canvas as a sharp pipeline, ready for compositing. */
function noiseCanvas(width: number, height: number): sharp.Sharp {
  const data = Buffer.alloc(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = 64 + (s >>> 25); // 64–191: textured, no extremes
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

function greyCanvas(width: number, height: number): sharp.Sharp {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } });
}

/** An LFW image resized to `side`×`side` and pasted at (left, top) on a canvas. */
async function composite(canvas: sharp.Sharp, pastes: { file: string; side: number; left: number; top: number }[]): Promise<RgbImage> {
  const inputs = await Promise.all(
    pastes.map(async (p) => ({ input: await sharp(lfwFile(p.file)).resize(p.side, p.side).png().toBuffer(), left: p.left, top: p.top })),
  );
  return toRgb(sharp(await canvas.composite(inputs).png().toBuffer()));
}

function centre(face: DetectedFace): Point {
  return { x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 };
}

/** Checks the anatomy of the six keypoints of an upright, roughly frontal face. */
function expectUprightKeypoints(face: DetectedFace): void {
  const [rightEye, leftEye, nose, mouth, rightEar, leftEar] = face.keypoints as [Point, Point, Point, Point, Point, Point];
  expect(rightEye.x).toBeLessThan(leftEye.x); // the subject's right eye is on the image's left
  expect(rightEar.x).toBeLessThan(leftEar.x);
  expect(Math.max(rightEye.y, leftEye.y)).toBeLessThan(nose.y);
  expect(nose.y).toBeLessThan(mouth.y);
  for (const p of [rightEye, leftEye, nose, mouth]) {
    expect(p.x).toBeGreaterThan(face.box.x);
    expect(p.x).toBeLessThan(face.box.x + face.box.width);
    expect(p.y).toBeGreaterThan(face.box.y);
    expect(p.y).toBeLessThan(face.box.y + face.box.height);
  }
}

describe.skipIf(!LFW_DIR)('FaceDetector on LFW (FACEMATCH_LFW_DIR)', () => {
  let auto: FaceDetector;
  let short: FaceDetector;
  let full: FaceDetector;

  beforeAll(async () => {
    auto = await createFaceDetector({ model: 'auto', backend: 'wasm' });
    short = await createFaceDetector({ model: 'short' });
    full = await createFaceDetector({ model: 'full' });
  });
  afterAll(() => {
    for (const d of [auto, short, full]) d?.dispose();
  });

  it.each(SINGLE_FACE)('finds one upright face in the middle of %s', async (file) => {
    const image = await toRgb(sharp(lfwFile(file)));
    const result = await auto.detectWithInfo(image);
    expect(result.model).toBe('blazeface-short');
    expect(result.faces).toHaveLength(1);
    const [face] = result.faces as [DetectedFace];
    expect(face.score).toBeGreaterThanOrEqual(0.5);
    expect(face.score).toBeLessThanOrEqual(1);
    const c = centre(face);
    expect(c.x / image.width).toBeGreaterThan(0.35);
    expect(c.x / image.width).toBeLessThan(0.65);
    expect(c.y / image.height).toBeGreaterThan(0.35);
    expect(c.y / image.height).toBeLessThan(0.65);
    expect(face.relativeBox.width).toBeGreaterThan(0.3);
    expect(face.relativeBox.width).toBeLessThan(0.6);
    expect(face.relativeBox.x).toBeCloseTo(face.box.x / image.width, 12);
    expect(face.relativeBox.height).toBeCloseTo(face.box.height / image.height, 12);
    expectUprightKeypoints(face);
  });

  it('finds the three people of a group photo, largest first', async () => {
    const faces = await short.detect(await toRgb(sharp(lfwFile(GROUP))));
    expect(faces.length).toBe(3);
    const areas = faces.map((f) => f.box.width * f.box.height);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
    for (const f of faces) expectUprightKeypoints(f);
  });

  it('sorts two composited faces by area, not by score or position', async () => {
    const image = await composite(greyCanvas(640, 320), [
      { file: SINGLE_FACE[2]!, side: 200, left: 30, top: 60 },
      { file: SINGLE_FACE[0]!, side: 300, left: 320, top: 10 },
    ]);
    const faces = await auto.detect(image);
    expect(faces).toHaveLength(2);
    const [big, small] = faces as [DetectedFace, DetectedFace];
    expect(big.box.width * big.box.height).toBeGreaterThan(small.box.width * small.box.height);
    expect(centre(big).x).toBeGreaterThan(320);
    expect(centre(small).x).toBeLessThan(230);
    for (const f of faces) expectUprightKeypoints(f);
  });

  it('maps a face in a non-square image back to where it was placed (letterbox)', async () => {
    const file = SINGLE_FACE[0]!;
    const alone = (await short.detect(await toRgb(sharp(lfwFile(file)))))[0]!;
    const placements = [
      { width: 500, height: 250, left: 250, top: 0 },
      { width: 500, height: 250, left: 0, top: 0 },
      { width: 250, height: 500, left: 0, top: 250 },
      { width: 500, height: 500, left: 250, top: 250 },
    ];
    const centres: Point[] = [];
    for (const p of placements) {
      const image = await composite(greyCanvas(p.width, p.height), [{ file, side: 250, left: p.left, top: p.top }]);
      const faces = await short.detect(image);
      expect(faces).toHaveLength(1);
      const c = centre(faces[0]!);
      centres.push({ x: c.x - p.left, y: c.y - p.top });
    }
    // The model sees the same face pixels, shifted by a multiple of its strides: the mapped-back
    // centres agree to a few percent of the face size, and with the face seen alone.
    const tolerance = 0.025 * alone.box.width;
    for (const c of centres) {
      expect(Math.abs(c.x - centres[0]!.x)).toBeLessThan(tolerance);
      expect(Math.abs(c.y - centres[0]!.y)).toBeLessThan(tolerance);
      expect(Math.abs(c.x - centre(alone).x)).toBeLessThan(2 * tolerance);
      expect(Math.abs(c.y - centre(alone).y)).toBeLessThan(2 * tolerance);
    }
  });

  describe('in a 1920×1280 photo', () => {
    const file = SINGLE_FACE[0]!;

    /** Where the face found in the 250×250 original lands after resizing to `side` and pasting at (left, top). */
    async function expectedFace(detector: FaceDetector, side: number, left: number, top: number): Promise<{ centre: Point; width: number }> {
      const face = (await detector.detect(await toRgb(sharp(lfwFile(file)))))[0]!;
      const scale = side / 250;
      return { centre: { x: left + centre(face).x * scale, y: top + centre(face).y * scale }, width: face.box.width * scale };
    }

    it('finds a face filling about 5% of the frame, off-centre, where it was placed', async () => {
      const [side, left, top] = [814, 1000, 380];
      const image = await composite(noiseCanvas(1920, 1280), [{ file, side, left, top }]);
      const result = await auto.detectWithInfo(image);
      expect(result.faces).toHaveLength(1);
      const face = result.faces[0]!;
      const expected = await expectedFace(result.model === 'blazeface-short' ? short : full, side, left, top);
      const areaShare = face.relativeBox.width * face.relativeBox.height;
      console.info(
        `5% face: auto used ${result.model}, score ${face.score.toFixed(3)}, box area ${(100 * areaShare).toFixed(1)}% of the frame; ` +
          `short-range alone finds ${(await short.detect(image)).length} face(s)`,
      );
      expect(areaShare).toBeGreaterThan(0.03);
      expect(areaShare).toBeLessThan(0.08);
      expect(Math.abs(centre(face).x - expected.centre.x) / 1920).toBeLessThan(0.015);
      expect(Math.abs(centre(face).y - expected.centre.y) / 1280).toBeLessThan(0.015);
      expect(face.box.width / expected.width).toBeGreaterThan(0.8);
      expect(face.box.width / expected.width).toBeLessThan(1.2);
      expectUprightKeypoints(face);
    });

    it('falls back to full-range for a small face short-range misses', async () => {
      const [side, left, top] = [250, 1500, 900];
      const image = await composite(noiseCanvas(1920, 1280), [{ file, side, left, top }]);
      expect(await short.detect(image)).toEqual([]);
      const result = await auto.detectWithInfo(image);
      expect(result.model).toBe('blazeface-full');
      expect(result.faces).toHaveLength(1);
      const face = result.faces[0]!;
      const expected = await expectedFace(full, side, left, top);
      expect(Math.abs(centre(face).x - expected.centre.x) / 1920).toBeLessThan(0.015);
      expect(Math.abs(centre(face).y - expected.centre.y) / 1280).toBeLessThan(0.015);
      expectUprightKeypoints(face);
    });
  });

  it('keeps tf.memory().numTensors unchanged over 50 detections', async () => {
    const lfw = await toRgb(sharp(lfwFile(SINGLE_FACE[1]!)));
    const big = await composite(noiseCanvas(1920, 1280), [{ file: SINGLE_FACE[1]!, side: 500, left: 100, top: 100 }]);
    await auto.detect(lfw); // warm-up: kernels may cache tensors on first use
    const before = tf.memory().numTensors;
    let found = 0;
    for (let i = 0; i < 50; i++) found += (await auto.detect(i % 5 === 4 ? big : lfw)).length;
    expect(tf.memory().numTensors).toBe(before);
    expect(found).toBe(50);
  });
});
