/**
 * Letterbox geometry: where an image lands inside the square model input, and back.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import type { Point } from '../types.js';

/**
 * How an image is fitted into a square model input without distortion: scaled so its longer side
 * fills the square, centred, the rest padded.
 *
 * @category Detection
 */
export interface Letterbox {
  /** Side of the square model input, in pixels. */
  size: number;
  /** Width of the source image, in pixels. */
  imageWidth: number;
  /** Height of the source image, in pixels. */
  imageHeight: number;
  /** Width of the scaled image inside the square, in pixels (an integer, at most `size`). */
  contentWidth: number;
  /** Height of the scaled image inside the square, in pixels (an integer, at most `size`). */
  contentHeight: number;
  /** Padding columns left of the scaled image. */
  padLeft: number;
  /** Padding rows above the scaled image. */
  padTop: number;
}

/**
 * Computes the letterbox of an image of `imageWidth` × `imageHeight` in a `size` × `size` input.
 * The scaled size is rounded to whole pixels; {@link letterboxToImage} uses the rounded size, so
 * the mapping back stays exact.
 *
 * @throws FaceMatchError `INVALID_INPUT` when a dimension is not a positive integer
 * @category Detection
 */
export function computeLetterbox(imageWidth: number, imageHeight: number, size: number): Letterbox {
  for (const [name, value] of [['imageWidth', imageWidth], ['imageHeight', imageHeight], ['size', size]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new FaceMatchError('INVALID_INPUT', `Expected ${name} to be a positive integer but received ${value}`, { field: 'image' });
    }
  }
  const scale = size / Math.max(imageWidth, imageHeight);
  const contentWidth = Math.min(size, Math.max(1, Math.round(imageWidth * scale)));
  const contentHeight = Math.min(size, Math.max(1, Math.round(imageHeight * scale)));
  return {
    size,
    imageWidth,
    imageHeight,
    contentWidth,
    contentHeight,
    padLeft: Math.floor((size - contentWidth) / 2),
    padTop: Math.floor((size - contentHeight) / 2),
  };
}

/**
 * Maps a point relative to the model input (0–1, as the model outputs it) to pixels of the source
 * image. Coordinates are continuous (pixel `i` spans `[i, i + 1)`), matching a half-pixel-centred
 * resize. Points in the padding map outside the image; they are not clipped.
 *
 * @category Detection
 */
export function letterboxToImage(letterbox: Letterbox, point: Point): Point {
  const { size, imageWidth, imageHeight, contentWidth, contentHeight, padLeft, padTop } = letterbox;
  return {
    x: ((point.x * size - padLeft) * imageWidth) / contentWidth,
    y: ((point.y * size - padTop) * imageHeight) / contentHeight,
  };
}

/**
 * Maps a point in source image pixels to the model input, relative (0–1): the inverse of
 * {@link letterboxToImage}.
 *
 * @category Detection
 */
export function imageToLetterbox(letterbox: Letterbox, point: Point): Point {
  const { size, imageWidth, imageHeight, contentWidth, contentHeight, padLeft, padTop } = letterbox;
  return {
    x: ((point.x * contentWidth) / imageWidth + padLeft) / size,
    y: ((point.y * contentHeight) / imageHeight + padTop) / size,
  };
}
