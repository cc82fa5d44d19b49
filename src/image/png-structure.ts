/**
 * The chunk structure of a PNG, walked and checked once for both decoders: the IHDR fields, the
 * palette and transparency chunks, where the image data (IDAT) lies, and the EXIF orientation.
 *
 * The checks are the decoder policy for PNG (see the Errors guide): every chunk's CRC must match,
 * IHDR must come first and be valid, PLTE must come before the image data (and exist for a
 * palette image), the IDAT chunks must be consecutive, an unknown critical chunk is refused, and
 * the file must reach IEND; anything after IEND is ignored.
 * @module
 */
import { crc32 } from 'node:zlib';
import { ascii, need, u32be, u8 } from './bytes.js';
import { readExifOrientation } from './exif.js';
import type { Orientation } from './types.js';

/** Thrown for a structural fault; the header reader turns it into `CORRUPT_IMAGE`. */
export class PngFault extends Error {}

/** Samples per pixel of each PNG colour type: grey, RGB, palette, grey + alpha, RGBA. */
export const PNG_CHANNELS: Readonly<Record<number, number>> = Object.freeze({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 });

/** The bit depths the PNG specification allows for each colour type. */
const ALLOWED_DEPTHS: Readonly<Record<number, readonly number[]>> = Object.freeze({
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
});

/** PNG dimensions are at most 2^31 − 1. */
const PNG_MAX_DIMENSION = 0x7fffffff;

/** What {@link readPngStructure} finds. */
export interface PngStructure {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colourType: number;
  /** True for Adam7 interlacing. */
  interlaced: boolean;
  /** PLTE entries as RGB triples (palette images only; empty otherwise). */
  palette: Uint8Array;
  /**
   * tRNS contents when they apply: alpha per palette entry (palette images), or the transparent
   * grey / RGB sample values as 16-bit numbers (grey and RGB images); undefined when absent or
   * not applicable (grey + alpha and RGBA ignore tRNS, as libpng and libspng do; a tRNS longer
   * than the palette is ignored, as libspng does).
   */
  transparency: Uint8Array | readonly number[] | undefined;
  /** The IDAT chunks' data, in order (views into the file). */
  idat: Uint8Array[];
  /** Total IDAT bytes. */
  idatBytes: number;
  /** Offset just past the IEND chunk: what follows is ignored. */
  end: number;
  /** EXIF orientation from an `eXIf` chunk before the image data; 1 when absent. */
  orientation: Orientation;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Walks and checks the chunks of a PNG (signature already checked by the sniffer).
 *
 * @throws PngFault for a structural fault; TruncatedError (from the byte readers) when the file
 *   ends before IEND
 */
export function readPngStructure(bytes: Uint8Array): PngStructure {
  let header: Pick<PngStructure, 'width' | 'height' | 'bitDepth' | 'colourType' | 'interlaced'> | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  let orientation: Orientation = 1;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let idatEnded = false;
  for (let pos = 8; ; ) {
    const length = u32be(bytes, pos);
    if (length > PNG_MAX_DIMENSION) throw new PngFault(`chunk at byte ${pos} has an impossible length ${length}`);
    need(bytes, pos, 12 + length);
    const codes = [u8(bytes, pos + 4), u8(bytes, pos + 5), u8(bytes, pos + 6), u8(bytes, pos + 7)];
    if (!codes.every(isLetter)) throw new PngFault(`chunk at byte ${pos} has a type that is not four letters`);
    const type = ascii(bytes, pos + 4, 4);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const stored = u32be(bytes, pos + 8 + length);
    if (crc32(data, crc32(bytes.subarray(pos + 4, pos + 8))) !== stored) {
      throw new PngFault(`its ${JSON.stringify(type)} chunk at byte ${pos} fails its CRC check (the file is damaged)`);
    }
    if (header === undefined && type !== 'IHDR') throw new PngFault(`its first chunk is ${JSON.stringify(type)}, not IHDR`);
    if (idat.length > 0 && type !== 'IDAT') idatEnded = true;
    switch (type) {
      case 'IHDR':
        if (header !== undefined) throw new PngFault('it has a second IHDR chunk');
        header = readIhdr(data);
        break;
      case 'PLTE':
        if (idat.length > 0) throw new PngFault('its PLTE chunk comes after the image data');
        if (palette !== undefined) throw new PngFault('it has a second PLTE chunk');
        if (length === 0 || length % 3 !== 0 || length > 256 * 3) throw new PngFault(`its PLTE chunk has an impossible length ${length}`);
        palette = data;
        break;
      case 'tRNS':
        if (idat.length > 0) throw new PngFault('its tRNS chunk comes after the image data');
        trns = data;
        break;
      case 'eXIf':
        if (idat.length === 0) orientation = readExifOrientation(data);
        break;
      case 'IDAT':
        if (idatEnded) throw new PngFault('its image data (IDAT) chunks are not consecutive');
        if (header!.colourType === 3 && palette === undefined) throw new PngFault('it is a palette image without a PLTE chunk before its image data');
        idat.push(data);
        idatBytes += length;
        break;
      case 'IEND':
        if (idat.length === 0) throw new PngFault('it has no IDAT (image data) chunk');
        return {
          ...header!,
          palette: header!.colourType === 3 ? palette! : new Uint8Array(0),
          transparency: transparency(header!, palette, trns),
          idat,
          idatBytes,
          end: pos + 12 + length,
          orientation,
        };
      default:
        // Bit 5 of the first letter clear: critical. A decoder must refuse a critical chunk it does not know.
        if ((codes[0]! & 0x20) === 0) throw new PngFault(`it has an unknown critical chunk ${JSON.stringify(type)}`);
    }
    pos += 12 + length;
  }
}

function readIhdr(data: Uint8Array): Pick<PngStructure, 'width' | 'height' | 'bitDepth' | 'colourType' | 'interlaced'> {
  if (data.length !== 13) throw new PngFault('its first chunk is not a 13-byte IHDR');
  const width = u32be(data, 0);
  const height = u32be(data, 4);
  if (width < 1 || height < 1 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
    throw new PngFault(`its header gives an impossible size of ${width}x${height}`);
  }
  const bitDepth = u8(data, 8);
  const colourType = u8(data, 9);
  const depths = ALLOWED_DEPTHS[colourType];
  if (depths === undefined) throw new PngFault(`its header gives an unknown colour type ${colourType}`);
  if (!depths.includes(bitDepth)) throw new PngFault(`its header gives bit depth ${bitDepth}, which colour type ${colourType} does not allow`);
  if (u8(data, 10) !== 0) throw new PngFault(`its header gives an unknown compression method ${u8(data, 10)}`);
  if (u8(data, 11) !== 0) throw new PngFault(`its header gives an unknown filter method ${u8(data, 11)}`);
  const interlace = u8(data, 12);
  if (interlace > 1) throw new PngFault(`its header gives an unknown interlace method ${interlace}`);
  return { width, height, bitDepth, colourType, interlaced: interlace === 1 };
}

function transparency(
  header: Pick<PngStructure, 'colourType'>,
  palette: Uint8Array | undefined,
  trns: Uint8Array | undefined,
): PngStructure['transparency'] {
  if (trns === undefined) return undefined;
  const sample = (i: number): number => ((trns[i] as number) << 8) | (trns[i + 1] as number);
  switch (header.colourType) {
    case 0:
      return trns.length === 2 ? [sample(0)] : undefined;
    case 2:
      return trns.length === 6 ? [sample(0), sample(2), sample(4)] : undefined;
    case 3:
      return palette !== undefined && trns.length <= palette.length / 3 ? trns : undefined;
    default:
      return undefined;
  }
}

/**
 * Bytes per row of a (sub)image `width` pixels wide, without the filter byte.
 */
export function pngRowBytes(width: number, channels: number, bitDepth: number): number {
  return Math.ceil((width * channels * bitDepth) / 8);
}

/** Adam7 passes: x start, y start, x step, y step. */
export const ADAM7: readonly (readonly [number, number, number, number])[] = Object.freeze([
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
]);

/** The passes of an image as `{ x0, y0, dx, dy, width, height }`, empty passes left out. */
export function pngPasses(width: number, height: number, interlaced: boolean): { x0: number; y0: number; dx: number; dy: number; width: number; height: number }[] {
  if (!interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width, height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: Math.max(0, Math.ceil((width - x0) / dx)),
    height: Math.max(0, Math.ceil((height - y0) / dy)),
  })).filter((pass) => pass.width > 0 && pass.height > 0);
}

/** The exact number of bytes the image data inflates to: every row of every pass with its filter byte. */
export function pngInflatedBytes(structure: Pick<PngStructure, 'width' | 'height' | 'bitDepth' | 'colourType' | 'interlaced'>): number {
  const channels = PNG_CHANNELS[structure.colourType] as number;
  let total = 0;
  for (const pass of pngPasses(structure.width, structure.height, structure.interlaced)) {
    total += pass.height * (1 + pngRowBytes(pass.width, channels, structure.bitDepth));
  }
  return total;
}
