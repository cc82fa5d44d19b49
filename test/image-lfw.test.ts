import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImage } from '../src/image/index.js';
import { meanAbsDiff } from './fixtures/images.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';

const LFW_DIR = lfwDirOrSkip('image-lfw');

/** The first image of the first people of pairs.txt's View 2 listing, in file order. */
async function lfwImages(count: number): Promise<string[]> {
  const root = path.join(LFW_DIR!, 'lfw-deepfunneled');
  const pairs = path.join(LFW_DIR!, 'pairs.txt');
  if (!existsSync(root) || !existsSync(pairs)) {
    throw new Error(`FACEMATCH_LFW_DIR=${LFW_DIR} should hold lfw-deepfunneled/ and pairs.txt`);
  }
  const files: string[] = [];
  for (const line of (await readFile(pairs, 'utf8')).split('\n').slice(1)) {
    const [name, index] = line.trim().split(/\s+/);
    if (!name || !index || files.length >= count) continue;
    files.push(path.join(root, name, `${name}_${index.padStart(4, '0')}.jpg`));
  }
  return files;
}

describe.skipIf(!LFW_DIR)('LFW photographs', () => {
  it('decode to 250x250 with builtin and sharp, within 3 levels of each other', async () => {
    const files = await lfwImages(12);
    expect(files).toHaveLength(12);
    for (const file of files) {
      const [builtin, sharp] = await Promise.all([loadImage(file, { decoder: 'builtin' }), loadImage(file, { decoder: 'sharp' })]);
      expect([builtin.format, builtin.width, builtin.height, builtin.orientation]).toEqual(['jpeg', 250, 250, 1]);
      expect(meanAbsDiff(builtin.image, sharp.image), file).toBeLessThan(3);
    }
  });

  it('are refused by the didit preset as too small (250 < 480) and accepted by attestr', async () => {
    const [file] = await lfwImages(1);
    await expect(loadImage(file!, { constraints: 'didit', field: 'user_image' })).rejects.toMatchObject({
      code: 'IMAGE_TOO_SMALL',
      message: 'Expected at least 480x480 pixels for user_image but received 250x250',
    });
    await expect(loadImage(file!, { constraints: 'attestr' })).resolves.toMatchObject({ width: 250, height: 250 });
  });
});
