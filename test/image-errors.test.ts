import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError, type FaceMatchErrorCode } from '../src/errors.js';
import { loadImage, type ImageInput, type LoadImageOptions } from '../src/image/index.js';
import {
  encodeJpeg,
  encodePng,
  fromRgb,
  naturalImage,
  pngChunk,
  pngChunkOffsets,
  pngWithHeader,
  quadrants,
  randomBytes,
} from './fixtures/images.js';

let dir: string;
const fixtures: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facematch-image-'));
  const photo = naturalImage(320, 240);
  fixtures.jpeg = await encodeJpeg(photo);
  fixtures.png = await encodePng(photo);
  fixtures.jpeg500 = await encodeJpeg(naturalImage(500, 500));
  await writeFile(path.join(dir, 'really-a-jpeg.png'), fixtures.jpeg);
  await writeFile(path.join(dir, 'big.jpg'), Buffer.concat([fixtures.jpeg500, Buffer.alloc(6 * 1024 * 1024)]));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The same PNG with bytes flipped inside its IDAT data; optionally with the chunk's CRC recomputed. */
function corruptIdat(png: Buffer, fixCrc: boolean): Buffer {
  const out = Buffer.from(png);
  const idat = pngChunkOffsets(out).get('IDAT')!;
  const data = idat.offset + 8;
  for (let i = Math.floor(idat.length / 3); i < Math.floor(idat.length / 3) + 16; i++) out[data + i] = out[data + i]! ^ 0xff;
  if (!fixCrc) return out;
  const rebuilt = pngChunk('IDAT', out.subarray(data, data + idat.length));
  rebuilt.copy(out, idat.offset);
  return out;
}

/** `ok` when the load succeeds, the FaceMatchError code when it fails; anything else is rethrown. */
async function outcome(load: Promise<unknown>): Promise<string> {
  try {
    await load;
    return 'ok';
  } catch (err) {
    if (err instanceof FaceMatchError) return err.code;
    throw err;
  }
}

interface BadCase {
  name: string;
  input: () => ImageInput | Promise<ImageInput>;
  options?: LoadImageOptions;
  code: FaceMatchErrorCode;
  message?: RegExp;
}

const CASES: BadCase[] = [
  { name: '0 bytes', input: () => Buffer.alloc(0), code: 'INVALID_INPUT', message: /empty file \(0 bytes\)/ },
  { name: 'random bytes', input: () => randomBytes(4096), code: 'UNSUPPORTED_FORMAT', message: /unknown format/ },
  { name: 'a JPEG cut in half', input: () => fixtures.jpeg!.subarray(0, fixtures.jpeg!.length >> 1), code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a JPEG cut inside its header', input: () => fixtures.jpeg!.subarray(0, 40), code: 'CORRUPT_IMAGE', message: /truncated/ },
  { name: 'a PNG with flipped IDAT bytes (CRC now wrong)', input: () => corruptIdat(fixtures.png!, false), code: 'CORRUPT_IMAGE' },
  { name: 'a PNG with flipped IDAT bytes and a matching CRC', input: () => corruptIdat(fixtures.png!, true), code: 'CORRUPT_IMAGE' },
  {
    name: 'a PDF',
    input: () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
    options: { field: 'user_image', constraints: 'didit' },
    code: 'UNSUPPORTED_FORMAT',
    message: /^Expected JPEG, PNG or WebP for user_image but received PDF$/,
  },
  { name: 'a GIF', input: () => fromRgb(quadrants(32, 32)).gif().toBuffer(), code: 'UNSUPPORTED_FORMAT', message: /received GIF/ },
  {
    name: 'an SVG',
    input: () => Buffer.from('\uFEFF  <?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
    code: 'UNSUPPORTED_FORMAT',
    message: /received SVG/,
  },
  {
    name: 'a WebP under attestr (JPEG/PNG only)',
    input: () => fromRgb(naturalImage(256, 256)).webp().toBuffer(),
    options: { constraints: 'attestr', field: 'src' },
    code: 'UNSUPPORTED_FORMAT',
    message: /^Expected JPEG or PNG for src but received WebP$/,
  },
  {
    name: 'a 1x1 image under didit',
    input: () => encodePng(quadrants(1, 1)),
    options: { constraints: 'didit', field: 'user_image' },
    code: 'IMAGE_TOO_SMALL',
    message: /^Expected at least 480x480 pixels for user_image but received 1x1$/,
  },
  {
    name: 'a 300x300 image under didit',
    input: () => encodeJpeg(naturalImage(300, 300)),
    options: { constraints: 'didit' },
    code: 'IMAGE_TOO_SMALL',
    message: /at least 480x480 .* received 300x300/,
  },
  {
    name: 'a PNG header claiming 20000x20000',
    input: () => pngWithHeader(20000, 20000, randomBytes(64)),
    code: 'IMAGE_TOO_LARGE',
    message: /at most 50000000 pixels .* received 20000x20000 \(400 MP\)/,
  },
  {
    name: 'a 6 MB file under didit (bytes)',
    input: () => Buffer.concat([fixtures.jpeg500!, Buffer.alloc(6 * 1024 * 1024)]),
    options: { constraints: 'didit' },
    code: 'FILE_TOO_LARGE',
    message: /at most 5 MB \(5242880 bytes\) .* received 6\.\d+ MB/,
  },
  { name: 'a 6 MB file under didit (path)', input: () => path.join(dir, 'big.jpg'), options: { constraints: 'didit' }, code: 'FILE_TOO_LARGE' },
  { name: 'a nonexistent path', input: () => path.join(dir, 'no-such-file.jpg'), code: 'INVALID_INPUT', message: /does not exist/ },
  { name: 'a directory path', input: () => dir, code: 'INVALID_INPUT', message: /Expected a regular file for image but .* is a directory$/ },
  { name: 'a number', input: () => 42 as unknown as ImageInput, code: 'INVALID_INPUT', message: /Buffer, Uint8Array or file path for image but received 42$/ },
  { name: 'null', input: () => null as unknown as ImageInput, code: 'INVALID_INPUT' },
  { name: 'an empty path', input: () => '', code: 'INVALID_INPUT' },
  { name: 'an unknown preset', input: () => fixtures.jpeg!, options: { constraints: 'strict' as never }, code: 'INVALID_INPUT' },
  { name: 'a bad maxSide', input: () => fixtures.jpeg!, options: { maxSide: 0 }, code: 'INVALID_INPUT' },
  { name: 'an unknown decoder', input: () => fixtures.jpeg!, options: { decoder: 'canvas' as never }, code: 'INVALID_INPUT' },
];

describe('loadImage refuses bad input with the documented FaceMatchError code', () => {
  it.each(CASES)('$name -> $code', async ({ input, options, code, message }) => {
    const field = options?.field ?? 'image';
    for (const decoder of ['builtin', 'sharp'] as const) {
      const error = await loadImage(await input(), { decoder, ...options }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, `decoder ${decoder}`).toBeInstanceOf(FaceMatchError);
      expect((error as FaceMatchError).code, (error as Error).message).toBe(code);
      if (message) expect((error as FaceMatchError).message).toMatch(message);
      if (!['constraints', 'maxSide', 'decoder'].some((f) => (error as FaceMatchError).field === f)) expect((error as FaceMatchError).field).toBe(field);
    }
  });

  it('refuses the oversized PNG on its header, before decoding: with a higher limit the same bytes fail to decode', async () => {
    const claims3000 = pngWithHeader(3000, 3000, randomBytes(64));
    for (const decoder of ['builtin', 'sharp'] as const) {
      expect(await outcome(loadImage(claims3000, { maxPixels: 1_000_000, decoder }))).toBe('IMAGE_TOO_LARGE');
      expect(await outcome(loadImage(claims3000, { decoder }))).toBe('CORRUPT_IMAGE');
    }
  });

  it('a custom maxPixels in the constraints applies too, the smaller limit winning', async () => {
    expect(await outcome(loadImage(fixtures.jpeg!, { constraints: { maxPixels: 320 * 240 - 1 } }))).toBe('IMAGE_TOO_LARGE');
    expect(await outcome(loadImage(fixtures.jpeg!, { constraints: { maxPixels: 1e9 }, maxPixels: 1000 }))).toBe('IMAGE_TOO_LARGE');
    expect(await outcome(loadImage(fixtures.jpeg!, { constraints: { maxPixels: 320 * 240 } }))).toBe('ok');
  });

  it('checks the minimum on the displayed size, per axis', async () => {
    expect(await outcome(loadImage(fixtures.jpeg!, { constraints: { minWidth: 321 } }))).toBe('IMAGE_TOO_SMALL');
    await expect(loadImage(fixtures.jpeg!, { constraints: { minWidth: 320, minHeight: 240 } })).resolves.toMatchObject({ width: 320, height: 240 });
  });

  it('error JSON names the field and the facts', async () => {
    const error = await loadImage(await encodePng(quadrants(1, 1)), { constraints: 'didit', field: 'ref_image' }).catch((e: unknown) => e);
    expect((error as FaceMatchError).toJSON()).toMatchObject({
      code: 'IMAGE_TOO_SMALL',
      field: 'ref_image',
      details: { width: 1, height: 1, minWidth: 480, minHeight: 480, constraints: 'didit' },
    });
  });
});

describe('loadImage trusts bytes, not names', () => {
  it('decodes a JPEG passed as a path named .png as a JPEG', async () => {
    const loaded = await loadImage(path.join(dir, 'really-a-jpeg.png'));
    expect(loaded.format).toBe('jpeg');
    expect([loaded.width, loaded.height]).toEqual([320, 240]);
    expect(loaded.bytes).toBe(fixtures.jpeg!.length);
  });

  it('accepts a 500x500 JPEG under didit, and a plain Uint8Array view into a larger buffer', async () => {
    const padded = new Uint8Array(fixtures.jpeg500!.length + 100);
    padded.set(fixtures.jpeg500!, 50);
    const view = padded.subarray(50, 50 + fixtures.jpeg500!.length);
    const loaded = await loadImage(view, { constraints: 'didit', decoder: 'builtin' });
    expect([loaded.image.width, loaded.image.height, loaded.format]).toEqual([500, 500, 'jpeg']);
  });
});

describe('damaged files never escape as anything but FaceMatchError', () => {

  it('every prefix of a small JPEG, PNG and WebP', async () => {
    const small = quadrants(24, 16);
    const files = [await encodeJpeg(small), await encodePng(small), await fromRgb(small).webp().toBuffer()];
    for (const file of files) {
      for (let n = 0; n < file.length; n++) {
        const code = await outcome(loadImage(file.subarray(0, n), { decoder: 'builtin' }));
        expect(['CORRUPT_IMAGE', 'INVALID_INPUT', 'UNSUPPORTED_FORMAT']).toContain(code);
      }
      expect(await outcome(loadImage(file, { decoder: 'builtin' }))).toBe('ok');
    }
  });

  it('random byte damage after the header of a JPEG', async () => {
    const jpeg = await encodeJpeg(naturalImage(96, 64));
    const noise = randomBytes(400, 99);
    for (let trial = 0; trial < 50; trial++) {
      const damaged = Buffer.from(jpeg);
      for (let k = 0; k < 8; k++) {
        const at = 200 + ((noise[trial * 8 + k]! * 257 + trial * 31) % (jpeg.length - 202));
        damaged[at] = noise[(trial * 8 + k + 1) % noise.length]!;
      }
      for (const decoder of ['builtin', 'sharp'] as const) {
        expect(['ok', 'CORRUPT_IMAGE']).toContain(await outcome(loadImage(damaged, { decoder })));
      }
    }
  });
});
