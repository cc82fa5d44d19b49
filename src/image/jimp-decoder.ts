/**
 * The always-available decoder: jimp's JPEG (jpeg-js) and PNG (pngjs) codecs, and `@jsquash/webp`
 * for WebP. The codecs are called directly rather than through `Jimp.fromBuffer`, because
 * `Jimp.fromBuffer` rotates by the EXIF orientation itself (jimp 1.6, `attemptExifRotate`) and
 * facematch applies the orientation it read from the header, exactly once, for every decoder.
 * @module
 */
import { defaultFormats } from 'jimp';
import type { RgbImage } from '../types.js';
import { rgbaOverWhite } from './pixels.js';
import { verifyPngImageData } from './png-check.js';
import type { ImageFormat } from './types.js';
import { decodeWebpRgba } from './webp.js';

/** What jimp's format codecs return: RGBA (or RGB when asked) pixels. */
interface CodecBitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The decoding half of one of jimp's format plugins. */
interface JimpCodec {
  mime: string;
  decode(data: Buffer, options?: Record<string, unknown>): CodecBitmap | Promise<CodecBitmap>;
}

let codecs: Map<string, JimpCodec> | undefined;

function codec(mime: 'image/jpeg' | 'image/png'): JimpCodec {
  codecs ??= new Map(defaultFormats.map((factory) => factory() as unknown as JimpCodec).map((c) => [c.mime, c]));
  const found = codecs.get(mime);
  if (!found) throw new Error(`jimp has no ${mime} codec`);
  return found;
}

/** jpeg-js caps its own allocations; keep its caps above facematch's pixel limit. */
function jpegLimits(maxPixels: number): Record<string, number> {
  return {
    maxResolutionInMP: Math.max(100, Math.ceil(maxPixels / 1e6)),
    maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 24) / 2 ** 20)),
  };
}

/**
 * Decodes JPEG, PNG or WebP bytes to 8-bit RGB with jimp's codecs, as stored (no orientation
 * applied, no resizing). Grayscale becomes RGB; CMYK JPEG (Adobe APP14) is converted with the
 * naive inverted-CMYK formula browsers use for untagged CMYK; alpha is composited over white;
 * 16-bit PNG is rescaled to 8 bits.
 *
 * @param bytes - the whole file
 * @param format - its format, from {@link sniffFormat}
 * @param maxPixels - the pixel limit already checked on the header
 * @throws Error when the codec cannot decode the bytes
 */
export async function decodeWithJimp(bytes: Uint8Array, format: ImageFormat, maxPixels: number): Promise<RgbImage> {
  if (format === 'webp') {
    const { width, height, data } = await decodeWebpRgba(bytes);
    return rgbaOverWhite(data, width, height);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (format === 'jpeg') {
    const { width, height, data } = await codec('image/jpeg').decode(buffer, {
      useTArray: true,
      formatAsRGBA: false,
      ...jpegLimits(maxPixels),
    });
    return { width, height, data };
  }
  verifyPngImageData(bytes);
  const { width, height, data } = await codec('image/png').decode(buffer);
  return rgbaOverWhite(data, width, height);
}
