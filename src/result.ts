import type { FaceQuality } from './quality/types.js';
import type { DetectedFace, RgbImage } from './types.js';

/**
 * Milliseconds spent in each stage of one match (both images together).
 *
 * @category Matching
 */
export interface StageTimings {
  /** Reading, sniffing, checking and decoding the images. */
  decode: number;
  /** Face detection. */
  detect: number;
  /** Landmarks and alignment (face to chips). */
  align: number;
  /** Measuring the faces' quality. */
  quality: number;
  /** Embedding the chips. */
  embed: number;
  /** Comparing embeddings and scoring. */
  compare: number;
  /** Wall time of the whole call. */
  total: number;
}

/**
 * What a match learned about one of its two images.
 *
 * @category Matching
 */
export interface FaceReport {
  /** The face used: the one the matcher's face selection picked (by default the largest). */
  face: DetectedFace;
  /** How many faces the image held (at the detector's confidence). */
  faceCount: number;
  /** Image width after EXIF orientation, in the original resolution. */
  imageWidth: number;
  /** Image height after EXIF orientation, in the original resolution. */
  imageHeight: number;
  /** Detected image format. */
  format: 'jpeg' | 'png' | 'webp';
  /** The aligned face chip the embedder saw (RGB, the embedder's input size; a fusion's first part's). */
  chip: RgbImage;
  /** The face's measured quality (see {@link measureFaceQuality}). */
  quality: FaceQuality;
}

/**
 * The provider-neutral answer of `FaceMatcher.match`: both faces, how similar they are, the
 * calibrated score and how long each stage took. Provider formatters (Didit, Attestr) turn it into
 * their JSON.
 *
 * @category Matching
 */
export interface MatchResult {
  /** The first image (Didit `user_image`, Attestr `src`). */
  source: FaceReport;
  /** The second image (Didit `ref_image`, Attestr `targetFront`). */
  target: FaceReport;
  /** Cosine similarity of the two L2-normalised embeddings, −1 to 1. */
  similarity: number;
  /** Euclidean distance of the two L2-normalised embeddings, 0 to 2. */
  distance: number;
  /** Calibrated score 0–100: about 100 × P(same person) on LFW. */
  score: number;
  /** Name of the embedder that produced the embeddings (for example `dlib-resnet`). */
  embedder: string;
  /** Name of the detector that found the faces (for example `blazeface-short`). */
  detector: string;
  /** Per-stage timings in milliseconds. */
  timings: StageTimings;
}
