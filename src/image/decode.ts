/**
 * Pixels from checked bytes: choose the decoder, decode (shrinking when asked), and turn the
 * result upright by the EXIF orientation read from the header, exactly once for either decoder.
 * @module
 */
import { describeField, FaceMatchError } from '../errors.js';
import type { RgbImage } from '../types.js';
import type { ImageHeader } from './header.js';
import { decodeWithJimp } from './jimp-decoder.js';
import { applyOrientation, orientedSize, type ImageSize } from './orient.js';
import { downscaleArea, fitInside } from './resize.js';
import { decodeWithSharp, loadSharp } from './sharp-decoder.js';
import { FORMAT_LABELS } from './sniff.js';
import type { DecoderChoice, DecoderName } from './types.js';

const DECODER_CHOICES: readonly DecoderChoice[] = ['auto', 'jimp', 'sharp'];

/** How {@link decodeImage} decodes. */
export interface DecodeImageOptions {
  /** Which decoder; default `auto`. */
  decoder?: DecoderChoice;
  /** The pixel limit already checked on the header (passed to the codecs' own guards). */
  maxPixels: number;
  /** Longest side of the output, when set (downscale only). */
  maxSide?: number;
  /** The input's name for error messages. */
  field?: string;
}

/** What {@link decodeImage} returns. */
export interface DecodedImage {
  /** Upright pixels, possibly downscaled. */
  image: RgbImage;
  /** The decoder that ran. */
  decoder: DecoderName;
}

/**
 * True when the optional peer `sharp` is installed and loads, so `decoder: 'auto'` uses it. The
 * import is tried once per process.
 *
 * @category Image
 */
export async function isSharpAvailable(): Promise<boolean> {
  return (await loadSharp()) !== undefined;
}

/**
 * Checks a decoder choice.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `decoder`) for anything but auto, jimp or sharp
 */
export function checkDecoderChoice(choice: unknown): asserts choice is DecoderChoice {
  if (!DECODER_CHOICES.includes(choice as DecoderChoice)) {
    throw new FaceMatchError('INVALID_INPUT', `Expected decoder auto, jimp or sharp but received ${JSON.stringify(choice)}`, { field: 'decoder' });
  }
}

/**
 * Decodes bytes whose header has been read and checked, to upright RGB, downscaled so that the
 * longer side is at most `maxSide` when that is set.
 *
 * @throws FaceMatchError `INVALID_INPUT` when `sharp` is asked for but not installed;
 *   `CORRUPT_IMAGE` when the decoder fails or returns a size other than the header's
 */
export async function decodeImage(bytes: Uint8Array, header: ImageHeader, options: DecodeImageOptions): Promise<DecodedImage> {
  const choice = options.decoder ?? 'auto';
  checkDecoderChoice(choice);
  const sharp = choice === 'jimp' ? undefined : await loadSharp();
  if (choice === 'sharp' && !sharp) {
    throw new FaceMatchError('INVALID_INPUT', 'Expected the optional peer sharp to be installed for decoder "sharp" but it cannot be imported', {
      field: 'decoder',
    });
  }
  const upright = options.maxSide === undefined ? header : fitInside(header.width, header.height, options.maxSide);
  // The decoders work in stored orientation: turn the target size the same way.
  const stored: ImageSize = orientedSize(upright.width, upright.height, header.orientation);
  const resize = stored.width !== header.storedWidth || stored.height !== header.storedHeight;
  const decoder: DecoderName = sharp ? 'sharp' : 'jimp';
  let pixels: RgbImage;
  try {
    if (sharp) {
      pixels = await decodeWithSharp(sharp, bytes, options.maxPixels, resize ? stored : undefined);
    } else {
      pixels = await decodeWithJimp(bytes, header.format, options.maxPixels);
      checkSize(pixels, header.storedWidth, header.storedHeight);
      pixels = downscaleArea(pixels, stored.width, stored.height);
    }
    checkSize(pixels, stored.width, stored.height);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FaceMatchError(
      'CORRUPT_IMAGE',
      `Expected a decodable ${FORMAT_LABELS[header.format]} for ${describeField(options.field)} but the ${decoder} decoder failed: ${reason}`,
      { field: options.field, details: { format: header.format, decoder }, cause: err },
    );
  }
  return { image: applyOrientation(pixels, header.orientation), decoder };
}

function checkSize(image: RgbImage, width: number, height: number): void {
  if (image.width !== width || image.height !== height || image.data.length !== width * height * 3) {
    throw new Error(`decoded ${image.width}x${image.height} (${image.data.length} bytes) where the header gives ${width}x${height}`);
  }
}
