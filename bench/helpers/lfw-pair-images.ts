/**
 * Shared by the detection benches: the distinct images of an LFW pairs file, and decoding with sharp.
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/types.js';
import { requireLfwDir } from '../lfw/lfw-dir.js';

/** The LFW folder from FACEMATCH_LFW_DIR; throws when it is unset or wrong. */
export function lfwDir(): string {
  return requireLfwDir();
}

/** Paths of the distinct images named by a pairs.txt (View 2 format), in first-seen order. */
export async function pairImages(dir: string): Promise<string[]> {
  const lines = (await readFile(path.join(dir, 'pairs.txt'), 'utf8')).trim().split('\n').slice(1);
  const seen = new Set<string>();
  const file = (name: string, n: string): string =>
    path.join(dir, 'lfw-deepfunneled', name, `${name}_${n.padStart(4, '0')}.jpg`);
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    const pair = f.length === 3 ? [file(f[0]!, f[1]!), file(f[0]!, f[2]!)] : [file(f[0]!, f[1]!), file(f[2]!, f[3]!)];
    for (const p of pair) seen.add(p);
  }
  return [...seen];
}

/** Decodes an image file (or an encoded buffer) to RGB with sharp. */
export async function decodeRgb(input: string | Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(input).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
