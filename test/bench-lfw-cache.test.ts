import { readdir, readFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingCache, cacheKey, hashImage } from '../bench/lfw/cache.js';
import { facematchCacheKey } from '../bench/peers/embed.js';

function hashOf(i: number): string {
  return hashImage(new TextEncoder().encode(`image ${i}`));
}

describe('EmbeddingCache', () => {
  let dir: string;
  const key = cacheKey({ embedder: 'dlib-resnet', detector: 'blazeface-short', align: { pad: 0.25 } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facematch-cache-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the same key whatever the order of the options', () => {
    expect(cacheKey({ b: 1, a: { y: [2, { d: 1, c: 0 }], x: null } })).toBe(cacheKey({ a: { x: null, y: [2, { c: 0, d: 1 }] }, b: 1 }));
    expect(cacheKey({ a: 1 })).not.toBe(cacheKey({ a: 2 }));
  });

  it('gives facematch options that mean the same one key, so bench lfw and bench:compare share entries', () => {
    const defaults = facematchCacheKey({});
    expect(facematchCacheKey({ embedder: 'dlib-resnet', faceSelection: 'largest' })).toBe(defaults);
    expect(facematchCacheKey({ faceSelection: 'center' })).not.toBe(defaults);
    expect(facematchCacheKey({ flip: false })).not.toBe(defaults);
    expect(facematchCacheKey({ minQuality: 20 })).not.toBe(defaults);
  });

  it('round-trips faces, no-face entries and misses through the file', async () => {
    const cache = await EmbeddingCache.open({ key, dir });
    expect(cache.status).toBe('new');
    const embedding = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) / 8);
    cache.set(hashOf(1), { embedding, box: { x: 10.5, y: 20.25, width: 100, height: 120.75 }, score: 0.96875 });
    cache.set(hashOf(2), null);
    embedding[0] = 42; // the cache keeps its own copy
    expect(cache.dirty).toBe(true);
    await cache.save();
    expect(cache.dirty).toBe(false);

    const again = await EmbeddingCache.open({ key, dir });
    expect(again.status).toBe('loaded');
    expect(again.size).toBe(2);
    expect(again.dimension).toBe(128);
    const hit = again.get(hashOf(1))!;
    expect(hit.box).toEqual({ x: 10.5, y: 20.25, width: 100, height: 120.75 });
    expect(hit.score).toBe(0.96875);
    expect(Array.from(hit.embedding)).toEqual(Array.from(Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) / 8)));
    expect(again.get(hashOf(2))).toBeNull();
    expect(again.has(hashOf(2))).toBe(true);
    expect(again.get(hashOf(3))).toBeUndefined();
    // Nothing but the cache file is left in the folder: the temporary file was renamed.
    expect(await readdir(dir)).toEqual([path.basename(again.file)]);
  });

  it('keeps key-sets apart', async () => {
    const other = await EmbeddingCache.open({ key: cacheKey({ embedder: 'faceres' }), dir });
    expect(other.status).toBe('new');
    expect(other.file).not.toBe(EmbeddingCache.fileFor(key, dir));
  });

  it('rejects malformed hashes and embeddings of another length', async () => {
    const cache = await EmbeddingCache.open({ key: 'dims', dir });
    expect(() => cache.set('abc', null)).toThrow(/expected a lowercase hex sha256/);
    cache.set(hashOf(1), { embedding: new Float32Array(4), box: { x: 0, y: 0, width: 1, height: 1 }, score: 1 });
    expect(() => cache.set(hashOf(2), { embedding: new Float32Array(5), box: { x: 0, y: 0, width: 1, height: 1 }, score: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: 'expected an embedding of length 4, received 5' }),
    );
  });

  it('discards a truncated or foreign file instead of returning garbage, and replaces it on save', async () => {
    const cache = await EmbeddingCache.open({ key: 'trunc', dir });
    for (let i = 0; i < 10; i++) cache.set(hashOf(i), { embedding: new Float32Array(8).fill(i), box: { x: i, y: 0, width: 1, height: 1 }, score: 1 });
    await cache.save();
    const size = (await readFile(cache.file)).length;
    await truncate(cache.file, size - 7);
    const broken = await EmbeddingCache.open({ key: 'trunc', dir });
    expect(broken.status).toBe('discarded');
    expect(broken.problem).toMatch(/expected \d+ bytes for 10 entries of dimension 8/);
    expect(broken.size).toBe(0);
    broken.set(hashOf(99), null);
    await broken.save();
    expect((await EmbeddingCache.open({ key: 'trunc', dir })).size).toBe(1);

    await writeFile(EmbeddingCache.fileFor('junk', dir), 'not a cache');
    const junk = await EmbeddingCache.open({ key: 'junk', dir });
    expect(junk.status).toBe('discarded');
    expect(junk.problem).toMatch(/bad magic/);
  });

  it('loads 7,701 entries of 128 floats in milliseconds', async () => {
    const cache = await EmbeddingCache.open({ key: 'lfw-size', dir });
    for (let i = 0; i < 7701; i++) {
      const value = i % 500 === 0 ? null : { embedding: Float32Array.from({ length: 128 }, (_, j) => (i * 128 + j) / 1e6), box: { x: i, y: 1, width: 2, height: 3 }, score: 0.5 };
      cache.set(hashOf(i), value);
    }
    await cache.save();
    const t0 = performance.now();
    const loaded = await EmbeddingCache.open({ key: 'lfw-size', dir });
    const ms = performance.now() - t0;
    console.log(`embedding cache: loaded ${loaded.size} entries (${(await readFile(loaded.file)).length} bytes) in ${ms.toFixed(1)} ms`);
    expect(loaded.size).toBe(7701);
    expect(loaded.get(hashOf(500))).toBeNull();
    expect(loaded.get(hashOf(7700))!.embedding[127]).toBe(Math.fround((7700 * 128 + 127) / 1e6));
    expect(ms).toBeLessThan(500);
  });
});
