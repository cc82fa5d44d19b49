/**
 * Shared data shapes that pass between the stages: images, points, boxes and faces.
 * @module
 */

/**
 * A decoded image: tightly packed 8-bit RGB, row-major, `data.length === width * height * 3`.
 *
 * @category Image
 */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** RGB bytes, three per pixel, rows top to bottom. */
  data: Uint8Array;
}

/**
 * A point in pixel coordinates (x to the right, y down).
 *
 * @category Detection
 */
export interface Point {
  /** Horizontal position. */
  x: number;
  /** Vertical position. */
  y: number;
}

/**
 * An axis-aligned box: top-left corner and size. In pixels, or relative to the image size (0–1)
 * where the field says so.
 *
 * @category Detection
 */
export interface Box {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/**
 * The six BlazeFace keypoints, in this order. "Right" and "left" are the subject's: the right eye
 * appears on the left of an unmirrored photo.
 *
 * @category Detection
 */
export const KEYPOINT_NAMES = Object.freeze(['rightEye', 'leftEye', 'noseTip', 'mouthCenter', 'rightEarTragion', 'leftEarTragion'] as const);

/**
 * Name of one BlazeFace keypoint; see {@link KEYPOINT_NAMES}.
 *
 * @category Detection
 */
export type KeypointName = (typeof KEYPOINT_NAMES)[number];

/**
 * One face found by a detector.
 *
 * @category Detection
 */
export interface DetectedFace {
  /** Bounding box in pixels of the (oriented, possibly downscaled-then-mapped-back) input image. */
  box: Box;
  /** The same box relative to the image size: each value 0–1. */
  relativeBox: Box;
  /** Detector confidence, 0–1. */
  score: number;
  /** The six keypoints in pixels, in {@link KEYPOINT_NAMES} order. */
  keypoints: Point[];
}
