/**
 * Synthetic match data for the provider tests: real RGB chips generated in code and face reports
 * and match results built around them.
 */
import { overallQuality } from '../src/quality/measure.js';
import type { FaceQuality } from '../src/quality/types.js';
import type { FaceReport, MatchResult } from '../src/result.js';
import type { Box, RgbImage } from '../src/types.js';

/** A `size`×`size` RGB chip: a smooth colour gradient with a darker disc, deterministic. */
export function makeChip(size = 150): RgbImage {
  const data = new Uint8Array(size * size * 3);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const inside = (x - c) ** 2 + (y - c) ** 2 < (size / 3) ** 2;
      data[i] = Math.round((255 * x) / (size - 1)) >> (inside ? 1 : 0);
      data[i + 1] = Math.round((255 * y) / (size - 1)) >> (inside ? 1 : 0);
      data[i + 2] = inside ? 40 : 200;
    }
  }
  return { width: size, height: size, data };
}

/** What to vary in a synthetic face report. */
export interface FaceReportSpec {
  /** Faces in the image. Default 1. */
  faceCount?: number;
  /** The face box relative to the image. Default a centred box. */
  relativeBox?: Box;
  /** Detector confidence 0–1. Default 0.98. */
  score?: number;
  /** The face's quality; default a clean face's. */
  quality?: FaceQuality;
  /** Image size. Default 640×480. */
  imageWidth?: number;
  /** Image height. */
  imageHeight?: number;
}

/** A face report with a real 150×150 chip. */
export function makeFaceReport(spec: FaceReportSpec = {}): FaceReport {
  const imageWidth = spec.imageWidth ?? 640;
  const imageHeight = spec.imageHeight ?? 480;
  const relativeBox = spec.relativeBox ?? { x: 0.3, y: 0.2, width: 0.35, height: 0.5 };
  const box = {
    x: relativeBox.x * imageWidth,
    y: relativeBox.y * imageHeight,
    width: relativeBox.width * imageWidth,
    height: relativeBox.height * imageHeight,
  };
  const keypoints = Array.from({ length: 6 }, (_, k) => ({ x: box.x + (box.width * (k + 1)) / 7, y: box.y + box.height / 2 }));
  return {
    face: { box, relativeBox, score: spec.score ?? 0.98, keypoints },
    faceCount: spec.faceCount ?? 1,
    imageWidth,
    imageHeight,
    format: 'jpeg',
    chip: makeChip(),
    quality: spec.quality ?? cleanQuality(),
  };
}

/** The quality of a clean, frontal, well-lit face of LFW size. */
export function cleanQuality(overrides: Partial<FaceQuality['components']> = {}): FaceQuality {
  const components: FaceQuality['components'] = {
    interEyeDistance: 48,
    faceSize: 0.42,
    boxShare: 0.18,
    sharpness: 0.05,
    brightness: 120,
    clipped: 0.01,
    uniformity: 0.85,
    eyeContrast: 0.9,
    pose: { yaw: 3, pitch: 2, roll: 1 },
    roll: 1,
    eyeOpenness: 0.28,
    shapeResidual: 0.045,
    detectorScore: 0.95,
    ...overrides,
  };
  return { overall: overallQuality(components), components };
}

/** A match result with the given calibrated score. */
export function makeMatchResult(score: number, source: FaceReport = makeFaceReport(), target: FaceReport = makeFaceReport()): MatchResult {
  return {
    source,
    target,
    similarity: 0.5,
    distance: 1,
    score,
    embedder: 'dlib-resnet',
    detector: 'blazeface-short',
    timings: { decode: 1, detect: 1, align: 1, quality: 0, embed: 1, compare: 0, total: 4 },
  };
}
