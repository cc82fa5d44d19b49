/**
 * Fusion of several embedders into one vector whose cosine is the weighted mean of the parts'
 * cosines, so that scores, calibration, caches and the bench treat a fusion like any embedder.
 * @module
 */
import { createHash } from 'node:crypto';
import { FaceMatchError, invalidInput } from '../errors.js';
import { checkEmbedder } from './check.js';
import { l2Normalise } from './chips.js';
import type { Embedder } from './types.js';

/**
 * Several embedders used as one: each face is cut and embedded once per part (each with its own
 * framing), and {@link FusedEmbedder.fuse} joins the parts' L2-normalised vectors, part `i` scaled
 * by `√weights[i]`, into one unit vector. Because the weights sum to 1, the cosine of two fused
 * vectors is `Σ weights[i] × cosine_i`. A single embedder is the fusion of one part with weight 1,
 * whose fused vector is the part's own.
 *
 * @category Embedding
 */
export interface FusedEmbedder {
  /** Always `fusion`. */
  readonly kind: 'fusion';
  /** The parts' names joined by `+`, such as `dlib-resnet+onnx:mobilefacenet`. */
  readonly name: string;
  /** The parts, in order. */
  readonly parts: readonly Embedder[];
  /** Weight of each part's cosine, each > 0, summing to 1. */
  readonly weights: readonly number[];
  /** Sum of the parts' dimensions. */
  readonly dimension: number;
  /** Digest of the parts' `modelSha256` values and the weights (hex sha256). */
  readonly modelSha256: string;
  /** Joins one vector per part (each L2-normalised) into the fused unit vector. */
  fuse(vectors: readonly Float32Array[]): Float32Array;
  /** Disposes the parts this fusion owns (the ones the matcher created from text). */
  dispose(): void;
}

/**
 * Options of {@link createFusedEmbedder}.
 *
 * @category Embedding
 */
export interface FusedEmbedderOptions {
  /**
   * Weight of each part's cosine; positive, normalised to sum 1. Default: equal weights — right
   * only when the parts' cosines spread alike; fit them with `facematch bench lfw --fit-calibration`,
   * which weighs each part by the inverse of its cosines' standard deviation (a mean of z-scores).
   */
  weights?: readonly number[];
  /** Which parts `dispose()` disposes (index list). Default: none — the parts stay the caller's. */
  owned?: readonly number[];
}

/**
 * Combines embedders into a {@link FusedEmbedder}.
 *
 * @example
 * ```ts
 * const fused = createFusedEmbedder([dlib, arcface], { weights: [0.35, 0.65] });
 * const matcher = await FaceMatcher.create({ embedder: fused });
 * ```
 * @throws FaceMatchError `INVALID_INPUT` for fewer than one part, a part that is not an Embedder,
 *   or weights that are not one positive finite number per part
 * @category Embedding
 */
export function createFusedEmbedder(parts: readonly Embedder[], options: FusedEmbedderOptions = {}): FusedEmbedder {
  if (!Array.isArray(parts) || parts.length === 0) throw invalidInput('parts', 'a non-empty array of Embedders', parts);
  parts.forEach((part, i) => checkEmbedder(part, `parts[${i}]`));
  const raw = options.weights ?? parts.map(() => 1);
  if (!Array.isArray(raw) || raw.length !== parts.length || !raw.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0)) {
    throw invalidInput('weights', `${parts.length} positive finite numbers, one per part`, raw);
  }
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = Object.freeze(raw.map((w) => w / total));
  const scales = weights.map(Math.sqrt);
  const dimension = parts.reduce((n, p) => n + p.dimension, 0);
  const owned = new Set(options.owned ?? []);
  const digest = createHash('sha256')
    .update(parts.map((p, i) => `${p.name}:${p.modelSha256 ?? 'unknown'}:${weights[i]!.toFixed(12)}`).join('\n'))
    .digest('hex');
  let disposed = false;
  return Object.freeze({
    kind: 'fusion' as const,
    name: parts.map((p) => p.name).join('+'),
    parts: Object.freeze([...parts]),
    weights,
    dimension,
    modelSha256: parts.length === 1 && parts[0]!.modelSha256 ? parts[0]!.modelSha256 : digest,
    fuse(vectors: readonly Float32Array[]): Float32Array {
      if (vectors.length !== parts.length) {
        throw new FaceMatchError('INVALID_INPUT', `Expected ${parts.length} vectors to fuse but received ${vectors.length}`, { field: 'vectors' });
      }
      vectors.forEach((v, i) => {
        if (v.length !== parts[i]!.dimension) {
          throw new FaceMatchError('INVALID_INPUT', `Expected ${parts[i]!.dimension} values from ${parts[i]!.name} but received ${v.length}`, {
            field: `vectors[${i}]`,
          });
        }
      });
      if (parts.length === 1) return vectors[0]!;
      const out = new Float32Array(dimension);
      let at = 0;
      vectors.forEach((v, i) => {
        // Each part is normalised first, so a part whose vectors are not of unit length cannot
        // shift the weights by its norm.
        let norm = 0;
        for (let k = 0; k < v.length; k++) norm += v[k]! * v[k]!;
        const scale = norm > 0 ? scales[i]! / Math.sqrt(norm) : 0;
        for (let k = 0; k < v.length; k++) out[at + k] = v[k]! * scale;
        at += v.length;
      });
      // Of unit length when no part is all zeros; normalising again absorbs float rounding.
      return l2Normalise(out);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      parts.forEach((p, i) => {
        if (owned.has(i)) p.dispose();
      });
    },
  });
}

/**
 * True when `value` is a {@link FusedEmbedder} (has `kind: 'fusion'` and parts).
 *
 * @category Embedding
 */
export function isFusedEmbedder(value: unknown): value is FusedEmbedder {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'fusion' && Array.isArray((value as { parts?: unknown }).parts);
}
