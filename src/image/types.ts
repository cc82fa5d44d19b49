/**
 * Option and result types of the image intake: what {@link loadImage} accepts and returns.
 * @module
 */
import type { RgbImage } from '../types.js';

/**
 * An image format facematch decodes.
 *
 * @category Image
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

/**
 * What the first bytes of a file say it is (see {@link sniffFormat}). The accepted formats are
 * {@link ImageFormat}; the others are recognised so that errors can name them.
 *
 * - `heic` and `avif`: ISO-BMFF files whose `ftyp` brands say HEIF or AVIF.
 * - `svg`: text that opens (after an optional BOM, whitespace, an XML declaration, comments or a
 *   doctype) with an `<svg` element.
 * - `empty`: zero bytes.
 * - `unknown`: anything else.
 *
 * @category Image
 */
export type SniffedFormat = ImageFormat | 'gif' | 'bmp' | 'tiff' | 'heic' | 'avif' | 'pdf' | 'svg' | 'empty' | 'unknown';

/**
 * What {@link loadImage} reads: the file's bytes, or the path of a file on disk. The format is
 * always taken from the bytes, never from a file name or a declared type.
 *
 * @category Image
 */
export type ImageInput = Buffer | Uint8Array | string;

/**
 * An EXIF orientation value. `1` is upright; `2`–`8` are the mirrorings and quarter turns of the
 * EXIF/TIFF specification; `5`–`8` swap width and height.
 *
 * @category Image
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * Which decoder turns bytes into pixels.
 *
 * - `auto`: `sharp` when the optional peer `sharp` can be imported, else `jimp`.
 * - `jimp`: pure JavaScript (jimp's JPEG and PNG codecs, `@jsquash/webp` for WebP); always available.
 * - `sharp`: libvips through the optional peer `sharp`; 3–10× faster, and shrinks JPEG and WebP while decoding.
 *
 * @category Image
 */
export type DecoderChoice = 'auto' | 'jimp' | 'sharp';

/**
 * The decoder that actually ran.
 *
 * @category Image
 */
export type DecoderName = Exclude<DecoderChoice, 'auto'>;

/**
 * The name of a built-in set of {@link ImageConstraints}:
 *
 * - `didit`: JPEG, PNG or WebP; at least 480×480; at most 5 MB (5 × 1024 × 1024 bytes).
 * - `attestr`: JPEG or PNG; at least 200×200; at most 10 MB (10 × 1024 × 1024 bytes).
 * - `none`: any format facematch decodes, any size within the pixel limit.
 *
 * @category Image
 */
export type ConstraintPreset = 'didit' | 'attestr' | 'none';

/**
 * Limits an input image must meet. Every field is optional; an absent field sets no limit.
 * Sizes are checked on the image as displayed, that is after EXIF orientation.
 *
 * @category Image
 */
export interface ImageConstraints {
  /** A name for messages and error details, such as `didit`. Default: `custom`. */
  name?: string;
  /** Accepted formats. Default: all of `jpeg`, `png`, `webp`. */
  formats?: readonly ImageFormat[];
  /** Minimum width in pixels. Default: no minimum. */
  minWidth?: number;
  /** Minimum height in pixels. Default: no minimum. */
  minHeight?: number;
  /** Maximum file size in bytes. Default: no limit. */
  maxBytes?: number;
  /**
   * Maximum width × height. Default: no limit of its own; the {@link LoadImageOptions.maxPixels}
   * option always applies, and the smaller of the two wins.
   */
  maxPixels?: number;
}

/**
 * Options for {@link loadImage}.
 *
 * @category Image
 */
export interface LoadImageOptions {
  /**
   * The name of the input, used in error messages and as {@link FaceMatchError.field}, such as
   * `user_image` or `src`. Default: `image`.
   */
  field?: string;
  /** The limits the image must meet: a preset name or an object. Default: `none`. */
  constraints?: ConstraintPreset | ImageConstraints;
  /**
   * The largest width × height accepted, checked on the header's dimensions before any pixel
   * buffer is allocated (like sharp's `limitInputPixels`); above it the image is refused with
   * `IMAGE_TOO_LARGE`. Default: `50_000_000`.
   */
  maxPixels?: number;
  /**
   * When set, an image whose longer side exceeds this many pixels is scaled down (never up) so
   * that its longer side equals it; {@link LoadedImage.scale} reports the factor. sharp shrinks
   * while decoding; with jimp the full image is decoded, then area-averaged. Default: no downscale.
   */
  maxSide?: number;
  /** Which decoder to use. Default: `auto`. */
  decoder?: DecoderChoice;
}

/**
 * An image read, checked and decoded by {@link loadImage}.
 *
 * @category Image
 */
export interface LoadedImage {
  /**
   * The pixels, upright (EXIF orientation applied) and possibly downscaled (see
   * {@link LoadImageOptions.maxSide}); alpha is composited over white.
   */
  image: RgbImage;
  /** The format found in the bytes. */
  format: ImageFormat;
  /** Width of the original image as displayed (after orientation, before any downscale). */
  width: number;
  /** Height of the original image as displayed (after orientation, before any downscale). */
  height: number;
  /**
   * `image.width / width`: 1 when not downscaled. Divide a position in `image` by it to get the
   * position in the original pixels.
   */
  scale: number;
  /** The EXIF orientation that was applied; 1 when the file has none. */
  orientation: Orientation;
  /** The decoder that ran. */
  decoder: DecoderName;
  /** The size of the file in bytes. */
  bytes: number;
}
