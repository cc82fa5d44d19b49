/**
 * The image intake in one call: read, check, decode, orient.
 * @module
 */
import { describeField, describeReceived, FaceMatchError, invalidInput } from '../errors.js';
import { checkDecodeBudget, DEFAULT_MAX_DECODE_BYTES, estimateDecode } from './budget.js';
import { checkImageFormat, checkMinimumSize, checkPixelCount, resolveConstraints } from './constraints.js';
import { checkDecoderChoice, decodeImage, decodeTarget, resolveDecoder } from './decode.js';
import { checkImageData, inspectImage } from './header.js';
import { readImageInput } from './input.js';
import { sniffFormat } from './sniff.js';
import type { ImageInput, LoadedImage, LoadImageOptions } from './types.js';

/** The options read once into a plain object, so a throwing getter or Proxy becomes INVALID_INPUT. */
function readOptions(options: unknown): LoadImageOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalidInput('options', 'an options object or undefined', options);
  try {
    const o = options as LoadImageOptions;
    return {
      field: o.field,
      constraints: o.constraints,
      maxPixels: o.maxPixels,
      maxSide: o.maxSide,
      maxDecodeBytes: o.maxDecodeBytes,
      decoder: o.decoder,
    };
  } catch (err) {
    throw new FaceMatchError('INVALID_INPUT', 'Expected an options object whose fields can be read but reading them threw', {
      field: 'options',
      details: { received: describeReceived(options) },
      cause: err,
    });
  }
}

function checkField(field: unknown): asserts field is string | undefined {
  if (field === undefined || (typeof field === 'string' && field.length > 0 && field.length <= 200)) return;
  throw invalidInput('field', 'a name of 1 to 200 characters', field);
}

function checkMaxSide(maxSide: unknown): asserts maxSide is number | undefined {
  if (maxSide === undefined || (typeof maxSide === 'number' && Number.isInteger(maxSide) && maxSide >= 1)) return;
  throw invalidInput('maxSide', 'a whole number >= 1', maxSide);
}

function checkMaxDecodeBytes(value: unknown): asserts value is number | undefined {
  if (value === undefined || (typeof value === 'number' && value > 0 && Number.isFinite(value))) return;
  throw invalidInput('maxDecodeBytes', 'a finite number of bytes > 0', value);
}

/**
 * Reads an image from bytes or a file path, checks it, and decodes it to upright RGB. The checks
 * run cheapest first, and every refusal before the decode happens without allocating pixels:
 *
 * 1. the input is bytes or a regular file (`INVALID_INPUT`); bytes are copied at once, so changing
 *    them during the decode changes nothing;
 * 2. the size in bytes (`FILE_TOO_LARGE`; a file is checked with `fstat` before it is read);
 * 3. the format from the magic bytes, never from a name (`UNSUPPORTED_FORMAT`; zero bytes is
 *    `INVALID_INPUT`);
 * 4. the structure: dimensions, EXIF orientation, JPEG markers to EOI, PNG chunks and CRCs to
 *    IEND, the WebP container (`CORRUPT_IMAGE` when broken or truncated; `UNSUPPORTED_FORMAT` for
 *    JPEG kinds that are not decoded);
 * 5. width × height against the pixel limit, each side against 65,500, and the decode budget
 *    (`IMAGE_TOO_LARGE`);
 * 6. the minimum width and height, as displayed (`IMAGE_TOO_SMALL`);
 * 7. that the image data can hold the image (`CORRUPT_IMAGE` for a JPEG whose data is far too
 *    short for its size);
 * 8. decode, downscale when `maxSide` asks, orient (`CORRUPT_IMAGE` when the decoder fails or
 *    reports damaged data).
 *
 * @example
 * ```ts
 * const { image, width, height, scale } = await loadImage('selfie.jpg', { field: 'user_image', constraints: 'didit', maxSide: 1024 });
 * ```
 * @param input - a Buffer or Uint8Array holding the file, or the path of the file
 * @param options - field name, constraints, pixel limit, decode budget, downscale and decoder
 * @throws FaceMatchError with code `INVALID_INPUT`, `FILE_TOO_LARGE`, `UNSUPPORTED_FORMAT`,
 *   `CORRUPT_IMAGE`, `IMAGE_TOO_LARGE` or `IMAGE_TOO_SMALL`; `field` is the option's field
 * @category Image
 */
export async function loadImage(input: ImageInput, options?: LoadImageOptions): Promise<LoadedImage> {
  const o = readOptions(options);
  checkField(o.field);
  const field = o.field ?? 'image';
  const constraints = resolveConstraints(o.constraints, o.maxPixels);
  checkMaxSide(o.maxSide);
  checkMaxDecodeBytes(o.maxDecodeBytes);
  checkDecoderChoice(o.decoder ?? 'auto');
  const bytes = await readImageInput(input, constraints, field);
  const sniffed = sniffFormat(bytes);
  if (sniffed === 'empty') {
    throw new FaceMatchError('INVALID_INPUT', `Expected image bytes for ${describeField(field)} but received an empty file (0 bytes)`, {
      field,
      details: { bytes: 0 },
    });
  }
  const format = checkImageFormat(sniffed, constraints, field);
  const { header, layout } = inspectImage(bytes, field);
  checkPixelCount(header.width, header.height, constraints, field);
  const decoder = await resolveDecoder(o.decoder);
  const target = decodeTarget(header, o.maxSide);
  const estimate = estimateDecode(header, layout, decoder.name, target, bytes.length);
  checkDecodeBudget(header, estimate, decoder.name, o.maxDecodeBytes ?? DEFAULT_MAX_DECODE_BYTES, field);
  checkMinimumSize(header.width, header.height, constraints, field);
  checkImageData(layout, field);
  const { image } = await decodeImage(bytes, header, layout, { decoder, maxPixels: constraints.maxPixels, target, field });
  return {
    image,
    format,
    width: header.width,
    height: header.height,
    scale: image.width / header.width,
    orientation: header.orientation,
    decoder: decoder.name,
    bytes: bytes.length,
  };
}
