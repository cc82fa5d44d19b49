/**
 * The image intake in one call: read, check, decode, orient.
 * @module
 */
import { describeField, FaceMatchError } from '../errors.js';
import { checkFileSize, checkImageFormat, checkMinimumSize, checkPixelCount, resolveConstraints } from './constraints.js';
import { checkDecoderChoice, decodeImage } from './decode.js';
import { readImageHeader } from './header.js';
import { readImageInput } from './input.js';
import { sniffFormat } from './sniff.js';
import type { ImageInput, LoadedImage, LoadImageOptions } from './types.js';

function checkMaxSide(maxSide: unknown): asserts maxSide is number | undefined {
  if (maxSide === undefined || (typeof maxSide === 'number' && Number.isInteger(maxSide) && maxSide >= 1)) return;
  throw new FaceMatchError('INVALID_INPUT', `Expected maxSide to be a whole number >= 1 but received ${String(maxSide)}`, { field: 'maxSide' });
}

/**
 * Reads an image from bytes or a file path, checks it, and decodes it to upright RGB. The checks
 * run cheapest first, and every refusal before the decode happens without allocating pixels:
 *
 * 1. the input is bytes or an existing file (`INVALID_INPUT`);
 * 2. the size in bytes (`FILE_TOO_LARGE`; a file is checked with `stat` before it is read);
 * 3. the format from the magic bytes, never from a name (`UNSUPPORTED_FORMAT`; zero bytes is
 *    `INVALID_INPUT`);
 * 4. the header: dimensions and EXIF orientation (`CORRUPT_IMAGE` when unreadable or truncated);
 * 5. width × height against the pixel limit (`IMAGE_TOO_LARGE`);
 * 6. the minimum width and height, as displayed (`IMAGE_TOO_SMALL`);
 * 7. decode, downscale when `maxSide` asks, orient (`CORRUPT_IMAGE` when the decoder fails).
 *
 * @example
 * ```ts
 * const { image, width, height, scale } = await loadImage('selfie.jpg', { field: 'user_image', constraints: 'didit', maxSide: 1024 });
 * ```
 * @param input - a Buffer or Uint8Array holding the file, or the path of the file
 * @param options - field name, constraints, pixel limit, downscale and decoder
 * @throws FaceMatchError with code `INVALID_INPUT`, `FILE_TOO_LARGE`, `UNSUPPORTED_FORMAT`,
 *   `CORRUPT_IMAGE`, `IMAGE_TOO_LARGE` or `IMAGE_TOO_SMALL`; `field` is the option's field
 * @category Image
 */
export async function loadImage(input: ImageInput, options: LoadImageOptions = {}): Promise<LoadedImage> {
  const field = options.field ?? 'image';
  const constraints = resolveConstraints(options.constraints, options.maxPixels);
  checkMaxSide(options.maxSide);
  checkDecoderChoice(options.decoder ?? 'auto');
  const bytes = await readImageInput(input, constraints, field);
  checkFileSize(bytes.length, constraints, field);
  const sniffed = sniffFormat(bytes);
  if (sniffed === 'empty') {
    throw new FaceMatchError('INVALID_INPUT', `Expected image bytes for ${describeField(field)} but received an empty file (0 bytes)`, {
      field,
      details: { bytes: 0 },
    });
  }
  const format = checkImageFormat(sniffed, constraints, field);
  const header = readImageHeader(bytes, field);
  checkPixelCount(header.width, header.height, constraints, field);
  checkMinimumSize(header.width, header.height, constraints, field);
  const { image, decoder } = await decodeImage(bytes, header, {
    decoder: options.decoder,
    maxPixels: constraints.maxPixels,
    maxSide: options.maxSide,
    field,
  });
  return {
    image,
    format,
    width: header.width,
    height: header.height,
    scale: image.width / header.width,
    orientation: header.orientation,
    decoder,
    bytes: bytes.length,
  };
}
