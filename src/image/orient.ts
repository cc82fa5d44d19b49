/**
 * EXIF orientation: the displayed size of an image and the pixel shuffle that makes it upright.
 * @module
 */
import type { RgbImage } from '../types.js';
import type { Orientation } from './types.js';

/**
 * A width and a height in pixels.
 *
 * @category Image
 */
export interface ImageSize {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * True for the orientations (5–8) that turn the image a quarter, so width and height swap.
 *
 * @category Image
 */
export function swapsAxes(orientation: Orientation): boolean {
  return orientation >= 5;
}

/**
 * The displayed size of stored pixels of the given size and orientation.
 *
 * @category Image
 */
export function orientedSize(storedWidth: number, storedHeight: number, orientation: Orientation): ImageSize {
  return swapsAxes(orientation) ? { width: storedHeight, height: storedWidth } : { width: storedWidth, height: storedHeight };
}

/**
 * For each orientation, where the upright pixel (x, y) comes from in the stored image of size
 * W × H, as `[sx0, sxPerX, sxPerY, sy0, syPerX, syPerY]` with `W1 = W − 1`, `H1 = H − 1` folded in
 * by {@link sourceMap}. Orientation 6 (stored turned 90° anticlockwise) reads src(y, H1 − x).
 */
const SOURCE_OF: Readonly<Record<Orientation, readonly ['0' | 'W1' | 'H1', number, number, '0' | 'W1' | 'H1', number, number]>> = {
  1: ['0', 1, 0, '0', 0, 1],
  2: ['W1', -1, 0, '0', 0, 1],
  3: ['W1', -1, 0, 'H1', 0, -1],
  4: ['0', 1, 0, 'H1', 0, -1],
  5: ['0', 0, 1, '0', 1, 0],
  6: ['0', 0, 1, 'H1', -1, 0],
  7: ['W1', 0, -1, 'H1', -1, 0],
  8: ['W1', 0, -1, '0', 1, 0],
};

/** Byte offset of the source of upright pixel (0, 0) and its steps per upright x and per upright y. */
function sourceMap(width: number, height: number, orientation: Orientation): { start: number; stepX: number; stepY: number } {
  const [sx0, sxx, sxy, sy0, syx, syy] = SOURCE_OF[orientation];
  const origin = { '0': 0, W1: width - 1, H1: height - 1 };
  return {
    start: (origin[sy0] * width + origin[sx0]) * 3,
    stepX: (syx * width + sxx) * 3,
    stepY: (syy * width + sxy) * 3,
  };
}

/**
 * Turns and mirrors stored pixels so that they are upright, for any of the eight EXIF
 * orientations. Orientation 1 returns the same image object.
 *
 * @param image - the pixels as stored in the file
 * @param orientation - the file's EXIF orientation
 * @category Image
 */
export function applyOrientation(image: RgbImage, orientation: Orientation): RgbImage {
  if (orientation === 1) return image;
  const { width, height } = orientedSize(image.width, image.height, orientation);
  const { start, stepX, stepY } = sourceMap(image.width, image.height, orientation);
  const src = image.data;
  const out = new Uint8Array(src.length);
  let o = 0;
  for (let y = 0; y < height; y++) {
    let s = start + y * stepY;
    for (let x = 0; x < width; x++, s += stepX) {
      out[o++] = src[s] as number;
      out[o++] = src[s + 1] as number;
      out[o++] = src[s + 2] as number;
    }
  }
  return { width, height, data: out };
}
