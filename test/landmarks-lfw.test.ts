import sharp from 'sharp';
import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipImage, lfwDir, lfwSample, readLfwImage } from '../bench/helpers/lfw-sample.js';
import { createFaceDetector, type BlazeFaceDetector as FaceDetector } from '../src/detect/index.js';
import { createLandmarker, landmarkCentre, type Landmarker } from '../src/landmarks/index.js';
import { unflipLandmarks } from '../src/landmarks/points.js';
import { initBackend } from '../src/runtime/backend.js';
import type { DetectedFace, Point, RgbImage } from '../src/types.js';
import { LFW_DIR_VARIABLE } from '../bench/lfw/lfw-dir.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';

const LFW = lfwDirOrSkip('landmarks-lfw');

interface Face {
  file: string;
  image: RgbImage;
  face: DetectedFace;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function meanDistance(a: readonly Point[], b: readonly Point[]): number {
  return a.reduce((sum, p, i) => sum + distance(p, b[i]!), 0) / a.length;
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

describe.skipIf(!LFW)('68-point landmarks on LFW faces found by BlazeFace', () => {
  let detector: FaceDetector;
  let landmarker: Landmarker;
  let single: Landmarker;
  const faces: Face[] = [];

  beforeAll(async () => {
    await lfwDir(); // throws when FACEMATCH_LFW_DIR is set but wrong
    await initBackend('wasm');
    detector = await createFaceDetector({ model: 'short' });
    landmarker = await createLandmarker();
    single = await createLandmarker({ mirror: false });
    for (const file of await lfwSample(6)) {
      const image = await readLfwImage(file);
      const [face] = await detector.detect(image);
      if (!face) throw new Error(`BlazeFace found no face in ${file}`);
      faces.push({ file, image, face });
    }
  });

  afterAll(() => {
    detector?.dispose();
    landmarker?.dispose();
    single?.dispose();
  });

  it('puts the 68 points where a face has them', async () => {
    for (const { file, image, face } of faces) {
      const p = await landmarker.landmarks(image, face.box);
      expect(p, file).toHaveLength(68);
      for (const q of p) {
        expect(q.x).toBeGreaterThan(0);
        expect(q.x).toBeLessThan(image.width);
        expect(q.y).toBeGreaterThan(0);
        expect(q.y).toBeLessThan(image.height);
      }
      const rightEye = landmarkCentre(p, 'rightEye');
      const leftEye = landmarkCentre(p, 'leftEye');
      const iod = distance(rightEye, leftEye);
      const [kRight, kLeft, kNose, kMouth] = face.keypoints;
      // The subject's right eye is on the image's left; both eye centres sit on BlazeFace's eyes.
      expect(rightEye.x, file).toBeLessThan(leftEye.x);
      expect(distance(rightEye, kRight!) / iod, file).toBeLessThan(0.2);
      expect(distance(leftEye, kLeft!) / iod, file).toBeLessThan(0.2);
      // Nose tip (30) on BlazeFace's nose tip; mouth centre on BlazeFace's mouth.
      expect(distance(p[30]!, kNose!) / iod, file).toBeLessThan(0.3);
      expect(distance(landmarkCentre(p, 'innerLip'), kMouth!) / iod, file).toBeLessThan(0.3);
      // Nose between the eyes horizontally and below them; mouth below the nose; jaw below the eyes.
      const eyeLine = Math.max(rightEye.y, leftEye.y);
      for (const i of range(27, 35)) {
        expect(p[i]!.x, `${file} nose ${i}`).toBeGreaterThan(rightEye.x);
        expect(p[i]!.x, `${file} nose ${i}`).toBeLessThan(leftEye.x);
      }
      for (const i of range(31, 35)) expect(p[i]!.y, `${file} nostril ${i}`).toBeGreaterThan(eyeLine);
      for (const i of range(48, 67)) expect(p[i]!.y, `${file} mouth ${i}`).toBeGreaterThan(p[30]!.y);
      for (const i of range(4, 12)) expect(p[i]!.y, `${file} jaw ${i}`).toBeGreaterThan(eyeLine);
      expect(p[8]!.y, `${file} chin`).toBeGreaterThan(Math.max(...range(48, 67).map((i) => p[i]!.y)));
      // Eyebrows above the eyes, jaw ends outside the eyes.
      expect(landmarkCentre(p, 'rightEyebrow').y).toBeLessThan(rightEye.y);
      expect(p[0]!.x).toBeLessThan(p[36]!.x);
      expect(p[16]!.x).toBeGreaterThan(p[45]!.x);
    }
  });

  it('finds the same points in the mirrored image (detector run on it), mapped back, within a few pixels', async () => {
    for (const { file, image, face } of faces) {
      const flipped = flipImage(image);
      const [flippedFace] = await detector.detect(flipped);
      expect(flippedFace, file).toBeDefined();
      for (const [lm, limit] of [
        [single, 4],
        [landmarker, 1.5],
      ] as const) {
        const direct = await lm.landmarks(image, face.box);
        const back = unflipLandmarks(await lm.landmarks(flipped, flippedFace!.box), image.width);
        expect(meanDistance(direct, back), file).toBeLessThan(limit);
      }
    }
  });

  it('scales with the image: twice the image, twice the coordinates', async () => {
    for (const { file, image, face } of faces.slice(0, 3)) {
      const { data, info } = await sharp(file).resize(image.width * 2, image.height * 2, { kernel: 'cubic' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const big: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data) };
      const box = { x: face.box.x * 2, y: face.box.y * 2, width: face.box.width * 2, height: face.box.height * 2 };
      const small = await landmarker.landmarks(image, face.box);
      const large = (await landmarker.landmarks(big, box)).map((q) => ({ x: q.x / 2, y: q.y / 2 }));
      expect(meanDistance(small, large), file).toBeLessThan(0.5);
    }
  });

  it('gives the same points batched as one by one, and leaks no tensors', async () => {
    const { image, face } = faces[0]!;
    const shifted = { ...face.box, x: face.box.x + 6 };
    const [a, b] = await landmarker.landmarksBatch(image, [face.box, shifted]);
    expect(meanDistance(a!, await landmarker.landmarks(image, face.box))).toBeLessThan(1e-3);
    expect(meanDistance(b!, await landmarker.landmarks(image, shifted))).toBeLessThan(1e-3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i += 1) await landmarker.landmarks(image, face.box);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('moves little when the box moves a little', async () => {
    for (const { file, image, face } of faces) {
      const base = await landmarker.landmarks(image, face.box);
      const iod = distance(landmarkCentre(base, 'rightEye'), landmarkCentre(base, 'leftEye'));
      const d = 0.05 * face.box.width;
      const moved = await landmarker.landmarksBatch(image, [
        { ...face.box, x: face.box.x + d },
        { ...face.box, y: face.box.y - d },
      ]);
      // Points that followed the box rigidly would move by d, about 12% of the IOD.
      for (const m of moved) expect(meanDistance(base, m) / iod, file).toBeLessThan(0.07);
    }
  });

  it('fails loudly when FACEMATCH_LFW_DIR points at a folder without LFW', async () => {
    const saved = process.env[LFW_DIR_VARIABLE];
    process.env[LFW_DIR_VARIABLE] = '/nonexistent/lfw';
    try {
      await expect(lfwDir()).rejects.toThrow(/lfw-deepfunneled/);
    } finally {
      process.env[LFW_DIR_VARIABLE] = saved;
    }
  });
});
