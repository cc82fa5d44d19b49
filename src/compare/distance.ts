/**
 * Distances between face embeddings.
 * @module
 */
import { FaceMatchError } from '../errors.js';

/**
 * Checks that two embeddings can be compared: same non-zero length, finite values.
 */
function checkPair(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected embeddings of the same dimension but received ${a.length} and ${b.length}`,
      { field: 'embedding', details: { lengthA: a.length, lengthB: b.length } },
    );
  }
  checkVector(a);
  checkVector(b);
}

function checkVector(v: Float32Array): void {
  if (v.length === 0) {
    throw new FaceMatchError('INVALID_INPUT', 'Expected an embedding of at least one dimension but received an empty vector', {
      field: 'embedding',
    });
  }
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new FaceMatchError('INVALID_INPUT', `Expected an embedding of finite numbers but received ${v[i]} at index ${i}`, {
        field: 'embedding',
        details: { index: i },
      });
    }
  }
}

function norm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    sum += x * x;
  }
  return Math.sqrt(sum);
}

/**
 * Cosine similarity of two embeddings: `a·b / (|a| |b|)`, from −1 (opposite) to 1 (same
 * direction). Accumulates in double precision.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `embedding`) when the lengths differ, a
 * vector is empty, holds a non-finite value or is all zeros.
 * @category Compare
 */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  checkPair(a, b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) {
    throw new FaceMatchError('INVALID_INPUT', 'Expected non-zero embeddings for a cosine similarity but received an all-zero vector', {
      field: 'embedding',
    });
  }
  // Rounding can push |cos| a hair above 1; keep it in range.
  return Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)));
}

/**
 * Euclidean (L2) distance of two embeddings. For L2-normalised embeddings it lies in [0, 2] and
 * equals `sqrt(2 − 2 × cosineSimilarity)`.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `embedding`) when the lengths differ, a
 * vector is empty or holds a non-finite value.
 * @category Compare
 */
export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  checkPair(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/**
 * Returns a new vector with the same direction as `v` and unit Euclidean length. `v` is not
 * modified.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `embedding`) when `v` is empty, holds a
 * non-finite value or is all zeros (it has no direction).
 * @category Compare
 */
export function l2Normalize(v: Float32Array): Float32Array {
  checkVector(v);
  const n = norm(v);
  if (n === 0) {
    throw new FaceMatchError('INVALID_INPUT', 'Cannot L2-normalise an all-zero embedding: it has no direction.', {
      field: 'embedding',
    });
  }
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}
