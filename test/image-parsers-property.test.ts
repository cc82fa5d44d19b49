/**
 * Property tests (fast-check) of the intake's parsers through the public API: sniffFormat,
 * readImageHeader, and the EXIF orientation reader as readImageHeader reaches it inside JPEG APP1,
 * PNG eXIf and WebP EXIF. Seeded: a failure prints the seed and path that reproduce it; set
 * FACEMATCH_FC_SEED to explore other seeds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaceMatchError, readImageHeader, sniffFormat, type ImageHeader, type SniffedFormat } from '../src/index.js';
import {
  concat,
  EXIF_ID,
  exifApp1,
  ihdr,
  jpegSegment,
  latin1,
  le32,
  orientationEntry,
  pngChunk,
  PNG_SIGNATURE,
  riffChunk,
  tiffBlock,
  vp8Header,
  vp8lHeader,
  vp8x,
  webpFile,
  type IfdEntry,
} from './fuzz/bytes.js';
import { hostileTiff } from './fuzz/exif.js';
import { createRng } from './fuzz/rng.js';

const SEED = Number(process.env.FACEMATCH_FC_SEED ?? 20_261_122);
const RUNS = 1000;
const params = { seed: SEED, numRuns: RUNS };

const SNIFFED: readonly SniffedFormat[] = ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff', 'heic', 'avif', 'pdf', 'svg', 'empty', 'unknown'];

/** `bytes` as a view in the middle of a larger buffer with other bytes before and after. */
function inTheMiddle(before: Uint8Array, bytes: Uint8Array, after: Uint8Array): Uint8Array {
  const whole = concat(before, bytes, after);
  return whole.subarray(before.length, before.length + bytes.length);
}

/** What readImageHeader gives: the header, or the error code; anything else is thrown on. */
function header(bytes: Uint8Array): ImageHeader | string {
  try {
    return readImageHeader(bytes, 'image');
  } catch (err) {
    if (err instanceof FaceMatchError) return err.code;
    throw err;
  }
}

// ------------------------------------------------------------------------------ arbitraries

const anyBytes = fc.uint8Array({ maxLength: 2048 });
const magic = fc.constantFrom(
  new Uint8Array([0xff, 0xd8, 0xff]),
  PNG_SIGNATURE,
  concat(latin1('RIFF'), le32(100), latin1('WEBP')),
  latin1('GIF89a'),
  latin1('II*\0'),
  latin1('MM\0*'),
  latin1('%PDF-1.7'),
  latin1('<svg '),
  concat(latin1('BM'), new Uint8Array(12), le32(40), new Uint8Array(8)),
);
const magicPlusBytes = fc.tuple(magic, anyBytes).map(([m, b]) => concat(m, b));

const order = fc.constantFrom<'II' | 'MM'>('II', 'MM');
const orientation = fc.integer({ min: 1, max: 8 });
/** A valid TIFF block: IFD0 at 8 or later, other SHORT entries around the Orientation entry, in tag order. */
const validTiff = fc
  .record({
    order,
    value: orientation,
    before: fc.uniqueArray(fc.integer({ min: 0x0100, max: 0x0111 }), { maxLength: 4 }),
    after: fc.uniqueArray(fc.integer({ min: 0x0113, max: 0x9000 }), { maxLength: 4 }),
    gap: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ order, value, before, after, gap }) => {
    const other = (tag: number): IfdEntry => ({ tag, type: 3, count: 1, value: 7 });
    const entries = [...before.sort((a, b) => a - b).map(other), orientationEntry(value), ...after.sort((a, b) => a - b).map(other)];
    return { tiff: tiffBlock({ order, entries, ifdOffset: 8 + 2 * gap }), value };
  });

/** A minimal baseline JPEG: SOI, optional APP1 EXIF, SOF0, SOS, a few bytes of scan, EOI. */
function jpeg(width: number, height: number, exif?: Uint8Array): Uint8Array {
  const sof = jpegSegment(0xc0, new Uint8Array([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]));
  const sos = jpegSegment(0xda, new Uint8Array([1, 1, 0, 0, 63, 0]));
  return concat(new Uint8Array([0xff, 0xd8]), exif ? exifApp1(exif) : new Uint8Array(0), sof, sos, new Uint8Array([0x12, 0x34, 0x00]), new Uint8Array([0xff, 0xd9]));
}

/** A minimal PNG: IHDR, optional eXIf, one IDAT, IEND (the header reader walks chunks, it does not inflate). */
function png(width: number, height: number, exif?: Uint8Array): Uint8Array {
  return concat(PNG_SIGNATURE, pngChunk('IHDR', ihdr(width, height, 8, 2)), exif ? pngChunk('eXIf', exif) : new Uint8Array(0), pngChunk('IDAT', new Uint8Array([0x78, 0x9c, 3, 0, 0, 0, 0, 1])), pngChunk('IEND', new Uint8Array(0)));
}

/** A WebP of each kind: VP8, VP8L, or VP8X (with an optional EXIF chunk) over a VP8L frame. */
function webp(kind: 'vp8' | 'vp8l' | 'vp8x', width: number, height: number, exif?: Uint8Array): Uint8Array {
  if (kind === 'vp8') return webpFile([riffChunk('VP8 ', concat(vp8Header(width, height), new Uint8Array(8)))]);
  if (kind === 'vp8l') return webpFile([riffChunk('VP8L', concat(vp8lHeader(width, height), new Uint8Array(8)))]);
  const chunks = [riffChunk('VP8X', vp8x(exif ? 0x08 : 0, width, height)), riffChunk('VP8L', concat(vp8lHeader(width, height), new Uint8Array(8)))];
  if (exif) chunks.push(riffChunk('EXIF', exif));
  return webpFile(chunks);
}

/** A valid file of any format with its dimensions and orientation as written. */
const validFile = fc.oneof(
  fc.record({ w: fc.integer({ min: 1, max: 65535 }), h: fc.integer({ min: 1, max: 65535 }), t: fc.option(validTiff, { nil: undefined }) }).map(({ w, h, t }) => ({ bytes: jpeg(w, h, t?.tiff), w, h, o: t?.value ?? 1 })),
  fc.record({ w: fc.integer({ min: 1, max: 0x7fffffff }), h: fc.integer({ min: 1, max: 0x7fffffff }), t: fc.option(validTiff, { nil: undefined }) }).map(({ w, h, t }) => ({ bytes: png(w, h, t?.tiff), w, h, o: t?.value ?? 1 })),
  fc.record({ w: fc.integer({ min: 1, max: 16383 }), h: fc.integer({ min: 1, max: 16383 }) }).map(({ w, h }) => ({ bytes: webp('vp8', w, h), w, h, o: 1 })),
  fc.record({ w: fc.integer({ min: 1, max: 16384 }), h: fc.integer({ min: 1, max: 16384 }) }).map(({ w, h }) => ({ bytes: webp('vp8l', w, h), w, h, o: 1 })),
  fc
    // A still VP8X's canvas is its frame's size, and the VP8L frame underneath is at most 16384 a side.
    .record({ w: fc.integer({ min: 1, max: 16384 }), h: fc.integer({ min: 1, max: 16384 }), t: fc.option(validTiff, { nil: undefined }), id: fc.boolean() })
    .map(({ w, h, t, id }) => ({ bytes: webp('vp8x', w, h, t && (id ? concat(EXIF_ID, t.tiff) : t.tiff)), w, h, o: t?.value ?? 1 })),
);

/** A valid file with a few bytes changed, cut short, or both. */
const damagedFile = fc
  .record({ file: validFile, edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), cut: fc.option(fc.nat(), { nil: undefined }) })
  .map(({ file, edits, cut }) => {
    const b = new Uint8Array(file.bytes);
    for (const [at, v] of edits) b[at % b.length] = v;
    return cut === undefined ? b : b.slice(0, cut % (b.length + 1));
  });

// ------------------------------------------------------------------------------------ sniff

describe('sniffFormat (property)', () => {
  it('is total: any bytes, any view, give one of the known formats, without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, magicPlusBytes), anyBytes, anyBytes, (bytes, before, after) => {
        const got = sniffFormat(inTheMiddle(before, bytes, after));
        expect(SNIFFED).toContain(got);
      }),
      params,
    );
  });

  it('looks only inside the view: bytes around it never change the answer', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, magicPlusBytes, validFile.map((f) => f.bytes)), anyBytes, magicPlusBytes, (bytes, before, after) => {
        expect(sniffFormat(inTheMiddle(before, bytes, after))).toBe(sniffFormat(new Uint8Array(bytes)));
      }),
      params,
    );
  });

  it('is stable under appended bytes for formats fixed by their first bytes (JPEG, PNG, WebP, GIF, TIFF, BMP, PDF)', () => {
    fc.assert(
      fc.property(fc.oneof(magicPlusBytes, validFile.map((f) => f.bytes)), anyBytes, (bytes, tail) => {
        const before = sniffFormat(bytes);
        fc.pre(['jpeg', 'png', 'webp', 'gif', 'tiff', 'bmp', 'pdf'].includes(before));
        expect(sniffFormat(concat(bytes, tail))).toBe(before);
      }),
      params,
    );
  });

  it('keeps SVG as SVG under appended text that is not a PDF header', () => {
    const svgStart = fc.constantFrom('<svg xmlns="http://www.w3.org/2000/svg">', '\n  <svg>', '<?xml version="1.0"?><svg ', '<!-- x --><svg/>', '\xef\xbb\xbf<svg>');
    fc.assert(
      fc.property(svgStart, anyBytes, (start, tail) => {
        fc.pre(!Buffer.from(tail).toString('latin1').includes('%PDF-'));
        expect(sniffFormat(concat(latin1(start), tail))).toBe('svg');
      }),
      params,
    );
  });

  it('keeps HEIC and AVIF under bytes appended after a complete ftyp box', () => {
    const brand = fc.constantFrom('heic', 'heix', 'mif1', 'msf1', 'avif', 'avis', 'isom', 'mp41');
    fc.assert(
      fc.property(brand, fc.array(brand, { maxLength: 6 }), anyBytes, (major, compatible, tail) => {
        const body = concat(latin1(major), new Uint8Array(4), ...compatible.map(latin1));
        const size = 8 + body.length;
        const box = concat(new Uint8Array([0, 0, size >> 8, size & 0xff]), latin1('ftyp'), body);
        const before = sniffFormat(concat(box, new Uint8Array(16)));
        fc.pre(before === 'heic' || before === 'avif');
        expect(sniffFormat(concat(box, new Uint8Array(16), tail))).toBe(before);
      }),
      params,
    );
  });
});

// ----------------------------------------------------------------------------------- header

describe('readImageHeader (property)', () => {
  it('throws nothing but FaceMatchError, for any bytes, magic + bytes, and damaged valid files', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, magicPlusBytes, damagedFile), (bytes) => {
        header(bytes); // throws (and fails the property) on anything but a FaceMatchError
      }),
      { ...params, numRuns: 3 * RUNS },
    );
  });

  it('never reads past the end of its view: a cut file followed in memory by its own remainder reads like the cut file alone', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), anyBytes, (file, cutAt, before) => {
        const cut = cutAt % (file.bytes.length + 1);
        const view = inTheMiddle(before, file.bytes.subarray(0, cut), file.bytes.subarray(cut));
        expect(header(view)).toEqual(header(file.bytes.slice(0, cut)));
      }),
      params,
    );
  });

  it('reads back exactly the dimensions and orientation written, with the displayed size turned by the orientation', () => {
    fc.assert(
      fc.property(validFile, ({ bytes, w, h, o }) => {
        const got = readImageHeader(bytes);
        expect(got).toMatchObject({ storedWidth: w, storedHeight: h, orientation: o });
        expect([got.width, got.height]).toEqual(o >= 5 ? [h, w] : [w, h]);
      }),
      params,
    );
  });

  it('gives positive whole dimensions consistent with the orientation whenever it accepts a file', () => {
    fc.assert(
      fc.property(fc.oneof(damagedFile, validFile.map((f) => f.bytes)), (bytes) => {
        const got = header(bytes);
        if (typeof got === 'string') {
          expect(['UNSUPPORTED_FORMAT', 'CORRUPT_IMAGE']).toContain(got);
          return;
        }
        for (const n of [got.width, got.height, got.storedWidth, got.storedHeight]) {
          expect(Number.isInteger(n) && n >= 1).toBe(true);
        }
        expect(got.orientation >= 1 && got.orientation <= 8).toBe(true);
        const swapped = got.orientation >= 5;
        expect([got.width, got.height]).toEqual(swapped ? [got.storedHeight, got.storedWidth] : [got.storedWidth, got.storedHeight]);
      }),
      { ...params, numRuns: 3 * RUNS },
    );
  });
});

// ------------------------------------------------------------------------------------- EXIF

const containers = fc.constantFrom(
  (exif: Uint8Array) => jpeg(64, 48, exif),
  (exif: Uint8Array) => png(64, 48, exif),
  (exif: Uint8Array) => webp('vp8x', 64, 48, exif),
  (exif: Uint8Array) => webp('vp8x', 64, 48, concat(EXIF_ID, exif)),
);

describe('EXIF orientation, through readImageHeader (property)', () => {
  it('any bytes as the EXIF block give an orientation from 1 to 8 (or a FaceMatchError for the container)', () => {
    fc.assert(
      fc.property(containers, fc.oneof(anyBytes, fc.tuple(order, anyBytes).map(([o, b]) => concat(latin1(o), b))), (wrap, exif) => {
        const got = header(wrap(exif));
        if (typeof got === 'string') expect(got).toBe('CORRUPT_IMAGE');
        else expect(got.orientation >= 1 && got.orientation <= 8).toBe(true);
      }),
      { ...params, numRuns: 3 * RUNS },
    );
  });

  it('valid TIFF blocks give back the orientation written, in both byte orders and every container', () => {
    fc.assert(
      fc.property(containers, validTiff, (wrap, { tiff, value }) => {
        expect(readImageHeader(wrap(tiff)).orientation).toBe(value);
      }),
      params,
    );
  });

  it('the fuzz generator\'s hostile TIFFs give the orientation they are known to hold (1 for malformed ones)', () => {
    fc.assert(
      fc.property(containers, fc.integer(), (wrap, seed) => {
        const t = hostileTiff(createRng(seed));
        const got = header(wrap(t.tiff));
        if (typeof got === 'string') expect(got).toBe('CORRUPT_IMAGE');
        else if (t.expected !== undefined) expect(got.orientation).toBe(t.expected);
        else expect(got.orientation >= 1 && got.orientation <= 8).toBe(true);
      }),
      params,
    );
  });
});
