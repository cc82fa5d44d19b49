/**
 * Regression tests for the hostile inputs of issue 9 (defects 1, 2, 3, 6, 7, 8 and the intake
 * hardening), each built here and run with both decoders. Refusals are asserted on their codes
 * and details (the estimate, the limit), which prove the decision was taken from the header.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_DECODE_BYTES, loadImage, MAX_DECODE_CPU_MS, MAX_IMAGE_SIDE, type DecoderName, type ImageInput, type LoadImageOptions } from '../src/image/index.js';
import { encodeJpeg, fromRgb, meanAbsDiff, naturalImage } from './fixtures/images.js';
import { buildPng, chunk, ihdr, jpegMarkerOffset, jpegScanData, SIGNATURE, withJpegSize, zeroBomb } from './image-fixtures.js';

const DECODERS: readonly DecoderName[] = ['builtin', 'sharp'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facematch-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The FaceMatchError a load ends with (anything else fails the test), or `ok`. */
async function failure(input: ImageInput, options: LoadImageOptions = {}): Promise<FaceMatchError | 'ok'> {
  try {
    await loadImage(input, options);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(FaceMatchError);
    return err as FaceMatchError;
  }
}

async function code(input: ImageInput, options: LoadImageOptions = {}): Promise<string> {
  const result = await failure(input, options);
  return result === 'ok' ? 'ok' : result.code;
}

/** The same outcome code from both decoders. */
async function bothCodes(input: () => ImageInput, options: LoadImageOptions = {}): Promise<string> {
  const codes = await Promise.all(DECODERS.map((decoder) => code(input(), { ...options, decoder })));
  expect(codes[0], `builtin ${codes[0]}, sharp ${codes[1]}`).toBe(codes[1]);
  return codes[0]!;
}

describe('defect 1: the WebP codec sees exactly the caller\'s bytes', () => {
  const personA = naturalImage(96, 80, 11);
  const personB = { ...personA, data: personA.data.map((v) => 255 - v) }; // a clearly different picture

  it.each(DECODERS)('a subarray holding B inside a buffer that starts with A decodes as B (%s)', async (decoder) => {
    const webpA = await fromRgb(personA).webp({ lossless: true }).toBuffer();
    const webpB = await fromRgb(personB).webp({ lossless: true }).toBuffer();
    const parent = Buffer.concat([webpA, webpB]);
    const view = parent.subarray(webpA.length);
    const loaded = await loadImage(view, { decoder });
    expect(meanAbsDiff(loaded.image, personB)).toBe(0);
    expect(meanAbsDiff(loaded.image, personA)).toBeGreaterThan(40);
  });

  /**
   * Puts `first` and then `second` at the start of a fresh slab of Node's Buffer pool (both under
   * 4 KB), the way two requests' small uploads end up side by side; returns the two Buffers.
   */
  function pooledPair(first: Uint8Array, second: Uint8Array): [Buffer, Buffer] {
    // Use up what is left of the current 8 KB slab so that the next small Buffer opens a new one.
    while (Buffer.allocUnsafe(1).byteOffset + 4096 < Buffer.poolSize) Buffer.allocUnsafe(1024);
    Buffer.allocUnsafe(4095);
    const a = Buffer.from(first);
    const b = Buffer.from(second);
    expect(a.buffer).toBe(b.buffer); // one slab: a view's .buffer holds both uploads
    return [a, b];
  }

  it.each(DECODERS)('a 30-byte WebP with no image data, pooled after a real one, is CORRUPT_IMAGE, not the last face (%s)', async (decoder) => {
    const previous = await fromRgb(naturalImage(32, 24, 5)).webp({ lossless: true }).toBuffer();
    expect(previous.length).toBeLessThan(2000);
    // RIFF, size 22, WEBP, a VP8X chunk of 10 bytes (canvas 32x24) and nothing else.
    const vp8x = Buffer.alloc(10);
    vp8x.writeUIntLE(31, 4, 3);
    vp8x.writeUIntLE(23, 7, 3);
    const hostile = Buffer.concat([Buffer.from('RIFF'), Buffer.from([22, 0, 0, 0]), Buffer.from('WEBPVP8X'), Buffer.from([10, 0, 0, 0]), vp8x]);
    expect(hostile.length).toBe(30);
    const [earlier, upload] = pooledPair(previous, hostile);
    await loadImage(earlier, { decoder });
    expect(await code(upload, { decoder })).toBe('CORRUPT_IMAGE');
  });

  it.each(DECODERS)('a pooled WebP whose lossy data stops after the frame header fails instead of showing the last face (%s)', async (decoder) => {
    const previous = await fromRgb(naturalImage(32, 24, 5)).webp({ lossless: true }).toBuffer();
    const real = await fromRgb(personB).webp({ quality: 80 }).toBuffer();
    expect(real.toString('latin1', 12, 16)).toBe('VP8 ');
    const cut = Buffer.from(real.subarray(0, 20 + 10 + 4)); // the frame header and 4 bytes of data
    cut.writeUInt32LE(cut.length - 8, 4);
    cut.writeUInt32LE(cut.length - 20, 16);
    const [earlier, upload] = pooledPair(previous, cut);
    await loadImage(earlier, { decoder });
    expect(await code(upload, { decoder })).toBe('CORRUPT_IMAGE');
  });

  it.each(DECODERS)('a WebP under 4 KB read with fs.readFileSync decodes (%s)', async (decoder) => {
    const small = await fromRgb(naturalImage(32, 24, 5)).webp({ lossless: true }).toBuffer();
    expect(small.length).toBeLessThan(4096);
    const file = path.join(dir, `small-${decoder}.webp`);
    await writeFile(file, small);
    const bytes = readFileSync(file);
    const fromBytes = await loadImage(bytes, { decoder });
    const fromPath = await loadImage(file, { decoder });
    expect(meanAbsDiff(fromBytes.image, naturalImage(32, 24, 5))).toBe(0);
    expect(meanAbsDiff(fromPath.image, fromBytes.image)).toBe(0);
  });
});

describe('defect 2: a 97 KB valid 1x50,000,000 PNG', () => {
  it('is IMAGE_TOO_LARGE on both decoders, from its header (a side over 65,500)', async () => {
    // Grey, 8-bit: 50,000,000 rows of a filter byte and one zero sample inflate to 100,000,000 bytes.
    const png = Buffer.concat([SIGNATURE, ihdr(1, 50_000_000, 8, 0), chunk('IDAT', zeroBomb(1_000_000, 100)), chunk('IEND')]);
    expect(png.length).toBeLessThan(120_000);
    for (const decoder of DECODERS) {
      const error = await failure(png, { decoder });
      expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE', details: { width: 1, height: 50_000_000, maxSide: MAX_IMAGE_SIDE } });
    }
  });

  it('a 1x65,500 PNG, the tallest allowed, decodes to the same pixels on both', async () => {
    const png = buildPng({ width: 1, height: MAX_IMAGE_SIDE, bitDepth: 8, colourType: 0, sample: (_x, y) => y & 0xff });
    const [builtin, viaSharp] = await Promise.all(DECODERS.map((decoder) => loadImage(png, { decoder })));
    expect([builtin!.image.width, builtin!.image.height]).toEqual([1, MAX_IMAGE_SIDE]);
    expect(meanAbsDiff(builtin!.image, viaSharp!.image)).toBe(0);
  });
});

describe('defect 3: memory amplification', () => {
  it('an interlaced PNG bomb (1 MB inflating to 1 GiB) decodes its 500x500 pixels and stops inflating', async () => {
    const bomb = Buffer.concat([SIGNATURE, ihdr(500, 500, 8, 0, true), chunk('IDAT', zeroBomb(16 << 20, 64)), chunk('IEND')]);
    expect(bomb.length).toBeLessThan(1.1e6);
    expect(bomb.length).toBeLessThan(5 * 1024 * 1024); // passes didit's byte limit
    const [builtin, viaSharp] = await Promise.all(DECODERS.map((decoder) => loadImage(bomb, { decoder, constraints: 'didit' })));
    expect([builtin!.width, builtin!.height]).toEqual([500, 500]);
    // All zero samples: black. The data beyond the image's rows is ignored by both.
    expect(builtin!.image.data.every((v) => v === 0)).toBe(true);
    expect(meanAbsDiff(builtin!.image, viaSharp!.image)).toBe(0);
  });

  it('a 380 KB 7000x7000 16-bit RGBA PNG is refused from its header by the CPU budget; its memory estimate is the RGB output, not 1.5 GB', async () => {
    // 7000 rows of a filter byte and 7000 x 8 sample bytes: 392,007,000 zero bytes once inflated.
    const png = Buffer.concat([SIGNATURE, ihdr(7000, 7000, 16, 6), chunk('IDAT', zeroBomb(56_001 * 100, 70)), chunk('IEND')]);
    expect(png.length).toBeLessThan(500_000);
    for (const decoder of DECODERS) {
      const error = await failure(png, { decoder });
      expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE', details: { decoder, maxDecodeCpuMs: MAX_DECODE_CPU_MS } });
      const { estimatedCpuMs, estimatedBytes } = (error as FaceMatchError).details as { estimatedCpuMs: number; estimatedBytes: number };
      expect(estimatedCpuMs).toBeGreaterThan(MAX_DECODE_CPU_MS);
      expect(estimatedBytes).toBeGreaterThan(7000 * 7000 * 3);
      expect(estimatedBytes).toBeLessThan(DEFAULT_MAX_DECODE_BYTES);
    }
  });

  it('a 16-bit RGBA PNG decodes the same on both decoders (1200x900)', async () => {
    const png = buildPng({ width: 1200, height: 900, bitDepth: 16, colourType: 6, filter: 'mixed', sample: (x, y, c) => (c === 3 ? 65535 - x * 40 : (x * 53 + y * 71 + c * 9000) & 0xffff) });
    const [builtin, viaSharp] = await Promise.all(DECODERS.map((decoder) => loadImage(png, { decoder })));
    expect(meanAbsDiff(builtin!.image, viaSharp!.image)).toBe(0);
  });

  it('a 9.5 KB JPEG claiming 7000x7000 is CORRUPT_IMAGE before decoding, on both', async () => {
    const small = await fromRgb(naturalImage(64, 64)).jpeg({ quality: 80, chromaSubsampling: '4:2:0' }).toBuffer();
    const claims = withJpegSize(small, 7000, 7000);
    const padded = Buffer.concat([claims.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x1f, 0x40]), Buffer.alloc(0x1f40 - 2, 0x20), claims.subarray(2)]);
    expect(padded.length).toBeGreaterThan(9000);
    expect(padded.length).toBeLessThan(12_000);
    for (const decoder of DECODERS) {
      const error = await failure(padded, { decoder });
      expect(error).toMatchObject({ code: 'CORRUPT_IMAGE', details: { format: 'jpeg' } });
      const { entropyBytes, minimumEntropyBytes } = (error as FaceMatchError).details as { entropyBytes: number; minimumEntropyBytes: number };
      expect(entropyBytes).toBeLessThan(small.length);
      // 7000x7000 4:2:0: 875 x 875 luma blocks and two 438 x 438 chroma planes, two bits each.
      expect(minimumEntropyBytes).toBe(Math.ceil(((875 * 875 + 2 * 438 * 438) * 2) / 8));
    }
  });

  it('the none preset has a 25 MiB byte limit, checked with fstat before reading', async () => {
    expect(DEFAULT_MAX_BYTES).toBe(25 * 1024 * 1024);
    const file = path.join(dir, 'sparse-30mib.jpg');
    await writeFile(file, await encodeJpeg(naturalImage(16, 16)));
    await truncate(file, 30 * 1024 * 1024);
    for (const decoder of DECODERS) {
      expect(await failure(file, { decoder })).toMatchObject({ code: 'FILE_TOO_LARGE', details: { bytes: 30 * 1024 * 1024, maxBytes: DEFAULT_MAX_BYTES, constraints: 'none' } });
    }
  });
});

describe('defect 6: the right codes', () => {
  it('a file over 2 GiB is FILE_TOO_LARGE even when maxBytes allows 4 GiB (never ERR_FS_FILE_TOO_LARGE)', async () => {
    const file = path.join(dir, 'sparse-2gib.png');
    const handle = await open(file, 'w');
    await handle.close();
    await truncate(file, 2 * 1024 ** 3 + 1);
    const error = await failure(file, { constraints: { maxBytes: 4 * 1024 ** 3 } });
    expect(error).toMatchObject({ code: 'FILE_TOO_LARGE', details: { bytes: 2 * 1024 ** 3 + 1, maxBytes: 2 * 1024 ** 3 } });
    expect((error as FaceMatchError).message).toMatch(/no file over 2 GiB is read/);
  });

  it('a JPEG with a 65,535-pixel side is IMAGE_TOO_LARGE on both decoders', async () => {
    const wide = withJpegSize(await encodeJpeg(naturalImage(16, 16)), 65_535, 16);
    for (const decoder of DECODERS) {
      expect(await failure(wide, { decoder })).toMatchObject({ code: 'IMAGE_TOO_LARGE', details: { width: 65_535, height: 16, maxSide: MAX_IMAGE_SIDE } });
    }
  });

  it('a decode over maxDecodeBytes is IMAGE_TOO_LARGE with the estimate and the limit', async () => {
    const jpeg = await encodeJpeg(naturalImage(400, 300));
    for (const decoder of DECODERS) {
      const error = await failure(jpeg, { decoder, maxDecodeBytes: 100_000 });
      expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE', details: { maxDecodeBytes: 100_000, decoder, width: 400, height: 300 } });
      expect((error as FaceMatchError).message).toMatch(/maxDecodeBytes 100000/);
      expect(await code(jpeg, { decoder, maxDecodeBytes: 50e6 })).toBe('ok');
    }
    expect(await code(jpeg, { maxDecodeBytes: 0 })).toBe('INVALID_INPUT');
  });
});

describe('defect 7: one policy, the same answer from both decoders', () => {
  let jpeg: Buffer;
  let progressive: Buffer;
  let png: Buffer;
  let webp: Buffer;
  beforeAll(async () => {
    const photo = naturalImage(160, 120, 3);
    jpeg = await encodeJpeg(photo, 90);
    progressive = await fromRgb(photo).jpeg({ quality: 90, progressive: true }).toBuffer();
    png = await fromRgb(photo).png().toBuffer();
    webp = await fromRgb(photo).webp({ quality: 90 }).toBuffer();
  });

  it('data after the end marker (PNG IEND, JPEG EOI, the WebP RIFF size) is ignored by both', async () => {
    for (const file of [png, jpeg, progressive, webp]) {
      for (const tail of [Buffer.from([1]), Buffer.from('trailing garbage after the image'), Buffer.alloc(3000, 0xff)]) {
        expect(await bothCodes(() => Buffer.concat([file, tail]))).toBe('ok');
      }
    }
    const extra = await Promise.all(DECODERS.map((decoder) => loadImage(Buffer.concat([png, Buffer.from([1])]), { decoder })));
    expect(meanAbsDiff(extra[0]!.image, extra[1]!.image)).toBe(0);
  });

  it('a JPEG with zeroed scan data is CORRUPT_IMAGE on both', async () => {
    const zeroed = Buffer.from(jpeg);
    zeroed.fill(0, jpegScanData(zeroed), zeroed.length - 2);
    expect(await bothCodes(() => zeroed)).toBe('CORRUPT_IMAGE');
  });

  it('a JPEG cut at 40% with an EOI appended is CORRUPT_IMAGE on both', async () => {
    for (const file of [jpeg, progressive]) {
      const cut = Buffer.concat([file.subarray(0, Math.floor(file.length * 0.4)), Buffer.from([0xff, 0xd9])]);
      expect(await bothCodes(() => cut)).toBe('CORRUPT_IMAGE');
    }
  });

  it('damaged JPEG entropy data (a flipped byte run) is CORRUPT_IMAGE or identical pixels on both', async () => {
    for (let k = 0; k < 12; k++) {
      const damaged = Buffer.from(jpeg);
      const at = jpegScanData(damaged) + 40 + k * 97;
      for (let i = at; i < at + 6; i++) damaged[i] = damaged[i]! ^ 0x5a;
      const codes = await bothCodes(() => damaged);
      expect(['ok', 'CORRUPT_IMAGE']).toContain(codes);
    }
  });

  it('after libjpeg stops on damaged data, the next decode on the built-in decoder is right (the codec is re-created)', async () => {
    const zeroed = Buffer.from(jpeg);
    zeroed.fill(0, jpegScanData(zeroed), zeroed.length - 2);
    for (let round = 0; round < 3; round++) {
      expect(await code(zeroed, { decoder: 'builtin' })).toBe('CORRUPT_IMAGE');
      const [builtin, viaSharp] = await Promise.all(DECODERS.map((decoder) => loadImage(progressive, { decoder })));
      expect(meanAbsDiff(builtin!.image, viaSharp!.image)).toBe(0);
    }
  });

  it('JPEG kinds no phone writes are UNSUPPORTED_FORMAT on both, from the header', async () => {
    const patched = (mutate: (b: Buffer) => void): (() => Buffer) => () => {
      const b = Buffer.from(jpeg);
      mutate(b);
      return b;
    };
    const sof = jpegMarkerOffset(jpeg, 0xc0);
    const cases: [string, () => Buffer, RegExp][] = [
      ['arithmetic-coded (SOF9)', patched((b) => (b[sof + 1] = 0xc9)), /arithmetic-coded/],
      ['lossless (SOF3)', patched((b) => (b[sof + 1] = 0xc3)), /lossless/],
      ['hierarchical (SOF5)', patched((b) => (b[sof + 1] = 0xc5)), /hierarchical/],
      ['12-bit samples', patched((b) => (b[sof + 4] = 12)), /12-bit/],
      ['height deferred to DNL', patched((b) => b.writeUInt16BE(0, sof + 5)), /DNL/],
    ];
    for (const [name, make, message] of cases) {
      for (const decoder of DECODERS) {
        const error = await failure(make(), { decoder });
        expect(error, `${name} with ${decoder}`).toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.stringMatching(message) });
      }
    }
  });

  it('a JPEG with more scans than MAX_JPEG_SCANS is UNSUPPORTED_FORMAT on both', async () => {
    // Repeat the last scan of a progressive JPEG (a refinement scan) until there are 101 scans.
    const eoi = progressive.length - 2;
    const lastSos = progressive.lastIndexOf(Buffer.from([0xff, 0xda]));
    const scan = progressive.subarray(lastSos, eoi);
    const count = (b: Buffer): number => b.toString('latin1').split('\xff\xda').length - 1;
    const copies = 101 - count(progressive);
    const many = Buffer.concat([progressive.subarray(0, eoi), ...Array.from({ length: copies }, () => scan), Buffer.from([0xff, 0xd9])]);
    expect(count(many)).toBe(101);
    expect(await bothCodes(() => many)).toBe('UNSUPPORTED_FORMAT');
  });

  it('PNG damage libspng alone would let pass is CORRUPT_IMAGE on both: a bad CRC, a missing IEND, split IDATs', async () => {
    const crcBroken = Buffer.from(png);
    crcBroken[crcBroken.length - 13] = crcBroken[crcBroken.length - 13]! ^ 1; // the last IDAT's CRC
    expect(await bothCodes(() => crcBroken)).toBe('CORRUPT_IMAGE');
    expect(await bothCodes(() => png.subarray(0, png.length - 12))).toBe('CORRUPT_IMAGE');
    const body = buildPng({ width: 4, height: 4, bitDepth: 8, colourType: 0, sample: (x) => x * 60 });
    const idatAt = body.indexOf('IDAT') - 4;
    const idatLength = body.readUInt32BE(idatAt);
    const data = body.subarray(idatAt + 8, idatAt + 8 + idatLength);
    const split = Buffer.concat([body.subarray(0, idatAt), chunk('IDAT', data.subarray(0, 4)), chunk('tEXt', Buffer.from('a\0b')), chunk('IDAT', data.subarray(4)), chunk('IEND')]);
    expect(await bothCodes(() => split)).toBe('CORRUPT_IMAGE');
    const short = Buffer.concat([SIGNATURE, ihdr(8, 8, 8, 0), chunk('IDAT', zeroBomb(20, 1)), chunk('IEND')]);
    expect(await bothCodes(() => short)).toBe('CORRUPT_IMAGE');
  });

  it('every prefix of a small JPEG, PNG and WebP gets the same code from both decoders', async () => {
    const photo = naturalImage(24, 16, 2);
    const files = [await encodeJpeg(photo), await fromRgb(photo).png().toBuffer(), await fromRgb(photo).webp().toBuffer()];
    for (const file of files) {
      for (let n = 1; n < file.length; n += 7) {
        const result = await bothCodes(() => file.subarray(0, n));
        expect(['CORRUPT_IMAGE', 'UNSUPPORTED_FORMAT']).toContain(result);
      }
    }
  });
});

describe('defect 8 and intake hardening: inputs that are not bytes, paths that are not files', () => {
  it('a 10 MB path string is echoed capped, in the message and in details.path', async () => {
    const long = 'a'.repeat(10 * 1024 * 1024);
    const error = await failure(long);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'image' });
    const e = error as FaceMatchError;
    expect(e.message.length).toBeLessThan(600);
    expect(e.message).toMatch(/\(10485760 characters\)/);
    expect(String(e.details.path).length).toBeLessThanOrEqual(201);
    expect(JSON.stringify(e.toJSON()).length).toBeLessThan(1500);
    expect(e.cause).toBeUndefined();
  });

  it('values that only look like bytes are INVALID_INPUT naming the field', async () => {
    const real = await encodeJpeg(naturalImage(16, 16));
    const revocable = Proxy.revocable(new Uint8Array(real), {});
    revocable.revoke();
    const throwingConstructor = Object.defineProperty({}, 'constructor', {
      get() {
        throw new Error('boom');
      },
    });
    const values: [string, unknown][] = [
      ['Object.create(Uint8Array.prototype)', Object.create(Uint8Array.prototype)],
      ['a Proxy over a Uint8Array', new Proxy(new Uint8Array(real), {})],
      ['a revoked Proxy', revocable.proxy],
      ['an object whose constructor getter throws', throwingConstructor],
      ['an ArrayBuffer', real.buffer],
      ['an Int8Array', new Int8Array(4)],
      ['an array of numbers', Array.from(real)],
    ];
    for (const [name, value] of values) {
      const error = await failure(value as ImageInput, { field: 'user_image' });
      expect(error, name).toMatchObject({ code: 'INVALID_INPUT', field: 'user_image', message: expect.stringMatching(/^Expected a Buffer, Uint8Array or file path for user_image but received /) });
    }
  });

  it('a Uint8Array subclass whose getters lie is read by its true bytes', async () => {
    const photo = naturalImage(32, 32, 8);
    const png = await fromRgb(photo).png().toBuffer();
    class Liar extends Uint8Array {
      override get length(): number {
        return 1e12;
      }
      override get byteLength(): number {
        return 3;
      }
      override get byteOffset(): number {
        return 99;
      }
    }
    const liar = new Liar(png.length);
    liar.set(png);
    const loaded = await loadImage(liar);
    expect(meanAbsDiff(loaded.image, photo)).toBe(0);
    expect(loaded.bytes).toBe(png.length);
  });

  it.each(DECODERS)('changing the caller\'s buffer during the decode changes nothing (%s)', async (decoder) => {
    const a = naturalImage(64, 48, 1);
    const b = naturalImage(64, 48, 2);
    const pngA = await fromRgb(a).png().toBuffer();
    const pngB = await fromRgb(b).png().toBuffer();
    const buffer = Buffer.alloc(Math.max(pngA.length, pngB.length));
    pngA.copy(buffer);
    const pending = loadImage(buffer.subarray(0, pngA.length), { decoder });
    buffer.fill(0);
    pngB.copy(buffer);
    expect(meanAbsDiff((await pending).image, a)).toBe(0);
  });

  it('a directory, a FIFO and /dev/zero are INVALID_INPUT without hanging', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const [where, kind] of [
      [dir, /is a directory/],
      [fifo, /is a FIFO/],
      ['/dev/zero', /is a character device/],
    ] as const) {
      const error = await failure(where, { field: 'src' });
      expect(error, where).toMatchObject({ code: 'INVALID_INPUT', field: 'src', message: expect.stringMatching(kind) });
    }
  });

  it('a path with a NUL byte and a missing file are INVALID_INPUT', async () => {
    expect(await code('bad\0path.jpg')).toBe('INVALID_INPUT');
    expect(await failure(path.join(dir, 'missing.jpg'))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/does not exist/) });
  });

  it('options and constraints whose getters throw are INVALID_INPUT', async () => {
    const jpeg = await encodeJpeg(naturalImage(16, 16));
    const trap = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(await failure(jpeg, trap as LoadImageOptions)).toMatchObject({ code: 'INVALID_INPUT', field: 'options' });
    expect(await failure(jpeg, { constraints: trap as never })).toMatchObject({ code: 'INVALID_INPUT', field: 'constraints' });
    expect(await failure(jpeg, { decoder: 'x'.repeat(1e6) as never })).toMatchObject({ code: 'INVALID_INPUT', field: 'decoder' });
    expect(((await failure(jpeg, { decoder: 'x'.repeat(1e6) as never })) as FaceMatchError).message.length).toBeLessThan(400);
  });

  it("the deprecated decoder 'jimp' is the built-in decoder", async () => {
    const loaded = await loadImage(await encodeJpeg(naturalImage(16, 16)), { decoder: 'jimp' });
    expect(loaded.decoder).toBe('builtin');
  });
});
