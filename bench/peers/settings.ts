/**
 * What each peer runs, as data: the names the reports print and the settings the embedding cache
 * is keyed by. Light on purpose: the main thread reads it without loading the libraries.
 * @module
 */
import type { PeerName } from './engine.js';

/**
 * How a peer library is set up and how reports name it.
 *
 * @category Benchmark
 */
export interface PeerDescription {
  /** Short name for tables, such as `face-api`. */
  label: string;
  /** The pipeline in a few words, for the comparison table. */
  pipeline: string;
  /** The embedding network, for the report's `embedder`. */
  embedder: string;
  /** The detector (and landmarks), for the report's `detector`. */
  detector: string;
  /** Every setting that changes the embeddings; part of the cache key. */
  settings: Readonly<Record<string, unknown>>;
}

/**
 * Settings the human engine changes from the library's defaults (the engine's module notes say
 * why).
 *
 * @category Benchmark
 */
export const HUMAN_SETTINGS = Object.freeze({
  cacheSensitivity: 0,
  warmup: 'none' as const,
  maxDetected: 10,
  disabled: Object.freeze(['body', 'hand', 'object', 'gesture', 'segmentation', 'face.emotion']),
});

/**
 * The face-api detector's options: the library's defaults for `SsdMobilenetv1Options`.
 *
 * @category Benchmark
 */
export const FACE_API_SETTINGS = Object.freeze({
  detector: 'ssdMobilenetv1',
  minConfidence: 0.5,
  maxResults: 100,
  landmarks: 'faceLandmark68Net',
  descriptor: 'faceRecognitionNet',
});

/**
 * Each peer's description.
 *
 * @category Benchmark
 */
export const PEER_DESCRIPTIONS: Readonly<Record<PeerName, PeerDescription>> = Object.freeze({
  'face-api': {
    label: 'face-api',
    pipeline: 'SSD MobileNet v1 → 68 landmarks → dlib ResNet-34 128-D',
    embedder: 'face-api faceRecognitionNet (dlib ResNet-34, 128-D)',
    detector: 'face-api ssdMobilenetv1 (minConfidence 0.5) + faceLandmark68Net',
    settings: { ...FACE_API_SETTINGS, face: 'largest' },
  },
  human: {
    label: 'human',
    pipeline: 'BlazeFace → FaceMesh + iris → FaceRes 1024-D',
    embedder: 'human faceres (1024-D)',
    detector: 'human blazeface + facemesh + iris',
    settings: { ...HUMAN_SETTINGS, face: 'largest' },
  },
});
