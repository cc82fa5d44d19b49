/**
 * Pixel layout conversions shared by the decoders.
 * @module
 */
import type { RgbImage } from '../types.js';

/**
 * Drops the alpha channel of 8-bit RGBA pixels by compositing them over white: a transparent
 * background reads as white, as it does on a page and in most photo viewers, rather than as the
 * arbitrary colour hidden under alpha 0. sharp's `flatten({ background: '#ffffff' })` does the same.
 *
 * @param rgba - four bytes per pixel, straight (not premultiplied) alpha
 * @param width - width in pixels
 * @param height - height in pixels
 */
export function rgbaOverWhite(rgba: ArrayLike<number>, width: number, height: number): RgbImage {
  const pixels = width * height;
  if (rgba.length < pixels * 4) throw new RangeError(`expected ${pixels * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    const alpha = rgba[i + 3] as number;
    if (alpha === 255) {
      out[o] = rgba[i] as number;
      out[o + 1] = rgba[i + 1] as number;
      out[o + 2] = rgba[i + 2] as number;
    } else {
      const white = 255 * (255 - alpha);
      out[o] = Math.round(((rgba[i] as number) * alpha + white) / 255);
      out[o + 1] = Math.round(((rgba[i + 1] as number) * alpha + white) / 255);
      out[o + 2] = Math.round(((rgba[i + 2] as number) * alpha + white) / 255);
    }
  }
  return { width, height, data: out };
}
