/**
 * Byte-level builders and parsers for the fuzz generators: PNG chunks, JPEG segments, RIFF (WebP)
 * chunks and TIFF/EXIF blocks, written by hand so that every field can be made to lie.
 */
import { crc32, deflateSync } from 'node:zlib';

/** Concatenates byte arrays into one new Uint8Array with its own ArrayBuffer. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Latin-1 text as bytes. */
export function latin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** A big-endian 16-bit value. */
export function be16(value: number): Uint8Array {
  return new Uint8Array([(value >>> 8) & 0xff, value & 0xff]);
}

/** A big-endian 32-bit value. */
export function be32(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/** A little-endian 32-bit value. */
export function le32(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]);
}

/** Reads a big-endian 16-bit value. */
export function readBe16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/** Reads a big-endian 32-bit value. */
export function readBe32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

/** Reads a little-endian 32-bit value. */
export function readLe32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

/** Writes a big-endian 32-bit value in place. */
export function writeBe32(b: Uint8Array, at: number, value: number): void {
  writeClipped(b, at, be32(value));
}

/** Writes a big-endian 16-bit value in place. */
export function writeBe16(b: Uint8Array, at: number, value: number): void {
  writeClipped(b, at, be16(value));
}

/** Writes a little-endian 32-bit value in place. */
export function writeLe32(b: Uint8Array, at: number, value: number): void {
  writeClipped(b, at, le32(value));
}

/**
 * Writes `bytes` at `at`, dropping whatever would fall outside `b`: a mutation of a file that an
 * earlier mutation cut short must still make a case, not throw.
 */
function writeClipped(b: Uint8Array, at: number, bytes: Uint8Array): void {
  if (at >= b.length || at + bytes.length <= 0) return;
  const from = Math.max(0, -at);
  b.set(bytes.subarray(from, Math.min(bytes.length, b.length - at)), at + from);
}

// ---------------------------------------------------------------------------------------- PNG

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The CRC a PNG chunk of this type and data must carry. */
export function pngCrc(type: string, data: Uint8Array): number {
  return crc32(concat(latin1(type), data)) >>> 0;
}

/** One PNG chunk: length, type, data, CRC (correct unless `crc` is given). */
export function pngChunk(type: string, data: Uint8Array, crc?: number): Uint8Array {
  return concat(be32(data.length), latin1(type), data, be32(crc ?? pngCrc(type, data)));
}

/** An IHDR payload. */
export function ihdr(width: number, height: number, depth: number, colour: number, interlace = 0, compression = 0, filter = 0): Uint8Array {
  return concat(be32(width), be32(height), new Uint8Array([depth, colour, compression, filter, interlace]));
}

/** Channels per pixel of each PNG colour type. */
export const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bytes of filtered image data a non-interlaced PNG of this shape holds (a filter byte per row). */
export function pngRawSize(width: number, height: number, depth: number, colour: number): number {
  return (Math.ceil((width * (PNG_CHANNELS[colour] ?? 1) * depth) / 8) + 1) * height;
}

/** Bytes of filtered image data an Adam7-interlaced PNG of this shape holds. */
export function pngInterlacedRawSize(width: number, height: number, depth: number, colour: number): number {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) total += pngRawSize(w, h, depth, colour);
  }
  return total;
}

/** A complete PNG from an IHDR payload and the zlib stream of its image data (one IDAT). */
export function pngFile(header: Uint8Array, zlibData: Uint8Array, extra: readonly Uint8Array[] = []): Uint8Array {
  return concat(PNG_SIGNATURE, pngChunk('IHDR', header), ...extra, pngChunk('IDAT', zlibData), pngChunk('IEND', new Uint8Array(0)));
}

/** A PNG whose pixels are all zero (every row filter 0): tiny to store, whatever its size. */
export function zeroPng(width: number, height: number, depth: number, colour: number, interlace = 0): Uint8Array {
  const raw = interlace ? pngInterlacedRawSize(width, height, depth, colour) : pngRawSize(width, height, depth, colour);
  return pngFile(ihdr(width, height, depth, colour, interlace), zeroDeflate(raw));
}

const zeroStreams = new Map<number, Uint8Array>();

/** zlib data that inflates to `n` zero bytes, memoised: large ones cost real time to make. */
export function zeroDeflate(n: number): Uint8Array {
  let found = zeroStreams.get(n);
  if (!found) {
    found = new Uint8Array(deflateSync(Buffer.alloc(n), { level: 9, memLevel: 9 }));
    zeroStreams.set(n, found);
  }
  return found;
}

/** Where one chunk (PNG) or segment (JPEG) or RIFF chunk sits in a file. */
export interface Span {
  /** A type name: PNG chunk type, JPEG marker as `FFxx`, RIFF fourcc. */
  type: string;
  /** First byte of the chunk, header included. */
  start: number;
  /** One past its last byte. */
  end: number;
  /** Where its payload starts. */
  data: number;
  /** Where its length field is (for length edits). */
  lengthAt: number;
}

/** The chunks of a PNG, as far as they can be walked. */
export function pngSpans(b: Uint8Array): Span[] {
  const spans: Span[] = [];
  for (let pos = 8; pos + 12 <= b.length; ) {
    const length = readBe32(b, pos);
    const end = pos + 12 + length;
    if (end > b.length) break;
    spans.push({ type: Buffer.from(b.subarray(pos + 4, pos + 8)).toString('latin1'), start: pos, end, data: pos + 8, lengthAt: pos });
    pos = end;
  }
  return spans;
}

/** Recomputes the CRC of every whole chunk of a PNG, in place (so mutations get past CRC checks). */
export function fixPngCrcs(b: Uint8Array): Uint8Array {
  for (const s of pngSpans(b)) writeBe32(b, s.end - 4, pngCrc(s.type, b.subarray(s.data, s.end - 4)));
  return b;
}

// --------------------------------------------------------------------------------------- JPEG

/** One JPEG marker segment: FF, marker, 16-bit length (payload + 2), payload. */
export function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0xff, marker]), be16(payload.length + 2), payload);
}

/** The marker segments of a JPEG from SOI to the first SOS (included), and where its scan data starts. */
export function jpegSpans(b: Uint8Array): { segments: Span[]; scanStart: number } {
  const segments: Span[] = [];
  let pos = 2;
  while (pos + 4 <= b.length && b[pos] === 0xff) {
    const marker = b[pos + 1] as number;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    const length = readBe16(b, pos + 2);
    const end = pos + 2 + length;
    if (length < 2 || end > b.length) break;
    segments.push({ type: `FF${marker.toString(16).toUpperCase().padStart(2, '0')}`, start: pos, end, data: pos + 4, lengthAt: pos + 2 });
    pos = end;
    if (marker === 0xda) return { segments, scanStart: pos };
  }
  return { segments, scanStart: -1 };
}

/** Where the last EOI (FF D9) of a JPEG is, or -1. */
export function jpegEoi(b: Uint8Array): number {
  for (let i = b.length - 2; i >= 2; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return i;
  return -1;
}

// ---------------------------------------------------------------------------------- RIFF / WebP

/** One RIFF chunk, padded to an even size. */
export function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  return concat(latin1(fourcc), le32(data.length), data, data.length % 2 ? new Uint8Array(1) : new Uint8Array(0));
}

/** A WebP file around the given chunks; the RIFF size is right unless `riffSize` is given. */
export function webpFile(chunks: readonly Uint8Array[], riffSize?: number): Uint8Array {
  const body = concat(latin1('WEBP'), ...chunks);
  return concat(latin1('RIFF'), le32(riffSize ?? body.length), body);
}

/** The chunks of a WebP after the 12-byte RIFF header. */
export function riffSpans(b: Uint8Array): Span[] {
  const spans: Span[] = [];
  for (let pos = 12; pos + 8 <= b.length; ) {
    const size = readLe32(b, pos + 4);
    const end = pos + 8 + size + (size & 1);
    if (end > b.length) break;
    spans.push({ type: Buffer.from(b.subarray(pos, pos + 4)).toString('latin1'), start: pos, end, data: pos + 8, lengthAt: pos + 4 });
    pos = end;
  }
  return spans;
}

/** Rewrites the RIFF size of a WebP to match its length, in place. */
export function fixRiffSize(b: Uint8Array): Uint8Array {
  if (b.length >= 8) writeLe32(b, 4, b.length - 8);
  return b;
}

/** A VP8X chunk payload: flags, canvas width and height (stored minus one, 24 bits each). */
export function vp8x(flags: number, width: number, height: number): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  return new Uint8Array([flags, 0, 0, 0, w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff]);
}

/** The first bytes of a VP8 (lossy) key frame claiming the given size, with no real frame data after. */
export function vp8Header(width: number, height: number, frameBytes = 0): Uint8Array {
  const tag = (frameBytes << 5) | 0x10; // key frame, version 0, show_frame
  return new Uint8Array([tag & 0xff, (tag >>> 8) & 0xff, (tag >>> 16) & 0xff, 0x9d, 0x01, 0x2a, width & 0xff, (width >>> 8) & 0x3f, height & 0xff, (height >>> 8) & 0x3f]);
}

/** The first bytes of a VP8L (lossless) stream claiming the given size. */
export function vp8lHeader(width: number, height: number, alpha = false): Uint8Array {
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14) | ((alpha ? 1 : 0) << 28);
  return concat(new Uint8Array([0x2f]), le32(bits >>> 0));
}

// -------------------------------------------------------------------------------- TIFF / EXIF

/** One IFD entry: tag, type, count, and the 4-byte value field (a value or an offset). */
export interface IfdEntry {
  /** Tag number (0x0112 is Orientation). */
  tag: number;
  /** TIFF type (3 SHORT, 4 LONG, ...). */
  type: number;
  /** Count of values. */
  count: number;
  /** The value field: for a SHORT of count 1, the value itself. */
  value: number;
}

/** How to lay out a TIFF block for an EXIF payload. */
export interface TiffLayout {
  /** Byte order mark. */
  order: 'II' | 'MM';
  /** The entries of IFD0. */
  entries: readonly IfdEntry[];
  /** Where IFD0 starts (default 8, right after the header). */
  ifdOffset?: number;
  /** The next-IFD offset after IFD0 (default 0: none). */
  nextIfd?: number;
  /** The entry count to write (default: the real number of entries). */
  declaredCount?: number;
  /** The magic number (default 42). */
  magic?: number;
}

/** A TIFF block as EXIF stores it (without the `Exif\0\0` prefix). */
export function tiffBlock(layout: TiffLayout): Uint8Array {
  const le = layout.order === 'II';
  const ifdOffset = layout.ifdOffset ?? 8;
  const size = Math.max(8, ifdOffset) + 2 + layout.entries.length * 12 + 4;
  const b = Buffer.alloc(size);
  const u16 = (v: number, at: number): void => {
    if (at + 2 > b.length) return;
    if (le) b.writeUInt16LE(v & 0xffff, at);
    else b.writeUInt16BE(v & 0xffff, at);
  };
  const u32 = (v: number, at: number): void => {
    if (at + 4 > b.length) return;
    if (le) b.writeUInt32LE(v >>> 0, at);
    else b.writeUInt32BE(v >>> 0, at);
  };
  b.write(layout.order, 0, 'latin1');
  u16(layout.magic ?? 42, 2);
  u32(ifdOffset, 4);
  const at = Math.max(8, ifdOffset);
  u16(layout.declaredCount ?? layout.entries.length, at);
  layout.entries.forEach((e, i) => {
    const p = at + 2 + i * 12;
    u16(e.tag, p);
    u16(e.type, p + 2);
    u32(e.count, p + 4);
    // A SHORT value is left-justified in the 4-byte field.
    if (e.type === 3 && e.count === 1) u16(e.value, p + 8);
    else u32(e.value, p + 8);
  });
  u32(layout.nextIfd ?? 0, at + 2 + layout.entries.length * 12);
  return new Uint8Array(b);
}

/** An Orientation entry (SHORT, count 1). */
export function orientationEntry(value: number): IfdEntry {
  return { tag: 0x0112, type: 3, count: 1, value };
}

/** The `Exif\0\0` identifier of JPEG APP1 EXIF payloads. */
export const EXIF_ID = latin1('Exif\0\0');

/** A JPEG APP1 EXIF segment around a TIFF block. */
export function exifApp1(tiff: Uint8Array): Uint8Array {
  return jpegSegment(0xe1, concat(EXIF_ID, tiff));
}
