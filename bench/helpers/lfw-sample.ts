/**
 * LFW helpers shared by the landmark tests and developer scripts: a deterministic sample of image
 * files and decoding through sharp (a devDependency). LFW is reached only via FACEMATCH_LFW_DIR.
 * @module
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Box, RgbImage } from '../../src/types.js';
import { configuredLfwDir, requireLfwDir } from '../lfw/lfw-dir.js';

/**
 * A face box that fits LFW deep-funneled images (250×250, face centred by the funnelling): the
 * face from brows to chin and ear to ear, roughly what a detector returns. Checked by eye.
 */
export const LFW_FACE_BOX: Readonly<Box> = Object.freeze({ x: 70, y: 70, width: 110, height: 120 });

/**
 * The LFW root from FACEMATCH_LFW_DIR, or undefined when unset. Throws when it is set but does not
 * hold lfw-deepfunneled/, so a wrong path fails loudly instead of skipping.
 */
export async function lfwDir(): Promise<string | undefined> {
  return configuredLfwDir({ pairs: false });
}

/**
 * `count` LFW image paths spread evenly over the alphabetical list of people (first image of each
 * chosen person), so every run uses the same images.
 */
export async function lfwSample(count: number, skip = 0): Promise<string[]> {
  const dir = requireLfwDir({ pairs: false });
  const root = path.join(dir, 'lfw-deepfunneled');
  const people = (await readdir(root)).sort();
  const stride = Math.max(1, Math.floor(people.length / (count + skip)));
  const files: string[] = [];
  for (let i = skip; files.length < count && i * stride < people.length; i += 1) {
    const person = people[i * stride]!;
    files.push(path.join(root, person, `${person}_0001.jpg`));
  }
  return files;
}

/** Decodes an image file to RGB with sharp. */
export async function readLfwImage(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The image mirrored left–right. */
export function flipImage(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const s = (y * width + x) * 3;
      const d = (y * width + (width - 1 - x)) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width, height, data: out };
}

/** A box mirrored left–right in an image of width `width`. */
export function flipBox(box: Box, width: number): Box {
  return { x: width - box.x - box.width, y: box.y, width: box.width, height: box.height };
}
