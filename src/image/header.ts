/**
 * Image dimensions and EXIF orientation read from the file's header, without decoding pixels:
 * JPEG (markers walked to the SOFn frame header), PNG (IHDR) and WebP (VP8, VP8L, VP8X).
 * @module
 */
import { describeField, FaceMatchError } from '../errors.js';
import { ascii, need, TruncatedError, u16le, u24le, u32le, u8 } from './bytes.js';
import { readExifOrientation } from './exif.js';
import { checkJpegCompleteness, JpegFault, JpegUnsupported, minimumEntropyBytes, readJpegStructure, type JpegStructure } from './jpeg-structure.js';
import { PngFault, readPngStructure, type PngStructure } from './png-structure.js';
import { orientedSize } from './orient.js';
import { FORMAT_LABELS, sniffFormat } from './sniff.js';
import type { ImageFormat, Orientation } from './types.js';

/**
 * What an image's header says, read without decoding it.
 *
 * @category Image
 */
export interface ImageHeader {
  /** The format. */
  format: ImageFormat;
  /** Width as displayed: after EXIF orientation. */
  width: number;
  /** Height as displayed: after EXIF orientation. */
  height: number;
  /** Width of the pixels as stored in the file. */
  storedWidth: number;
  /** Height of the pixels as stored in the file. */
  storedHeight: number;
  /** EXIF orientation (JPEG APP1, PNG `eXIf`, WebP `EXIF`); 1 when absent or unreadable. */
  orientation: Orientation;
}

/**
 * What the header walk found, per format, for the decoders and the decode budget.
 *
 * @internal
 */
export type ImageLayout =
  | { format: 'jpeg'; jpeg: JpegStructure; end: number }
  | { format: 'png'; png: PngStructure; end: number }
  | { format: 'webp'; webp: WebpLayout; end: number };

/** What the RIFF walk of a WebP finds. */
export interface WebpLayout {
  /** `VP8 ` (lossy), `VP8L` (lossless) or `VP8X` (extended). */
  container: 'VP8 ' | 'VP8L' | 'VP8X';
  /** True when the image has an alpha channel (VP8L's flag, or VP8X's). */
  alpha: boolean;
  /** True for a lossless bitstream. */
  lossless: boolean;
}

/** Width, height and orientation as stored, before the displayed size is worked out. */
interface RawHeader {
  width: number;
  height: number;
  orientation: Orientation;
  layout: ImageLayout;
}

/** Thrown inside the parsers for a structural fault; turned into `CORRUPT_IMAGE` with the field. */
class HeaderFault extends Error {}

/**
 * Reads the dimensions and EXIF orientation of a JPEG, PNG or WebP from its header. Stops safely
 * on truncated or malformed data. The whole structure is walked and checked (see the Errors
 * guide for the policy): JPEG markers from SOI to EOI, every PNG chunk (with its CRC) to IEND,
 * the WebP RIFF container; so a file cut short or damaged in its structure is refused here rather
 * than half-decoded, and a JPEG of a kind facematch does not decode is named.
 *
 * @param bytes - the whole file
 * @param field - the input's name for error messages
 * @throws FaceMatchError `UNSUPPORTED_FORMAT` when the bytes are not JPEG, PNG or WebP, are an
 *   animated WebP, or a JPEG kind that is not decoded (lossless, hierarchical, arithmetic-coded,
 *   12-bit, CMYK); `CORRUPT_IMAGE` when the header is unreadable, truncated or impossible
 * @category Image
 */
export function readImageHeader(bytes: Uint8Array, field?: string): ImageHeader {
  return inspectImage(bytes, field).header;
}

/**
 * {@link readImageHeader}, also returning the per-format layout the decoders and the budget use.
 *
 * @internal
 */
export function inspectImage(bytes: Uint8Array, field?: string): { header: ImageHeader; layout: ImageLayout } {
  const format = sniffFormat(bytes);
  if (format !== 'jpeg' && format !== 'png' && format !== 'webp') {
    throw new FaceMatchError('UNSUPPORTED_FORMAT', `Expected JPEG, PNG or WebP for ${describeField(field)} but received ${FORMAT_LABELS[format]}`, {
      field,
      details: { format },
    });
  }
  let raw: RawHeader;
  try {
    raw = format === 'jpeg' ? readJpeg(bytes) : format === 'png' ? readPng(bytes) : readWebp(bytes, field);
  } catch (err) {
    if (err instanceof TruncatedError) {
      throw new FaceMatchError(
        'CORRUPT_IMAGE',
        `Expected a complete ${FORMAT_LABELS[format]} for ${describeField(field)} but the data ends early (truncated at ${bytes.length} bytes)`,
        { field, details: { format, bytes: bytes.length }, cause: err },
      );
    }
    if (err instanceof JpegUnsupported) {
      throw new FaceMatchError('UNSUPPORTED_FORMAT', `Expected a baseline or progressive 8-bit JPEG for ${describeField(field)} but ${err.message}`, {
        field,
        details: { format },
      });
    }
    if (err instanceof HeaderFault || err instanceof JpegFault || err instanceof PngFault) {
      throw new FaceMatchError('CORRUPT_IMAGE', `Expected a valid ${FORMAT_LABELS[format]} for ${describeField(field)} but ${err.message}`, {
        field,
        details: { format },
      });
    }
    throw err;
  }
  const displayed = orientedSize(raw.width, raw.height, raw.orientation);
  return {
    header: { format, ...displayed, storedWidth: raw.width, storedHeight: raw.height, orientation: raw.orientation },
    layout: raw.layout,
  };
}

/**
 * Checks that the image data can hold the image the header describes, where that is cheap to
 * know without decoding: a JPEG's every component must be coded, and its entropy-coded data must
 * be at least the least any image of its size needs. Run after the size limits, so an oversized
 * image is reported as such.
 *
 * @throws FaceMatchError `CORRUPT_IMAGE`
 * @internal
 */
export function checkImageData(layout: ImageLayout, field?: string): void {
  if (layout.format !== 'jpeg') return;
  try {
    checkJpegCompleteness(layout.jpeg);
  } catch (err) {
    if (!(err instanceof JpegFault)) throw err;
    throw new FaceMatchError('CORRUPT_IMAGE', `Expected a valid JPEG for ${describeField(field)} but ${err.message}`, {
      field,
      details: { format: 'jpeg', entropyBytes: layout.jpeg.scans.reduce((sum, s) => sum + s.bytes, 0), minimumEntropyBytes: minimumEntropyBytes(layout.jpeg) },
    });
  }
}

function readJpeg(bytes: Uint8Array): RawHeader {
  const jpeg = readJpegStructure(bytes);
  return { width: jpeg.width, height: jpeg.height, orientation: jpeg.orientation, layout: { format: 'jpeg', jpeg, end: jpeg.end } };
}

function readPng(bytes: Uint8Array): RawHeader {
  const png = readPngStructure(bytes);
  return { width: png.width, height: png.height, orientation: png.orientation, layout: { format: 'png', png, end: png.end } };
}

function checkDimensions(width: number, height: number, max: number): void {
  if (width < 1 || height < 1 || width > max || height > max) {
    throw new HeaderFault(`its header gives an impossible size of ${width}x${height}`);
  }
}

/** The RIFF chunks of a WebP between byte 12 and `end`, each checked to fit inside the container. */
function webpChunks(bytes: Uint8Array, end: number): { type: string; at: number; size: number }[] {
  const chunks: { type: string; at: number; size: number }[] = [];
  for (let pos = 12; pos + 8 <= end; ) {
    const type = ascii(bytes, pos, 4);
    const size = u32le(bytes, pos + 4);
    if (pos + 8 + size > end) throw new HeaderFault(`its ${JSON.stringify(type)} chunk runs past the end of the RIFF container`);
    chunks.push({ type, at: pos + 8, size });
    pos += 8 + size + (size & 1); // chunks are padded to an even size
  }
  return chunks;
}

function readWebp(bytes: Uint8Array, field: string | undefined): RawHeader {
  const end = u32le(bytes, 4) + 8;
  need(bytes, 0, end); // the RIFF size says how long the file must be; what follows is ignored
  const chunks = webpChunks(bytes, end);
  const first = chunks[0];
  if (first === undefined) throw new HeaderFault('it has no chunks');
  const layout = (webp: WebpLayout): ImageLayout => ({ format: 'webp', webp, end });
  if (first.type === 'VP8 ' || first.type === 'VP8L') {
    const size = readBitstreamSize(bytes, first);
    return { ...size.dimensions, orientation: 1, layout: layout({ container: first.type, alpha: size.alpha, lossless: first.type === 'VP8L' }) };
  }
  if (first.type === 'VP8X') {
    if (first.size < 10) throw new HeaderFault('its VP8X chunk is too short');
    const flags = u8(bytes, first.at);
    if ((flags & 0x02) !== 0) {
      throw new FaceMatchError('UNSUPPORTED_FORMAT', `Expected a still image for ${describeField(field)} but received an animated WebP`, {
        field,
        details: { format: 'webp', animated: true },
      });
    }
    const width = u24le(bytes, first.at + 4) + 1;
    const height = u24le(bytes, first.at + 7) + 1;
    const image = chunks.find((c) => c.type === 'VP8 ' || c.type === 'VP8L');
    if (image === undefined) throw new HeaderFault('it has no image data (no VP8 or VP8L chunk)');
    const stream = readBitstreamSize(bytes, image);
    if (stream.dimensions.width !== width || stream.dimensions.height !== height) {
      throw new HeaderFault(`its VP8X canvas is ${width}x${height} but its image data is ${stream.dimensions.width}x${stream.dimensions.height}`);
    }
    const exif = (flags & 0x08) !== 0 ? chunks.find((c) => c.type === 'EXIF') : undefined;
    const orientation = exif === undefined ? 1 : readExifOrientation(bytes.subarray(exif.at, exif.at + exif.size));
    return {
      width,
      height,
      orientation,
      layout: layout({ container: 'VP8X', alpha: (flags & 0x10) !== 0 || stream.alpha, lossless: image.type === 'VP8L' }),
    };
  }
  throw new HeaderFault(`its first chunk is ${JSON.stringify(first.type)}, not VP8, VP8L or VP8X`);
}

/** The size (and, for lossless, the alpha flag) of a VP8 or VP8L bitstream. */
function readBitstreamSize(bytes: Uint8Array, chunk: { type: string; at: number; size: number }): { dimensions: { width: number; height: number }; alpha: boolean } {
  const data = chunk.at;
  if (chunk.type === 'VP8 ') {
    if (chunk.size < 10) throw new HeaderFault('its VP8 chunk is too short for a frame header');
    if ((u8(bytes, data) & 1) !== 0) throw new HeaderFault('its VP8 data does not start with a key frame');
    if (u8(bytes, data + 3) !== 0x9d || u8(bytes, data + 4) !== 0x01 || u8(bytes, data + 5) !== 0x2a) {
      throw new HeaderFault('its VP8 key frame start code is missing');
    }
    const width = u16le(bytes, data + 6) & 0x3fff;
    const height = u16le(bytes, data + 8) & 0x3fff;
    checkDimensions(width, height, 0x3fff);
    return { dimensions: { width, height }, alpha: false };
  }
  if (chunk.size < 5) throw new HeaderFault('its VP8L chunk is too short for a header');
  if (u8(bytes, data) !== 0x2f) throw new HeaderFault('its VP8L signature byte is missing');
  const bits = u32le(bytes, data + 1);
  if (bits >>> 29 !== 0) throw new HeaderFault(`its VP8L version is ${bits >>> 29}, not 0`);
  return { dimensions: { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }, alpha: ((bits >>> 28) & 1) === 1 };
}
