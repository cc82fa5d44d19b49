import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { downscaleArea, fitInside, isSharpAvailable, loadImage, readImageHeader, type DecoderName, type LoadedImage } from '../src/image/index.js';
import type { RgbImage } from '../src/types.js';
import { encodeJpeg, encodePng, fromRgb, meanAbsDiff, naturalImage } from './fixtures/images.js';

const DECODERS: readonly DecoderName[] = ['builtin', 'sharp'];
const PHOTO = naturalImage(320, 240);

async function both(bytes: Uint8Array, options: { maxSide?: number } = {}): Promise<Record<DecoderName, LoadedImage>> {
  const [builtin, sharpLoaded] = await Promise.all(DECODERS.map((decoder) => loadImage(bytes, { ...options, decoder })));
  expect(builtin!.decoder).toBe('builtin');
  expect(sharpLoaded!.decoder).toBe('sharp');
  return { builtin: builtin!, sharp: sharpLoaded! };
}

/** Number of components in a JPEG's SOF0/SOF2 frame header. */
function jpegComponents(jpeg: Buffer): number {
  for (let pos = 2; pos < jpeg.length; ) {
    const marker = jpeg[pos + 1]!;
    if (marker === 0xc0 || marker === 0xc2) return jpeg[pos + 9]!;
    pos += 2 + jpeg.readUInt16BE(pos + 2);
  }
  throw new Error('no SOF');
}

function flat(width: number, height: number, rgb: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

function meanColour(image: RgbImage): [number, number, number] {
  const sum = [0, 0, 0];
  for (let i = 0; i < image.data.length; i++) sum[i % 3]! += image.data[i]!;
  const n = image.width * image.height;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

describe('decoder choice', () => {
  it('auto picks sharp when it is installed (it is a dev dependency here)', async () => {
    expect(await isSharpAvailable()).toBe(true);
    expect((await loadImage(await encodeJpeg(PHOTO))).decoder).toBe('sharp');
  });
});

describe('builtin and sharp give the same pixels', () => {
  it('baseline JPEG (4:2:0): mean abs diff under 3 levels', async () => {
    const jpeg = await fromRgb(PHOTO).jpeg({ quality: 90 }).toBuffer();
    const { builtin, sharp: viaSharp } = await both(jpeg);
    expect(meanAbsDiff(builtin.image, viaSharp.image)).toBeLessThan(3);
    expect(meanAbsDiff(builtin.image, PHOTO)).toBeLessThan(6);
  });

  it('progressive JPEG', async () => {
    const { builtin, sharp: viaSharp } = await both(await fromRgb(PHOTO).jpeg({ quality: 90, progressive: true }).toBuffer());
    expect(meanAbsDiff(builtin.image, viaSharp.image)).toBeLessThan(3);
  });

  it('grayscale (1-component) JPEG becomes R = G = B', async () => {
    const gray = await fromRgb(PHOTO).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer();
    expect(jpegComponents(gray)).toBe(1);
    const { builtin, sharp: viaSharp } = await both(gray);
    for (const { image } of [builtin, viaSharp]) {
      expect([image.width, image.height]).toEqual([320, 240]);
      for (let i = 0; i < image.data.length; i += 997 * 3) {
        expect(image.data[i]).toBe(image.data[i + 1]);
        expect(image.data[i]).toBe(image.data[i + 2]);
      }
    }
    expect(meanAbsDiff(builtin.image, viaSharp.image)).toBeLessThan(1.5);
  });

  it('CMYK JPEG is UNSUPPORTED_FORMAT with both, from the header (the policy: no phone writes it)', async () => {
    const cmyk = await fromRgb(flat(64, 64, [200, 40, 40])).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect(jpegComponents(cmyk)).toBe(4);
    for (const decoder of DECODERS) {
      await expect(loadImage(cmyk, { decoder })).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.stringMatching(/CMYK or YCCK/) });
    }
  });

  it('PNG with alpha is composited over white by both', async () => {
    const width = 40;
    const height = 10;
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // Quarters: opaque red, half-transparent red, fully transparent green, opaque blue.
        const q = Math.floor(x / 10);
        const pixel = [
          [255, 0, 0, 255],
          [255, 0, 0, 128],
          [0, 255, 0, 0],
          [0, 0, 255, 255],
        ][q]!;
        rgba.set(pixel, (y * width + x) * 4);
      }
    }
    const png = await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toBuffer();
    const expected = [
      [255, 0, 0],
      [255, 127, 127],
      [255, 255, 255],
      [0, 0, 255],
    ];
    const { builtin, sharp: viaSharp } = await both(png);
    for (const { image } of [builtin, viaSharp]) {
      expected.forEach((rgb, q) => {
        const i = (5 * width + q * 10 + 5) * 3;
        [0, 1, 2].forEach((c) => expect(Math.abs(image.data[i + c]! - rgb[c]!)).toBeLessThanOrEqual(1));
      });
    }
  });

  it('16-bit PNG is reduced to 8 bits', async () => {
    const png16 = await fromRgb(PHOTO).toColourspace('rgb16').png().toBuffer();
    expect(png16[24]).toBe(16); // IHDR bit depth
    const { builtin, sharp: viaSharp } = await both(png16);
    expect(meanAbsDiff(builtin.image, PHOTO)).toBeLessThan(1);
    expect(meanAbsDiff(viaSharp.image, PHOTO)).toBeLessThan(1);
  });

  it('8-bit PNG is lossless with both', async () => {
    const { builtin, sharp: viaSharp } = await both(await encodePng(PHOTO));
    expect(meanAbsDiff(builtin.image, PHOTO)).toBe(0);
    expect(meanAbsDiff(viaSharp.image, PHOTO)).toBe(0);
  });

  it('WebP lossless is exact and WebP lossy agrees, with both', async () => {
    const lossless = await fromRgb(PHOTO).webp({ lossless: true }).toBuffer();
    const lossy = await fromRgb(PHOTO).webp({ quality: 90 }).toBuffer();
    const exact = await both(lossless);
    expect(meanAbsDiff(exact.builtin.image, PHOTO)).toBe(0);
    expect(meanAbsDiff(exact.sharp.image, PHOTO)).toBe(0);
    const near = await both(lossy);
    expect(meanAbsDiff(near.builtin.image, near.sharp.image)).toBeLessThan(1.5);
    expect(meanAbsDiff(near.builtin.image, PHOTO)).toBeLessThan(6);
  });

  it('WebP with alpha (VP8X + ALPH) is composited over white', async () => {
    const rgba = new Uint8Array(32 * 32 * 4).fill(0); // fully transparent black
    const webp = await sharp(rgba, { raw: { width: 32, height: 32, channels: 4 } }).webp({ lossless: true }).toBuffer();
    const { builtin, sharp: viaSharp } = await both(webp);
    expect(meanColour(builtin.image)).toEqual([255, 255, 255]);
    expect(meanColour(viaSharp.image)).toEqual([255, 255, 255]);
  });

  it('decodes WebP concurrently with the codec initialised once', async () => {
    const webp = await fromRgb(PHOTO).webp({ quality: 80 }).toBuffer();
    const loaded = await Promise.all(Array.from({ length: 6 }, () => loadImage(webp, { decoder: 'builtin' })));
    for (const l of loaded) expect(meanAbsDiff(l.image, loaded[0]!.image)).toBe(0);
  });
});

describe('downscale on decode (maxSide)', () => {
  let big: Buffer;
  beforeAll(async () => {
    big = await fromRgb(naturalImage(1000, 600, 3)).jpeg({ quality: 90 }).toBuffer();
  });

  it('gives the right size and scale with both decoders, and they agree', async () => {
    const { builtin, sharp: viaSharp } = await both(big, { maxSide: 250 });
    for (const loaded of [builtin, viaSharp]) {
      expect([loaded.image.width, loaded.image.height]).toEqual([250, 150]);
      expect([loaded.width, loaded.height]).toEqual([1000, 600]);
      expect(loaded.scale).toBe(0.25);
    }
    expect(meanAbsDiff(builtin.image, viaSharp.image)).toBeLessThan(3);
  });

  it('never enlarges', async () => {
    const loaded = await loadImage(big, { maxSide: 4000, decoder: 'builtin' });
    expect([loaded.image.width, loaded.image.height, loaded.scale]).toEqual([1000, 600, 1]);
  });

  it('rounds the shorter side the same way for both decoders', async () => {
    const odd = await encodeJpeg(naturalImage(333, 500, 5));
    const { builtin, sharp: viaSharp } = await both(odd, { maxSide: 100 });
    expect([builtin.image.width, builtin.image.height]).toEqual([67, 100]);
    expect([viaSharp.image.width, viaSharp.image.height]).toEqual([67, 100]);
    expect(builtin.scale).toBeCloseTo(67 / 333, 10);
  });

  it('fitInside keeps the aspect ratio and the longer side', () => {
    expect(fitInside(1728, 1152, 640)).toEqual({ width: 640, height: 427 });
    expect(fitInside(1152, 1728, 640)).toEqual({ width: 427, height: 640 });
    expect(fitInside(640, 640, 640)).toEqual({ width: 640, height: 640 });
    expect(fitInside(5000, 1, 100)).toEqual({ width: 100, height: 1 });
  });

  it('downscaleArea averages exactly over whole and fractional areas', () => {
    const src: RgbImage = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3) };
    [0, 100, 200, 40].forEach((v, x) => {
      for (let y = 0; y < 2; y++) src.data.fill(v, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
    });
    expect(Array.from(downscaleArea(src, 2, 1).data)).toEqual([50, 50, 50, 120, 120, 120]);
    // 4 -> 3 columns, each 4/3 source pixels wide: [0, 1/3 of 100], [2/3 of 100, 2/3 of 200], [1/3 of 200, 40].
    expect(Array.from(downscaleArea(src, 3, 2).data.subarray(0, 9))).toEqual([25, 25, 25, 150, 150, 150, 80, 80, 80]);
    expect(meanColour(downscaleArea(flat(97, 61, [10, 200, 255]), 13, 7))).toEqual([10, 200, 255]);
  });
});

describe('header dimensions equal decoded dimensions', () => {
  const cases: [string, () => Promise<Buffer>, string][] = [
    ['baseline JPEG', () => fromRgb(naturalImage(123, 77)).jpeg().toBuffer(), 'JPEG'],
    ['progressive JPEG', () => fromRgb(naturalImage(123, 77)).jpeg({ progressive: true }).toBuffer(), 'JPEG'],
    ['PNG', () => encodePng(naturalImage(123, 77)), 'PNG'],
    ['interlaced PNG', () => fromRgb(naturalImage(123, 77)).png({ progressive: true }).toBuffer(), 'PNG'],
    ['WebP lossy', () => fromRgb(naturalImage(123, 77)).webp().toBuffer(), 'VP8 '],
    ['WebP lossless', () => fromRgb(naturalImage(123, 77)).webp({ lossless: true }).toBuffer(), 'VP8L'],
    ['WebP extended', () => sharp(new Uint8Array(123 * 77 * 4).fill(90), { raw: { width: 123, height: 77, channels: 4 } }).webp().toBuffer(), 'VP8X'],
  ];
  it.each(cases)('%s', async (_name, make, container) => {
    const bytes = await make();
    if (container !== 'JPEG' && container !== 'PNG') expect(bytes.toString('latin1', 12, 16)).toBe(container);
    const header = readImageHeader(bytes);
    expect([header.width, header.height]).toEqual([123, 77]);
    const { builtin, sharp: viaSharp } = await both(bytes);
    expect([builtin.image.width, builtin.image.height]).toEqual([header.width, header.height]);
    expect([viaSharp.image.width, viaSharp.image.height]).toEqual([header.width, header.height]);
    expect(meanAbsDiff(builtin.image, viaSharp.image)).toBeLessThan(3);
  });
});
