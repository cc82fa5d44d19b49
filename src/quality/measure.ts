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
 * possibly downscaled image), and so are the measures.
 *
 * @category Quality
 */
export interface QualityInput {
  /** The decoded image the face was found in. */
  image: RgbImage;
  /**
   * `image.width` over the original width (1 when not downscaled). Checked but not used: every
   * measure is taken in the pixels of `image`, the most the embedder can see.
   * @deprecated since 0.1.0; will be removed.
   */
  scale?: number;
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
 * between (either may be the larger: a limit above `good` means high values are bad). The warning
 * limit of the same component ({@link DEFAULT_QUALITY_LIMITS}) sits halfway, where the factor is 0.5.
 *
 * @category Quality
 */
export interface QualityRamp {
  /** Where the factor reaches 1. */
  good: number;
  /** Where it reaches 0. */
  limit: number;
  /** Whether the ramp runs on the logarithm of the component (sharpness spans decades). */
  log?: boolean;
}

/**
 * The names of the factors of {@link FaceQuality.overall}.
 *
 * @category Quality
 */
export type QualityFactorName = 'detectorScore' | 'sharpness' | 'eyeContrast' | 'interEyeDistance' | 'yaw' | 'pitch' | 'darkness' | 'brightness' | 'clipped';

/**
 * The factors of {@link FaceQuality.overall}, each a {@link QualityRamp} on one component. The
 * overall is 100 × the weakest factor: a face is as usable as its worst aspect, so one bad
 * property is never averaged away by good ones. Uniformity and eye openness, which predict errors
 * weakly on LFW, warn but do not lower the overall; so does roll, which the alignment undoes and
 * which changed the error-versus-discard curve by one pair when tried as a factor.
 * docs/quality.md shows the error-versus-discard data the ramps were set from.
 *
 * @category Quality
 */
export const QUALITY_FACTORS: Readonly<Record<QualityFactorName, Readonly<QualityRamp>>> = Object.freeze({
  detectorScore: Object.freeze({ good: 0.92, limit: 0.68 }),
  sharpness: Object.freeze({ good: 0.035, limit: 0.004, log: true }),
  eyeContrast: Object.freeze({ good: 0.5, limit: 0 }),
  interEyeDistance: Object.freeze({ good: 40, limit: 20 }),
  yaw: Object.freeze({ good: 30, limit: 60 }),
  pitch: Object.freeze({ good: 25, limit: 55 }),
  darkness: Object.freeze({ good: 90, limit: 50 }),
  brightness: Object.freeze({ good: 205, limit: 245 }),
  clipped: Object.freeze({ good: 0.02, limit: 0.18 }),
});

function factor(value: number, ramp: QualityRamp): number {
  const at = (v: number): number => (ramp.log ? Math.log(Math.max(v, 1e-9)) : v);
  const t = (at(value) - at(ramp.limit)) / (at(ramp.good) - at(ramp.limit)); // 1 at good, 0 at limit
  // A value that is not a number (a measure that could not be taken) counts as the worst.
  return Number.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
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
 * The overall quality (0–100) of a set of components: 100 × the weakest of {@link QUALITY_FACTORS}.
 *
 * @category Quality
 */
export function overallQuality(c: QualityComponents): number {
  const f = QUALITY_FACTORS;
  let q = Math.min(
    factor(c.detectorScore, f.detectorScore),
    factor(c.sharpness, f.sharpness),
    factor(c.eyeContrast, f.eyeContrast),
    factor(c.interEyeDistance, f.interEyeDistance),
    factor(c.brightness, f.darkness),
    factor(c.brightness, f.brightness),
    factor(c.clipped, f.clipped),
  );
  if (c.pose) q = Math.min(q, factor(Math.abs(c.pose.yaw), f.yaw), factor(Math.abs(c.pose.pitch), f.pitch));
  return Math.round(q * 1000) / 10;
}

/**
 * Measures the quality of one face. Cheap (well under a millisecond when the dlib chip is
 * given): a pass over the chip's face region, a six-point pose fit, a few distances.
 *
 * @throws FaceMatchError `INVALID_INPUT` for a malformed input (no image, a box that is not
 *   positive, a scale that is not positive, a detector score outside 0–1, fewer than 68 landmarks)
 * @category Quality
 */
export function measureFaceQuality(input: QualityInput): FaceQuality {
  const { image, box, scale, keypoints, landmarks } = input;
  if (!image || !(image.width > 0) || !(image.height > 0)) throw invalidInput('image', 'a decoded RGB image', image);
  if (!box || !(box.width > 0) || !(box.height > 0)) throw invalidInput('box', 'a face box of positive size', box);
  if (scale !== undefined && !(scale > 0)) throw invalidInput('scale', 'a positive number', scale);
  if (typeof input.score !== 'number' || !(input.score >= 0 && input.score <= 1)) throw invalidInput('score', "the detector's confidence, a number from 0 to 1", input.score);
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
    // In the pixels the pipeline worked on: after a downscale to maxSide the embedder never saw more.
    interEyeDistance: dist(rightEye, leftEye),
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
