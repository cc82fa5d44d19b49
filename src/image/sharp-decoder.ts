/**
 * The fast decoder: libvips through the optional peer `sharp`, imported on first use (with a
 * variable specifier, so nothing requires it when it is not installed) and cached.
 * @module
 */
import type { default as SharpFactory } from 'sharp';
import type { RgbImage } from '../types.js';
import { orientedSize, type ImageSize } from './orient.js';
import { rgbaOverWhiteInPlace } from './pixels.js';
import type { ImageFormat, Orientation } from './types.js';

/**
 * What libvips does to stored pixels to show them upright, per EXIF orientation: a clockwise
 * rotation and a vertical (flip) or horizontal (flop) mirror. sharp mirrors before it rotates,
 * so the transpose (5) is a mirror then 270°, the transverse (7) a mirror then 90°.
 */
const ORIENTATION_OPS: Readonly<Record<Orientation, { angle: number; flip: boolean; flop: boolean }>> = {
  1: { angle: 0, flip: false, flop: false },
  2: { angle: 0, flip: false, flop: true },
  3: { angle: 180, flip: false, flop: false },
  4: { angle: 0, flip: true, flop: false },
  5: { angle: 270, flip: false, flop: true },
  6: { angle: 90, flip: false, flop: false },
  7: { angle: 90, flip: false, flop: true },
  8: { angle: 270, flip: false, flop: false },
};

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
 * JPEG and WebP on load, then resamples with lanczos3. Greyscale and 16-bit inputs become 8-bit
 * sRGB; alpha is composited over white. Embedded ICC profiles are ignored, as the built-in
 * decoder ignores them, so that both decoders give the same pixels.
 *
 * The policy (see the Errors guide): for JPEG, libjpeg's warnings fail the decode as its errors
 * do (`failOn: 'warning'`: "premature end of data segment", "bad Huffman code" mean damaged
 * data), exactly as on the built-in decoder, which is libjpeg too; for PNG and WebP, errors fail
 * it, and the damage libspng would let pass (CRC mismatches, a truncated chunk) has already been
 * refused by the header walk that runs before either decoder.
 *
 * @param sharp - the loaded `sharp` function
 * @param bytes - the file up to its end marker
 * @param format - its format
 * @param maxPixels - passed on as `limitInputPixels`
 * @param orientation - the EXIF orientation read from the header, applied by libvips (a quarter
 *   turn in C on the thread pool costs a fraction of a JavaScript shuffle of 48 MP)
 * @param target - output size in stored orientation, or undefined for the full size
 * @returns upright pixels
 * @throws Error when libvips cannot decode the bytes
 */
export async function decodeWithSharp(
  sharp: typeof SharpFactory,
  bytes: Uint8Array,
  format: ImageFormat,
  maxPixels: number,
  orientation: Orientation,
  target?: ImageSize,
): Promise<RgbImage> {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a view of exactly these bytes
  let pipeline = sharp(input, {
    failOn: format === 'jpeg' ? 'warning' : 'error',
    limitInputPixels: Math.floor(maxPixels),
    sequentialRead: true,
    ignoreIcc: true,
  });
  const turn = ORIENTATION_OPS[orientation];
  if (turn.angle !== 0) pipeline = pipeline.rotate(turn.angle);
  if (turn.flip) pipeline = pipeline.flip();
  if (turn.flop) pipeline = pipeline.flop();
  if (target) {
    const upright = orientedSize(target.width, target.height, orientation);
    pipeline = pipeline.resize(upright.width, upright.height, { fit: 'fill' });
  }
  const { data, info } = await pipeline
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (info.channels === 3) return { width: info.width, height: info.height, data: pixels };
  if (info.channels === 4) return rgbaOverWhiteInPlace(pixels, info.width, info.height);
  throw new Error(`sharp returned ${info.channels} channels where 3 were expected`);
}
