/**
 * Embeds the distinct images of a benchmark once: from the on-disk cache when it holds them, through
 * a pool of worker threads otherwise. Engine-agnostic: the caller names the worker module and the
 * cache key.
 * @module
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Box } from '../../src/types.js';
import { runPool } from './pool.js';
import { EmbeddingCache, hashImage, type CachedEmbedding } from './cache.js';
import { ProgressReporter } from './progress.js';
import { LatencyRecorder } from './stats.js';
import type { StageTimings } from './types.js';

/** One image to embed. */
export interface EmbedJob {
  /** Path relative to the data folder. */
  path: string;
}

/** The result of {@link embedThroughPool}. */
export interface EmbeddedImages {
  /** Per image path: the embedding, or null when no face was found or the image failed. */
  embeddings: Map<string, CachedEmbedding | null>;
  /** Images embedded now (not taken from the cache). */
  computed: number;
  /** Images taken from the cache. */
  cached: number;
  /** Images without a face (or that failed), with the reason. */
  failures: { path: string; code: string; message: string }[];
  /** Wall time of the computed part, in seconds. */
  seconds: number;
  /** Per-stage latency of the computed images. */
  stages: StageTimings;
  /** Worker threads used. */
  workers: number;
}

/**
 * What a pool worker answers per image: an embedding with its face and stage times (a stage the
 * worker does not time is absent), or the error that stopped it.
 */
export type PooledOutcome =
  | { embedding: Float32Array; box: Box; score: number; quality?: Float32Array; timings: Partial<Record<'decode' | 'detect' | 'align' | 'embed' | 'total', number>> }
  | { error: { code: string; message: string } };

/** Options of {@link embedThroughPool}. */
export interface EmbedThroughPoolOptions<TOut> {
  /** Folder the image paths are relative to. */
  dataDir: string;
  /** The cache key-set (see `cacheKey`). */
  cacheKey: string;
  /** Cache folder; `false` disables the cache. Default `.cache/facematch`. */
  cacheDir?: string | false;
  /** Worker threads. Default: one per core. */
  workers?: number;
  /** The worker module, compiled JavaScript. */
  workerFile: URL;
  /** Data every worker starts with. */
  workerData: unknown;
  /** Label of the progress line; `false` prints none. */
  progress: string | false;
  /** Called with each computed outcome, in path order, for extra statistics. */
  onOutcome?: (outcome: TOut) => void;
}

/**
 * Embeds every image once: images whose sha256 is in the cache are taken from it, the rest go
 * through a pool of worker threads; "no face" answers are cached, decode failures are not.
 */
export async function embedThroughPool<TOut extends PooledOutcome>(
  paths: readonly string[],
  options: EmbedThroughPoolOptions<TOut>,
): Promise<EmbeddedImages> {
  const workers = options.workers ?? os.availableParallelism();
  const cache = options.cacheDir === false ? undefined : await EmbeddingCache.open({ key: options.cacheKey, dir: options.cacheDir });
  const hashes = new Map<string, string>();
  const embeddings = new Map<string, CachedEmbedding | null>();
  const failures: EmbeddedImages['failures'] = [];
  const todo: string[] = [];
  for (const p of paths) {
    const hash = hashImage(await readFile(path.join(options.dataDir, p)));
    hashes.set(p, hash);
    const hit = cache?.get(hash);
    if (hit === undefined) todo.push(p);
    else {
      embeddings.set(p, hit);
      if (hit === null) failures.push({ path: p, code: 'NO_FACE', message: 'cached as having no face' });
    }
  }

  const recorder = new LatencyRecorder();
  if (todo.length === 0 && options.progress !== false) {
    process.stderr.write(`${options.progress}: all ${paths.length.toLocaleString('en-US')} images from the cache, none to compute\n`);
  }
  const progress = options.progress === false || todo.length === 0 ? undefined : new ProgressReporter({ total: todo.length, label: options.progress });
  const start = performance.now();
  const results = await runPool<EmbedJob, TOut>(
    options.workerFile,
    todo.map((p) => ({ path: p })),
    { workers, chunkSize: 8, workerData: options.workerData, onProgress: (done) => progress?.update(done) },
  );
  const seconds = (performance.now() - start) / 1000;
  progress?.finish();

  results.forEach((r, i) => {
    const p = todo[i]!;
    options.onOutcome?.(r);
    let value: CachedEmbedding | null;
    if ('error' in r) {
      failures.push({ path: p, code: r.error.code, message: r.error.message });
      value = null;
    } else {
      value = { embedding: r.embedding, box: r.box, score: r.score, ...(r.quality ? { quality: r.quality } : {}) };
      for (const stage of ['decode', 'detect', 'align', 'embed', 'total'] as const) {
        const ms = r.timings[stage];
        if (ms !== undefined) recorder.record(stage, ms);
      }
    }
    embeddings.set(p, value);
    // A decode failure is not cached: only a real "no face" answer is a property of the image.
    if (cache && ('error' in r ? r.error.code === 'NO_FACE' : true)) cache.set(hashes.get(p)!, value);
  });
  await cache?.save();
  return { embeddings, computed: todo.length, cached: paths.length - todo.length, failures, seconds, stages: recorder.summary(), workers };
}
