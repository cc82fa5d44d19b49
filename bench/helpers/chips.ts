/**
 * Face chips for the embedder tests and benches: centred 150×150 crops of LFW deep-funneled
 * images (the funnelled faces sit roughly in the middle of each 250×250 image), and synthetic chips.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/types.js';
import { configuredLfwDir } from '../lfw/lfw-dir.js';

/**
 * The LFW folder from `FACEMATCH_LFW_DIR`, or undefined when the variable is unset.
 * Throws when it is set but does not hold `lfw-deepfunneled/`.
 */
export function lfwDir(): string | undefined {
  return configuredLfwDir({ pairs: false });
}

/** Path of image `index` (1-based) of `name` in LFW deep-funneled. */
export function lfwImagePath(dir: string, name: string, index: number): string {
  return path.join(dir, 'lfw-deepfunneled', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/** The first `count` people (alphabetically) with at least `minImages` images, and their image counts. */
export function lfwPeople(dir: string, count: number, minImages = 1): { name: string; images: number }[] {
  const root = path.join(dir, 'lfw-deepfunneled');
  const people: { name: string; images: number }[] = [];
  for (const name of readdirSync(root).sort()) {
    const images = readdirSync(path.join(root, name)).filter((f) => f.endsWith('.jpg')).length;
    if (images >= minImages) people.push({ name, images });
    if (people.length === count) break;
  }
  return people;
}

/**
 * A `size`×`size` chip from the centre of an LFW image: the central `crop`×`crop` region
 * (default 150, i.e. no resampling for 150-px chips), resized to `size`.
 */
export async function lfwCentreChip(file: string, size = 150, crop = 150): Promise<RgbImage> {
  const meta = await sharp(file).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const left = Math.floor((width - crop) / 2);
  const top = Math.floor((height - crop) / 2);
  const data = await sharp(file).removeAlpha().extract({ left, top, width: crop, height: crop }).resize(size, size).raw().toBuffer();
  return { width: size, height: size, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * A deterministic pseudo-random chip (xorshift32 noise blended with a colour gradient).
 * test/embed-dlib.test.ts holds face-api's descriptor of `syntheticChip(150, 1)`: changing this
 * function invalidates it.
 */
export function syntheticChip(size: number, seed: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  let s = seed >>> 0 || 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        const gradient = ((x + y * (c + 1) + seed * 37) % 256) / 2;
        data[(y * size + x) * 3 + c] = Math.round(gradient + ((s >>> 0) % 128));
      }
    }
  }
  return { width: size, height: size, data };
}

/** `chip` mirrored left to right. */
export function mirrorChip(chip: RgbImage): RgbImage {
  const data = new Uint8Array(chip.data.length);
  for (let y = 0; y < chip.height; y++) {
    for (let x = 0; x < chip.width; x++) {
      const from = (y * chip.width + x) * 3;
      const to = (y * chip.width + (chip.width - 1 - x)) * 3;
      data[to] = chip.data[from]!;
      data[to + 1] = chip.data[from + 1]!;
      data[to + 2] = chip.data[from + 2]!;
    }
  }
  return { width: chip.width, height: chip.height, data };
}

/** Cosine similarity of two vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
