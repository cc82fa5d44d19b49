/**
 * The contract every face embedder meets.
 * @module
 */
import type { ChipFraming, ChipSize } from '../align/framing.js';
import type { RgbImage } from '../types.js';

/**
 * Turns aligned face chips into identity vectors: two chips of the same person give vectors that
 * are close, chips of different people vectors that are far apart.
 *
 * A **chip** is an {@link RgbImage} of exactly {@link Embedder.inputSize}, cut from the photo by the
 * align stage so that the face sits where the network saw faces during training. Each embedder
 * expects its own framing; a chip framed for another network still embeds, but accuracy drops
 * (on LFW, an unrotated detector-box crop costs the dlib network about five points of accuracy):
 *
 * - `dlib-resnet` (150×150): dlib's 5-point alignment with padding 0.25. The face template is the
 *   unit square of dlib's mean face, grown by 25% on every side, so a template point `p` (0–1)
 *   lands on chip pixel `(p + 0.25) / 1.5 × 150`. Eye centres sit near (0.227, 0.221) and
 *   (0.753, 0.221) of the unit square, the nose tip near (0.490, 0.529), the mouth centre near
 *   (0.490, 0.802): the eyes end up about 47 px from the top of the chip and 53 px apart.
 * - `facenet` (160×160 by default): the MTCNN crop FaceNet models are trained on: the detector's
 *   box grown by a margin (the original FaceNet code evaluates LFW with `--margin 32`: 16 source
 *   pixels on every side), cropped without rotation and resized to the square input.
 *
 * Outputs are L2-normalised, so the squared Euclidean distance of two embeddings is
 * `2 − 2 × cosine similarity`. Embedders hold tfjs tensors: call {@link Embedder.dispose} when done.
 *
 * @category Embedding
 */
export interface Embedder {
  /** Stable name of the network, such as `dlib-resnet` or `facenet`; the bench reports it. */
  readonly name: string;
  /** The chip size {@link Embedder.embed} accepts (always `framing.size`); any other size is refused. */
  readonly inputSize: ChipSize;
  /**
   * How the matcher cuts this embedder's chips from a photo: chip size, alignment template and
   * the points that feed it. A chip cut any other way still embeds, but less accurately.
   */
  readonly framing: ChipFraming;
  /**
   * Hex sha256 of the weights (for a model with several files, of their sorted
   * `name:sha256` lines), when known: part of the pipeline description, cache keys and reports.
   */
  readonly modelSha256?: string;
  /**
   * Every setting besides the weights and the framing that changes the vectors (flip averaging,
   * channel order, normalisation), as a flat record: part of calibration keys, cache keys and
   * reports, so that two differently fed copies of one model are never confused.
   */
  readonly signature?: Readonly<Record<string, string | number | boolean>>;
  /** Length of every embedding (128 for dlib; 128 or 512 for FaceNet conversions). */
  readonly dimension: number;
  /**
   * Embeds a batch of chips, one vector per chip, in order. An empty array gives an empty array.
   *
   * @param chips - RGB chips of exactly {@link Embedder.inputSize}
   * @returns one L2-normalised Float32Array of length {@link Embedder.dimension} per chip
   * @throws FaceMatchError `INVALID_INPUT` (field `chips[i]`) when a chip has the wrong size or
   *   its data length does not match it; `MODEL_ERROR` after {@link Embedder.dispose}
   */
  embed(chips: readonly RgbImage[]): Promise<Float32Array[]>;
  /** Frees the weights. The embedder cannot be used afterwards; calling it twice is harmless. */
  dispose(): void;
}
