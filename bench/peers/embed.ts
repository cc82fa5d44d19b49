/**
 * Embeds benchmark images with an engine (facematch or a peer library): every distinct image once,
 * through the one worker loop in a pool of threads, with the on-disk cache keyed by everything
 * that changes an embedding.
 * @module
 */
import { describePipeline, type PipelineDescription } from '../../src/matcher.js';
import { resolveFaceMatcherOptions, type FaceMatcherOptions } from '../../src/matcher-options.js';
import { packageVersion } from '../../src/runtime/package.js';
import { embedThroughPool, type EmbeddedImages } from '../lfw/embed-images.js';
import { cacheKey } from '../lfw/cache.js';
import type { EngineFace, EngineSpec, PeerName } from './engine.js';
import { peerPackage } from './packages.js';
import { PEER_DESCRIPTIONS } from './settings.js';

/**
 * What a worker is started with.
 *
 * @category Benchmark
 */
export interface EngineWorkerData {
  /** The engine to build. */
  spec: EngineSpec;
  /** Folder the image paths are relative to. */
  dataDir: string;
}

/**
 * A worker's answer for one image with a face.
 *
 * @category Benchmark
 */
export interface EngineEmbedded extends EngineFace {
  /** Tensors alive in the worker's tfjs after the image. */
  tensors: number;
  /** The worker's thread id. */
  thread: number;
}

/**
 * Why an image has no embedding.
 *
 * @category Benchmark
 */
export interface EngineFailure {
  /** A facematch error code: `NO_FACE`, or the decoder's code. */
  code: string;
  /** What happened. */
  message: string;
}

/**
 * A worker's answer for an image without a face (`NO_FACE`) or that could not be decoded.
 *
 * @category Benchmark
 */
export interface EngineFailed {
  /** The facematch error code and message. */
  error: EngineFailure;
  /** Tensors alive in the worker's tfjs after the image. */
  tensors?: number;
  /** The worker's thread id. */
  thread?: number;
}

/**
 * A worker's answer for one image.
 *
 * @category Benchmark
 */
export type EngineOutcome = EngineEmbedded | EngineFailed;

/**
 * Options of {@link embedWithEngine}.
 *
 * @category Benchmark
 */
export interface EmbedWithEngineOptions {
  /** Folder the image paths are relative to. */
  dataDir: string;
  /** The cache key-set: {@link facematchCacheKey} or {@link peerCacheKey}. */
  cacheKey: string;
  /** Worker threads. Default: one per core. */
  workers?: number;
  /** Cache folder; `false` disables the cache. Default `.cache/facematch`. */
  cacheDir?: string | false;
  /** Label of the progress line; `false` prints none. */
  progress: string | false;
}

/**
 * The result of {@link embedWithEngine}: the embedding run, plus what the workers saw.
 *
 * @category Benchmark
 */
export interface EmbeddedByEngine extends EmbeddedImages {
  /** Embedded images (computed now) in which the engine found more than one face. */
  multiFaceImages: number;
  /**
   * Largest growth of a worker's live tensor count between the first image it embedded and any
   * later one: 0 unless the engine leaks tensors.
   */
  tensorGrowth: number;
}

/**
 * Matcher options with every default filled in, as plain data: a stage instance stands for its
 * `name`. Options spelt differently that mean the same (`{}` and `{ embedder: 'dlib-resnet' }`)
 * give the same object, so `bench lfw` and `bench:compare` share their cache entries.
 */
function resolvedForKey(matcher: FaceMatcherOptions): Record<string, unknown> {
  const resolved = resolveFaceMatcherOptions(matcher) as unknown as Record<string, unknown>;
  const plain = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype) return v;
    const name = (v as { name?: unknown }).name;
    return typeof name === 'string' ? { instance: name } : { instance: (v as object).constructor.name };
  };
  return Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, plain(v)]));
}

/**
 * The cache key-set of facematch run with these matcher options: the options with their defaults
 * filled in, the facematch version, and the pipeline they describe (pass the loaded matcher's
 * `pipeline`, which adds the weights' sha256 and the settings that change the vectors).
 *
 * @category Benchmark
 */
export function facematchCacheKey(matcher: FaceMatcherOptions, pipeline: PipelineDescription = describePipeline(matcher)): string {
  return cacheKey({ matcher: resolvedForKey(matcher), version: packageVersion(), pipeline });
}

/**
 * The cache key-set of a peer: the library, its version, its settings, the decoder and the
 * facematch version (whose `loadImage` decodes the pixels).
 *
 * @category Benchmark
 */
export function peerCacheKey(peer: PeerName): string {
  return cacheKey({
    peer,
    peerVersion: peerPackage(peer).version,
    settings: PEER_DESCRIPTIONS[peer].settings,
    decoder: 'auto',
    facematch: packageVersion(),
  });
}

/**
 * Embeds every image once with the engine a spec describes, through a pool of worker threads each
 * holding its own engine, reusing the on-disk cache.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the cache cannot be read; the pool's error
 *   when a worker cannot start (backend, models).
 * @category Benchmark
 */
export async function embedWithEngine(spec: EngineSpec, paths: readonly string[], options: EmbedWithEngineOptions): Promise<EmbeddedByEngine> {
  const firstTensors = new Map<number, number>();
  let tensorGrowth = 0;
  let multiFaceImages = 0;
  const run = await embedThroughPool<EngineOutcome>(paths, {
    dataDir: options.dataDir,
    cacheKey: options.cacheKey,
    cacheDir: options.cacheDir,
    workers: options.workers,
    workerFile: new URL('./worker.js', import.meta.url),
    workerData: { spec, dataDir: options.dataDir } satisfies EngineWorkerData,
    progress: options.progress,
    onOutcome: (r) => {
      if (r.thread !== undefined && r.tensors !== undefined) {
        const first = firstTensors.get(r.thread);
        if (first === undefined) firstTensors.set(r.thread, r.tensors);
        else tensorGrowth = Math.max(tensorGrowth, r.tensors - first);
      }
      if (!('error' in r) && r.faceCount > 1) multiFaceImages += 1;
    },
  });
  return { ...run, multiFaceImages, tensorGrowth };
}
