import { describe, expect, it } from 'vitest';
import { headPoseFromLandmarks, rollFromEyes } from '../src/quality/pose.js';
import { measureFaceQuality, overallQuality } from '../src/quality/measure.js';
import type { Point } from '../src/types.js';

/** The generic face of pose.ts (x right, y up, z towards the camera) at the landmarks it uses. */
const MODEL: Record<number, [number, number, number]> = {
  30: [0, 0, 0],
  8: [0, -330, -65],
  36: [-225, 170, -135],
  45: [225, 170, -135],
  48: [-150, -150, -125],
  54: [150, -150, -125],
};

/**
 * Projects the model after turning it by the documented angles: yaw positive = the face turns to
 * the subject's left (its front towards the image's right), pitch positive = it looks up, roll
 * positive = clockwise in the image. Orthographic, scaled, y flipped to image coordinates.
 */
function project(yawDeg: number, pitchDeg: number, rollDeg: number): Point[] {
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const landmarks: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (const [index, [x0, y0, z0]] of Object.entries(MODEL)) {
    // Looking up: the front (0,0,1) tilts towards +y.
    const y1 = y0 * Math.cos(p) + z0 * Math.sin(p);
    const z1 = -y0 * Math.sin(p) + z0 * Math.cos(p);
    // Turning to the subject's left: the front tilts towards +x.
    const x2 = x0 * Math.cos(y) + z1 * Math.sin(y);
    // Clockwise in the image (y down) is clockwise in this y-up frame too: +x goes to −y.
    const x3 = x2 * Math.cos(r) + y1 * Math.sin(r);
    const y3 = -x2 * Math.sin(r) + y1 * Math.cos(r);
    landmarks[Number(index)] = { x: 400 + 0.4 * x3, y: 300 - 0.4 * y3 };
  }
  return landmarks;
}

/** The pose module reads a projection of its own generic face as looking 4.3° up (see PITCH_ZERO there). */
const PITCH_ZERO = 4.3;

describe('head pose', () => {
  it('reads the generic face seen straight on as zero yaw and roll', () => {
    const pose = headPoseFromLandmarks(project(0, 0, 0))!;
    expect(pose.yaw).toBeCloseTo(0, 6);
    expect(pose.pitch).toBeCloseTo(PITCH_ZERO, 6);
    expect(pose.roll).toBeCloseTo(0, 6);
  });

  it.each([
    [30, 0, 0],
    [-40, 0, 0],
    [0, 20, 0],
    [0, -25, 0],
    [0, 0, 15],
    [0, 0, -35],
  ])('recovers yaw %d, pitch %d, roll %d from a projection of the generic face', (yaw, pitch, roll) => {
    const pose = headPoseFromLandmarks(project(yaw, pitch, roll))!;
    expect(pose.yaw).toBeCloseTo(yaw, 4);
    expect(pose.pitch - PITCH_ZERO).toBeCloseTo(pitch, 4);
    expect(pose.roll).toBeCloseTo(roll, 4);
  });

  it('keeps each angle when they are combined, within a degree', () => {
    const pose = headPoseFromLandmarks(project(20, 10, 8))!;
    expect(Math.abs(pose.yaw - 20)).toBeLessThan(1);
    expect(Math.abs(pose.pitch - PITCH_ZERO - 10)).toBeLessThan(1);
    expect(Math.abs(pose.roll - 8)).toBeLessThan(1);
  });

  it('returns undefined for too few or degenerate points, and reads roll from two eyes', () => {
    expect(headPoseFromLandmarks([])).toBeUndefined();
    expect(headPoseFromLandmarks(Array.from({ length: 68 }, () => ({ x: 5, y: 5 })))).toBeUndefined();
    expect(rollFromEyes({ x: 0, y: 0 }, { x: 10, y: 10 })).toBeCloseTo(45, 9);
  });
});

describe('measureFaceQuality arguments', () => {
  const image = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3).fill(128) };
  const box = { x: 50, y: 50, width: 100, height: 100 };
  const keypoints = [{ x: 80, y: 90 }, { x: 120, y: 90 }, { x: 100, y: 110 }, { x: 100, y: 130 }, { x: 60, y: 100 }, { x: 140, y: 100 }];

  it('refuses a detector score that is not a confidence, rather than fail open with a NaN overall', () => {
    for (const score of [Number.NaN, undefined, -0.1, 1.5, '0.9']) {
      expect(() => measureFaceQuality({ image, box, keypoints, score: score as number })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'score' }));
    }
    expect(measureFaceQuality({ image, box, keypoints, score: 0.9 }).overall).toBeGreaterThanOrEqual(0);
  });

  it('counts a component that is not a number as the worst, so the overall is never NaN', () => {
    const good = measureFaceQuality({ image, box, keypoints, score: 0.95 }).components;
    expect(overallQuality({ ...good, sharpness: Number.NaN })).toBe(0);
  });
});
