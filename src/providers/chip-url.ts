/**
 * Face chips as `data:` URLs, for the image fields of provider responses.
 * @module
 */
import { Jimp } from 'jimp';
import { FaceMatchError } from '../errors.js';
import type { RgbImage } from '../types.js';

/**
 * Image format of a chip data URL.
 *
 * @category Providers
 */
export type ChipImageFormat = 'jpeg' | 'png';

/** JPEG quality of encoded chips: small files, no visible loss on a 150×150 face. */
const JPEG_QUALITY = 90;

/**
 * Encodes an RGB image (typically the aligned face chip of a {@link FaceReport}) as a
 * `data:image/jpeg;base64,...` (or `data:image/png;base64,...`) URL.
 *
 * @param image - tightly packed RGB pixels
 * @param format - `jpeg` (default, quality 90) or `png` (lossless)
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `chip`) when the size or pixel buffer is inconsistent.
 * @category Providers
 */
export async function chipToDataUrl(image: RgbImage, format: ChipImageFormat = 'jpeg'): Promise<string> {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * 3) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `A chip must be RGB with data.length = width × height × 3; received ${width}×${height} with ${data.length} bytes.`,
      { field: 'chip', details: { width, height, bytes: data.length } },
    );
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i]!;
    rgba[j + 1] = data[i + 1]!;
    rgba[j + 2] = data[i + 2]!;
    rgba[j + 3] = 255;
  }
  const bitmap = Jimp.fromBitmap({ width, height, data: rgba });
  return format === 'png' ? bitmap.getBase64('image/png') : bitmap.getBase64('image/jpeg', { quality: JPEG_QUALITY });
}
