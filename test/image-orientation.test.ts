import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../src/image/index.js';
import { readImageHeader } from '../src/image/header.js';
import {
  colourDistance,
  encodeJpeg,
  exifApp1,
  fromRgb,
  insertJpegSegment,
  QUADRANT_COLOURS,
  quadrantCentres,
  quadrants,
  storedForOrientation,
} from './fixtures/images.js';

/** Upright pattern: wider than tall, four quadrants, 16-pixel aligned so JPEG blocks stay flat. */
const UPRIGHT = quadrants(64, 32);
const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

async function orientedJpeg(orientation: number, byteOrder: 'II' | 'MM'): Promise<Buffer> {
  const stored = await storedForOrientation(UPRIGHT, orientation);
  return insertJpegSegment(await encodeJpeg(stored, 95), exifApp1(orientation, byteOrder));
}

function expectUpright(image: { width: number; height: number; data: Uint8Array }): void {
  expect([image.width, image.height]).toEqual([UPRIGHT.width, UPRIGHT.height]);
  quadrantCentres(image).forEach((colour, q) => {
    expect(colourDistance(colour, QUADRANT_COLOURS[q]!), `quadrant ${q}: got ${colour.join(',')}`).toBeLessThan(12);
  });
}

describe.each(ORIENTATIONS)('EXIF orientation %i', (orientation) => {
  it.each(['II', 'MM'] as const)('the header reads it in %s byte order, with the displayed size', async (order) => {
    const header = readImageHeader(await orientedJpeg(orientation, order));
    expect(header.orientation).toBe(orientation);
    expect([header.width, header.height]).toEqual([UPRIGHT.width, UPRIGHT.height]);
    const swapped = orientation >= 5;
    expect([header.storedWidth, header.storedHeight]).toEqual(swapped ? [32, 64] : [64, 32]);
  });

  it('the fixture is right: sharp/libvips auto-orient shows the upright pattern', async () => {
    const { data, info } = await sharp(await orientedJpeg(orientation, 'MM')).rotate().raw().toBuffer({ resolveWithObject: true });
    expectUpright({ width: info.width, height: info.height, data });
  });

  it.each(['builtin', 'sharp'] as const)('%s decodes it upright, orientation applied once', async (decoder) => {
    for (const order of ['II', 'MM'] as const) {
      const loaded = await loadImage(await orientedJpeg(orientation, order), { decoder });
      expect(loaded.decoder).toBe(decoder);
      expect(loaded.orientation).toBe(orientation);
      expect([loaded.width, loaded.height]).toEqual([64, 32]);
      expectUpright(loaded.image);
    }
  });

  it.each(['builtin', 'sharp'] as const)('%s downscales and orients together (maxSide 32)', async (decoder) => {
    const loaded = await loadImage(await orientedJpeg(orientation, 'II'), { decoder, maxSide: 32 });
    expect([loaded.image.width, loaded.image.height]).toEqual([32, 16]);
    expect(loaded.scale).toBe(0.5);
    quadrantCentres(loaded.image).forEach((colour, q) => expect(colourDistance(colour, QUADRANT_COLOURS[q]!)).toBeLessThan(16));
  });
});

describe('orientation in other containers', () => {
  it('reads the EXIF chunk of a WebP (VP8X) and applies it', async () => {
    const stored = await storedForOrientation(UPRIGHT, 6);
    const webp = await fromRgb(stored).webp({ lossless: true }).withMetadata({ orientation: 6 }).toBuffer();
    expect(readImageHeader(webp)).toMatchObject({ orientation: 6, width: 64, height: 32 });
    for (const decoder of ['builtin', 'sharp'] as const) expectUpright((await loadImage(webp, { decoder })).image);
  });

  it('treats a malformed EXIF block as upright instead of failing', async () => {
    const broken = exifApp1(6, 'II');
    broken.writeUInt32LE(0xfffff0, 4 + 6 + 4); // IFD0 offset far past the end
    const jpeg = insertJpegSegment(await encodeJpeg(UPRIGHT), broken);
    const loaded = await loadImage(jpeg, { decoder: 'builtin' });
    expect(loaded.orientation).toBe(1);
    expectUpright(loaded.image);
  });
});
