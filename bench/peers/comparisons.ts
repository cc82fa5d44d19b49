/**
 * How two embeddings of a peer library are compared. The first comparison of each peer is the one
 * its documentation tells users to use, and gives the peer's headline figures; the others are
 * measured for reference, on the same embeddings.
 *
 * - face-api: `faceapi.euclideanDistance` on the raw 128-D descriptors, a match below 0.6 (its
 *   `FaceMatcher`'s default); the score is the negated distance so that higher means more alike.
 * - human: `human.match.similarity` with its default options (Euclidean distance mapped to 0–1,
 *   clamped and rounded to two decimals), a match above 0.5 (its face-id demo's threshold).
 * @module
 */
import { pathToFileURL } from 'node:url';
import { cosineSimilarity, euclideanDistance } from '../../src/compare/distance.js';
import type { ProviderThresholdInput } from '../lfw/types.js';
import type { PeerName } from './engine.js';
import { peerPackage } from './packages.js';

/**
 * One way of turning two embeddings into a score, higher meaning more alike.
 *
 * @category Benchmark
 */
export interface PeerComparison {
  /** Short id, such as `euclidean`. */
  id: string;
  /** What it computes, for reports. */
  label: string;
  /** The score of a pair of embeddings. */
  score(a: Float32Array, b: Float32Array): number;
  /** The library's documented decision threshold on this score, when it has one. */
  threshold?: ProviderThresholdInput;
}

/** The part of face-api's node-wasm build the comparison uses. */
interface FaceApiMatch {
  euclideanDistance(a: Float32Array | number[], b: Float32Array | number[]): number;
}

/** The part of human's node-wasm build the comparison uses. */
interface HumanMatch {
  match: { similarity(a: number[], b: number[]): number };
}

const cosine: PeerComparison = {
  id: 'cosine',
  label: 'cosine similarity (facematch’s own metric)',
  score: cosineSimilarity,
};

const euclidean: PeerComparison = {
  id: 'euclidean',
  label: 'negated Euclidean distance, unrounded',
  score: (a, b) => -euclideanDistance(a, b),
};

/**
 * The comparisons of a peer, the documented one first. Loads the library's build to use its own
 * comparison function.
 *
 * @category Benchmark
 */
export async function peerComparisons(peer: PeerName): Promise<PeerComparison[]> {
  const build = pathToFileURL(peerPackage(peer).wasmBuild).href;
  if (peer === 'face-api') {
    const faceapi = (await import(build)) as FaceApiMatch;
    return [
      {
        id: 'euclidean',
        label: 'negated faceapi.euclideanDistance (documented)',
        score: (a, b) => -faceapi.euclideanDistance(a, b),
        threshold: { provider: 'face-api FaceMatcher (distance < 0.6)', threshold: -0.6 },
      },
      cosine,
    ];
  }
  const human = (await import(build)) as HumanMatch;
  return [
    {
      id: 'similarity',
      label: 'human.match.similarity, default options (documented)',
      score: (a, b) => human.match.similarity(Array.from(a), Array.from(b)),
      // Similarities are rounded to 0.01, so "> 0.5" is "≥ 0.505" on the harness's "score ≥ threshold" rule.
      threshold: { provider: 'human similarity > 0.5', threshold: 0.505 },
    },
    euclidean,
    cosine,
  ];
}
