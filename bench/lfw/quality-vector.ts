/**
 * A face's quality as a fixed list of numbers, for the embedding cache and the error-versus-discard
 * curves: the overall quality, then every component (NaN where a component was not measured).
 * @module
 */
import type { FaceQuality } from '../../src/quality/types.js';

/**
 * The entries of a quality vector, in order, with how to read each from a {@link FaceQuality}
 * and whether a higher value is better (the EDC discards the worst first).
 *
 * @category Benchmark
 */
export const QUALITY_VECTOR = Object.freeze([
  { name: 'overall', of: (q: FaceQuality) => q.overall, higherIsBetter: true },
  { name: 'detectorScore', of: (q: FaceQuality) => q.components.detectorScore, higherIsBetter: true },
  { name: 'sharpness', of: (q: FaceQuality) => q.components.sharpness, higherIsBetter: true },
  { name: 'eyeContrast', of: (q: FaceQuality) => q.components.eyeContrast, higherIsBetter: true },
  { name: 'interEyeDistance', of: (q: FaceQuality) => q.components.interEyeDistance, higherIsBetter: true },
  { name: 'yaw', of: (q: FaceQuality) => (q.components.pose ? Math.abs(q.components.pose.yaw) : Number.NaN), higherIsBetter: false },
  { name: 'pitch', of: (q: FaceQuality) => (q.components.pose ? Math.abs(q.components.pose.pitch) : Number.NaN), higherIsBetter: false },
  { name: 'roll', of: (q: FaceQuality) => Math.abs(q.components.roll), higherIsBetter: false },
  { name: 'brightness', of: (q: FaceQuality) => Math.abs(q.components.brightness - 128), higherIsBetter: false },
  { name: 'clipped', of: (q: FaceQuality) => q.components.clipped, higherIsBetter: false },
  { name: 'uniformity', of: (q: FaceQuality) => q.components.uniformity, higherIsBetter: true },
  { name: 'eyeOpenness', of: (q: FaceQuality) => q.components.eyeOpenness ?? Number.NaN, higherIsBetter: true },
  { name: 'shapeResidual', of: (q: FaceQuality) => q.components.shapeResidual ?? Number.NaN, higherIsBetter: false },
  { name: 'faceSize', of: (q: FaceQuality) => q.components.faceSize, higherIsBetter: true },
] as const);

/**
 * Number of entries in a quality vector.
 *
 * @category Benchmark
 */
export const QUALITY_VECTOR_LENGTH = QUALITY_VECTOR.length;

/**
 * A face's quality as a Float32Array in {@link QUALITY_VECTOR} order (brightness as its distance
 * from mid-grey, pose angles as absolute values).
 *
 * @category Benchmark
 */
export function qualityVector(quality: FaceQuality): Float32Array {
  return Float32Array.from(QUALITY_VECTOR.map((e) => e.of(quality)));
}
