/**
 * Non-max suppression of overlapping detections: MediaPipe's weighted blending, or plain (hard).
 * @module
 */
import type { Box, Point } from '../types.js';
import type { RawDetection } from './decode.js';

/**
 * How overlapping detections of one face are merged.
 *
 * - `weighted` (default): MediaPipe's `WEIGHTED` suppression. The best-scoring detection and every
 *   detection overlapping it above the IoU threshold are averaged, weighted by score (box and
 *   keypoints); the merged face keeps the best score.
 * - `hard`: classic NMS. The best-scoring detection is kept as it is; the ones overlapping it are
 *   dropped.
 *
 * Both find the same faces (the clusters are the same); they differ only in where the box and
 * keypoints land. Weighted is steadier: on 400 LFW images (`bench/scripts/detect-nms.ts`, short-range) the
 * keypoints moved by 0.029 inter-eye distances (RMS) over small shifts and rescales of the image,
 * against 0.034 with hard NMS, and disagreed with the mirrored image's by 0.061 against 0.071
 * (full-range: 0.032 vs 0.038 and 0.070 vs 0.073).
 *
 * @category Detection
 */
export type SuppressionMethod = 'weighted' | 'hard';

/**
 * Intersection over union of two boxes; 0 when either box is empty.
 *
 * @category Detection
 */
export function intersectionOverUnion(a: Box, b: Box): number {
  const areaA = Math.max(0, a.width) * Math.max(0, a.height);
  const areaB = Math.max(0, b.width) * Math.max(0, b.height);
  if (areaA === 0 || areaB === 0) return 0;
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (areaA + areaB - inter);
}

/** The score-weighted mean of a cluster's boxes and keypoints, with the best member's score. */
function blend(cluster: readonly RawDetection[]): RawDetection {
  const best = cluster[0]!;
  if (cluster.length === 1) return best;
  const total = cluster.reduce((sum, d) => sum + d.score, 0);
  const mean = (pick: (d: RawDetection) => number): number => cluster.reduce((sum, d) => sum + pick(d) * d.score, 0) / total;
  const box: Box = { x: mean((d) => d.box.x), y: mean((d) => d.box.y), width: mean((d) => d.box.width), height: mean((d) => d.box.height) };
  const keypoints: Point[] = best.keypoints.map((_, k) => ({ x: mean((d) => d.keypoints[k]!.x), y: mean((d) => d.keypoints[k]!.y) }));
  return { score: best.score, box, keypoints };
}

/**
 * Suppresses overlapping detections. Greedy, best score first: the best remaining detection
 * claims every remaining detection whose IoU with it is above `iouThreshold`; the claimed group
 * becomes one face (see {@link SuppressionMethod}). Returns at most `maxDetections` faces, best
 * score first.
 *
 * @param detections - candidates in any order (not modified)
 * @param iouThreshold - overlap above which two detections are the same face, 0–1
 * @param method - `weighted` (default) or `hard`
 * @param maxDetections - most faces returned (default: all)
 * @category Detection
 */
export function nonMaxSuppression(
  detections: readonly RawDetection[],
  iouThreshold: number,
  method: SuppressionMethod = 'weighted',
  maxDetections = Number.POSITIVE_INFINITY,
): RawDetection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const kept: RawDetection[] = [];
  while (remaining.length > 0 && kept.length < maxDetections) {
    const best = remaining[0]!;
    const cluster: RawDetection[] = [];
    const rest: RawDetection[] = [];
    for (const d of remaining) (d === best || intersectionOverUnion(d.box, best.box) > iouThreshold ? cluster : rest).push(d);
    kept.push(method === 'weighted' ? blend(cluster) : best);
    remaining = rest;
  }
  return kept;
}
