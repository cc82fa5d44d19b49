/**
 * Chip checks and conversions shared by the embedders: validate a batch, pack it into a tensor,
 * read the output rows back and L2-normalise them.
 * @module
 */
import * as tf from '../runtime/tf.js';
import { FaceMatchError } from '../errors.js';
import type { RgbImage } from '../types.js';
import type { ChipSize } from '../align/framing.js';

/**
 * Throws unless every chip is an RGB image of exactly `size`.
 *
 * @param chips - the batch passed to `embed`
 * @param size - the embedder's input size
 * @param embedder - the embedder's name, for the message
 * @throws FaceMatchError `INVALID_INPUT` with field `chips` or `chips[i]`
 * @internal
 */
export function checkChips(chips: readonly RgbImage[], size: ChipSize, embedder: string): void {
  if (!Array.isArray(chips)) {
    throw new FaceMatchError('INVALID_INPUT', `Expected an array of RGB chips for ${embedder} but received ${typeof chips}`, { field: 'chips' });
  }
  chips.forEach((chip, i) => {
    const field = `chips[${i}]`;
    if (chip === null || typeof chip !== 'object' || !(chip.data instanceof Uint8Array)) {
      throw new FaceMatchError('INVALID_INPUT', `Expected ${field} to be an RgbImage with Uint8Array data but it is not`, { field });
    }
    if (chip.width !== size.width || chip.height !== size.height) {
      throw new FaceMatchError(
        'INVALID_INPUT',
        `Expected ${field} to be a ${size.width}×${size.height} chip for ${embedder} but received ${chip.width}×${chip.height}`,
        { field, details: { width: chip.width, height: chip.height, expectedWidth: size.width, expectedHeight: size.height } },
      );
    }
    const expected = size.width * size.height * 3;
    if (chip.data.length !== expected) {
      throw new FaceMatchError(
        'INVALID_INPUT',
        `Expected ${field} to hold ${expected} RGB bytes (${size.width}×${size.height}×3) but it holds ${chip.data.length}`,
        { field, details: { bytes: chip.data.length, expectedBytes: expected } },
      );
    }
  });
}

/**
 * Packs checked chips into a float32 `[n, height, width, 3]` tensor of raw 0–255 values.
 * The caller owns the tensor.
 *
 * @internal
 */
export function chipsToTensor(chips: readonly RgbImage[], size: ChipSize): tf.Tensor4D {
  const stride = size.width * size.height * 3;
  const values = new Float32Array(chips.length * stride);
  chips.forEach((chip, i) => values.set(chip.data, i * stride));
  return tf.tensor4d(values, [chips.length, size.height, size.width, 3], 'float32');
}

/**
 * Reads a `[n, d]` tensor into `n` separate Float32Arrays and disposes the tensor.
 *
 * @internal
 */
export async function readRows(matrix: tf.Tensor2D): Promise<Float32Array[]> {
  try {
    const [n, d] = matrix.shape;
    const flat = (await matrix.data()) as Float32Array;
    return Array.from({ length: n }, (_, i) => flat.slice(i * d, (i + 1) * d));
  } finally {
    matrix.dispose();
  }
}

/**
 * Scales a vector to unit Euclidean length, in place, and returns it. A zero vector stays zero.
 *
 * @internal
 */
export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}

/**
 * Splits `items` into consecutive groups of at most `size`.
 *
 * @internal
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/**
 * The error an embedder throws when used after `dispose()`.
 *
 * @internal
 */
export function disposedError(embedder: string): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', `Expected a live ${embedder} embedder but it has been disposed`, { field: 'model' });
}

/**
 * Checks a `maxBatch` option: a positive integer.
 *
 * @throws FaceMatchError `INVALID_INPUT` with field `maxBatch`
 * @internal
 */
export function checkMaxBatch(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new FaceMatchError('INVALID_INPUT', `Expected maxBatch to be a positive integer but received ${String(value)}`, { field: 'maxBatch' });
  }
  return value;
}
