/**
 * The contract between the peer benchmark's worker and a peer library: one engine per worker
 * thread, holding the library, its tfjs and its models, turning decoded RGB pixels into the
 * embedding of the largest face.
 * @module
 */
import { FaceMatchError } from '../../src/errors.js';
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
