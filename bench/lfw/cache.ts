/**
 * An on-disk cache of face embeddings, so a benchmark re-run (new metrics, new thresholds) does not
 * embed 7,701 images again.
 *
 * Entries are keyed by the sha256 of the image bytes; one file holds every entry of one key-set (the
 * model and options that produced them, see {@link cacheKey}). The file is binary, little-endian:
 *
 * ```
 * "FMCACHE3"                         8 bytes, magic
 * u32  header length H               4 bytes
 * JSON header {key, dim, quality, count}  H bytes, UTF-8, then zero padding to a multiple of 4
 * count records, each:
 *   sha256 of the image              32 bytes
 *   u32  flags (bit 0: a face,        4 bytes
 *        bit 1: its quality)
 *   f32  box x, y, width, height     16 bytes
 *   f32  detection score              4 bytes
 *   f32  quality × Q                  4·Q bytes (the face's quality vector, see quality-vector.ts; NaN when absent)
 *   f32  embedding × dim              4·dim bytes (zeros when there is no face)
 * ```
 *
 * A file of an older format is discarded and rebuilt.
 *
 * Saving writes a temporary file next to the target and renames it over the target, so a crash
 * mid-write leaves the previous file intact. The cache is meant to be owned by one process (the
 * benchmark's main thread; workers send their results to it).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatchError } from '../../src/errors.js';
import type { Box } from '../../src/types.js';
import { QUALITY_VECTOR_LENGTH } from './quality-vector.js';

/**
 * Where caches go when no folder is given, relative to the working directory.
 *
 * @category Benchmark
 */
export const DEFAULT_CACHE_DIR = '.cache/facematch';

const MAGIC = 'FMCACHE3';
const HASH_BYTES = 32;
const Q = QUALITY_VECTOR_LENGTH;
const FIXED_RECORD_BYTES = HASH_BYTES + 4 + 16 + 4 + 4 * Q;

/**
 * The cached result of one image that has a face.
 *
 * @category Benchmark
 */
export interface CachedEmbedding {
  /** The embedding of the chosen face. */
  embedding: Float32Array;
  /** The face's box, as the pipeline reported it (stored as 32-bit floats). */
  box: Box;
  /** The detector's confidence for the face (stored as a 32-bit float). */
  score: number;
  /** The face's quality vector (see `qualityVector`), when the engine measures quality. */
  quality?: Float32Array;
}

/**
 * What an existing cache file turned out to be when opened.
 *
 * - `new`: there was no file;
 * - `loaded`: the file was read;
 * - `discarded`: the file was unreadable or belongs to another key; it is ignored and replaced on
 *   the next save (`problem` says why).
 *
 * @category Benchmark
 */
export type CacheStatus = 'new' | 'loaded' | 'discarded';

/**
 * Options of {@link EmbeddingCache.open}.
 *
 * @category Benchmark
 */
export interface EmbeddingCacheOptions {
  /** The key-set: everything that changes an embedding (model, weights hash, detector, alignment). See {@link cacheKey}. */
  key: string;
  /** Folder of the cache files. Default {@link DEFAULT_CACHE_DIR}. */
  dir?: string;
}

/**
 * A stable string key for a set of options: JSON with object keys sorted at every level, so
 * `{a, b}` and `{b, a}` give the same key.
 *
 * @category Benchmark
 */
export function cacheKey(parts: Record<string, unknown>): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(parts));
}

/**
 * The cache's key for an image: the hex sha256 of its bytes.
 *
 * @category Benchmark
 */
export function hashImage(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkHash(hash: string): void {
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new FaceMatchError('INVALID_INPUT', `expected a lowercase hex sha256 (64 characters) as the cache key, received "${hash}"`, {
      field: 'hash',
    });
  }
}

/** Why a cache file cannot be used. */
class Unreadable extends Error {}

/**
 * Embeddings by image hash, loaded from and saved to one file. `get` answers `undefined` when the
 * image is not cached, `null` when it is cached as having no face.
 *
 * @example
 * ```ts
 * const cache = await EmbeddingCache.open({ key: cacheKey({ embedder: 'dlib-resnet', detector: 'blazeface-short' }) });
 * const hash = hashImage(bytes);
 * let hit = cache.get(hash);
 * if (hit === undefined) cache.set(hash, (hit = await embed(bytes)));
 * await cache.save();
 * ```
 * @category Benchmark
 */
export class EmbeddingCache {
  /** The file the cache is read from and saved to. */
  readonly file: string;
  /** The key-set this cache holds. */
  readonly key: string;
  /** What the file was when opened. */
  readonly status: CacheStatus;
  /** Why the file was discarded, when it was. */
  readonly problem: string | undefined;
  private readonly entries: Map<string, CachedEmbedding | null>;
  private dim: number;
  private changed = false;

  private constructor(file: string, key: string, status: CacheStatus, problem: string | undefined, entries: Map<string, CachedEmbedding | null>, dim: number) {
    this.file = file;
    this.key = key;
    this.status = status;
    this.problem = problem;
    this.entries = entries;
    this.dim = dim;
  }

  /**
   * The cache file of a key-set: `<dir>/embeddings-<first 16 hex of sha256(key)>.bin`.
   */
  static fileFor(key: string, dir: string = DEFAULT_CACHE_DIR): string {
    return path.resolve(dir, `embeddings-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.bin`);
  }

  /**
   * Opens the cache of a key-set, loading its file when there is one. A file that cannot be read
   * as a cache of this key is not an error: it is ignored (`status` `discarded`) and replaced on save.
   *
   * @throws {@link FaceMatchError} `INVALID_INPUT` for an empty key, or when the file exists but
   *   cannot be read (permissions).
   */
  static async open(options: EmbeddingCacheOptions): Promise<EmbeddingCache> {
    if (options.key === '') throw new FaceMatchError('INVALID_INPUT', 'expected a non-empty cache key, received ""', { field: 'key' });
    const file = EmbeddingCache.fileFor(options.key, options.dir);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new EmbeddingCache(file, options.key, 'new', undefined, new Map(), 0);
      throw new FaceMatchError('INVALID_INPUT', `cannot read the embedding cache ${file}: ${(err as Error).message}`, { field: 'cache', cause: err });
    }
    try {
      const { entries, dim } = decode(bytes, options.key);
      return new EmbeddingCache(file, options.key, 'loaded', undefined, entries, dim);
    } catch (err) {
      if (!(err instanceof Unreadable)) throw err;
      return new EmbeddingCache(file, options.key, 'discarded', err.message, new Map(), 0);
    }
  }

  /** Number of cached images. */
  get size(): number {
    return this.entries.size;
  }

  /** Embedding length of the cached faces (0 while no face is cached). */
  get dimension(): number {
    return this.dim;
  }

  /** True when entries were added since the cache was opened or last saved. */
  get dirty(): boolean {
    return this.changed;
  }

  /** The cached result for an image hash: the face, `null` for "no face", `undefined` when not cached. */
  get(hash: string): CachedEmbedding | null | undefined {
    return this.entries.get(hash);
  }

  /** True when the image hash is cached (with or without a face). */
  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  /**
   * Stores the result for an image hash: its face, or `null` when it has none. The embedding is
   * copied.
   *
   * @throws {@link FaceMatchError} `INVALID_INPUT` for a malformed hash or an embedding whose length
   *   differs from the ones already cached.
   */
  set(hash: string, value: CachedEmbedding | null): void {
    checkHash(hash);
    if (value !== null) {
      const n = value.embedding.length;
      if (n === 0 || (this.dim !== 0 && n !== this.dim)) {
        throw new FaceMatchError('INVALID_INPUT', `expected an embedding of length ${this.dim || '> 0'}, received ${n}`, { field: 'embedding' });
      }
      this.dim = n;
      value = {
        embedding: Float32Array.from(value.embedding),
        box: { ...value.box },
        score: value.score,
        ...(value.quality ? { quality: Float32Array.from(value.quality) } : {}),
      };
    }
    this.entries.set(hash, value);
    this.changed = true;
  }

  /**
   * Writes every entry to the cache file: to a temporary file in the same folder first, then
   * renamed over the file, so readers never see a partial file.
   */
  async save(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, encode(this.entries, this.key, this.dim));
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw new FaceMatchError('INVALID_INPUT', `cannot write the embedding cache ${this.file}: ${(err as Error).message}`, { field: 'cache', cause: err });
    }
    this.changed = false;
  }
}

function encode(entries: ReadonlyMap<string, CachedEmbedding | null>, key: string, dim: number): Buffer {
  const header = Buffer.from(JSON.stringify({ key, dim, quality: Q, count: entries.size }), 'utf8');
  const headerEnd = 12 + header.length;
  const start = Math.ceil(headerEnd / 4) * 4;
  const recordBytes = FIXED_RECORD_BYTES + 4 * dim;
  const out = Buffer.alloc(start + entries.size * recordBytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = start;
  for (const [hash, value] of entries) {
    out.write(hash, at, 'hex');
    if (value !== null) {
      view.setUint32(at + 32, value.quality ? 3 : 1, true);
      const { x, y, width, height } = value.box;
      [x, y, width, height, value.score].forEach((v, i) => view.setFloat32(at + 36 + 4 * i, v, true));
      for (let i = 0; i < Q; i++) view.setFloat32(at + 56 + 4 * i, value.quality?.[i] ?? Number.NaN, true);
      for (let i = 0; i < dim; i++) view.setFloat32(at + FIXED_RECORD_BYTES + 4 * i, value.embedding[i]!, true);
    }
    at += recordBytes;
  }
  return out;
}

function decode(bytes: Buffer, key: string): { entries: Map<string, CachedEmbedding | null>; dim: number } {
  if (bytes.length >= 8 && bytes.toString('latin1', 0, 7) === 'FMCACHE' && bytes.toString('latin1', 0, 8) !== MAGIC) {
    throw new Unreadable(`an older cache format (${bytes.toString('latin1', 0, 8)})`);
  }
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new Unreadable('not a facematch embedding cache (bad magic)');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.length) throw new Unreadable('truncated header');
  let header: { key?: unknown; dim?: unknown; quality?: unknown; count?: unknown };
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as typeof header;
  } catch {
    throw new Unreadable('unreadable header');
  }
  const { dim, count } = header;
  if (header.key !== key) throw new Unreadable('the file belongs to another key-set');
  if (header.quality !== Q) throw new Unreadable(`its records hold ${String(header.quality)} quality values where ${Q} are expected`);
  if (!Number.isInteger(dim) || !Number.isInteger(count) || (dim as number) < 0 || (count as number) < 0) throw new Unreadable('bad header');
  const d = dim as number;
  const n = count as number;
  const start = Math.ceil((12 + headerLength) / 4) * 4;
  const recordBytes = FIXED_RECORD_BYTES + 4 * d;
  if (bytes.length !== start + n * recordBytes) {
    throw new Unreadable(`expected ${start + n * recordBytes} bytes for ${n} entries of dimension ${d}, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Map<string, CachedEmbedding | null>();
  for (let r = 0, at = start; r < n; r++, at += recordBytes) {
    const hash = bytes.toString('hex', at, at + HASH_BYTES);
    if ((view.getUint32(at + 32, true) & 1) === 0) {
      entries.set(hash, null);
      continue;
    }
    const f = (i: number): number => view.getFloat32(at + 36 + 4 * i, true);
    const embedding = new Float32Array(d);
    for (let i = 0; i < d; i++) embedding[i] = view.getFloat32(at + FIXED_RECORD_BYTES + 4 * i, true);
    const entry: CachedEmbedding = { embedding, box: { x: f(0), y: f(1), width: f(2), height: f(3) }, score: f(4) };
    if ((view.getUint32(at + 32, true) & 2) !== 0) {
      entry.quality = new Float32Array(Q);
      for (let i = 0; i < Q; i++) entry.quality[i] = view.getFloat32(at + 56 + 4 * i, true);
    }
    entries.set(hash, entry);
  }
  return { entries, dim: d };
}
