/**
 * SSD anchors of the BlazeFace models, generated the way MediaPipe's `SsdAnchorsCalculator` does
 * for `fixed_anchor_size: true`: one centre per anchor, every anchor 1 × 1 in relative units.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import type { Point } from '../types.js';

/**
 * The MediaPipe anchor options that matter when anchors have a fixed size.
 *
 * @category Detection
 */
export interface AnchorOptions {
  /** Side of the square model input, in pixels. */
  inputSize: number;
  /**
   * Stride of each output layer, in input pixels. Consecutive layers with the same stride share
   * one grid (MediaPipe merges them), so `[8, 16, 16, 16]` gives a 16×16 grid and an 8×8 grid.
   */
  strides: readonly number[];
  /**
   * Anchors per grid cell contributed by each layer: the number of aspect ratios, plus one when
   * MediaPipe's `interpolated_scale_aspect_ratio` is non-zero.
   */
  anchorsPerLayer: number;
  /** Offset of an anchor centre inside its cell, as a fraction of the cell (MediaPipe `anchor_offset_x/y`). */
  offset: number;
}

/**
 * Anchor options of BlazeFace short-range (MediaPipe `face_detection_short_range`): 128×128 input,
 * 16×16×2 + 8×8×6 = 896 anchors.
 *
 * @category Detection
 */
export const SHORT_RANGE_ANCHORS: Readonly<AnchorOptions> = Object.freeze({
  inputSize: 128,
  strides: Object.freeze([8, 16, 16, 16]),
  anchorsPerLayer: 2,
  offset: 0.5,
});

/**
 * Anchor options of BlazeFace full-range (MediaPipe `face_detection_full_range`): 192×192 input,
 * one 48×48 grid with one anchor per cell = 2304 anchors.
 *
 * @category Detection
 */
export const FULL_RANGE_ANCHORS: Readonly<AnchorOptions> = Object.freeze({
  inputSize: 192,
  strides: Object.freeze([4]),
  anchorsPerLayer: 1,
  offset: 0.5,
});

/**
 * Generates the anchor centres, relative to the input size (0–1), in the order of the model's
 * output rows: grid by grid, then row by row, column by column, anchor by anchor within a cell.
 *
 * @throws FaceMatchError `INVALID_INPUT` when a size, stride or count is not a positive integer
 * @category Detection
 */
export function generateAnchors(options: AnchorOptions): Point[] {
  const { inputSize, strides, anchorsPerLayer, offset } = options;
  const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
  if (!positive(inputSize) || !positive(anchorsPerLayer) || strides.length === 0 || !strides.every(positive)) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected anchor options with a positive integer inputSize, anchorsPerLayer and strides but received ${JSON.stringify(options)}`,
      { field: 'anchors' },
    );
  }
  const anchors: Point[] = [];
  let layer = 0;
  while (layer < strides.length) {
    const stride = strides[layer]!;
    let perCell = 0;
    while (layer < strides.length && strides[layer] === stride) {
      perCell += anchorsPerLayer;
      layer++;
    }
    const grid = Math.ceil(inputSize / stride);
    for (let row = 0; row < grid; row++) {
      for (let col = 0; col < grid; col++) {
        const centre: Point = { x: (col + offset) / grid, y: (row + offset) / grid };
        for (let k = 0; k < perCell; k++) anchors.push({ ...centre });
      }
    }
  }
  return anchors;
}
