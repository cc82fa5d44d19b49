/**
 * A face's quality as a fixed list of numbers, for the embedding cache and the error-versus-discard
 * curves: the overall quality, then every component (NaN where a component was not measured).
 * @module
 */
import type { FaceQuality } from '../../src/quality/types.js';

/**
 * One entry of a quality vector.
 *
 * @category Benchmark
 */
export interface QualityVectorEntry {
  /** The measure's name in reports. */
  readonly name: string;
  /** Reads the stored value from a face's quality. */
  readonly of: (q: FaceQuality) => number;
  /** The value the error-versus-discard curve ranks by, when not the stored value itself. */
  readonly rank?: (stored: number) => number;
  /** Whether a higher ranked value is better (the EDC discards the worst first). */
  readonly higherIsBetter: boolean;
}

/**
 * The entries of a quality vector, in order, with how to read each from a {@link FaceQuality}
 * and whether a higher value is better. Pose angles are stored as absolute values; brightness is
 * stored as measured and ranked by its distance from mid-grey.
 *
 * @category Benchmark
 */
export const QUALITY_VECTOR: readonly QualityVectorEntry[] = Object.freeze([
  { name: 'overall', of: (q: FaceQuality) => q.overall, higherIsBetter: true },
  { name: 'detectorScore', of: (q: FaceQuality) => q.components.detectorScore, higherIsBetter: true },
  { name: 'sharpness', of: (q: FaceQuality) => q.components.sharpness, higherIsBetter: true },
  { name: 'eyeContrast', of: (q: FaceQuality) => q.components.eyeContrast, higherIsBetter: true },
  { name: 'interEyeDistance', of: (q: FaceQuality) => q.components.interEyeDistance, higherIsBetter: true },
  { name: 'yaw', of: (q: FaceQuality) => (q.components.pose ? Math.abs(q.components.pose.yaw) : Number.NaN), higherIsBetter: false },
  { name: 'pitch', of: (q: FaceQuality) => (q.components.pose ? Math.abs(q.components.pose.pitch) : Number.NaN), higherIsBetter: false },
  { name: 'roll', of: (q: FaceQuality) => Math.abs(q.components.roll), higherIsBetter: false },
  { name: 'brightness', of: (q: FaceQuality) => q.components.brightness, rank: (v: number) => Math.abs(v - 128), higherIsBetter: false },
  { name: 'clipped', of: (q: FaceQuality) => q.components.clipped, higherIsBetter: false },
  { name: 'uniformity', of: (q: FaceQuality) => q.components.uniformity, higherIsBetter: true },
  { name: 'eyeOpenness', of: (q: FaceQuality) => q.components.eyeOpenness ?? Number.NaN, higherIsBetter: true },
  { name: 'shapeResidual', of: (q: FaceQuality) => q.components.shapeResidual ?? Number.NaN, higherIsBetter: false },
  { name: 'faceSize', of: (q: FaceQuality) => q.components.faceSize, higherIsBetter: true },
]);

/**
 * Number of entries in a quality vector.
 *
 * @category Benchmark
 */
export const QUALITY_VECTOR_LENGTH = QUALITY_VECTOR.length;

/**
 * A face's quality as a Float32Array in {@link QUALITY_VECTOR} order.
 *
 * @category Benchmark
 */
export function qualityVector(quality: FaceQuality): Float32Array {
  return Float32Array.from(QUALITY_VECTOR.map((e) => e.of(quality)));
}

const VECTOR_INDEX: ReadonlyMap<string, number> = new Map(QUALITY_VECTOR.map((e, i) => [e.name, i]));

/**
 * The face quality a stored vector describes, as far as it can: pose angles come back as their
 * absolute values (their signs are not stored), which is all the quality checks read.
 *
 * @category Benchmark
 */
export function qualityFromVector(vector: ArrayLike<number>): FaceQuality {
  const at = (name: string): number => vector[VECTOR_INDEX.get(name) ?? -1] ?? Number.NaN;
  const maybe = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);
  const yaw = at('yaw');
  const pitch = at('pitch');
  return {
    overall: at('overall'),
    components: {
      interEyeDistance: at('interEyeDistance'),
      faceSize: at('faceSize'),
      boxShare: Number.NaN,
      sharpness: at('sharpness'),
      brightness: at('brightness'),
      clipped: at('clipped'),
      uniformity: at('uniformity'),
      eyeContrast: at('eyeContrast'),
      pose: Number.isNaN(yaw) || Number.isNaN(pitch) ? undefined : { yaw, pitch, roll: at('roll') },
      roll: at('roll'),
      eyeOpenness: maybe(at('eyeOpenness')),
      shapeResidual: maybe(at('shapeResidual')),
      detectorScore: at('detectorScore'),
    },
  };
}
