import { describe, expect, it } from 'vitest';
import {
  ARCFACE_TEMPLATE_112,
  BLAZEFACE_TEMPLATE,
  DLIB_41_TEMPLATE,
  DLIB_RESNET_FRAMING,
  alignFace,
  applySimilarity,
  arcfaceFraming,
  boxFraming,
  cutChip,
} from '../src/align/index.js';
import { FaceMatchError } from '../src/errors.js';
import type { Point, RgbImage } from '../src/types.js';
import { rng as mulberry32 } from './fixtures/numeric.js';

function noiseImage(width: number, height: number, seed: number): RgbImage {
  const rand = mulberry32(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { width, height, data };
}

/** 68 points: a jittered copy of where a face of ~100 px would put them. */
function fakeLandmarks(seed: number): Point[] {
  const rand = mulberry32(seed);
  return Array.from({ length: 68 }, (_, i) => ({ x: 60 + (i % 17) * 6 + rand() * 2, y: 50 + Math.floor(i / 17) * 25 + rand() * 2 }));
}

describe('chip framings', () => {
  const image = noiseImage(240, 220, 7);

  it('cuts the dlib framing exactly as alignFace on landmarks 27-67 and on the four keypoints', () => {
    const landmarks = fakeLandmarks(3);
    const keypoints = landmarks.slice(36, 42);
    const box = { x: 50, y: 40, width: 120, height: 120 };
    const viaFraming = cutChip(image, { box, keypoints, landmarks }, DLIB_RESNET_FRAMING);
    const direct = alignFace(image, landmarks.slice(27), DLIB_41_TEMPLATE, { size: 150, padding: 0.25 });
    expect(viaFraming.source).toBe('landmarks');
    expect(Buffer.from(viaFraming.chip.data).equals(Buffer.from(direct.chip.data))).toBe(true);
    const fromKeypoints = cutChip(image, { box, keypoints }, DLIB_RESNET_FRAMING);
    const directKp = alignFace(image, keypoints.slice(0, 4), BLAZEFACE_TEMPLATE, { size: 150, padding: 0.25 });
    expect(fromKeypoints.source).toBe('keypoints');
    expect(Buffer.from(fromKeypoints.chip.data).equals(Buffer.from(directKp.chip.data))).toBe(true);
  });

  it('puts the five ArcFace points on the template, in OpenCV coordinates shifted by half a pixel', () => {
    const framing = arcfaceFraming();
    expect(framing.size).toEqual({ width: 112, height: 112 });
    // Build landmarks whose five derived points are the template itself, scaled and moved.
    const landmarks: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
    const place = (indices: readonly number[], p: Point): void => indices.forEach((i) => (landmarks[i] = { x: p.x * 2 + 10, y: p.y * 2 + 5 }));
    framing.landmarks.sources.forEach((indices, k) => place(indices, ARCFACE_TEMPLATE_112[k]!));
    const { transform } = cutChip(image, { box: { x: 0, y: 0, width: 10, height: 10 }, keypoints: [], landmarks }, framing);
    ARCFACE_TEMPLATE_112.forEach((t, k) => {
      const src = landmarks[framing.landmarks.sources[k]![0]!]!;
      const mapped = applySimilarity(transform, src);
      expect(mapped.x).toBeCloseTo(t.x + 0.5, 6);
      expect(mapped.y).toBeCloseTo(t.y + 0.5, 6);
    });
    expect(arcfaceFraming(224).landmarks.targets[0]!.x).toBeCloseTo(38.2946 * 2 + 0.5, 6);
  });

  it('crops a box framing around the box centre without rotation', () => {
    const framing = boxFraming(64, 0.25);
    const box = { x: 40, y: 30, width: 100, height: 80 };
    const { transform, chip } = cutChip(image, { box, keypoints: [] }, framing);
    expect(chip.width).toBe(64);
    expect(transform.b).toBe(0);
    const centre = applySimilarity(transform, { x: 90, y: 70 });
    expect(centre.x).toBeCloseTo(32, 9);
    expect(centre.y).toBeCloseTo(32, 9);
    // The larger side (100) plus 25% margins each side spans the chip.
    expect(transform.a).toBeCloseTo(64 / 150, 9);
  });

  it('refuses bad sides and margins, and geometry that lacks the points a framing names', () => {
    expect(() => arcfaceFraming(8)).toThrow(FaceMatchError);
    expect(() => boxFraming(160, -1)).toThrow(FaceMatchError);
    expect(() => cutChip(image, { box: { x: 0, y: 0, width: 9, height: 9 }, keypoints: [{ x: 1, y: 1 }] }, DLIB_RESNET_FRAMING)).toThrow(/keypoints point 1/);
  });
});
