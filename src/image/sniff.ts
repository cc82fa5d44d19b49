/**
 * Format detection from magic bytes alone. File names and declared content types are never
 * consulted: they are easy to get wrong and easy to fake.
 * @module
 */
import { ascii, startsWithAt } from './bytes.js';
import type { ImageFormat, SniffedFormat } from './types.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const JPEG_SOI = [0xff, 0xd8, 0xff] as const;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** BITMAPCOREHEADER, OS/2 v2 (16 and 64), BITMAPINFOHEADER and its v2–v5 successors. */
const BMP_DIB_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'mif2', 'msf1']);

/** How far into a file a PDF header or an SVG root element is looked for. */
const TEXT_PROBE_BYTES = 4096;

/**
 * Display names of the sniffed formats, as used in error messages (`received PDF`).
 *
 * @category Image
 */
export const FORMAT_LABELS: Readonly<Record<SniffedFormat, string>> = Object.freeze({
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  bmp: 'BMP',
  tiff: 'TIFF',
  heic: 'HEIC',
  avif: 'AVIF',
  pdf: 'PDF',
  svg: 'SVG',
  empty: 'an empty file (0 bytes)',
  unknown: 'data of an unknown format',
});

/**
 * The formats facematch decodes, in the order they are named in messages.
 *
 * @category Image
 */
export const IMAGE_FORMATS: readonly ImageFormat[] = Object.freeze(['jpeg', 'png', 'webp']);

/**
 * True for the formats facematch can decode.
 *
 * @category Image
 */
export function isImageFormat(format: SniffedFormat): format is ImageFormat {
  return (IMAGE_FORMATS as readonly string[]).includes(format);
}

/**
 * Says what the bytes are from their first bytes only (magic numbers; for SVG and PDF the start
 * of the text). Accepted formats are `jpeg`, `png` and `webp`; the others are recognised so that a
 * refusal can name them. Never throws.
 *
 * @param bytes - the whole file, or at least its first 4 KB
 * @category Image
 */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  if (bytes.length === 0) return 'empty';
  if (startsWithAt(bytes, 0, JPEG_SOI)) return 'jpeg';
  if (startsWithAt(bytes, 0, PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(ascii(bytes, 0, 6))) return 'gif';
  if (isTiff(bytes)) return 'tiff';
  if (isBmp(bytes)) return 'bmp';
  const isobmff = isoBmffImageFormat(bytes);
  if (isobmff !== undefined) return isobmff;
  return textFormat(bytes) ?? 'unknown';
}

function isTiff(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const head = ascii(bytes, 0, 4);
  // Classic TIFF (42) and BigTIFF (43), in either byte order.
  return head === 'II*\0' || head === 'MM\0*' || head === 'II+\0' || head === 'MM\0+';
}

function isBmp(bytes: Uint8Array): boolean {
  if (bytes.length < 26 || ascii(bytes, 0, 2) !== 'BM') return false;
  const dibSize = (bytes[14] as number) | ((bytes[15] as number) << 8) | ((bytes[16] as number) << 16) | ((bytes[17] as number) << 24);
  return BMP_DIB_HEADER_SIZES.has(dibSize);
}

/** HEIC or AVIF from an ISO-BMFF `ftyp` box: its major brand and compatible brands. */
function isoBmffImageFormat(bytes: Uint8Array): 'heic' | 'avif' | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== 'ftyp') return undefined;
  const boxSize = (((bytes[0] as number) << 24) >>> 0) + ((bytes[1] as number) << 16) + ((bytes[2] as number) << 8) + (bytes[3] as number);
  const end = Math.min(bytes.length, Math.max(16, boxSize));
  const brands = [ascii(bytes, 8, 4)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(bytes, offset, 4));
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'heic';
  return undefined;
}

/** PDF (`%PDF-` in the first KB, as PDF readers allow) or SVG (an `<svg` root element). */
function textFormat(bytes: Uint8Array): 'pdf' | 'svg' | undefined {
  const start = startsWithAt(bytes, 0, UTF8_BOM) ? UTF8_BOM.length : 0;
  const head = ascii(bytes, start, Math.min(bytes.length - start, TEXT_PROBE_BYTES));
  if (head.slice(0, 1024).includes('%PDF-')) return 'pdf';
  const text = head.trimStart();
  if (/^<svg[\s>/]/i.test(text)) return 'svg';
  // An XML declaration, comments or a doctype may precede the root element.
  if (/^<[?!]/.test(text) && /<svg[\s>/]/i.test(text)) return 'svg';
  return undefined;
}
