import { FaceMatchError } from '../errors.js';
import type { Point } from '../types.js';

/**
 * A 2-D similarity transform (uniform scale, rotation, translation), as the affine map
 * `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty` where `a = s·cos θ` and `b = s·sin θ`.
 *
 * @category Alignment
 */
export interface SimilarityTransform {
  /** s·cos θ */
  a: number;
  /** s·sin θ */
  b: number;
  /** Horizontal translation. */
  tx: number;
  /** Vertical translation. */
  ty: number;
}

/**
 * Least-squares similarity transform mapping `from[i]` onto `to[i]` (Umeyama's closed form for
 * two dimensions, no reflection), with optional per-point weights. Needs at least two distinct points.
 *
 * @param from - source points (for example detected keypoints in image pixels)
 * @param to - destination points (for example the template in chip pixels), same length
 * @param weights - non-negative weight per point; default all 1
 * @category Alignment
 */
export function fitSimilarity(from: readonly Point[], to: readonly Point[], weights?: readonly number[]): SimilarityTransform {
  const n = from.length;
  if (n < 2 || to.length !== n || (weights && weights.length !== n)) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected two equal-length point lists of at least 2 points (and one weight per point) but received ${n} and ${to.length} points`,
      { field: 'points' },
    );
  }
  let wSum = 0;
  let fx = 0;
  let fy = 0;
  let gx = 0;
  let gy = 0;
  for (let i = 0; i < n; i += 1) {
    const w = weights ? weights[i]! : 1;
    wSum += w;
    fx += w * from[i]!.x;
    fy += w * from[i]!.y;
    gx += w * to[i]!.x;
    gy += w * to[i]!.y;
  }
  fx /= wSum;
  fy /= wSum;
  gx /= wSum;
  gy /= wSum;
  // With centred points p (from) and q (to), minimising Σ w |R s p + t − q|² gives
  // a = Σ w (p·q) / Σ w |p|², b = Σ w (p × q) / Σ w |p|².
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i += 1) {
    const w = weights ? weights[i]! : 1;
    const px = from[i]!.x - fx;
    const py = from[i]!.y - fy;
    const qx = to[i]!.x - gx;
    const qy = to[i]!.y - gy;
    dot += w * (px * qx + py * qy);
    cross += w * (px * qy - py * qx);
    norm += w * (px * px + py * py);
  }
  if (!(norm > 0)) {
    throw new FaceMatchError('INVALID_INPUT', 'Expected at least two distinct source points but all of them coincide', { field: 'points' });
  }
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: gx - (a * fx - b * fy), ty: gy - (b * fx + a * fy) };
}

/**
 * Applies a similarity transform to a point.
 *
 * @category Alignment
 */
export function applySimilarity(t: SimilarityTransform, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

/**
 * The inverse of a similarity transform.
 *
 * @category Alignment
 */
export function invertSimilarity(t: SimilarityTransform): SimilarityTransform {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * Scale and rotation of a similarity transform.
 *
 * @category Alignment
 */
export interface ScaleAngle {
  /** Uniform scale factor (destination units per source unit). */
  scale: number;
  /** Rotation in radians; positive turns the x axis towards the y axis (clockwise on screen). */
  angle: number;
}

/**
 * Scale factor and rotation of a transform.
 *
 * @category Alignment
 */
export function similarityScaleAngle(t: SimilarityTransform): ScaleAngle {
  return { scale: Math.hypot(t.a, t.b), angle: Math.atan2(t.b, t.a) };
}
