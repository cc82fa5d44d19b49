/**
 * Pixels from checked bytes: choose the decoder, decode (shrinking when asked), and turn the
 * result upright by the EXIF orientation read from the header, exactly once for either decoder.
 * @module
 */
import { describeField, describeReceived, FaceMatchError } from '../errors.js';
import type { RgbImage } from '../types.js';
import { decodeBuiltin } from './builtin-decoder.js';
import type { ImageHeader, ImageLayout } from './header.js';
import { checkJpegData } from './jpeg-decode.js';
import { orientedSize, type ImageSize } from './orient.js';
import { fitInside } from './resize.js';
import { decodeWithSharp, loadSharp } from './sharp-decoder.js';
import { FORMAT_LABELS } from './sniff.js';
import type { DecoderChoice, DecoderName } from './types.js';

const DECODER_CHOICES: readonly DecoderChoice[] = ['auto', 'builtin', 'sharp', 'jimp'];

/** How {@link decodeImage} decodes. */
export interface DecodeImageOptions {
  /** The decoder, as {@link resolveDecoder} chose it. */
  decoder: ResolvedDecoder;
  /** The pixel limit already checked on the header (passed to the codecs' own guards). */
  maxPixels: number;
  /** The output size in stored orientation, from {@link decodeTarget}. */
  target: ImageSize;
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

/** A decoder choice made concrete: its name and, for sharp, the loaded module. */
export interface ResolvedDecoder {
  /** The decoder that will run. */
  name: DecoderName;
  /** The `sharp` function, for `sharp`. */
  sharp?: Awaited<ReturnType<typeof loadSharp>>;
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
 * @throws FaceMatchError `INVALID_INPUT` (field `decoder`) for anything but auto, builtin, sharp
 *   or the deprecated jimp
 */
export function checkDecoderChoice(choice: unknown): asserts choice is DecoderChoice {
  if (!DECODER_CHOICES.includes(choice as DecoderChoice)) {
    throw new FaceMatchError('INVALID_INPUT', `Expected decoder auto, builtin or sharp for decoder but received ${describeReceived(choice)}`, { field: 'decoder' });
  }
}

/**
 * The decoder that will run for a choice: `builtin` for `builtin` and its deprecated alias
 * `jimp`; `sharp` for `sharp` (which must be installed); for `auto`, `sharp` when it can be
 * imported, else `builtin`.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `decoder`) for an unknown choice, or `sharp` when
 *   it is not installed
 */
export async function resolveDecoder(choice: DecoderChoice = 'auto'): Promise<ResolvedDecoder> {
  checkDecoderChoice(choice);
  if (choice === 'builtin' || choice === 'jimp') return { name: 'builtin' };
  const sharp = await loadSharp();
  if (sharp) return { name: 'sharp', sharp };
  if (choice === 'sharp') {
    throw new FaceMatchError('INVALID_INPUT', 'Expected the optional peer sharp to be installed for decoder "sharp" but it cannot be imported', {
      field: 'decoder',
    });
  }
  return { name: 'builtin' };
}

/**
 * The output size in stored orientation: the stored size, or the size that fits the displayed
 * image inside `maxSide` turned back to stored orientation.
 */
export function decodeTarget(header: ImageHeader, maxSide: number | undefined): ImageSize {
  const upright = maxSide === undefined ? header : fitInside(header.width, header.height, maxSide);
  return orientedSize(upright.width, upright.height, header.orientation);
}

/**
 * Decodes bytes whose header has been read and checked, to upright RGB at the target size.
 * Only the bytes up to the format's end marker (JPEG EOI, PNG IEND, the end of the WebP RIFF
 * container) reach either decoder: what follows is ignored by both.
 *
 * @throws FaceMatchError `CORRUPT_IMAGE` when the decoder fails or returns a size other than the
 *   header's
 */
export async function decodeImage(bytes: Uint8Array, header: ImageHeader, layout: ImageLayout, options: DecodeImageOptions): Promise<DecodedImage> {
  const { decoder, target } = options;
  const used = bytes.subarray(0, layout.end);
  const resize = target.width !== header.storedWidth || target.height !== header.storedHeight;
  let image: RgbImage;
  try {
    if (decoder.sharp) {
      image = await decodeWithSharp(decoder.sharp, used, header.format, options.maxPixels, header.orientation, resize ? target : undefined);
      // After sharp, not before: libvips has let go of its coefficients by then, so the two peaks do not add up.
      if (header.format === 'jpeg') await checkJpegData(used, header.storedWidth, header.storedHeight);
    } else {
      image = await decodeBuiltin(used, header, layout, target);
    }
    const upright = orientedSize(target.width, target.height, header.orientation);
    checkSize(image, upright.width, upright.height);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FaceMatchError(
      'CORRUPT_IMAGE',
      `Expected a decodable ${FORMAT_LABELS[header.format]} for ${describeField(options.field)} but the ${decoder.name} decoder failed: ${reason}`,
      { field: options.field, details: { format: header.format, decoder: decoder.name }, cause: err },
    );
  }
  return { image, decoder: decoder.name };
}

function checkSize(image: RgbImage, width: number, height: number): void {
  if (image.width !== width || image.height !== height || image.data.length !== width * height * 3) {
    throw new Error(`decoded ${image.width}x${image.height} (${image.data.length} bytes) where ${width}x${height} was expected`);
  }
}
