/**
 * Decode speed of the image intake, per image: a 250×250 JPEG (LFW's size) and a ~2 MP
 * 1728×1152 JPEG, with jimp and with sharp, and with a 640-pixel longest-side downscale
 * (sharp shrinks on load; jimp decodes fully, then area-averages).
 *
 * Run: `npx vitest bench --run bench/micro/decode.bench.ts`. With FACEMATCH_LFW_DIR set, the images are
 * made from a real LFW photograph (the 2 MP one by upscaling it); otherwise they are synthesised.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { bench, describe } from 'vitest';
import { loadImage, type LoadImageOptions } from '../../src/image/index.js';
import type { RgbImage } from '../../src/types.js';
import { configuredLfwDir } from '../lfw/lfw-dir.js';
import { fromRgb, naturalImage } from '../../test/fixtures/images.js';

async function lfwPhoto(dir: string): Promise<Buffer> {
  const root = path.join(dir, 'lfw-deepfunneled');
  const person = (await readdir(root)).sort()[0];
  if (person === undefined) throw new Error(`${root} is empty`);
  const file = (await readdir(path.join(root, person))).sort()[0];
  if (file === undefined) throw new Error(`${path.join(root, person)} is empty`);
  return readFile(path.join(root, person, file));
}

/**
 * Adds deterministic sensor-like grain, so that an upscaled or synthesised picture compresses
 * like a 2 MP camera photo (hundreds of KB at quality 90) rather than like a smooth gradient.
 */
function withGrain(image: RgbImage, amplitude: number): RgbImage {
  const data = new Uint8Array(image.data);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((state >>> 16) / 65536 - 0.5) * 2 * amplitude));
  }
  return { ...image, data };
}

async function upscaled(photo: Buffer, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(photo).resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

const lfwDir = configuredLfwDir({ pairs: false });
const source = lfwDir ? await lfwPhoto(lfwDir) : undefined;
const small = source ?? (await fromRgb(naturalImage(250, 250)).jpeg({ quality: 90 }).toBuffer());
const largePixels = source ? await upscaled(source, 1728, 1152) : naturalImage(1728, 1152);
const large = await fromRgb(withGrain(largePixels, 10)).jpeg({ quality: 90 }).toBuffer();
console.log(`decode bench images from ${source ? 'LFW' : 'synthesised pixels'}: 250x250 ${small.length} bytes, 1728x1152 ${large.length} bytes`);

function decodeBench(name: string, bytes: Buffer, options: LoadImageOptions, time: number): void {
  bench(name, async () => {
    await loadImage(bytes, options);
  }, { time, warmupIterations: 2 });
}

describe('250x250 JPEG', () => {
  decodeBench('jimp', small, { decoder: 'jimp' }, 1500);
  decodeBench('sharp', small, { decoder: 'sharp' }, 1500);
});

describe('1728x1152 JPEG (2 MP)', () => {
  decodeBench('jimp', large, { decoder: 'jimp' }, 3000);
  decodeBench('sharp', large, { decoder: 'sharp' }, 2000);
  decodeBench('jimp, maxSide 640', large, { decoder: 'jimp', maxSide: 640 }, 3000);
  decodeBench('sharp, maxSide 640 (shrink on load)', large, { decoder: 'sharp', maxSide: 640 }, 2000);
});
