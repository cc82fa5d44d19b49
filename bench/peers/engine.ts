/**
 * The contract between the benchmark's one worker loop and whatever embeds the images: one
 * {@link BenchEngine} per worker thread, holding a library, its tfjs and its models, turning an
 * image file's bytes into the embedding of its face. facematch itself is an engine (its
 * `FaceMatcher`, created from the options the bench passes as data), and so is each peer library
 * (face-api, human), behind a {@link PeerEngine} that takes the pixels facematch's own
 * `loadImage` decodes, so every peer sees identical pixels.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { FaceMatchError } from '../../src/errors.js';
import { loadImage } from '../../src/image/load.js';
import type { FaceMatcherOptions } from '../../src/matcher-options.js';
import type { BackendName } from '../../src/runtime/backend.js';
import type { Box, RgbImage } from '../../src/types.js';

/**
 * A peer library the benchmark can run.
 *
 * - `face-api`: `@vladmandic/face-api` (SSD MobileNet v1 detector, 68-point landmarks, dlib ResNet 128-D descriptor);
 * - `human`: `@vladmandic/human` (BlazeFace, FaceMesh with iris, FaceRes 1024-D embedding).
 *
 * @category Benchmark
 */
export type PeerName = 'face-api' | 'human';

/**
 * Every {@link PeerName}, in table order.
 *
 * @category Benchmark
 */
export const PEER_NAMES: readonly PeerName[] = Object.freeze(['face-api', 'human']);

/**
 * The face an engine chose in one image (the largest one), with how long each stage took.
 *
 * @category Benchmark
 */
export interface PeerFace {
  /** The library's embedding of the face, as it returns it (not normalised). */
  embedding: Float32Array;
  /** The face's box in image pixels. */
  box: Box;
  /** The detector's confidence for the face. */
  score: number;
  /** Number of faces the library found in the image. */
  faceCount: number;
  /** Milliseconds of the stages the library lets us time separately. */
  timings: PeerStageTimings;
}

/**
 * Per-image milliseconds of the stages a peer exposes. A library that runs its whole face
 * pipeline in one call reports only `total`, measured around that call.
 *
 * @category Benchmark
 */
export interface PeerStageTimings {
  /** Face detection alone. */
  detect?: number;
  /** Everything after detection: landmarks, alignment and the embedding network. */
  embed?: number;
}

/**
 * A peer library loaded in one worker thread.
 *
 * @category Benchmark
 */
export interface PeerEngine {
  /** Which library. */
  readonly peer: PeerName;
  /** The library's version, from its package. */
  readonly version: string;
  /** The tfjs backend running it, as tfjs names it (`wasm`). */
  readonly backend: string;
  /**
   * Embeds the largest face of an image, or answers `null` when the library finds no face.
   * Disposes every tensor it creates.
   */
  embedLargestFace(image: RgbImage): Promise<PeerFace | null>;
  /** Tensors alive in the engine's tfjs, for leak checks. */
  numTensors(): number;
  /** Releases the models. */
  dispose(): void;
}

/**
 * Options every engine is created with (plain data: it crosses into worker threads).
 *
 * @category Benchmark
 */
export interface PeerEngineOptions {
  /** Backend to run on. Peers run on `wasm` (`auto` means `wasm`): their tfjs-node builds need `@tensorflow/tfjs-node`. */
  backend: BackendName;
}

/**
 * Checks that a backend is one the peers can run on and answers the tfjs name to use.
 *
 * @throws {@link FaceMatchError} `BACKEND_ERROR` (field `backend`) for anything but `auto` or `wasm`.
 * @category Benchmark
 */
export function peerBackend(requested: BackendName): 'wasm' {
  if (requested === 'auto' || requested === 'wasm') return 'wasm';
  throw new FaceMatchError(
    'BACKEND_ERROR',
    `expected backend auto or wasm for a peer library, received "${requested}": the peers are benchmarked through their ` +
      'node-wasm builds (their tfjs-node builds need @tensorflow/tfjs-node, which facematch does not require)',
    { field: 'backend' },
  );
}

/**
 * The largest of several boxes by area; the first on a tie. `undefined` for an empty list.
 *
 * @category Benchmark
 */
export function largestIndex(boxes: readonly Box[]): number | undefined {
  let best: number | undefined;
  let bestArea = -Infinity;
  boxes.forEach((b, i) => {
    const area = b.width * b.height;
    if (area > bestArea) {
      bestArea = area;
      best = i;
    }
  });
  return best;
}

/**
 * What a worker builds its engine from: plain data, since it crosses into worker threads. For
 * facematch, the `FaceMatcherOptions` the workers' matchers are created with, passed through
 * unchanged (so a new matcher option reaches the bench without a change here); for a peer, the
 * backend.
 *
 * @category Benchmark
 */
export type EngineSpec = { engine: 'facematch'; matcher: FaceMatcherOptions } | { engine: PeerName; backend: BackendName };

/**
 * Which engine: facematch or a peer library.
 *
 * @category Benchmark
 */
export type EngineName = EngineSpec['engine'];

/**
 * Per-image milliseconds of the stages an engine times. A stage it does not time is absent.
 *
 * @category Benchmark
 */
export type EngineTimings = Partial<Record<'decode' | 'detect' | 'align' | 'embed' | 'total', number>>;

/**
 * The face an engine embedded in one image.
 *
 * @category Benchmark
 */
export interface EngineFace {
  /** The embedding, as the engine returns it (facematch's is L2-normalised, the peers' are not). */
  embedding: Float32Array;
  /** The face's box in image pixels. */
  box: Box;
  /** The detector's confidence for the face. */
  score: number;
  /** Faces found in the image. */
  faceCount: number;
  /** The face's quality vector (`qualityVector`), when the engine measures quality (facematch does). */
  quality?: Float32Array;
  /** Stage times. */
  timings: EngineTimings;
}

/**
 * An engine loaded in one worker thread.
 *
 * @category Benchmark
 */
export interface BenchEngine {
  /** Which engine. */
  readonly name: EngineName;
  /** The library's version. */
  readonly version: string;
  /** The tfjs backend running it, as tfjs names it (`wasm`). */
  readonly backend: string;
  /**
   * Embeds the face of one image file. `field` names the image in errors (its path).
   *
   * @throws {@link FaceMatchError} `NO_FACE` when there is none, or the decoder's error.
   */
  embedFile(bytes: Uint8Array, field: string): Promise<EngineFace>;
  /** Tensors alive in the engine's tfjs, for leak checks. */
  numTensors(): number;
  /** Releases the models. */
  dispose(): void;
}

/**
 * A peer library as a {@link BenchEngine}: decodes the file with facematch's `loadImage` (timed
 * as `decode`), hands the pixels to the library, and answers `NO_FACE` when it finds none.
 *
 * @category Benchmark
 */
export function peerBenchEngine(peer: PeerEngine): BenchEngine {
  return {
    name: peer.peer,
    version: peer.version,
    backend: peer.backend,
    async embedFile(bytes: Uint8Array, field: string): Promise<EngineFace> {
      const start = performance.now();
      const decoded = await loadImage(bytes, { field });
      const decode = performance.now() - start;
      const face = await peer.embedLargestFace(decoded.image);
      const total = performance.now() - start;
      if (face === null) throw new FaceMatchError('NO_FACE', `${peer.peer} found no face in ${field}`, { field });
      return { embedding: face.embedding, box: face.box, score: face.score, faceCount: face.faceCount, timings: { decode, ...face.timings, total } };
    },
    numTensors: () => peer.numTensors(),
    dispose: () => peer.dispose(),
  };
}

/**
 * Creates the engine a spec describes, in this thread.
 *
 * @throws {@link FaceMatchError} `BACKEND_ERROR` when the backend cannot start, `MODEL_ERROR` when
 *   the models cannot be loaded, `INVALID_INPUT` for an unknown engine or bad matcher options.
 * @category Benchmark
 */
export async function createEngine(spec: EngineSpec): Promise<BenchEngine> {
  if (spec.engine === 'facematch') return (await import('./facematch-engine.js')).createFacematchEngine(spec.matcher);
  return peerBenchEngine(await createPeerEngine(spec.engine, { backend: spec.backend }));
}

/**
 * Loads a peer library into this thread and creates its engine.
 *
 * @throws {@link FaceMatchError} `BACKEND_ERROR` when the backend cannot start, `MODEL_ERROR` when
 *   the library's models cannot be loaded.
 * @category Benchmark
 */
export async function createPeerEngine(peer: PeerName, options: PeerEngineOptions): Promise<PeerEngine> {
  switch (peer) {
    case 'face-api':
      return (await import('./face-api-engine.js')).createFaceApiEngine(options);
    case 'human':
      return (await import('./human-engine.js')).createHumanEngine(options);
    default:
      throw new FaceMatchError('INVALID_INPUT', `expected a peer ${PEER_NAMES.join(' or ')}, received "${String(peer)}"`, { field: 'peer' });
  }
}
