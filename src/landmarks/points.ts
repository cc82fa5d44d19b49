/**
 * The 68-point face markup (iBUG 300-W / dlib `shape_predictor_68_face_landmarks` order) and small
 * helpers over it. "Right" and "left" are the subject's: the right eye is on the image's left.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import type { Point } from '../types.js';

/**
 * The groups of the 68-point markup, each an index range `[first, last]` inclusive.
 *
 * @category Landmarks
 */
export interface LandmarkGroups {
  /** 0–16: subject's right ear → chin (8) → left ear. */
  readonly jaw: readonly [0, 16];
  /** 17–21. */
  readonly rightEyebrow: readonly [17, 21];
  /** 22–26. */
  readonly leftEyebrow: readonly [22, 26];
  /** 27–30: top of the nose → tip (30). */
  readonly noseBridge: readonly [27, 30];
  /** 31–35: right → left; 33 is the nose base. */
  readonly nostrils: readonly [31, 35];
  /** 36–41: outer corner first, clockwise. */
  readonly rightEye: readonly [36, 41];
  /** 42–47: inner corner first, clockwise. */
  readonly leftEye: readonly [42, 47];
  /** 48–59: right corner 48, left corner 54. */
  readonly outerLip: readonly [48, 59];
  /** 60–67. */
  readonly innerLip: readonly [60, 67];
}

/**
 * Index ranges of the 68-point markup, each as `[first, last]` inclusive.
 *
 * | group | indices |
 * |---|---|
 * | jaw (subject's right ear → chin 8 → left ear) | 0–16 |
 * | right eyebrow, left eyebrow | 17–21, 22–26 |
 * | nose bridge (top → tip 30), nostrils (right → left, base 33) | 27–30, 31–35 |
 * | right eye, left eye (outer corner first, clockwise) | 36–41, 42–47 |
 * | outer lip (right corner 48, left corner 54), inner lip | 48–59, 60–67 |
 *
 * dlib's 5-point alignment uses the eye corners 36, 39, 42, 45 and the nose base 33.
 *
 * @category Landmarks
 */
export const LANDMARK_GROUPS: LandmarkGroups = Object.freeze({
  jaw: [0, 16],
  rightEyebrow: [17, 21],
  leftEyebrow: [22, 26],
  noseBridge: [27, 30],
  nostrils: [31, 35],
  rightEye: [36, 41],
  leftEye: [42, 47],
  outerLip: [48, 59],
  innerLip: [60, 67],
} as const);

/**
 * Name of one group of {@link LANDMARK_GROUPS}.
 *
 * @category Landmarks
 */
export type LandmarkGroup = keyof LandmarkGroups;

/**
 * Mean of the landmarks of one group, such as the centre of the right eye.
 *
 * @param points - the 68 landmarks
 * @param group - a group name of {@link LANDMARK_GROUPS}
 * @category Landmarks
 */
export function landmarkCentre(points: readonly Point[], group: LandmarkGroup): Point {
  const [first, last] = LANDMARK_GROUPS[group];
  let x = 0;
  let y = 0;
  for (let i = first; i <= last; i += 1) {
    const p = points[i];
    if (!p) throw new FaceMatchError('INVALID_INPUT', `Expected 68 landmarks but received ${points.length}`, { field: 'points' });
    x += p.x;
    y += p.y;
  }
  const n = last - first + 1;
  return { x: x / n, y: y / n };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * `MIRROR_68[i]` is the landmark that point i becomes when the face is mirrored left–right
 * (for example the right eye's outer corner 36 becomes the left eye's outer corner 45).
 * @internal
 */
export const MIRROR_68: readonly number[] = Object.freeze([
  ...range(0, 16).reverse(), // jaw
  ...range(22, 26).reverse(), // eyebrows 17–21 ↔ 26–22
  ...range(17, 21).reverse(),
  27, 28, 29, 30, // nose bridge
  ...range(31, 35).reverse(), // nostrils
  45, 44, 43, 42, 47, 46, // right eye 36–41 ↔ left eye
  39, 38, 37, 36, 41, 40, // left eye 42–47 ↔ right eye
  ...range(48, 54).reverse(), // outer lip, upper: 48–54 ↔ 54–48
  ...range(55, 59).reverse(), // outer lip, lower: 55–59 ↔ 59–55
  ...range(60, 64).reverse(), // inner lip, upper
  ...range(65, 67).reverse(), // inner lip, lower
]);

/**
 * Maps landmarks found on a horizontally flipped image (of width `width`) back onto the original:
 * mirrors each x and reorders the points so that index i means the same facial point again.
 * @internal
 */
export function unflipLandmarks(points: readonly Point[], width: number): Point[] {
  return MIRROR_68.map((j) => {
    const p = points[j];
    if (!p) throw new FaceMatchError('INVALID_INPUT', `Expected 68 landmarks but received ${points.length}`, { field: 'points' });
    return { x: width - p.x, y: p.y };
  });
}

/**
 * Averages the network's relative outputs for a crop (at `offset`) and for its mirror image (at
 * `mirroredOffset`), after mapping the mirrored ones back (x → 1 − x, points reordered by
 * {@link MIRROR_68}). Returns 136 values x0, y0, x1, y1, ….
 * @internal
 */
export function averageWithMirrored(relative: ArrayLike<number>, offset: number, mirroredOffset: number): Float32Array {
  const out = new Float32Array(MIRROR_68.length * 2);
  MIRROR_68.forEach((j, i) => {
    out[2 * i] = (relative[offset + 2 * i]! + 1 - relative[mirroredOffset + 2 * j]!) / 2;
    out[2 * i + 1] = (relative[offset + 2 * i + 1]! + relative[mirroredOffset + 2 * j + 1]!) / 2;
  });
  return out;
}
