/**
 * Fusion weights from the parts' similarity statistics. A fusion's vector is its parts' unit
 * vectors, part `i` scaled by `√wᵢ`, so a pair's fused cosine is `Σ wᵢ cosᵢ`; embedded with known
 * weights, each part's cosine can be read back from the fused vectors, and new weights applied
 * without embedding again.
 * @module
 */
import { FaceMatchError } from '../../src/errors.js';

/**
 * How a fused vector is laid out: each part's dimension and the weight it was embedded with.
 *
 * @category Benchmark
 */
export interface FusionLayout {
  /** Each part's embedding length, in order. */
  dims: readonly number[];
  /** The weights the vectors were fused with (summing to 1). */
  weights: readonly number[];
}

/**
 * Each part's cosine for a pair of fused vectors: `(aᵢ · bᵢ) / wᵢ` over part `i`'s slice.
 *
 * @throws FaceMatchError `INVALID_INPUT` when the vectors do not have the layout's length
 * @category Benchmark
 */
export function partCosines(a: Float32Array, b: Float32Array, layout: FusionLayout): number[] {
  const total = layout.dims.reduce((s, d) => s + d, 0);
  if (a.length !== total || b.length !== total) {
    throw new FaceMatchError('INVALID_INPUT', `Expected fused vectors of ${total} values but received ${a.length} and ${b.length}`, { field: 'embedding' });
  }
  const out: number[] = [];
  let at = 0;
  layout.dims.forEach((d, i) => {
    let dot = 0;
    for (let k = at; k < at + d; k++) dot += a[k]! * b[k]!;
    out.push(dot / layout.weights[i]!);
    at += d;
  });
  return out;
}

/**
 * The weights that make a fusion the mean of its parts' z-scored cosines: part `i` weighs
 * `1 / σᵢ`, the spread of its cosines over all the pairs given (normalised to sum 1). Since a
 * calibration is affine in the cosine, the parts' means drop out. Uses no labels: fitting on every
 * pair of a protocol leaks nothing into its folds.
 *
 * @param cosines - for each pair, one cosine per part
 * @throws FaceMatchError `INVALID_INPUT` for fewer than two pairs or a part whose cosines do not vary
 * @category Benchmark
 */
export function zScoreWeights(cosines: readonly (readonly number[])[]): number[] {
  if (cosines.length < 2) throw new FaceMatchError('INVALID_INPUT', `Expected at least two pairs for fusion weights but received ${cosines.length}`, { field: 'pairs' });
  const parts = cosines[0]!.length;
  const inverse = Array.from({ length: parts }, (_, i) => {
    const values = cosines.map((c) => c[i]!);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    if (!(sd > 0)) throw new FaceMatchError('INVALID_INPUT', `Expected part ${i}'s cosines to vary but they are all ${mean}`, { field: 'pairs' });
    return 1 / sd;
  });
  const sum = inverse.reduce((s, v) => s + v, 0);
  return inverse.map((v) => v / sum);
}

/**
 * A pair's fused cosine under `weights`: `Σ wᵢ cosᵢ`.
 *
 * @category Benchmark
 */
export function fusedCosine(cosines: readonly number[], weights: readonly number[]): number {
  return cosines.reduce((s, c, i) => s + c * weights[i]!, 0);
}
