/**
 * Pixel layout conversions shared by the decoders.
 * @module
 */
import type { RgbImage } from '../types.js';

/**
 * Drops the alpha channel of 8-bit RGBA pixels by compositing them over white: a transparent
 * background reads as white, as it does on a page and in most photo viewers, rather than as the
 * arbitrary colour hidden under alpha 0. The arithmetic is libvips' for
 * `flatten({ background: '#ffffff' })` on 8-bit images, `floor((v·a + 255·(255 − a)) / 255)`, so
 * both decoders give the same pixels. The result is written over the RGBA bytes themselves (each
 * pixel moves to a lower offset) and returned as a view of their first three quarters.
 *
 * @param rgba - four bytes per pixel, straight (not premultiplied) alpha; overwritten
 * @param width - width in pixels
 * @param height - height in pixels
 */
export function rgbaOverWhiteInPlace(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  const pixels = width * height;
  if (rgba.length < pixels * 4) throw new RangeError(`expected ${pixels * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  const data = new Uint8Array(rgba.buffer, rgba.byteOffset, pixels * 4);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    const alpha = data[i + 3] as number;
    if (alpha === 255) {
      data[o] = data[i] as number;
      data[o + 1] = data[i + 1] as number;
      data[o + 2] = data[i + 2] as number;
    } else {
      const white = 255 * (255 - alpha);
      data[o] = Math.floor(((data[i] as number) * alpha + white) / 255);
      data[o + 1] = Math.floor(((data[i + 1] as number) * alpha + white) / 255);
      data[o + 2] = Math.floor(((data[i + 2] as number) * alpha + white) / 255);
    }
  }
  return { width, height, data: data.subarray(0, pixels * 3) };
}
