import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../src/image/png-decode.js';
import { downscaleArea } from '../src/image/resize.js';
import { readPngStructure } from '../src/image/png-structure.js';
import type { RgbImage } from '../src/types.js';
import { buildPng, chunk, lcg, type Filter } from './image-fixtures.js';

/** sharp's pixels for a PNG, the way the sharp decoder asks for them. */
async function viaSharp(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png, { ignoreIcc: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `byte ${i} (pixel ${Math.floor(i / 3)}, channel ${i % 3}): ours ${a[i]}, sharp ${b[i]}`;
  }
  return 'none';
}

async function expectSameAsSharp(png: Buffer): Promise<void> {
  const ours = await decodePng(readPngStructure(png));
  const theirs = await viaSharp(png);
  expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
  expect(firstDifference(ours.data, theirs.data)).toBe('none');
}

const DEPTHS: [number, number[]][] = [
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
];
const FILTERS: Filter[] = [0, 1, 2, 3, 4, 'mixed'];
const CASES = DEPTHS.flatMap(([colourType, depths]) =>
  depths.flatMap((bitDepth) => [false, true].flatMap((interlaced) => FILTERS.map((filter) => ({ colourType, bitDepth, interlaced, filter })))),
);

/** A palette of `entries` colours. */
function palette(entries: number, seed: number): Buffer {
  const next = lcg(seed);
  return chunk('PLTE', Uint8Array.from({ length: entries * 3 }, () => next() & 0xff));
}

describe('the built-in PNG decoder matches sharp pixel for pixel', () => {
  it.each(CASES)('colour type $colourType, $bitDepth-bit, interlaced $interlaced, filter $filter', async ({ colourType, bitDepth, interlaced, filter }) => {
    const max = 2 ** bitDepth - 1;
    const next = lcg(colourType * 1000 + bitDepth * 10 + (interlaced ? 1 : 0));
    const entries = Math.min(256, 2 ** bitDepth);
    const alpha = colourType === 4 || colourType === 6;
    // Smooth-ish values with noise (so every filter predicts something), alpha sweeping 0..max.
    const sample = (x: number, y: number, c: number): number => {
      if (colourType === 3) return (x * 3 + y * 5 + (next() % 3)) % entries;
      if (alpha && c === (colourType === 4 ? 1 : 3)) return x === 0 ? 0 : x === 1 ? max : next() % (max + 1);
      return Math.min(max, Math.floor(((x + y + c) / 40) * max) + (next() % Math.max(1, (max >> 3) + 1)));
    };
    const before = colourType === 3 ? [palette(entries, bitDepth)] : [];
    await expectSameAsSharp(buildPng({ width: 37, height: 23, bitDepth, colourType, interlaced, filter, sample, before }));
  });

  it('palette with tRNS alpha (some entries, fewer than the palette)', async () => {
    const trns = chunk('tRNS', Uint8Array.from([0, 64, 128, 200, 255, 3]));
    const next = lcg(5);
    for (const interlaced of [false, true]) {
      await expectSameAsSharp(
        buildPng({ width: 30, height: 17, bitDepth: 8, colourType: 3, interlaced, filter: 'mixed', sample: () => next() % 12, before: [palette(12, 9), trns] }),
      );
    }
  });

  it('palette indices past the palette are black, as in sharp', async () => {
    await expectSameAsSharp(buildPng({ width: 8, height: 2, bitDepth: 8, colourType: 3, sample: (x) => x * 30, before: [palette(3, 1)] }));
  });

  it('grey and RGB tRNS colour keys at every depth become white', async () => {
    for (const bitDepth of [1, 2, 4, 8, 16]) {
      const max = 2 ** bitDepth - 1;
      const key = Math.floor(max / 3) || 1;
      const keyChunk = chunk('tRNS', Uint8Array.from([key >> 8, key & 0xff]));
      await expectSameAsSharp(buildPng({ width: 19, height: 7, bitDepth, colourType: 0, sample: (x, y) => (x + y) % (max + 1), before: [keyChunk] }));
    }
    for (const bitDepth of [8, 16]) {
      const key = [bitDepth === 16 ? 0x1234 : 12, bitDepth === 16 ? 0x5678 : 34, bitDepth === 16 ? 0x9abc : 56];
      const rgbKey = chunk('tRNS', Uint8Array.from(key.flatMap((v) => [v >> 8, v & 0xff])));
      await expectSameAsSharp(
        buildPng({ width: 9, height: 5, bitDepth, colourType: 2, sample: (x, y, c) => ((x + y) % 2 === 0 ? key[c]! : (x * 40 + c) % (bitDepth === 16 ? 65536 : 256)), before: [rgbKey] }),
      );
    }
  });

  it('16-bit samples keep the high byte, as sharp does (every value)', async () => {
    await expectSameAsSharp(buildPng({ width: 256, height: 256, bitDepth: 16, colourType: 0, sample: (x, y) => y * 256 + x }));
  });

  it('8-bit alpha over white for every value × alpha pair', async () => {
    await expectSameAsSharp(buildPng({ width: 256, height: 256, bitDepth: 8, colourType: 4, sample: (x, y, c) => (c === 0 ? y : x) }));
  });

  it('a 1x1 image and a 1-pixel-wide interlaced image', async () => {
    await expectSameAsSharp(buildPng({ width: 1, height: 1, bitDepth: 8, colourType: 2, sample: (_x, _y, c) => c * 100 }));
    await expectSameAsSharp(buildPng({ width: 1, height: 9, bitDepth: 4, colourType: 0, interlaced: true, sample: (_x, y) => y }));
  });
});

describe('downscaling while decoding', () => {
  it('gives exactly the pixels of decoding whole and then area-averaging, for any ratio', async () => {
    const next = lcg(3);
    const png = buildPng({ width: 211, height: 157, bitDepth: 8, colourType: 2, filter: 'mixed', sample: (x, y, c) => (x * 3 + y * 5 + c * 40 + (next() % 9)) & 0xff });
    const structure = readPngStructure(png);
    const whole = await decodePng(structure);
    for (const [w, h] of [[100, 74], [211, 1], [1, 157], [53, 39], [210, 156], [7, 157]] as const) {
      const streamed = await decodePng(structure, { width: w, height: h });
      expect([streamed.width, streamed.height]).toEqual([w, h]);
      expect(firstDifference(streamed.data, downscaleArea(whole, w, h).data)).toBe('none');
    }
  });

  it('an interlaced PNG is decoded whole, then area-averaged', async () => {
    const png = buildPng({ width: 64, height: 40, bitDepth: 8, colourType: 0, interlaced: true, sample: (x, y) => (x * 4 + y) & 0xff });
    const structure = readPngStructure(png);
    const shrunk = await decodePng(structure, { width: 32, height: 20 });
    expect(firstDifference(shrunk.data, downscaleArea(await decodePng(structure), 32, 20).data)).toBe('none');
  });
});
