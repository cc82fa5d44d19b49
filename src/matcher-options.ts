import type { Calibration } from './compare/calibration.js';
import type { DetectorModel } from './detect/options.js';
import type { Embedder } from './embed/types.js';
import type { ConstraintPreset, DecoderChoice, ImageConstraints } from './image/types.js';
import type { BackendName } from './runtime/backend.js';

/**
 * How a face is aligned before it is embedded.
 *
 * - `landmarks` (default): the 68-point landmark network refines BlazeFace's box, and the face is
 *   aligned on dlib's mean face (nose, eyes and mouth: landmarks 27–67), the framing the dlib
 *   ResNet was trained on. Most accurate; costs one small network run (~5 ms) per face.
 * - `keypoints`: align BlazeFace's four central keypoints (eyes, nose tip, mouth) on a matching
 *   template. Faster, a little less accurate.
 *
 * @category Matching
 */
export type AlignmentMode = 'landmarks' | 'keypoints';

/**
 * Options of {@link FaceMatcher.create}. Every field is optional; the defaults are documented on
 * each field.
 *
 * @category Matching
 */
export interface FaceMatcherOptions {
  /** tfjs backend: `auto` (default: node when installed, else wasm, else cpu), `node`, `wasm` or `cpu`. */
  backend?: BackendName;
  /**
   * BlazeFace model: `auto` (default: short-range, then full-range when it finds nothing), `short`
   * or `full`. {@link MatchCallOptions.detector} overrides it per image.
   */
  detector?: DetectorModel;
  /** Lowest detector confidence kept, 0–1. Default 0.5. */
  minConfidence?: number;
  /** How faces are aligned. Default `landmarks`. */
  alignment?: AlignmentMode;
  /**
   * The embedder: `dlib-resnet` (default, vendored) or any {@link Embedder} instance, such as a
   * FaceNet model from {@link createFaceNetEmbedder}. An instance you pass stays yours: the matcher
   * does not dispose it.
   */
  embedder?: 'dlib-resnet' | Embedder;
  /**
   * With `dlib-resnet`: also embed the mirrored chip and average the two embeddings. Default `true`:
   * in the alignment experiments on LFW View 2 (bench/experiments) it was the one change that lifted
   * accuracy, AUC and TAR together, for every alignment (landmarks without eyebrows: 98.95% → 99.05%,
   * TAR at FAR 1e-3 95.8% → 96.5%), for one more network run per face. Set `false` for about half
   * the embedding time.
   */
  flip?: boolean;
  /**
   * Similarity-to-score calibration. Default: the one stored for the embedder in
   * `models/manifest.json`; for an embedder without one, the score is `max(0, similarity) × 100`.
   */
  calibration?: Calibration;
  /** Limits every image must meet: a preset (`didit`, `attestr`, `none`) or an object. Default `none`. */
  constraints?: ConstraintPreset | ImageConstraints;
  /** Largest width × height accepted, checked before decoding. Default 50,000,000. */
  maxPixels?: number;
  /**
   * Images whose longer side is above this are scaled down while decoding. Default 1600: faces stay
   * far larger than the 150-pixel chip, and a 12 MP photo decodes several times faster. Boxes and
   * keypoints are always reported in the original pixels.
   */
  maxSide?: number;
  /** Image decoder: `auto` (default: sharp when installed, else jimp), `jimp` or `sharp`. */
  decoder?: DecoderChoice;
  /** Folder holding `manifest.json` and the weights. Default: `modelEnv.modelsDir`. */
  modelsDir?: string;
}

/**
 * Per-call options of {@link FaceMatcher.embed}, {@link FaceMatcher.detect} and {@link FaceMatcher.match}.
 *
 * @category Matching
 */
export interface ImageCallOptions {
  /** Name of the input in errors (`FaceMatchError.field`). Default `image`. */
  field?: string;
  /** BlazeFace model for this image. Default: the matcher's. */
  detector?: DetectorModel;
  /** Constraints for this image. Default: the matcher's. */
  constraints?: ConstraintPreset | ImageConstraints;
}

/**
 * Per-call options of {@link FaceMatcher.match}.
 *
 * @category Matching
 */
export interface MatchCallOptions {
  /** Names of the two inputs in errors. Default `['source', 'target']`. */
  fields?: readonly [string, string];
  /** BlazeFace model for both images, or per image as a pair. Default: the matcher's. */
  detector?: DetectorModel | readonly [DetectorModel, DetectorModel];
  /** Constraints for both images. Default: the matcher's. */
  constraints?: ConstraintPreset | ImageConstraints;
}
