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
 * - `auto`: `sharp` when the optional peer `sharp` can be imported, else `builtin`.
 * - `builtin`: always available, no native code: libjpeg-turbo compiled to WebAssembly for JPEG
 *   (shrinking by 1/2, 1/4 or 1/8 while decoding), a streaming decoder on `node:zlib` for PNG,
 *   and libwebp compiled to WebAssembly for WebP.
 * - `sharp`: libvips through the optional peer `sharp`; faster (SIMD, a thread pool), and
 *   shrinks JPEG and WebP while decoding.
 * - `jimp`: **deprecated** alias of `builtin`, accepted so that code written for facematch 0.1
 *   keeps working (jimp is no longer used for decoding); {@link LoadedImage.decoder} reports
 *   `builtin`.
 *
 * Both decoders follow one policy for damaged and unusual files (see the Errors guide), so the
 * answer never depends on whether sharp happens to be installed.
 *
 * @category Image
 */
export type DecoderChoice = 'auto' | 'builtin' | 'sharp' | 'jimp';

/**
 * The decoder that actually ran.
 *
 * @category Image
 */
export type DecoderName = 'builtin' | 'sharp';

/**
 * The name of a built-in set of {@link ImageConstraints}:
 *
 * - `didit`: JPEG, PNG or WebP; at least 480×480; at most 5 MB (5 × 1024 × 1024 bytes).
 * - `attestr`: JPEG or PNG; at least 200×200; at most 10 MB (10 × 1024 × 1024 bytes).
 * - `none`: any format facematch decodes; at most 25 MiB ({@link DEFAULT_MAX_BYTES}); any size
 *   within the pixel limit and the decode budget.
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
  /**
   * Maximum file size in bytes. Default: no limit of its own (the `none` preset has 25 MiB); a
   * file on disk over 2 GiB is never read, whatever this allows.
   */
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
   * that its longer side equals it; {@link LoadedImage.scale} reports the factor. Both decoders
   * shrink JPEG while decoding (libjpeg's scaled IDCT), then resample to the exact size: sharp
   * with lanczos3, the built-in decoder by area averaging. Default: no downscale.
   */
  maxSide?: number;
  /**
   * The decode budget: the most bytes the decode may allocate, estimated from the header before
   * decoding (the decoder's buffers for this image's size, bit depth, interlacing, progressive
   * coefficients, sampling factors, copies and downscale output). Above it the image is refused
   * with `IMAGE_TOO_LARGE`, the estimate and the limit in `details`. Default
   * {@link DEFAULT_MAX_DECODE_BYTES} (480 MiB), which every phone photo fits on either decoder.
   * `FaceMatcher` passes its option of the same name through.
   */
  maxDecodeBytes?: number;
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
