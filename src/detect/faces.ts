/**
 * From decoded detections to {@link DetectedFace}s in image pixels.
 * @module
 */
import type { Box, DetectedFace } from '../types.js';
import type { RawDetection } from './decode.js';
import { letterboxToImage, type Letterbox } from './letterbox.js';

/**
 * Maps a detection from model-input coordinates back to the source image: the box is un-letterboxed
 * and clipped to the image, the relative box is the clipped box divided by the image size, and the
 * keypoints are un-letterboxed but not clipped (an ear tragion can lie just outside the frame).
 *
 * @category Detection
 */
export function toDetectedFace(detection: RawDetection, letterbox: Letterbox): DetectedFace {
  const { imageWidth, imageHeight } = letterbox;
  const topLeft = letterboxToImage(letterbox, { x: detection.box.x, y: detection.box.y });
  const bottomRight = letterboxToImage(letterbox, {
    x: detection.box.x + detection.box.width,
    y: detection.box.y + detection.box.height,
  });
  const left = clamp(topLeft.x, imageWidth);
  const top = clamp(topLeft.y, imageHeight);
  const box: Box = { x: left, y: top, width: clamp(bottomRight.x, imageWidth) - left, height: clamp(bottomRight.y, imageHeight) - top };
  return {
    box,
    relativeBox: { x: box.x / imageWidth, y: box.y / imageHeight, width: box.width / imageWidth, height: box.height / imageHeight },
    score: detection.score,
    keypoints: detection.keypoints.map((p) => letterboxToImage(letterbox, p)),
  };
}

/**
 * Orders faces by box area, largest first (a stable sort: equal areas keep their order).
 *
 * @category Detection
 */
export function sortByArea(faces: readonly DetectedFace[]): DetectedFace[] {
  return [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}

function clamp(value: number, max: number): number {
  return Math.min(max, Math.max(0, value));
}
