/**
 * The quality stage: measures one chosen face from what the pipeline already has (its box and
 * detector score, its 68 landmarks when they were found, its aligned chip, the image size), and
 * folds the measures into one overall quality.
 * @module
 */
import { DLIB_RESNET_FRAMING, cutChip } from '../align/framing.js';
import { applySimilarity, fitSimilarity } from '../align/similarity.js';
import { DLIB_41_TEMPLATE } from '../align/templates.js';
import { invalidInput } from '../errors.js';
import type { Box, Point, RgbImage } from '../types.js';
import { photometry } from './photometric.js';
import { headPoseFromLandmarks, rollFromEyes } from './pose.js';
import type { FaceQuality, QualityComponents } from './types.js';

/**
 * What {@link measureFaceQuality} reads. Positions are in the pixels of `image` (the decoded,
 * possibly downscaled image); `scale` maps them to the original (`image.width / originalWidth`).
 *
 * @category Quality
 */
export interface QualityInput {
  /** The decoded image the face was found in. */
  image: RgbImage;
  /** `image.width` over the original width (1 when not downscaled). */
  scale: number;
  /** The face box. */
  box: Box;
  /** The detector's six keypoints (eyes first). */
  keypoints: readonly Point[];
  /** The detector's confidence, 0–1. */
  score: number;
  /** The 68 landmarks, when the landmark stage ran. */
  landmarks?: readonly Point[];
  /**
   * A chip of the face already cut with {@link DLIB_RESNET_FRAMING} (the default embedder's), to
   * save cutting one; any other chip is ignored and a 150-pixel one is cut.
   */
  dlibChip?: RgbImage;
}

/**
 * One factor of the overall quality: 1 on the good side of `good`, 0 beyond `limit`, linear
 * between (either may be the larger: a limit above `good` means high values are bad).
 *
 * @category Quality
 */
export interface QualityRamp {
  /** Where the factor reaches 1. */
  good: number;
  /** Where it reaches 0. */
  limit: number;
}

/**
 * The names of the factors of {@link FaceQuality.overall}.
 *
 * @category Quality
 */
export type QualityFactorName =
  | 'interEyeDistance'
  | 'sharpness'
  | 'darkness'
  | 'brightness'
  | 'clipped'
  | 'uniformity'
  | 'yaw'
  | 'pitch'
  | 'eyeOpenness'
  | 'eyeContrast';

/**
 * How {@link FaceQuality.overall} weighs each component: a factor of 1 inside the range where
 * faces are recognised well (`good`), falling linearly to 0 at `limit`. Components not listed
 * (face size in the frame, box share, roll) do not lower the overall quality: alignment removes
 * roll, and a small face in a large photo is fine when it has pixels enough (inter-eye distance).
 * The values come from the quality study in docs/quality.md.
 *
 * @category Quality
 */
export const QUALITY_FACTORS: Readonly<Record<QualityFactorName, Readonly<QualityRamp>>> = Object.freeze({
  interEyeDistance: Object.freeze({ good: 28, limit: 10 }),
  sharpness: Object.freeze({ good: 0.03, limit: 0.006 }),
  darkness: Object.freeze({ good: 60, limit: 15 }),
  brightness: Object.freeze({ good: 200, limit: 245 }),
  clipped: Object.freeze({ good: 0.15, limit: 0.6 }),
  uniformity: Object.freeze({ good: 0.45, limit: 0.1 }),
  yaw: Object.freeze({ good: 25, limit: 65 }),
  pitch: Object.freeze({ good: 20, limit: 50 }),
  eyeOpenness: Object.freeze({ good: 0.16, limit: 0.06 }),
  eyeContrast: Object.freeze({ good: 0.4, limit: 0.1 }),
});

function factor(value: number, ramp: QualityRamp): number {
  const { good, limit } = ramp;
  const t = (value - limit) / (good - limit); // 1 at good, 0 at limit, for either direction
  return Math.max(0, Math.min(1, t));
}

function mean(points: readonly Point[], indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += points[i]!.x;
    y += points[i]!.y;
  }
  return { x: x / indices.length, y: y / indices.length };
}

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** Eye aspect ratio of one eye given its six landmarks (corner, two upper lid, corner, two lower lid). */
function eyeAspect(p: readonly Point[], first: number): number {
  const [p1, p2, p3, p4, p5, p6] = [0, 1, 2, 3, 4, 5].map((k) => p[first + k]!);
  const width = dist(p1!, p4!);
  return width > 0 ? (dist(p2!, p6!) + dist(p3!, p5!)) / (2 * width) : 0;
}

/** dlib's mean-face eye centres (landmarks 36–41 and 42–47 in DLIB_41_TEMPLATE, which starts at 27). */
const TEMPLATE_EYE_DISTANCE = (() => {
  const t = DLIB_41_TEMPLATE.points;
  const eye = (from: number) => mean(t, [0, 1, 2, 3, 4, 5].map((k) => from - 27 + k));
  return dist(eye(36), eye(42));
})();

/**
 * How far the landmarks are from dlib's mean face after the best similarity fit: the RMS distance
 * of landmarks 27–67 from the template, in template inter-eye distances. An unusual shape for the
 * network (a strong expression, a turned head, landmarks pulled astray by an occlusion) reads high.
 */
function shapeResidual(landmarks: readonly Point[]): number {
  const from = landmarks.slice(27, 68);
  const to = DLIB_41_TEMPLATE.points;
  const t = fitSimilarity(from, to);
  let sum = 0;
  from.forEach((p, i) => {
    const q = applySimilarity(t, p);
    sum += (q.x - to[i]!.x) ** 2 + (q.y - to[i]!.y) ** 2;
  });
  return Math.sqrt(sum / from.length) / TEMPLATE_EYE_DISTANCE;
}

/**
 * The overall quality (0–100) of a set of components; see {@link QUALITY_FACTORS}.
 *
 * @category Quality
 */
export function overallQuality(c: QualityComponents): number {
  const f = QUALITY_FACTORS;
  let q = factor(c.interEyeDistance, f.interEyeDistance);
  q *= factor(c.sharpness, f.sharpness);
  q *= factor(c.brightness, f.darkness) * factor(c.brightness, f.brightness);
  q *= factor(c.clipped, f.clipped);
  q *= factor(c.uniformity, f.uniformity);
  if (c.pose) q *= factor(Math.abs(c.pose.yaw), f.yaw) * factor(Math.abs(c.pose.pitch), f.pitch);
  if (c.eyeOpenness !== undefined) q *= factor(c.eyeOpenness, f.eyeOpenness);
  q *= factor(c.eyeContrast, f.eyeContrast);
  return Math.round(q * 1000) / 10;
}

/**
 * Measures the quality of one face. Cheap (well under a millisecond when the dlib chip is
 * given): a pass over the chip's face region, a six-point pose fit, a few distances.
 *
 * @throws FaceMatchError `INVALID_INPUT` for a malformed input (no image, a box that is not
 *   positive, a scale that is not positive, fewer than 68 landmarks)
 * @category Quality
 */
export function measureFaceQuality(input: QualityInput): FaceQuality {
  const { image, box, scale, keypoints, landmarks } = input;
  if (!image || !(image.width > 0) || !(image.height > 0)) throw invalidInput('image', 'a decoded RGB image', image);
  if (!box || !(box.width > 0) || !(box.height > 0)) throw invalidInput('box', 'a face box of positive size', box);
  if (!(scale > 0)) throw invalidInput('scale', 'a positive number', scale);
  if (landmarks !== undefined && landmarks.length < 68) throw invalidInput('landmarks', '68 points', landmarks.length);
  let rightEye: Point;
  let leftEye: Point;
  if (landmarks) {
    rightEye = mean(landmarks, [36, 37, 38, 39, 40, 41]);
    leftEye = mean(landmarks, [42, 43, 44, 45, 46, 47]);
  } else {
    if (keypoints.length < 2) throw invalidInput('keypoints', 'at least the two eye keypoints', keypoints.length);
    rightEye = keypoints[0]!;
    leftEye = keypoints[1]!;
  }
  const chip =
    input.dlibChip && input.dlibChip.width === DLIB_RESNET_FRAMING.size.width && input.dlibChip.height === DLIB_RESNET_FRAMING.size.height
      ? input.dlibChip
      : cutChip(image, { box, keypoints, ...(landmarks ? { landmarks } : {}) }, DLIB_RESNET_FRAMING).chip;
  const light = photometry(chip);
  const components: QualityComponents = {
    interEyeDistance: dist(rightEye, leftEye) / scale,
    faceSize: Math.min(1, Math.max(box.width, box.height) / Math.min(image.width, image.height)),
    boxShare: Math.min(1, (box.width * box.height) / (image.width * image.height)),
    sharpness: light.sharpness,
    brightness: light.brightness,
    clipped: light.clipped,
    uniformity: light.uniformity,
    eyeContrast: light.eyeContrast,
    pose: landmarks ? headPoseFromLandmarks(landmarks) : undefined,
    roll: rollFromEyes(rightEye, leftEye),
    eyeOpenness: landmarks ? (eyeAspect(landmarks, 36) + eyeAspect(landmarks, 42)) / 2 : undefined,
    shapeResidual: landmarks ? shapeResidual(landmarks) : undefined,
    detectorScore: input.score,
  };
  return { overall: overallQuality(components), components };
}
