/**
 * Reads the orientation tag (0x0112) from the first IFD of an EXIF (TIFF-structured) block, in
 * either byte order. Broken or missing EXIF means "upright", as in browsers and libvips.
 * @module
 */
import { ascii, TruncatedError, u16be, u16le, u32be, u32le } from './bytes.js';
import type { Orientation } from './types.js';

const ORIENTATION_TAG = 0x0112;
const TYPE_SHORT = 3;
const IFD_ENTRY_BYTES = 12;

/**
 * True when `value` is one of the eight EXIF orientations.
 *
 * @category Image
 */
export function isOrientation(value: unknown): value is Orientation {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 8;
}

/**
 * The orientation stored in a TIFF-structured EXIF block (starting at its `II`/`MM` byte-order
 * mark), or 1 when the tag is absent, malformed or out of range.
 *
 * @param tiff - the EXIF payload after any `Exif\0\0` prefix
 */
export function readTiffOrientation(tiff: Uint8Array): Orientation {
  try {
    const order = ascii(tiff, 0, 2);
    if (order !== 'II' && order !== 'MM') return 1;
    const u16 = order === 'II' ? u16le : u16be;
    const u32 = order === 'II' ? u32le : u32be;
    if (u16(tiff, 2) !== 42) return 1;
    const ifd0 = u32(tiff, 4);
    const count = u16(tiff, ifd0);
    for (let i = 0; i < count; i++) {
      const entry = ifd0 + 2 + i * IFD_ENTRY_BYTES;
      if (u16(tiff, entry) !== ORIENTATION_TAG) continue;
      if (u16(tiff, entry + 2) !== TYPE_SHORT || u32(tiff, entry + 4) < 1) return 1;
      const value = u16(tiff, entry + 8);
      return isOrientation(value) ? value : 1;
    }
    return 1;
  } catch (err) {
    if (err instanceof TruncatedError) return 1;
    throw err;
  }
}

/**
 * The orientation in an EXIF block that may or may not start with the `Exif\0\0` identifier
 * (JPEG APP1 always has it; PNG `eXIf` never; WebP `EXIF` chunks are written both ways).
 */
export function readExifOrientation(exif: Uint8Array): Orientation {
  const hasIdentifier = exif.length >= 6 && ascii(exif, 0, 6) === 'Exif\0\0';
  return readTiffOrientation(hasIdentifier ? exif.subarray(6) : exif);
}
