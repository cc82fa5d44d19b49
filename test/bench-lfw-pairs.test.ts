import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { findLfw, lfwImagePath, loadPairs, parsePairs } from '../bench/lfw/pairs.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';

function errorOf(fn: () => unknown): FaceMatchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FaceMatchError) return err;
    throw err;
  }
  throw new Error('expected a FaceMatchError, nothing was thrown');
}

describe('parsePairs', () => {
  it('reads a View 2 header, folds in file order, matched then mismatched, with mixed whitespace', () => {
    const text = '2\t1\r\nAnn\t1\t2\r\nAnn  3 Bob\t1\r\n\r\n Carl 2 4 \nDora\t1\tAnn\t1\n\n';
    const file = parsePairs(text);
    expect(file.folds).toBe(2);
    expect(file.perFold).toBe(1);
    expect(file.pairs).toEqual([
      { fold: 0, same: true, a: 'lfw-deepfunneled/Ann/Ann_0001.jpg', b: 'lfw-deepfunneled/Ann/Ann_0002.jpg', line: 2 },
      { fold: 0, same: false, a: 'lfw-deepfunneled/Ann/Ann_0003.jpg', b: 'lfw-deepfunneled/Bob/Bob_0001.jpg', line: 3 },
      { fold: 1, same: true, a: 'lfw-deepfunneled/Carl/Carl_0002.jpg', b: 'lfw-deepfunneled/Carl/Carl_0004.jpg', line: 5 },
      { fold: 1, same: false, a: 'lfw-deepfunneled/Dora/Dora_0001.jpg', b: 'lfw-deepfunneled/Ann/Ann_0001.jpg', line: 6 },
    ]);
    // Distinct images in order of first appearance; Ann_0001 appears twice.
    expect(file.images).toHaveLength(7);
    expect(file.images[0]).toBe('lfw-deepfunneled/Ann/Ann_0001.jpg');
  });

  it('reads a View 1 file (single count) as one fold, in the given image folder', () => {
    const file = parsePairs('2\nA 1 2\nB 1 3\nA 1 B 1\nB 2 C 10\n', { imageDir: 'lfw' });
    expect(file.folds).toBe(1);
    expect(file.perFold).toBe(2);
    expect(file.pairs.map((p) => [p.fold, p.same])).toEqual([
      [0, true],
      [0, true],
      [0, false],
      [0, false],
    ]);
    expect(file.pairs[3]!.b).toBe('lfw/C/C_0010.jpg');
  });

  it('formats image paths with four digits', () => {
    expect(lfwImagePath('Zico', 3)).toBe('lfw-deepfunneled/Zico/Zico_0003.jpg');
    expect(lfwImagePath('George_W_Bush', 530, 'lfw')).toBe('lfw/George_W_Bush/George_W_Bush_0530.jpg');
  });

  it('names the line of a pair of the wrong kind', () => {
    const err = errorOf(() => parsePairs('1\t2\nA 1 2\nA 1 B 1\nA 1 C 1\nB 1 C 1\n', { source: 'my.txt' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.field).toBe('pairs');
    expect(err.message).toBe('my.txt: line 3: expected a matched pair "name n1 n2" (fold 1), received 4 fields "A 1 B 1"');
    expect(err.details).toMatchObject({ line: 3 });
  });

  it('names the line of a malformed mismatched pair, counting blank lines', () => {
    expect(() => parsePairs('1\t1\nA 1 2\n\nA 1 B\n')).toThrow(/line 4: expected a mismatched pair "name1 n1 name2 n2" \(fold 1\), received 3 fields/);
  });

  it('rejects bad headers, bad numbers, path separators, and the wrong number of lines', () => {
    expect(() => parsePairs('')).toThrow(/expected a header line/);
    expect(() => parsePairs('10 300 7\n')).toThrow(/line 1: expected a header "folds<TAB>n" or "n", received 3 fields/);
    expect(() => parsePairs('ten\t1\n')).toThrow(/line 1: expected the number of folds as a positive integer, received "ten"/);
    expect(() => parsePairs('1\t0\n')).toThrow(/line 1: expected the number of pairs of each kind per fold as a positive integer, received "0"/);
    expect(() => parsePairs('1\t1\nA 1 x\nA 1 B 1\n')).toThrow(/line 2: expected an image number as a positive integer, received "x"/);
    expect(() => parsePairs('1\t1\nA 1 0\nA 1 B 1\n')).toThrow(/line 2: expected an image number/);
    expect(() => parsePairs('1\t1\n../x 1 2\nA 1 B 1\n')).toThrow(/line 2: expected a person's name without path separators, received "..\/x"/);
    expect(() => parsePairs('1\t1\nA 1 2\n')).toThrow(/line 2: the file ends after 1 pairs, but the header announces 2/);
    expect(() => parsePairs('1\t1\nA 1 2\nA 1 B 1\nC 1 2\n')).toThrow(/line 4: the header announces 2 pairs .* but the file has 3/);
  });
});

describe('findLfw and loadPairs on a generated folder', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'facematch-lfw-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('explains how to point at the data when neither --data nor FACEMATCH_LFW_DIR is given', async () => {
    await expect(findLfw(undefined, { env: {} })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'data',
      message: expect.stringMatching(/expected --data DIR or the FACEMATCH_LFW_DIR environment variable.*facematch datasets fetch lfw/),
    });
  });

  it('says which part is missing: the folder, pairs.txt, the image folder', async () => {
    await expect(findLfw(path.join(root, 'nope'))).rejects.toThrow(/nope does not exist or is not a folder/);
    const dir = path.join(root, 'partial');
    await mkdir(dir);
    await expect(findLfw(dir)).rejects.toThrow(/expected the pairs file .*pairs\.txt, but it does not exist/);
    await writeFile(path.join(dir, 'pairs.txt'), '1\t1\nA 1 2\nA 1 B 1\n');
    await expect(findLfw(dir)).rejects.toThrow(/expected an image folder lfw-deepfunneled or lfw in/);
  });

  it('detects the plain lfw/ layout, reads FACEMATCH_LFW_DIR, and reports missing images', async () => {
    const dir = path.join(root, 'plain');
    await mkdir(path.join(dir, 'lfw', 'A'), { recursive: true });
    await mkdir(path.join(dir, 'lfw', 'B'), { recursive: true });
    await writeFile(path.join(dir, 'pairs.txt'), '1\t1\nA 1 2\nA 1 B 1\n');
    for (const f of ['A/A_0001.jpg', 'A/A_0002.jpg']) await writeFile(path.join(dir, 'lfw', f), 'x');
    const location = await findLfw(undefined, { env: { FACEMATCH_LFW_DIR: dir } });
    expect(location).toEqual({ dir, pairsPath: path.join(dir, 'pairs.txt'), imageDir: 'lfw' });
    await expect(loadPairs(location)).rejects.toThrow(/references 3 images; 1 are missing from .*, first: lfw\/B\/B_0001\.jpg/);
    await writeFile(path.join(dir, 'lfw', 'B', 'B_0001.jpg'), 'x');
    const loaded = await loadPairs(location);
    expect(loaded.pairs[1]!.b).toBe('lfw/B/B_0001.jpg');
    expect(loaded.location).toBe(location);
  });

  it('prefers lfw-deepfunneled and accepts another pairs file', async () => {
    const dir = path.join(root, 'both');
    await mkdir(path.join(dir, 'lfw'), { recursive: true });
    await mkdir(path.join(dir, 'lfw-deepfunneled'), { recursive: true });
    await writeFile(path.join(dir, 'pairs.txt'), '1\n');
    await writeFile(path.join(root, 'dev.txt'), '1\nA 1 2\nA 1 B 1\n');
    const location = await findLfw(dir, { pairs: path.join(root, 'dev.txt') });
    expect(location.imageDir).toBe('lfw-deepfunneled');
    expect(location.pairsPath).toBe(path.join(root, 'dev.txt'));
    const loaded = await loadPairs(location, false);
    expect(loaded.pairs[0]!.a).toBe('lfw-deepfunneled/A/A_0001.jpg');
  });
});

const lfwDir = lfwDirOrSkip('bench-lfw-pairs');

describe.skipIf(lfwDir === undefined)('the real LFW View 2 pairs.txt (FACEMATCH_LFW_DIR)', () => {
  it('has 6,000 pairs in 10 folds of 300 + 300 over 7,701 images, all present', async () => {
    const loaded = await loadPairs(await findLfw(lfwDir));
    expect(loaded.folds).toBe(10);
    expect(loaded.perFold).toBe(300);
    expect(loaded.pairs).toHaveLength(6000);
    expect(loaded.images).toHaveLength(7701);
    expect(loaded.pairs.filter((p) => p.same)).toHaveLength(3000);
    for (let f = 0; f < 10; f++) expect(loaded.pairs.filter((p) => p.fold === f)).toHaveLength(600);
    expect(loaded.pairs[0]).toEqual({
      fold: 0,
      same: true,
      a: 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0001.jpg',
      b: 'lfw-deepfunneled/Abel_Pacheco/Abel_Pacheco_0004.jpg',
      line: 2,
    });
    const people = new Set(loaded.images.map((p) => p.split('/')[1]));
    expect(people.size).toBe(4281);
  });
});
