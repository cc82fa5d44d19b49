/**
 * Embeds benchmark images with a peer library: every distinct image once, through the worker pool,
 * with the same on-disk cache facematch's own run uses, keyed by the peer, its version and its
 * settings.
 * @module
 */
import type { BackendName } from '../../src/runtime/backend.js';
import { packageVersion } from '../../src/runtime/package.js';
import type { Box } from '../../src/types.js';
import { embedThroughPool, type EmbeddedImages } from '../lfw/embed-images.js';
import { cacheKey } from '../lfw/cache.js';
import type { PeerName } from './engine.js';
import { peerPackage } from './packages.js';
import { PEER_DESCRIPTIONS } from './settings.js';

/**
 * What a peer worker is started with.
 *
 * @category Benchmark
 */
export interface PeerWorkerData {
  /** The library to load. */
  peer: PeerName;
  /** The backend to run it on. */
  backend: BackendName;
  /** Folder the image paths are relative to. */
  dataDir: string;
}

/**
 * Per-image milliseconds a peer worker measured: decoding (facematch's `loadImage`), the stages the
 * library exposes, and the whole image.
 *
 * @category Benchmark
 */
export interface PeerTimings {
  /** Reading and decoding the file. */
  decode: number;
  /** Face detection, when the library runs it as a separate call. */
  detect?: number;
  /** Landmarks, alignment and embedding, when the library runs them as a separate call. */
  embed?: number;
  /** The whole image, file to embedding. */
  total: number;
}

/**
 * A peer worker's answer for one image with a face.
 *
 * @category Benchmark
 */
export interface PeerEmbedded {
  /** The library's embedding of the largest face. */
  embedding: Float32Array;
  /** The face's box in pixels. */
  box: Box;
  /** The detector's confidence. */
  score: number;
  /** Faces the library found in the image. */
  faceCount: number;
  /** Stage times. */
  timings: PeerTimings;
  /** Tensors alive in the worker's tfjs after the image. */
  tensors: number;
  /** The worker's thread id. */
  thread: number;
}

/**
 * A peer worker's answer for an image without a face (`NO_FACE`) or that could not be decoded.
 *
 * @category Benchmark
 */
export interface PeerFailed {
  /** The facematch error code and message. */
  error: PeerFailure;
  /** Tensors alive in the worker's tfjs after the image, when it got that far. */
  tensors?: number;
  /** The worker's thread id, when it got that far. */
  thread?: number;
}

/**
 * Why an image has no embedding.
 *
 * @category Benchmark
 */
export interface PeerFailure {
  /** A facematch error code: `NO_FACE`, or the decoder's code. */
  code: string;
  /** What happened. */
  message: string;
}

/**
 * A peer worker's answer for one image.
 *
 * @category Benchmark
 */
export type PeerOutcome = PeerEmbedded | PeerFailed;

/**
 * Options of {@link embedPeerImages}.
 *
 * @category Benchmark
 */
export interface EmbedPeerImagesOptions {
  /** Folder the image paths are relative to. */
  dataDir: string;
  /** Backend; peers run on `wasm` (`auto` means `wasm`). Default `auto`. */
  backend?: BackendName;
  /** Worker threads. Default: one per core. */
  workers?: number;
  /** Cache folder; `false` disables the cache. Default `.cache/facematch`. */
  cacheDir?: string | false;
  /** Print progress. Default true. */
  progress?: boolean;
}

/**
 * The result of {@link embedPeerImages}: the shape of facematch's own embedding run, plus facts
 * about the library.
 *
 * @category Benchmark
 */
export interface EmbeddedPeerImages extends EmbeddedImages {
  /** The library's version. */
  peerVersion: string;
  /** Embedded images (computed now) in which the library found more than one face. */
  multiFaceImages: number;
  /**
   * Largest growth of a worker's live tensor count between the first image it embedded and any
   * later one: 0 unless the library (or the engine) leaks tensors.
   */
  tensorGrowth: number;
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
 * Embeds every image once with a peer library, through a pool of worker threads each holding its
 * own copy of the library, reusing the on-disk cache.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the library is not installed or the cache
 *   cannot be read; the pool's error when a worker cannot start (backend, models).
 * @category Benchmark
 */
export async function embedPeerImages(peer: PeerName, paths: readonly string[], options: EmbedPeerImagesOptions): Promise<EmbeddedPeerImages> {
  const firstTensors = new Map<number, number>();
  let tensorGrowth = 0;
  let multiFaceImages = 0;
  const run = await embedThroughPool<PeerOutcome>(paths, {
    dataDir: options.dataDir,
    cacheKey: peerCacheKey(peer),
    cacheDir: options.cacheDir,
    workers: options.workers,
    workerFile: new URL('./worker.js', import.meta.url),
    workerData: { peer, backend: options.backend ?? 'auto', dataDir: options.dataDir } satisfies PeerWorkerData,
    progress: options.progress === false ? false : `${peer} embedding`,
    onOutcome: (r) => {
      if (r.thread !== undefined && r.tensors !== undefined) {
        const first = firstTensors.get(r.thread);
        if (first === undefined) firstTensors.set(r.thread, r.tensors);
        else tensorGrowth = Math.max(tensorGrowth, r.tensors - first);
      }
      if (!('error' in r) && r.faceCount > 1) multiFaceImages += 1;
    },
  });
  return { ...run, peerVersion: peerPackage(peer).version, multiFaceImages, tensorGrowth };
}
