/**
 * The fast decoder: libvips through the optional peer `sharp`, imported on first use (with a
 * variable specifier, so nothing requires it when it is not installed) and cached.
 * @module
 */
import type { default as SharpFactory } from 'sharp';
import type { RgbImage } from '../types.js';
import type { ImageSize } from './orient.js';
import { rgbaOverWhite } from './pixels.js';

let sharpImport: Promise<typeof SharpFactory | undefined> | undefined;

/**
 * The `sharp` function when the optional peer can be imported, else undefined. The import is
 * tried once per process.
 */
export function loadSharp(): Promise<typeof SharpFactory | undefined> {
  sharpImport ??= (async () => {
    try {
      const specifier = 'sharp';
      const mod = (await import(specifier)) as { default?: typeof SharpFactory };
      return mod.default;
    } catch {
      return undefined;
    }
  })();
  return sharpImport;
}

/**
 * Decodes JPEG, PNG or WebP bytes to 8-bit sRGB with sharp, as stored (no orientation applied),
 * optionally resized to `target` (given in stored orientation) while decoding: libvips shrinks
 * JPEG and WebP on load, then resamples with lanczos3. Grayscale, CMYK (through its ICC profile,
 * or libvips' fallback CMYK profile) and 16-bit inputs become 8-bit sRGB; alpha is composited
 * over white. Only errors fail the decode, not libvips' warnings; truncation is an error.
 *
 * @param sharp - the loaded `sharp` function
 * @param bytes - the whole file
 * @param maxPixels - passed on as `limitInputPixels`
 * @param target - output size in stored orientation, or undefined for the full size
 * @throws Error when libvips cannot decode the bytes
 */
export async function decodeWithSharp(sharp: typeof SharpFactory, bytes: Uint8Array, maxPixels: number, target?: ImageSize): Promise<RgbImage> {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length); // a view, not a copy
  let pipeline = sharp(input, { failOn: 'error', limitInputPixels: Math.floor(maxPixels), sequentialRead: true });
  if (target) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill' });
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (info.channels === 3) return { width: info.width, height: info.height, data: pixels };
  if (info.channels === 4) return rgbaOverWhite(pixels, info.width, info.height);
  throw new Error(`sharp returned ${info.channels} channels where 3 were expected`);
}
