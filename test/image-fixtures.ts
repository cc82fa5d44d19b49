/**
 * Image files the image tests build byte by byte: PNGs of any colour type, bit depth, interlace
 * and filter (node:zlib, no encoder library), and JPEG surgery helpers. No binary fixtures.
 */
import { constants as zlibConstants, crc32, deflateRawSync, deflateSync } from 'node:zlib';

/** The 8-byte PNG signature. */
export const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk with its length and CRC. */
export function chunk(type: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An IHDR chunk. */
export function ihdr(width: number, height: number, bitDepth: number, colourType: number, interlaced = false): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colourType;
  data[12] = interlaced ? 1 : 0;
  return chunk('IHDR', data);
}

/** Samples per pixel of each colour type. */
export const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The PNG filter types, or `mixed` for a different one on each row. */
export type Filter = 0 | 1 | 2 | 3 | 4 | 'mixed';

export interface RawPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced?: boolean;
  filter?: Filter;
  /** Sample value (0 .. 2^bitDepth − 1) of channel c at (x, y). */
  sample: (x: number, y: number, c: number) => number;
  /** Chunks to put between IHDR and IDAT (PLTE, tRNS, ...). */
  before?: Buffer[];
  /** zlib level; default 6. */
  level?: number;
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Packs one row of samples at the bit depth, big-endian for 16 bits, MSB first below 8. */
function packRow(samples: number[], depth: number): Uint8Array {
  if (depth === 16) {
    const out = new Uint8Array(samples.length * 2);
    samples.forEach((v, i) => {
      out[2 * i] = v >> 8;
      out[2 * i + 1] = v & 0xff;
    });
    return out;
  }
  if (depth === 8) return Uint8Array.from(samples);
  const out = new Uint8Array(Math.ceil((samples.length * depth) / 8));
  samples.forEach((v, i) => {
    const bit = i * depth;
    out[bit >> 3]! |= v << (8 - depth - (bit & 7));
  });
  return out;
}

function filterRow(row: Uint8Array, prev: Uint8Array, type: number, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length + 1);
  out[0] = type;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prev[i] ?? 0;
    const c = i >= bpp ? prev[i - bpp] ?? 0 : 0;
    const predictor = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
    out[i + 1] = (row[i]! - predictor) & 0xff;
  }
  return out;
}

/** The filtered, not yet deflated, image data of a PNG described by `spec`. */
export function pngImageData(spec: RawPng): Buffer {
  const channels = CHANNELS[spec.colourType]!;
  const bpp = Math.max(1, (channels * spec.bitDepth) >> 3);
  const passes = spec.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const parts: Uint8Array[] = [];
  let rowIndex = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.max(0, Math.ceil((spec.width - x0) / dx));
    const ph = Math.max(0, Math.ceil((spec.height - y0) / dy));
    if (pw === 0 || ph === 0) continue;
    let prev: Uint8Array = new Uint8Array(0);
    for (let py = 0; py < ph; py++) {
      const samples: number[] = [];
      for (let px = 0; px < pw; px++) for (let c = 0; c < channels; c++) samples.push(spec.sample(x0 + px * dx, y0 + py * dy, c));
      const row = packRow(samples, spec.bitDepth);
      const type = spec.filter === 'mixed' ? rowIndex % 5 : (spec.filter ?? 0);
      parts.push(filterRow(row, prev, type, bpp));
      prev = row;
      rowIndex++;
    }
  }
  return Buffer.concat(parts);
}

/** A complete PNG file. */
export function buildPng(spec: RawPng): Buffer {
  const idat = deflateSync(pngImageData(spec), { level: spec.level ?? 6 });
  return Buffer.concat([SIGNATURE, ihdr(spec.width, spec.height, spec.bitDepth, spec.colourType, spec.interlaced), ...(spec.before ?? []), chunk('IDAT', idat), chunk('IEND')]);
}

/** A deterministic pseudo-random generator (LCG), for sample values. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
}

/** The offsets of every JPEG marker segment up to the first SOS: `[marker, offset, length]`. */
export function jpegSegments(jpeg: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    const marker = jpeg[pos + 1]!;
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    out.push([marker, pos, length]);
    if (marker === 0xda) break;
    pos += 2 + length;
  }
  return out;
}

/**
 * A zlib stream that inflates to `blocks` × `blockBytes` zero bytes while being about a
 * thousandth of that: one raw-deflated block of zeros (ended by a sync flush, so it is not the
 * final block) repeated, then an empty final block and the Adler-32 of all those zeros.
 */
export function zeroBomb(blockBytes: number, blocks: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(blockBytes), { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const total = blockBytes * blocks;
  const adler = Buffer.alloc(4);
  // Adler-32 of n zero bytes: a = 1, b = n mod 65521.
  adler.writeUInt32BE((total % 65521) * 65536 + 1);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array.from({ length: blocks }, () => block), Buffer.from([0x03, 0x00]), adler]);
}

/** The offset of the first marker `marker` (the 0xFF byte) in a JPEG's header segments. */
export function jpegMarkerOffset(jpeg: Uint8Array, marker: number): number {
  const found = jpegSegments(jpeg).find(([m]) => m === marker);
  if (found === undefined) throw new Error(`no marker 0x${marker.toString(16)}`);
  return found[1];
}

/** A copy of a baseline JPEG with its SOF0 width and height replaced. */
export function withJpegSize(jpeg: Uint8Array, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  const sof = jpegMarkerOffset(out, 0xc0);
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}

/** The offset where the first scan's entropy-coded data starts. */
export function jpegScanData(jpeg: Uint8Array): number {
  const [, offset, length] = jpegSegments(jpeg).find(([m]) => m === 0xda)!;
  return offset + 2 + length;
}
