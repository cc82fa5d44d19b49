/**
 * Decodes BlazeFace output rows into scored boxes and keypoints.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import { KEYPOINT_NAMES, type Box, type Point } from '../types.js';

/** Values per output row: score logit, box (cx, cy, w, h), then (x, y) per keypoint. */
const ROW_LENGTH = 5 + 2 * KEYPOINT_NAMES.length;

/** MediaPipe's `score_clipping_thresh`: logits are clipped to ±100 before the sigmoid. */
const LOGIT_CLIP = 100;

/**
 * One decoded candidate, before non-max suppression, in coordinates relative to the square model
 * input (0–1; values slightly outside happen near the edges).
 *
 * @category Detection
 */
export interface RawDetection {
  /** Sigmoid of the clipped score logit, 0–1. */
  score: number;
  /** Box relative to the model input. */
  box: Box;
  /** The six keypoints relative to the model input, in `KEYPOINT_NAMES` order. */
  keypoints: Point[];
}

/**
 * The logistic function of a logit clipped to ±100, as MediaPipe scores detections.
 *
 * @category Detection
 */
export function scoreFromLogit(logit: number): number {
  const clipped = Math.min(LOGIT_CLIP, Math.max(-LOGIT_CLIP, logit));
  return 1 / (1 + Math.exp(-clipped));
}

/**
 * Decodes the raw `[anchors, 17]` output of a BlazeFace model. Each row is
 * `[score logit, cx, cy, w, h, x0, y0, …, x5, y5]`; centres and keypoints are offsets in input
 * pixels from the row's anchor centre, sizes are in input pixels (anchors have a fixed size of 1,
 * so the scale is the input size). Rows scoring below `minScore` are dropped.
 *
 * @param raw - the model output, row-major, `anchors.length × 17` values
 * @param anchors - anchor centres relative to the input, in row order (see `generateAnchors`)
 * @param inputSize - side of the square model input, in pixels
 * @param minScore - lowest score kept, 0–1
 * @throws FaceMatchError `MODEL_ERROR` when the output length does not match the anchors
 * @category Detection
 */
export function decodeDetections(raw: ArrayLike<number>, anchors: readonly Point[], inputSize: number, minScore: number): RawDetection[] {
  if (raw.length !== anchors.length * ROW_LENGTH) {
    throw new FaceMatchError(
      'MODEL_ERROR',
      `Expected the detector output to hold ${anchors.length} rows of ${ROW_LENGTH} values (${anchors.length * ROW_LENGTH}) but it holds ${raw.length} values`,
      { field: 'model', details: { expected: anchors.length * ROW_LENGTH, received: raw.length } },
    );
  }
  const detections: RawDetection[] = [];
  for (let row = 0; row < anchors.length; row++) {
    const at = row * ROW_LENGTH;
    const score = scoreFromLogit(raw[at]!);
    if (score < minScore) continue;
    const anchor = anchors[row]!;
    const cx = anchor.x + raw[at + 1]! / inputSize;
    const cy = anchor.y + raw[at + 2]! / inputSize;
    const width = raw[at + 3]! / inputSize;
    const height = raw[at + 4]! / inputSize;
    const keypoints: Point[] = [];
    for (let k = 0; k < KEYPOINT_NAMES.length; k++) {
      keypoints.push({ x: anchor.x + raw[at + 5 + 2 * k]! / inputSize, y: anchor.y + raw[at + 6 + 2 * k]! / inputSize });
    }
    detections.push({ score, box: { x: cx - width / 2, y: cy - height / 2, width, height }, keypoints });
  }
  return detections;
}
