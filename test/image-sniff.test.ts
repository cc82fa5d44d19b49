import { describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { readImageHeader, sniffFormat, type SniffedFormat } from '../src/image/index.js';
import { encodeJpeg, encodePng, fromRgb, naturalImage, pngChunk, PNG_SIGNATURE, pngWithHeader, quadrants, randomBytes } from './fixtures/images.js';

/** An ISO-BMFF file start: an `ftyp` box with the given brands. */
function ftyp(major: string, compatible: string[]): Buffer {
  const body = Buffer.from(major + '\0\0\0\0' + compatible.join(''), 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(8 + body.length);
  return Buffer.concat([size, Buffer.from('ftyp'), body, Buffer.alloc(32)]);
}

/** A minimal BMP file header and BITMAPINFOHEADER for a 1x1 24-bit image. */
function bmp(): Buffer {
  const b = Buffer.alloc(14 + 40 + 4);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(1, 18);
  b.writeInt32LE(1, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}

describe('sniffFormat reads magic bytes only', () => {
  const small = quadrants(16, 16);
  const cases: [string, () => Promise<Uint8Array> | Uint8Array, SniffedFormat][] = [
    ['JPEG', () => encodeJpeg(small), 'jpeg'],
    ['PNG', () => encodePng(small), 'png'],
    ['WebP', () => fromRgb(small).webp().toBuffer(), 'webp'],
    ['GIF', () => fromRgb(small).gif().toBuffer(), 'gif'],
    ['TIFF (sharp, little-endian)', () => fromRgb(small).tiff().toBuffer(), 'tiff'],
    ['TIFF big-endian', () => Buffer.from('MM\0*\0\0\0\x08', 'latin1'), 'tiff'],
    ['BMP', () => bmp(), 'bmp'],
    ['HEIC', () => ftyp('heic', ['mif1', 'heic']), 'heic'],
    ['HEIF (mif1 only)', () => ftyp('mif1', ['mif1']), 'heic'],
    ['AVIF', () => ftyp('avif', ['mif1', 'miaf', 'avif']), 'avif'],
    ['AVIF listed after a HEIF brand', () => ftyp('mif1', ['mif1', 'avif']), 'avif'],
    ['MP4 video (ftyp but not an image)', () => ftyp('isom', ['isom', 'mp41']), 'unknown'],
    ['PDF', () => Buffer.from('%PDF-1.4\n%\xe2\xe3\n', 'latin1'), 'pdf'],
    ['SVG', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'svg'],
    ['SVG after BOM, whitespace, XML declaration, comment and doctype', () => Buffer.from('\uFEFF\n  <?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg width="1" height="1"></svg>'), 'svg'],
    ['XML that is not SVG', () => Buffer.from('<?xml version="1.0"?><note>svg</note>'), 'unknown'],
    ['HTML', () => Buffer.from('<!doctype html><html><body>hi</body></html>'), 'unknown'],
    ['empty', () => new Uint8Array(0), 'empty'],
    ['one byte', () => new Uint8Array([0xff]), 'unknown'],
    ['random bytes', () => randomBytes(1000, 3), 'unknown'],
    ['RIFF that is not WebP (WAV)', () => Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'latin1'), 'unknown'],
  ];
  it.each(cases)('%s', async (_name, make, expected) => {
    expect(sniffFormat(await make())).toBe(expected);
  });
});

describe('readImageHeader', () => {
  it('walks JPEG markers past APPn segments and fill bytes to the frame header', async () => {
    const jpeg = await encodeJpeg(naturalImage(200, 120));
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x07]), Buffer.from('hello')]);
    // Fill bytes (extra 0xFF) before a marker are allowed by the JPEG standard.
    const withFill = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xff, 0xff]), com.subarray(1), jpeg.subarray(2)]);
    expect(readImageHeader(withFill)).toMatchObject({ format: 'jpeg', width: 200, height: 120, orientation: 1 });
  });

  it('stops safely on every truncation of the header, with CORRUPT_IMAGE', async () => {
    for (const file of [await encodeJpeg(quadrants(16, 16)), await encodePng(quadrants(16, 16)), await fromRgb(quadrants(16, 16)).webp().toBuffer()]) {
      const whole = readImageHeader(file);
      expect([whole.width, whole.height]).toEqual([16, 16]);
      for (let n = 1; n < file.length; n++) {
        const error = (() => {
          try {
            readImageHeader(file.subarray(0, n));
            return undefined;
          } catch (err) {
            return err;
          }
        })();
        expect(error, `prefix ${n} of ${file.length}`).toBeInstanceOf(FaceMatchError);
        expect(['CORRUPT_IMAGE', 'UNSUPPORTED_FORMAT']).toContain((error as FaceMatchError).code);
      }
    }
  });

  it('refuses impossible sizes and a missing IDAT', () => {
    expect(() => readImageHeader(pngWithHeader(0, 10, new Uint8Array(8)))).toThrow(/impossible size of 0x10/);
    const noIdat = Buffer.concat([pngWithHeader(4, 4, new Uint8Array(0)).subarray(0, 33), pngChunk('IEND', new Uint8Array(0))]);
    expect(() => readImageHeader(noIdat)).toThrow(/no IDAT/);
    expect(() => readImageHeader(Buffer.concat([PNG_SIGNATURE, pngChunk('tEXt', Buffer.from('a\0b'))]))).toThrow(FaceMatchError);
  });

  it('refuses an animated WebP as UNSUPPORTED_FORMAT', async () => {
    // Set the VP8X animation flag on a still extended WebP: the header says animated, which is enough.
    const still = await fromRgb(quadrants(16, 16)).webp().withMetadata({ orientation: 1 }).toBuffer();
    expect(still.toString('latin1', 12, 16)).toBe('VP8X');
    const flagged = Buffer.from(still);
    flagged[20] = flagged[20]! | 0x02;
    expect(() => readImageHeader(flagged)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_FORMAT', message: expect.stringMatching(/animated WebP/) }));
    expect(readImageHeader(still).format).toBe('webp');
  });

  it('names the field in its errors', () => {
    expect(() => readImageHeader(Buffer.from('%PDF-1.7'), 'targetFront')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT', field: 'targetFront', message: 'Expected JPEG, PNG or WebP for targetFront but received PDF' }),
    );
  });
});
