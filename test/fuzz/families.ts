/**
 * Hand-made hostile inputs, one family per attack. Every family builds its bytes in code from the
 * case's random choices and, where it starts from a real image, from the seed corpus.
 */
import { deflateSync } from 'node:zlib';
import {
  concat,
  EXIF_ID,
  exifApp1,
  fixPngCrcs,
  fixRiffSize,
  ihdr,
  jpegEoi,
  jpegSegment,
  jpegSpans,
  latin1,
  le32,
  pngChunk,
  pngFile,
  pngInterlacedRawSize,
  pngRawSize,
  pngSpans,
  PNG_SIGNATURE,
  readLe32,
  riffChunk,
  riffSpans,
  tiffBlock,
  vp8Header,
  vp8lHeader,
  vp8x,
  webpFile,
  writeBe16,
  writeBe32,
  writeLe32,
  zeroDeflate,
  zeroPng,
} from './bytes.js';
import { hostileTiff } from './exif.js';
import type { Rng } from './rng.js';
import type { Seed } from './seeds.js';

/** Options a case passes to `loadImage` and the matcher, besides the bytes. */
export interface CaseOptions {
  /** A constraints preset; default none. */
  constraints?: 'didit' | 'attestr' | 'none';
}

/** What a family makes: the bytes and a note saying what exactly they are. */
export interface FuzzInput {
  /** The file. */
  bytes: Uint8Array;
  /** What this instance is, for the report (`1x50000000 grey`). */
  note: string;
  /** Options for this input, when it needs some (a preset, say). */
  options?: CaseOptions;
}

/** What a family's builder can draw on. */
export interface FamilyContext {
  /** This case's randomness. */
  rng: Rng;
  /** The seed corpus. */
  seeds: readonly Seed[];
  /** A random seed, of the given format when given, and holding a face when asked. */
  seed(format?: Seed['format'], face?: boolean): Seed;
}

/** One family of inputs. */
export interface Family {
  /** Stable name used in reports, `--family` and the test slice. */
  name: string;
  /** What it attacks, for docs/fuzzing.md and the report. */
  attacks: string;
  /** Relative share of cases. */
  weight: number;
  /** Builds one input. */
  make(ctx: FamilyContext): FuzzInput;
}

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

// -------------------------------------------------------------------------------------------- PNG

function pixelBombPng(rng: Rng): FuzzInput {
  const [w, h] = rng.pick([
    [100_000, 100_000],
    [0x7fffffff, 0x7fffffff],
    [0x7fffffff, 1],
    [65_535, 65_535],
    [8000, 8000],
    [7072, 7072],
    [10_000, 5001],
    [0x80000000, 1],
    [0xffffffff, 0xffffffff],
  ] as const);
  const colour = rng.pick([0, 2, 3, 4, 6]);
  const depth = colour === 3 ? 8 : rng.pick([8, 16]);
  const rows = rng.int(0, 4);
  const idat = rows === 0 ? zeroDeflate(0) : deflateSync(Buffer.alloc(Math.min(1 << 16, rows * 64)));
  const extra = colour === 3 ? [pngChunk('PLTE', new Uint8Array(3 * 16))] : [];
  return { bytes: pngFile(ihdr(w, h, depth, colour), idat, extra), note: `${w}x${h} depth ${depth} colour ${colour}, ${rows} rows of data` };
}

function extremeAspectPng(rng: Rng): FuzzInput {
  const n = rng.pick([1_000_000, 10_000_000, 50_000_000, 100_000]);
  const tall = rng.chance(0.6);
  const [w, h] = tall ? [1, n] : [n, 1];
  const depth = rng.pick([1, 8]);
  return { bytes: zeroPng(w, h, depth, 0), note: `${w}x${h} grey, depth ${depth}` };
}

function interlacedBombPng(rng: Rng): FuzzInput {
  if (rng.chance(0.5)) {
    // A valid interlaced image, large and all zeros: small on disk, big in memory.
    const [w, h] = rng.pick([
      [500, 500],
      [4000, 3000],
      [7000, 7000],
      [8000, 6000],
    ] as const);
    const colour = rng.pick([0, 2, 6]);
    const depth = rng.pick([8, 16]);
    return { bytes: zeroPng(w, h, depth, colour, 1), note: `interlaced ${w}x${h} depth ${depth} colour ${colour}`, options: rng.chance(0.3) ? { constraints: 'didit' } : undefined };
  }
  // A small interlaced IHDR over an IDAT that inflates far past what the image needs.
  const [w, h] = rng.pick([
    [480, 480],
    [64, 64],
    [500, 500],
  ] as const);
  const inflated = rng.pick([64, 256]) << 20;
  const need = pngInterlacedRawSize(w, h, 8, 2);
  return {
    bytes: pngFile(ihdr(w, h, 8, 2, 1), zeroDeflate(inflated)),
    note: `interlaced ${w}x${h} RGB whose IDAT inflates to ${inflated} bytes (needs ${need})`,
    options: rng.chance(0.5) ? { constraints: 'didit' } : undefined,
  };
}

function zlibBombPng(rng: Rng): FuzzInput {
  const [w, h] = rng.pick([
    [480, 480],
    [64, 64],
    [1, 1],
  ] as const);
  const inflated = rng.pick([16, 64, 256]) << 20;
  return { bytes: pngFile(ihdr(w, h, 8, 2, 0), zeroDeflate(inflated)), note: `${w}x${h} RGB whose IDAT inflates to ${inflated} bytes (needs ${pngRawSize(w, h, 8, 2)})` };
}

function sixteenBitPng(rng: Rng): FuzzInput {
  const [w, h] = rng.pick([
    [7000, 7000],
    [5000, 4000],
    [2000, 2000],
    [6000, 8000],
  ] as const);
  const colour = rng.pick([6, 6, 2, 4]);
  return { bytes: zeroPng(w, h, 16, colour), note: `${w}x${h} 16-bit colour ${colour}` };
}

function badCrcPng(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('png').bytes);
  const spans = pngSpans(b);
  const span = ctx.rng.pick(spans);
  const at = span.end - 4 + ctx.rng.int(0, 3);
  b[at] = (b[at] as number) ^ (1 << ctx.rng.int(0, 7));
  return { bytes: b, note: `bad CRC on ${span.type}` };
}

function chunkLengthPng(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('png').bytes);
  const spans = pngSpans(b);
  const span = ctx.rng.pick(spans);
  const value = ctx.rng.pick([b.length, b.length - span.start, 0x7fffffff, 0x80000000, 0xffffffff, span.end - span.start + 1]);
  writeBe32(b, span.lengthAt, value);
  return { bytes: b, note: `${span.type} length set to ${value}` };
}

function afterIendPng(ctx: FamilyContext): FuzzInput {
  const png = ctx.seed('png').bytes;
  const kind = ctx.rng.pick(['one-byte', 'garbage', 'second-png', 'zip', 'iend-again', 'nul-kb'] as const);
  const tail =
    kind === 'one-byte'
      ? new Uint8Array([ctx.rng.int(0, 255)])
      : kind === 'garbage'
        ? ctx.rng.bytes(ctx.rng.int(2, 2048))
        : kind === 'second-png'
          ? ctx.seed('png').bytes
          : kind === 'zip'
            ? concat(latin1('PK\x03\x04'), ctx.rng.bytes(60))
            : kind === 'iend-again'
              ? pngChunk('IEND', new Uint8Array(0))
              : new Uint8Array(1024);
  return { bytes: concat(png, tail), note: `${kind} after IEND` };
}

function truncatedPng(ctx: FamilyContext): FuzzInput {
  const png = ctx.seed('png').bytes;
  const pct = ctx.rng.int(1, 99);
  const cut = png.subarray(0, Math.floor((png.length * pct) / 100));
  const withIend = ctx.rng.chance(0.5);
  return { bytes: withIend ? concat(cut, pngChunk('IEND', new Uint8Array(0))) : copy(cut), note: `cut at ${pct}%${withIend ? ' + IEND' : ''}` };
}

function chunkOrderPng(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('png').bytes;
  const spans = pngSpans(b);
  const pieces = spans.map((s) => b.subarray(s.start, s.end));
  const ihdrPiece = pieces[0] as Uint8Array;
  const idats = spans.flatMap((s, i) => (s.type === 'IDAT' ? [pieces[i] as Uint8Array] : []));
  const rest = spans.flatMap((s, i) => (s.type !== 'IHDR' && s.type !== 'IDAT' && s.type !== 'IEND' ? [pieces[i] as Uint8Array] : []));
  const iend = pngChunk('IEND', new Uint8Array(0));
  const kind = ctx.rng.pick(['idat-first', 'no-ihdr', 'two-ihdr', 'no-idat', 'iend-first', 'plte-late', 'missing-plte', 'bogus-critical', 'idat-split'] as const);
  let parts: Uint8Array[];
  switch (kind) {
    case 'idat-first':
      parts = [...idats, ihdrPiece, ...rest, iend];
      break;
    case 'no-ihdr':
      parts = [...rest, ...idats, iend];
      break;
    case 'two-ihdr':
      parts = [ihdrPiece, pngChunk('IHDR', ihdr(ctx.rng.int(1, 4000), ctx.rng.int(1, 4000), 8, 6)), ...rest, ...idats, iend];
      break;
    case 'no-idat':
      parts = [ihdrPiece, ...rest, iend];
      break;
    case 'iend-first':
      parts = [ihdrPiece, iend, ...rest, ...idats, iend];
      break;
    case 'plte-late':
      parts = [ihdrPiece, ...idats, pngChunk('PLTE', ctx.rng.bytes(48)), iend];
      break;
    case 'missing-plte':
      parts = [pngChunk('IHDR', ihdr(64, 64, 8, 3)), pngChunk('IDAT', deflateSync(Buffer.alloc(65 * 64, 7))), iend];
      break;
    case 'bogus-critical':
      parts = [ihdrPiece, pngChunk('ZZZZ', ctx.rng.bytes(16)), ...rest, ...idats, iend];
      break;
    case 'idat-split': {
      // The image data re-cut into many tiny IDAT chunks (valid), with an unknown chunk between two.
      const data = concat(...idats.map((p) => p.subarray(8, p.length - 4)));
      const cuts: Uint8Array[] = [];
      for (let at = 0; at < data.length; at += ctx.rng.int(1, 64)) cuts.push(pngChunk('IDAT', data.subarray(at, Math.min(data.length, at + 64))));
      if (ctx.rng.chance(0.5)) cuts.splice(1, 0, pngChunk('tEXt', latin1('Comment\0between')));
      parts = [ihdrPiece, ...rest, ...cuts, iend];
      break;
    }
  }
  return { bytes: concat(PNG_SIGNATURE, ...parts), note: kind };
}

function badIhdrPng(rng: Rng): FuzzInput {
  const w = rng.pick([0, 1, 64, 0xffffffff]);
  const h = rng.pick([0, 1, 64, 0x80000000]);
  const depth = rng.pick([0, 1, 2, 3, 4, 8, 16, 32, 255]);
  const colour = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 255]);
  const interlace = rng.pick([0, 1, 2, 255]);
  const compression = rng.pick([0, 0, 0, 1]);
  const filter = rng.pick([0, 0, 0, 1]);
  const header = ihdr(w === 0 && h === 0 ? 0 : rng.chance(0.5) ? 64 : w, h, depth, colour, interlace, compression, filter);
  const body = rng.chance(0.3) ? concat(header, rng.bytes(rng.int(1, 8))) : header; // an IHDR longer than 13 bytes
  return { bytes: concat(PNG_SIGNATURE, pngChunk('IHDR', body), pngChunk('IDAT', deflateSync(Buffer.alloc(4096))), pngChunk('IEND', new Uint8Array(0))), note: `IHDR ${header.join(',')}${body.length > 13 ? ' (long)' : ''}` };
}

function damagedIdatPng(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('png').bytes);
  const idat = pngSpans(b).find((s) => s.type === 'IDAT');
  if (!idat) return { bytes: b, note: 'no IDAT in seed' };
  const kind = ctx.rng.pick(['flip', 'zero-tail', 'bad-header', 'short', 'extra-rows', 'bad-filter'] as const);
  const len = idat.end - 4 - idat.data;
  let out = b;
  if (kind === 'flip') {
    for (let i = 0; i < ctx.rng.int(1, 4); i++) {
      const at = idat.data + ctx.rng.int(0, len - 1);
      b[at] = (b[at] as number) ^ (1 << ctx.rng.int(0, 7));
    }
  } else if (kind === 'zero-tail') {
    b.fill(0, idat.data + Math.floor(len / 2), idat.end - 4);
  } else if (kind === 'bad-header') {
    b[idat.data] = ctx.rng.pick([0x00, 0x79, 0xff]);
  } else {
    const hdr = pngSpans(b)[0]!;
    const width = (b[hdr.data]! << 24) | (b[hdr.data + 1]! << 16) | (b[hdr.data + 2]! << 8) | b[hdr.data + 3]!;
    const height = (b[hdr.data + 4]! << 24) | (b[hdr.data + 5]! << 16) | (b[hdr.data + 6]! << 8) | b[hdr.data + 7]!;
    const rowBytes = width * 3 + 1;
    const rows = kind === 'short' ? Math.max(1, Math.floor(height / 2)) : kind === 'extra-rows' ? height * 3 : height;
    const raw = Buffer.alloc(rowBytes * rows, 90);
    for (let r = 0; r < rows; r++) raw[r * rowBytes] = kind === 'bad-filter' ? ctx.rng.pick([5, 6, 200, 255]) : 0;
    out = pngFile(ihdr(width, height, 8, 2), deflateSync(raw));
  }
  return { bytes: kind === 'short' || kind === 'extra-rows' || kind === 'bad-filter' ? out : fixPngCrcs(out), note: kind };
}

function exifPng(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('png').bytes;
  const spans = pngSpans(b);
  const t = hostileTiff(ctx.rng);
  const withId = ctx.rng.chance(0.2);
  const chunk = pngChunk('eXIf', withId ? concat(EXIF_ID, t.tiff) : t.tiff);
  const afterIdat = ctx.rng.chance(0.25);
  const at = afterIdat ? spans.find((s) => s.type === 'IEND')!.start : spans[0]!.end;
  return { bytes: concat(b.subarray(0, at), chunk, b.subarray(at)), note: `eXIf ${t.kind}${withId ? ' with Exif\\0\\0' : ''}${afterIdat ? ' after IDAT' : ''}` };
}

function apngPng(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('png').bytes;
  const spans = pngSpans(b);
  const frames = ctx.rng.pick([1, 2, 0x7fffffff]);
  const actl = concat(new Uint8Array([0, 0, 0, 0]), le32(0)); // replaced below with big-endian fields
  writeBe32(actl, 0, frames);
  const fctl = new Uint8Array(26);
  writeBe32(fctl, 4, ctx.rng.pick([1, 64, 100_000]));
  writeBe32(fctl, 8, ctx.rng.pick([1, 64, 100_000]));
  const extra = [pngChunk('acTL', actl), pngChunk('fcTL', fctl)];
  const at = spans[0]!.end;
  const fdat = pngChunk('fdAT', concat(new Uint8Array([0, 0, 0, 1]), deflateSync(Buffer.alloc(1024))));
  const iend = spans.find((s) => s.type === 'IEND')!.start;
  return { bytes: concat(b.subarray(0, at), ...extra, b.subarray(at, iend), fdat, b.subarray(iend)), note: `APNG ${frames} frames` };
}

// ------------------------------------------------------------------------------------------- JPEG

/** The offset of the SOFn segment of a JPEG, or -1. */
function sofOffset(b: Uint8Array): number {
  const seg = jpegSpans(b).segments.find((s) => /^FFC[0-35-79A-BD-F]$/.test(s.type));
  return seg ? seg.start : -1;
}

function pixelBombJpeg(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('jpeg').bytes);
  const sof = sofOffset(b);
  const [w, h] = ctx.rng.pick([
    [65_535, 65_535],
    [65_500, 1],
    [1, 65_535],
    [7000, 7000],
    [10_000, 5000],
    [7072, 7072],
    [30_000, 30_000],
  ] as const);
  if (sof >= 0) {
    writeBe16(b, sof + 5, h);
    writeBe16(b, sof + 7, w);
  }
  return { bytes: b, note: `SOF claims ${w}x${h} in ${b.length} bytes` };
}

function zeroedScanJpeg(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('jpeg', ctx.rng.chance(0.7)).bytes);
  const { scanStart } = jpegSpans(b);
  const eoi = jpegEoi(b);
  if (scanStart < 0 || eoi < scanStart) return { bytes: b, note: 'seed without scan' };
  const from = ctx.rng.chance(0.5) ? scanStart : scanStart + Math.floor((eoi - scanStart) * ctx.rng.next());
  const value = ctx.rng.pick([0x00, 0x00, 0xff, 0x55]);
  b.fill(value, from, eoi);
  if (value === 0xff) for (let i = from + 1; i < eoi; i += 2) b[i] = 0x00; // stuffed FF00 pairs, still no markers
  return { bytes: b, note: `scan data from ${from - scanStart} set to 0x${value.toString(16)}` };
}

function truncatedJpeg(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('jpeg', ctx.rng.chance(0.7)).bytes;
  const pct = ctx.rng.int(1, 99);
  const cut = b.subarray(0, Math.floor((b.length * pct) / 100));
  const eoi = ctx.rng.chance(0.5);
  return { bytes: eoi ? concat(cut, new Uint8Array([0xff, 0xd9])) : copy(cut), note: `cut at ${pct}%${eoi ? ' + EOI' : ''}` };
}

function sofVariantJpeg(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('jpeg').bytes);
  const sof = sofOffset(b);
  if (sof < 0) return { bytes: b, note: 'no SOF' };
  const kind = ctx.rng.pick(['marker', 'precision', 'components', 'sampling', 'table-ids'] as const);
  if (kind === 'marker') {
    const marker = ctx.rng.pick([0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
    b[sof + 1] = marker;
    const names: Record<number, string> = { 0xc1: 'extended', 0xc2: 'progressive', 0xc3: 'lossless', 0xc9: 'arithmetic', 0xca: 'arithmetic progressive', 0xcb: 'arithmetic lossless' };
    return { bytes: b, note: `SOF marker 0x${marker.toString(16)} (${names[marker] ?? 'hierarchical'}) over Huffman data` };
  }
  if (kind === 'precision') {
    const p = ctx.rng.pick([12, 16, 0, 2, 255]);
    b[sof + 4] = p;
    return { bytes: b, note: `precision ${p}` };
  }
  if (kind === 'components') {
    const n = ctx.rng.pick([0, 2, 4, 5, 255]);
    b[sof + 9] = n;
    return { bytes: b, note: `component count ${n}` };
  }
  if (kind === 'sampling') {
    const f = ctx.rng.pick([0x00, 0x11, 0x44, 0x55, 0xff, 0x41, 0x14]);
    b[sof + 11] = f;
    return { bytes: b, note: `sampling factors 0x${f.toString(16)}` };
  }
  b[sof + 12] = ctx.rng.pick([2, 3, 4, 255]);
  return { bytes: b, note: 'quantisation table id out of range' };
}

/** An Adobe APP14 segment: version, flags, transform (0 none/CMYK, 1 YCbCr, 2 YCCK). */
function adobeApp14(transform: number): Uint8Array {
  return jpegSegment(0xee, concat(latin1('Adobe'), new Uint8Array([0, 100, 0, 0, 0, 0, transform])));
}

function cmykJpeg(ctx: FamilyContext): FuzzInput {
  const cmyk = ctx.seeds.filter((s) => s.name.endsWith('jpeg-cmyk'));
  const base = cmyk.length ? ctx.rng.pick(cmyk).bytes : ctx.seed('jpeg').bytes;
  const kind = ctx.rng.pick(['as-made', 'ycck-flag', 'no-adobe', 'adobe-on-ycbcr', 'two-adobe'] as const);
  const segs = jpegSpans(base).segments;
  const adobe = segs.find((s) => s.type === 'FFEE');
  if (kind === 'as-made') return { bytes: copy(base), note: 'CMYK JPEG from sharp' };
  if (kind === 'ycck-flag' && adobe) {
    const b = copy(base);
    b[adobe.end - 1] = 2;
    return { bytes: b, note: 'CMYK data flagged YCCK (Adobe transform 2)' };
  }
  if (kind === 'no-adobe' && adobe) return { bytes: concat(base.subarray(0, adobe.start), base.subarray(adobe.end)), note: 'CMYK without its Adobe segment' };
  const target = kind === 'adobe-on-ycbcr' ? ctx.seed('jpeg').bytes : base;
  const t = ctx.rng.pick([0, 1, 2, 7]);
  const segment = kind === 'two-adobe' ? concat(adobeApp14(t), adobeApp14(2)) : adobeApp14(t);
  return { bytes: concat(target.subarray(0, 2), segment, target.subarray(2)), note: `${kind} transform ${t}` };
}

function afterEoiJpeg(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('jpeg', ctx.rng.chance(0.7)).bytes;
  const kind = ctx.rng.pick(['one-byte', 'garbage', 'second-jpeg', 'png', 'zip', 'eoi-again', 'ff-fill'] as const);
  const tail =
    kind === 'one-byte'
      ? new Uint8Array([ctx.rng.int(0, 255)])
      : kind === 'garbage'
        ? ctx.rng.bytes(ctx.rng.int(2, 4096))
        : kind === 'second-jpeg'
          ? ctx.seed('jpeg').bytes
          : kind === 'png'
            ? ctx.seed('png').bytes
            : kind === 'zip'
              ? concat(latin1('PK\x03\x04'), ctx.rng.bytes(100))
              : kind === 'eoi-again'
                ? new Uint8Array([0xff, 0xd9, 0xff, 0xd9])
                : new Uint8Array(ctx.rng.int(1, 512)).fill(0xff);
  return { bytes: concat(b, tail), note: `${kind} after EOI` };
}

function exifJpeg(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('jpeg', ctx.rng.chance(0.7)).bytes;
  const t = hostileTiff(ctx.rng);
  const kind = ctx.rng.pick(['first', 'second-app1', 'after-sof', 'huge-segment', 'no-id', 'xmp'] as const);
  let segment = exifApp1(t.tiff);
  if (kind === 'huge-segment') segment = exifApp1(concat(t.tiff, new Uint8Array(65_533 - 6 - t.tiff.length - 2)));
  if (kind === 'no-id') segment = jpegSegment(0xe1, t.tiff);
  if (kind === 'xmp') segment = jpegSegment(0xe1, latin1('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><tiff:Orientation>6</tiff:Orientation></x:xmpmeta>'));
  if (kind === 'second-app1') segment = concat(exifApp1(tiffBlock({ order: 'MM', entries: [{ tag: 0x0112, type: 3, count: 1, value: ctx.rng.int(1, 8) }] })), segment);
  if (kind === 'after-sof') {
    const sof = jpegSpans(b).segments.find((s) => /^FFC[0-35-79A-BD-F]$/.test(s.type));
    const at = sof ? sof.end : 2;
    return { bytes: concat(b.subarray(0, at), segment, b.subarray(at)), note: `APP1 EXIF ${t.kind} after SOF` };
  }
  return { bytes: concat(b.subarray(0, 2), segment, b.subarray(2)), note: `APP1 EXIF ${t.kind} (${kind})` };
}

function badSegmentJpeg(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('jpeg').bytes;
  const { segments, scanStart } = jpegSpans(b);
  const kind = ctx.rng.pick(['length-zero', 'length-one', 'length-past-end', 'sos-first', 'dnl-height', 'no-dht', 'no-dqt', 'dri', 'extra-soi', 'unknown-marker', 'fill-bytes', 'rst-in-header', 'sof-twice'] as const);
  const seg = ctx.rng.pick(segments);
  const out = copy(b);
  const sof = segments.find((s) => /^FFC[0-35-79A-BD-F]$/.test(s.type));
  switch (kind) {
    case 'length-zero':
    case 'length-one':
      writeBe16(out, seg.lengthAt, kind === 'length-zero' ? 0 : 1);
      return { bytes: out, note: `${seg.type} length ${kind === 'length-zero' ? 0 : 1}` };
    case 'length-past-end':
      writeBe16(out, seg.lengthAt, 0xffff);
      return { bytes: out, note: `${seg.type} length 65535` };
    case 'sos-first': {
      const sos = segments.find((s) => s.type === 'FFDA');
      if (!sos || scanStart < 0) return { bytes: out, note: 'no SOS' };
      return { bytes: concat(b.subarray(0, 2), b.subarray(sos.start), b.subarray(2, sos.start)), note: 'SOS before every other segment' };
    }
    case 'dnl-height':
      if (sof) writeBe16(out, sof.start + 5, 0);
      return { bytes: out, note: 'height 0 (deferred to a DNL marker that never comes)' };
    case 'no-dht':
    case 'no-dqt': {
      const type = kind === 'no-dht' ? 'FFC4' : 'FFDB';
      const keep = segments.filter((s) => s.type !== type);
      const scan = scanStart >= 0 ? b.subarray(scanStart) : new Uint8Array(0);
      return { bytes: concat(b.subarray(0, 2), ...keep.map((s) => b.subarray(s.start, s.end)), scan), note: `without ${type}` };
    }
    case 'dri': {
      const interval = ctx.rng.pick([1, 0xffff, 0]);
      const at = sof ? sof.start : 2;
      return { bytes: concat(b.subarray(0, at), jpegSegment(0xdd, concat(new Uint8Array([interval >> 8, interval & 0xff]))), b.subarray(at)), note: `restart interval ${interval} with no RST markers` };
    }
    case 'extra-soi':
      return { bytes: concat(b.subarray(0, seg.start), new Uint8Array([0xff, 0xd8]), b.subarray(seg.start)), note: `SOI before ${seg.type}` };
    case 'unknown-marker':
      return { bytes: concat(b.subarray(0, seg.start), jpegSegment(ctx.rng.pick([0x02, 0xf0, 0xc8, 0x4f]), ctx.rng.bytes(8)), b.subarray(seg.start)), note: `reserved marker before ${seg.type}` };
    case 'fill-bytes':
      return { bytes: concat(b.subarray(0, seg.start), new Uint8Array(ctx.rng.int(1, 5000)).fill(0xff), b.subarray(seg.start)), note: `fill bytes before ${seg.type}` };
    case 'rst-in-header':
      return { bytes: concat(b.subarray(0, seg.start), new Uint8Array([0xff, 0xd0 + ctx.rng.int(0, 7)]), b.subarray(seg.start)), note: `RST before ${seg.type}` };
    case 'sof-twice': {
      if (!sof) return { bytes: out, note: 'no SOF' };
      const second = copy(b.subarray(sof.start, sof.end));
      writeBe16(second, 5, ctx.rng.int(1, 65535));
      writeBe16(second, 7, ctx.rng.int(1, 65535));
      return { bytes: concat(b.subarray(0, sof.end), second, b.subarray(sof.end)), note: 'a second SOF with other dimensions' };
    }
  }
}

// ------------------------------------------------------------------------------------------- WebP

/** The VP8 / VP8L frame chunk of a WebP seed, or undefined. */
function frameChunk(b: Uint8Array): { type: string; data: Uint8Array } | undefined {
  const s = riffSpans(b).find((c) => c.type === 'VP8 ' || c.type === 'VP8L');
  return s ? { type: s.type, data: b.subarray(s.data, s.data + readLe32(b, s.lengthAt)) } : undefined;
}

function pixelBombWebp(ctx: FamilyContext): FuzzInput {
  const kind = ctx.rng.pick(['vp8', 'vp8l', 'vp8x', 'vp8x-in-limit'] as const);
  const lossy = ctx.seeds.filter((s) => s.format === 'webp' && frameChunk(s.bytes)?.type === 'VP8 ');
  const lossless = ctx.seeds.filter((s) => s.format === 'webp' && frameChunk(s.bytes)?.type === 'VP8L');
  if (kind === 'vp8' && lossy.length) {
    const frame = copy(frameChunk(ctx.rng.pick(lossy).bytes)!.data);
    const [w, h] = ctx.rng.pick([
      [16383, 16383],
      [16383, 1],
      [7000, 7000],
    ] as const);
    frame[6] = w & 0xff;
    frame[7] = (frame[7]! & 0xc0) | ((w >> 8) & 0x3f);
    frame[8] = h & 0xff;
    frame[9] = (frame[9]! & 0xc0) | ((h >> 8) & 0x3f);
    return { bytes: webpFile([riffChunk('VP8 ', frame)]), note: `VP8 claims ${w}x${h}` };
  }
  if (kind === 'vp8l' && lossless.length) {
    const frame = copy(frameChunk(ctx.rng.pick(lossless).bytes)!.data);
    const [w, h] = ctx.rng.pick([
      [16384, 16384],
      [16384, 1],
      [7000, 7000],
    ] as const);
    frame.set(vp8lHeader(w, h, (frame[4]! & 0x10) !== 0), 0);
    return { bytes: webpFile([riffChunk('VP8L', frame)]), note: `VP8L claims ${w}x${h}` };
  }
  const inLimit = kind === 'vp8x-in-limit';
  const [w, h] = inLimit ? ctx.rng.pick([[7000, 7000], [10_000, 5000]] as const) : ctx.rng.pick([[1 << 24, 1 << 24], [1 << 24, 1], [16384, 16384]] as const);
  const frame = frameChunk(ctx.seed('webp').bytes);
  const chunks = [riffChunk('VP8X', vp8x(0, w, h))];
  if (frame) chunks.push(riffChunk(frame.type, frame.data));
  return { bytes: webpFile(chunks), note: `VP8X canvas ${w}x${h} over a small frame` };
}

function riffLiesWebp(ctx: FamilyContext): FuzzInput {
  const b = copy(ctx.seed('webp').bytes);
  const kind = ctx.rng.pick(['riff-bigger', 'riff-smaller', 'riff-zero', 'riff-max', 'riff-odd', 'chunk-bigger', 'chunk-max', 'chunk-zero'] as const);
  const real = b.length - 8;
  if (kind.startsWith('riff')) {
    const v = { 'riff-bigger': real + ctx.rng.int(1, 1 << 20), 'riff-smaller': Math.max(0, real - ctx.rng.int(1, real)), 'riff-zero': 0, 'riff-max': 0xffffffff, 'riff-odd': real | 1 }[kind as 'riff-zero'];
    writeLe32(b, 4, v);
    return { bytes: b, note: `RIFF size ${v} for ${real}` };
  }
  const spans = riffSpans(b);
  const s = ctx.rng.pick(spans);
  const v = kind === 'chunk-bigger' ? readLe32(b, s.lengthAt) + ctx.rng.int(1, 4096) : kind === 'chunk-max' ? 0xffffffff : 0;
  writeLe32(b, s.lengthAt, v);
  return { bytes: b, note: `${s.type} chunk size ${v}` };
}

function animatedWebp(ctx: FamilyContext): FuzzInput {
  const frame = frameChunk(ctx.seed('webp').bytes) ?? { type: 'VP8L', data: vp8lHeader(1, 1) };
  const kind = ctx.rng.pick(['animated', 'flag-without-frames', 'frames-without-flag', 'zero-frames', 'huge-frame'] as const);
  const anim = riffChunk('ANIM', new Uint8Array([255, 255, 255, 255, 0, 0]));
  const anmf = (w: number, h: number): Uint8Array => {
    const head = new Uint8Array(16);
    head.set([0, 0, 0, 0, 0, 0], 0); // x, y offsets
    head.set([(w - 1) & 0xff, ((w - 1) >> 8) & 0xff, ((w - 1) >> 16) & 0xff, (h - 1) & 0xff, ((h - 1) >> 8) & 0xff, ((h - 1) >> 16) & 0xff], 6);
    head.set([100, 0, 0, 0], 12);
    return riffChunk('ANMF', concat(head, riffChunk(frame.type, frame.data)));
  };
  const size = 160;
  switch (kind) {
    case 'animated':
      return { bytes: webpFile([riffChunk('VP8X', vp8x(0x02, size, size)), anim, anmf(size, size), anmf(size, size)]), note: 'two-frame animation' };
    case 'flag-without-frames':
      return { bytes: webpFile([riffChunk('VP8X', vp8x(0x02, size, size)), riffChunk(frame.type, frame.data)]), note: 'animation flag over a still frame' };
    case 'frames-without-flag':
      return { bytes: webpFile([riffChunk('VP8X', vp8x(0, size, size)), anim, anmf(size, size)]), note: 'ANMF frames, animation flag clear' };
    case 'zero-frames':
      return { bytes: webpFile([riffChunk('VP8X', vp8x(0x02, size, size)), anim]), note: 'animation with no frames' };
    case 'huge-frame':
      return { bytes: webpFile([riffChunk('VP8X', vp8x(0x02, 1 << 24, 1 << 24)), anim, anmf(1 << 24, 1 << 24)]), note: 'animation frame claiming 2^24 square' };
  }
}

function noImageDataWebp(ctx: FamilyContext): FuzzInput {
  const [w, h] = ctx.rng.pick([
    [160, 160],
    [1, 1],
    [480, 480],
  ] as const);
  const kind = ctx.rng.pick(['vp8-header-only', 'vp8-empty', 'vp8l-header-only', 'vp8x-only', 'vp8x-alph-only', 'vp8-truncated-partition'] as const);
  const chunks: Uint8Array[] =
    kind === 'vp8-header-only'
      ? [riffChunk('VP8 ', vp8Header(w, h))]
      : kind === 'vp8-empty'
        ? [riffChunk('VP8 ', new Uint8Array(0))]
        : kind === 'vp8l-header-only'
          ? [riffChunk('VP8L', vp8lHeader(w, h))]
          : kind === 'vp8x-only'
            ? [riffChunk('VP8X', vp8x(0, w, h))]
            : kind === 'vp8x-alph-only'
              ? [riffChunk('VP8X', vp8x(0x10, w, h)), riffChunk('ALPH', new Uint8Array([0]))]
              : [riffChunk('VP8 ', concat(vp8Header(w, h, 5000), ctx.rng.bytes(20)))];
  const bytes = webpFile(chunks);
  return { bytes, note: `${kind} ${w}x${h}, ${bytes.length} bytes`, options: ctx.rng.chance(0.2) ? { constraints: 'didit' } : undefined };
}

function vp8xMismatchWebp(ctx: FamilyContext): FuzzInput {
  const frame = frameChunk(ctx.seed('webp').bytes) ?? { type: 'VP8 ', data: vp8Header(16, 16) };
  const kind = ctx.rng.pick(['canvas-bigger', 'canvas-smaller', 'alpha-garbage', 'icc-garbage', 'exif', 'exif-flag-no-chunk', 'unknown-chunks'] as const);
  const flagsFor = { 'alpha-garbage': 0x10, 'icc-garbage': 0x20, exif: 0x08, 'exif-flag-no-chunk': 0x08 } as Record<string, number>;
  const canvas = kind === 'canvas-bigger' ? 4000 : kind === 'canvas-smaller' ? 8 : 160;
  const chunks = [riffChunk('VP8X', vp8x(flagsFor[kind] ?? 0, canvas, canvas))];
  if (kind === 'icc-garbage') chunks.push(riffChunk('ICCP', ctx.rng.bytes(ctx.rng.int(0, 600))));
  if (kind === 'alpha-garbage') chunks.push(riffChunk('ALPH', concat(new Uint8Array([ctx.rng.int(0, 255)]), ctx.rng.bytes(ctx.rng.int(0, 200)))));
  if (kind === 'unknown-chunks') for (let i = 0; i < ctx.rng.int(1, 20); i++) chunks.push(riffChunk(ctx.rng.pick(['XYZW', 'JUNK', 'fdat', 'VP8X']), ctx.rng.bytes(ctx.rng.int(0, 64))));
  let note: string = kind;
  chunks.push(riffChunk(frame.type, frame.data));
  if (kind === 'exif') {
    const t = hostileTiff(ctx.rng);
    chunks.push(riffChunk('EXIF', ctx.rng.chance(0.5) ? concat(EXIF_ID, t.tiff) : t.tiff));
    note = `EXIF ${t.kind}`;
  }
  return { bytes: webpFile(chunks), note };
}

function truncatedWebp(ctx: FamilyContext): FuzzInput {
  const b = ctx.seed('webp').bytes;
  const kind = ctx.rng.pick(['cut', 'cut-fixed-riff', 'trailing', 'trailing-riff'] as const);
  if (kind === 'cut' || kind === 'cut-fixed-riff') {
    const pct = ctx.rng.int(1, 99);
    const cut = copy(b.subarray(0, Math.max(12, Math.floor((b.length * pct) / 100))));
    return { bytes: kind === 'cut-fixed-riff' ? fixRiffSize(cut) : cut, note: `${kind} at ${pct}%` };
  }
  const tail = kind === 'trailing' ? ctx.rng.bytes(ctx.rng.int(1, 2048)) : ctx.seed('webp').bytes;
  return { bytes: concat(b, tail), note: `${kind}: ${tail.length} bytes after the RIFF end` };
}

// ---------------------------------------------------------------------------------- other formats

function otherFormat(rng: Rng): FuzzInput {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><rect width="100%" height="100%" fill="red"/></svg>';
  const laughs = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 8 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text></svg>`;
  const ftyp = (major: string, brands: string[], size?: number): Uint8Array => {
    const body = concat(latin1(major), new Uint8Array(4), ...brands.map(latin1));
    const total = 8 + body.length;
    return concat(new Uint8Array([(size ?? total) >>> 24, ((size ?? total) >>> 16) & 0xff, ((size ?? total) >>> 8) & 0xff, (size ?? total) & 0xff]), latin1('ftyp'), body, rng.bytes(32));
  };
  const bmp = (w: number, h: number): Uint8Array => {
    const b = new Uint8Array(54);
    b.set(latin1('BM'), 0);
    b.set(le32(54 + 16), 2);
    b.set(le32(54), 10);
    b.set(le32(40), 14);
    b.set(le32(w), 18);
    b.set(le32(h), 22);
    b.set([1, 0, 24, 0], 26);
    return concat(b, new Uint8Array(16));
  };
  const kinds: Record<string, () => Uint8Array> = {
    svg: () => latin1(svg),
    'svg-xml-decl': () => latin1(`\ufeff  <?xml version="1.0"?>\n<!-- c -->\n${svg}`.replace('\ufeff', '\xef\xbb\xbf')),
    'svg-billion-laughs': () => latin1(laughs),
    'svg-external': () => latin1('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd"/></svg>'),
    'svg-utf16': () => new Uint8Array(Buffer.from(`\ufeff${svg}`, 'utf16le')),
    pdf: () => latin1('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n'),
    'pdf-late-header': () => concat(rng.bytes(500).map((v) => 32 + (v % 90)), latin1('%PDF-1.4\n%%EOF')),
    zip: () => concat(latin1('PK\x03\x04\x14\x00\x00\x00\x08\x00'), rng.bytes(200)),
    heic: () => ftyp('heic', ['mif1', 'heic']),
    avif: () => ftyp('avif', ['mif1', 'avif', 'miaf']),
    'avif-in-compatible': () => ftyp('mif1', ['mif1', 'avif']),
    'ftyp-huge-box': () => ftyp('isom', ['isom', 'mp41'], 0xffffffff),
    'ftyp-zero-box': () => ftyp('heic', [], 0),
    gif: () => concat(latin1('GIF89a'), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x80, 0, 0]), rng.bytes(64)),
    bmp: () => bmp(rng.pick([1, 640, 0x7fffffff]), rng.pick([1, 480, -1 >>> 0])),
    tiff: () => concat(latin1('II*\0'), le32(8), tiffBlock({ order: 'II', entries: [{ tag: 256, type: 4, count: 1, value: 1 << 30 }] }).subarray(8)),
    'tiff-mm': () => concat(latin1('MM\0*'), rng.bytes(64)),
    bigtiff: () => concat(latin1('II+\0'), rng.bytes(64)),
    ico: () => concat(new Uint8Array([0, 0, 1, 0, 1, 0]), rng.bytes(64)),
    psd: () => concat(latin1('8BPS'), rng.bytes(64)),
    jp2: () => concat(new Uint8Array([0, 0, 0, 0x0c]), latin1('jP  \r\n\x87\n'), rng.bytes(64)),
    jxl: () => concat(new Uint8Array([0xff, 0x0a]), rng.bytes(64)),
    qoi: () => concat(latin1('qoif'), new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 4, 0]), rng.bytes(32)),
    elf: () => concat(latin1('\x7fELF'), rng.bytes(64)),
    exe: () => concat(latin1('MZ'), rng.bytes(64)),
    gzip: () => new Uint8Array(deflateSync(Buffer.alloc(1 << 20))),
    html: () => latin1('<!doctype html><html><body><img src=x onerror=alert(1)></body></html>'),
    json: () => latin1('{"image":"data:image/png;base64,iVBORw0KGgo="}'),
    'data-uri': () => latin1('data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=='),
    'base64-jpeg': () => latin1(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]).toString('base64')),
    'all-zero': () => new Uint8Array(rng.int(1, 4096)),
    'all-ff': () => new Uint8Array(rng.int(1, 4096)).fill(0xff),
  };
  const kind = rng.pick(Object.keys(kinds));
  return { bytes: kinds[kind]!(), note: kind };
}

function tinyFile(rng: Rng): FuzzInput {
  const kinds: Record<string, Uint8Array> = {
    empty: new Uint8Array(0),
    'one-byte': new Uint8Array([rng.int(0, 255)]),
    'ff-d8': new Uint8Array([0xff, 0xd8]),
    'ff-d8-ff': new Uint8Array([0xff, 0xd8, 0xff]),
    'soi-eoi': new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
    'png-signature': PNG_SIGNATURE,
    'png-signature-ihdr-only': concat(PNG_SIGNATURE, pngChunk('IHDR', ihdr(16, 16, 8, 2))),
    'png-signature-iend': concat(PNG_SIGNATURE, pngChunk('IEND', new Uint8Array(0))),
    riff: latin1('RIFF'),
    'riff-webp': concat(latin1('RIFF'), le32(4), latin1('WEBP')),
    'riff-webp-vp8': concat(latin1('RIFF'), le32(8), latin1('WEBPVP8 ')),
    'gif-magic': latin1('GIF89a'),
    'pdf-magic': latin1('%PDF-'),
    'svg-open': latin1('<svg'),
    newline: latin1('\n'),
  };
  const kind = rng.pick(Object.keys(kinds));
  return { bytes: copy(kinds[kind]!), note: kind };
}

function polyglot(ctx: FamilyContext): FuzzInput {
  const kind = ctx.rng.pick(['jpeg-com-png', 'jpeg-com-html', 'jpeg-com-pdf', 'jpeg-then-zip', 'png-text-jpeg', 'png-then-zip', 'png-then-jpeg', 'webp-chunk-png', 'gif-then-jpeg', 'svg-embedding-png', 'jpeg-in-png-signature'] as const);
  const jpeg = ctx.seed('jpeg', true).bytes;
  const png = ctx.seed('png', true).bytes;
  const insertAfterSoi = (seg: Uint8Array): Uint8Array => concat(jpeg.subarray(0, 2), seg, jpeg.subarray(2));
  const insertAfterIhdr = (chunk: Uint8Array): Uint8Array => concat(png.subarray(0, 33), chunk, png.subarray(33));
  switch (kind) {
    case 'jpeg-com-png':
      return { bytes: insertAfterSoi(jpegSegment(0xfe, png.subarray(0, Math.min(png.length, 65_000)))), note: kind };
    case 'jpeg-com-html':
      return { bytes: insertAfterSoi(jpegSegment(0xfe, latin1('<html><script>alert(1)</script></html>'))), note: kind };
    case 'jpeg-com-pdf':
      return { bytes: insertAfterSoi(jpegSegment(0xfe, latin1('%PDF-1.5\n%%EOF'))), note: kind };
    case 'jpeg-then-zip':
      return { bytes: concat(jpeg, latin1('PK\x03\x04'), ctx.rng.bytes(128), latin1('PK\x05\x06'), new Uint8Array(18)), note: kind };
    case 'png-text-jpeg':
      return { bytes: insertAfterIhdr(pngChunk('tEXt', concat(latin1('Comment\0'), jpeg.subarray(0, Math.min(jpeg.length, 4000))))), note: kind };
    case 'png-then-zip':
      return { bytes: concat(png, latin1('PK\x03\x04'), ctx.rng.bytes(128)), note: kind };
    case 'png-then-jpeg':
      return { bytes: concat(png, jpeg), note: kind };
    case 'webp-chunk-png': {
      const webp = ctx.seed('webp').bytes;
      return { bytes: fixRiffSize(concat(webp, riffChunk('PNG ', png))), note: kind };
    }
    case 'gif-then-jpeg':
      return { bytes: concat(latin1('GIF89a'), new Uint8Array([1, 0, 1, 0, 0, 0, 0, 0x3b]), jpeg), note: kind };
    case 'svg-embedding-png':
      return { bytes: latin1(`<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,${Buffer.from(png).toString('base64')}"/></svg>`), note: kind };
    case 'jpeg-in-png-signature':
      return { bytes: concat(PNG_SIGNATURE, jpeg), note: kind };
  }
}

function randomBytes(ctx: FamilyContext): FuzzInput {
  const n = ctx.rng.int(1, ctx.rng.chance(0.8) ? 512 : 16_384);
  const prefix = ctx.rng.pick([
    new Uint8Array(0),
    new Uint8Array([0xff, 0xd8, 0xff]),
    PNG_SIGNATURE,
    concat(latin1('RIFF'), le32(n + 4), latin1('WEBP')),
    concat(PNG_SIGNATURE, pngChunk('IHDR', ihdr(32, 32, 8, 2))),
    concat(new Uint8Array([0xff, 0xd8]), jpegSegment(0xc0, new Uint8Array([8, 0, 32, 0, 32, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]))),
  ]);
  return { bytes: concat(prefix, ctx.rng.bytes(n)), note: `${prefix.length}-byte magic + ${n} random bytes` };
}

/** Every hand-made family, in report order. */
export const HAND_MADE_FAMILIES: readonly Family[] = [
  { name: 'png-pixel-bomb', attacks: 'IHDR claiming up to 2^31-1 square (or 2^32-1, invalid) in a tiny file: the pixel limit must refuse it before any allocation', weight: 1, make: (c) => pixelBombPng(c.rng) },
  { name: 'png-extreme-aspect', attacks: 'valid grey PNGs of 1xN and Nx1 up to 50,000,000: per-row overhead, huge row counts, downscaling to nothing', weight: 0.03, make: (c) => extremeAspectPng(c.rng) },
  { name: 'png-interlaced-bomb', attacks: 'Adam7 PNGs, large and all zero, or small with an IDAT inflating to 64-256 MB (the inflate must stop at the image size)', weight: 0.03, make: (c) => interlacedBombPng(c.rng) },
  { name: 'png-zlib-bomb', attacks: 'non-interlaced PNGs whose IDAT inflates to 16-256 MB for a tiny image', weight: 0.3, make: (c) => zlibBombPng(c.rng) },
  { name: 'png-16bit-large', attacks: '16-bit RGB/RGBA PNGs up to 49 MP, all zero: what the decoder allocates per pixel', weight: 0.03, make: (c) => sixteenBitPng(c.rng) },
  { name: 'png-bad-crc', attacks: 'a flipped bit in the CRC of IHDR, IDAT, IEND or an ancillary chunk', weight: 1, make: badCrcPng },
  { name: 'png-chunk-length', attacks: 'a chunk length past the end of the file, or 2^31 and more', weight: 1, make: chunkLengthPng },
  { name: 'png-after-iend', attacks: 'one byte, garbage, a second PNG or a ZIP after IEND', weight: 1, make: afterIendPng },
  { name: 'png-truncated', attacks: 'a PNG cut at 1-99%, with and without an IEND appended', weight: 1, make: truncatedPng },
  { name: 'png-chunk-order', attacks: 'IDAT before IHDR, no IHDR, two IHDRs, no IDAT, early IEND, PLTE after IDAT, palette without PLTE, unknown critical chunk, IDAT split in tiny chunks', weight: 1, make: chunkOrderPng },
  { name: 'png-bad-ihdr', attacks: 'zero or huge dimensions, impossible depth/colour/interlace/compression/filter values, IHDR longer than 13 bytes', weight: 1, make: (c) => badIhdrPng(c.rng) },
  { name: 'png-idat-damaged', attacks: 'damaged zlib data with valid CRCs, half the rows, three times the rows, invalid filter types', weight: 1, make: damagedIdatPng },
  { name: 'png-exif', attacks: 'eXIf chunks with hostile EXIF (loops, huge counts, bad values, every orientation), before and after IDAT', weight: 1, make: exifPng },
  { name: 'png-apng', attacks: 'APNG animation chunks (acTL, fcTL, fdAT), frame counts up to 2^31-1', weight: 0.5, make: apngPng },
  { name: 'jpeg-pixel-bomb', attacks: 'a small real JPEG whose SOF claims up to 65535x65535', weight: 0.3, make: pixelBombJpeg },
  { name: 'jpeg-zeroed-scan', attacks: 'entropy-coded data set to zeros (or FF00) from its start or part way: decodes to flat grey or fails, must not match', weight: 1, make: zeroedScanJpeg },
  { name: 'jpeg-truncated', attacks: 'a JPEG cut at 1-99%, with and without an EOI appended', weight: 1.5, make: truncatedJpeg },
  { name: 'jpeg-sof-variants', attacks: 'SOF1-SOF15 (extended, progressive, lossless, arithmetic, hierarchical) over Huffman data; 12/16-bit precision; odd component counts and sampling factors', weight: 1, make: sofVariantJpeg },
  { name: 'jpeg-cmyk-ycck', attacks: 'real CMYK JPEGs, YCCK flags on CMYK data, Adobe segments missing, doubled or on YCbCr data', weight: 1, make: cmykJpeg },
  { name: 'jpeg-after-eoi', attacks: 'one byte, garbage, a second JPEG, a PNG or a ZIP after EOI', weight: 1, make: afterEoiJpeg },
  { name: 'jpeg-exif', attacks: 'APP1 EXIF with loops, huge counts, bad values, every orientation, two APP1s, after SOF, 64 KB segments, XMP', weight: 1.5, make: exifJpeg },
  { name: 'jpeg-bad-segments', attacks: 'segment lengths 0/1/65535, SOS first, DNL height, no DHT/DQT, restart interval without RST, extra SOI, reserved markers, fill bytes, two SOFs', weight: 1.5, make: badSegmentJpeg },
  { name: 'webp-pixel-bomb', attacks: 'VP8 16383 square, VP8L 16384 square, VP8X canvas 2^24 square over a small frame', weight: 1, make: pixelBombWebp },
  { name: 'webp-riff-lies', attacks: 'RIFF sizes bigger, smaller, zero, 2^32-1 or odd; chunk sizes that lie', weight: 1, make: riffLiesWebp },
  { name: 'webp-animated', attacks: 'animated WebP, the animation flag lying either way, no frames, a 2^24 frame', weight: 1, make: animatedWebp },
  { name: 'webp-no-image-data', attacks: 'tiny WebPs (30 bytes and up) with a frame header and no frame data: must never decode to someone else\'s pixels', weight: 1, make: noImageDataWebp },
  { name: 'webp-vp8x-mismatch', attacks: 'VP8X canvas bigger/smaller than the frame, ALPH/ICCP garbage, EXIF flags and hostile EXIF chunks, unknown chunks', weight: 1, make: vp8xMismatchWebp },
  { name: 'webp-truncated', attacks: 'a WebP cut short (RIFF size kept or fixed), bytes after the RIFF end', weight: 1, make: truncatedWebp },
  { name: 'other-formats', attacks: 'SVG (billion laughs, external refs, UTF-16), PDF, ZIP, HEIC, AVIF, GIF, BMP, TIFF, BigTIFF, ICO, PSD, JP2, JXL, QOI, ELF, EXE, gzip, HTML, JSON, data URIs', weight: 1, make: (c) => otherFormat(c.rng) },
  { name: 'tiny', attacks: 'empty and 1-byte files, bare magic numbers, headers with nothing after', weight: 0.5, make: (c) => tinyFile(c.rng) },
  { name: 'polyglot', attacks: 'files valid as two formats: JPEG with PNG/HTML/PDF in COM, ZIP after an image, PNG with a JPEG in tEXt, SVG embedding PNG', weight: 1, make: polyglot },
  { name: 'random-bytes', attacks: 'random bytes, alone or after a JPEG/PNG/WebP magic or header', weight: 1, make: randomBytes },
];
