/**
 * Photometric measures of a face chip: sharpness, exposure and illumination balance, on the face
 * region of a chip cut with dlib's framing (so the region is the same part of every face).
 * @module
 */
import type { RgbImage } from '../types.js';

/**
 * The face region of a {@link DLIB_RESNET_FRAMING} chip, as fractions of the chip side: the unit
 * square of dlib's template (brows to chin, ear to ear) spans 1/6 to 5/6 of the chip; this is its
 * inner part, from the brows to below the mouth and between the outer eye corners.
 */
const REGION = { left: 0.2, right: 0.8, top: 0.2, bottom: 0.82 } as const;

/** What {@link photometry} measures. */
export interface Photometry {
  /** `var(Laplacian(Y)) / var(Y)` over the face region (unitless; about 0.05–0.5 for sharp faces, below 0.02 when blurred). */
  sharpness: number;
  /** Mean luminance of the face region, 0–255. */
  brightness: number;
  /** Share of face-region pixels with luminance ≤ 8 or ≥ 247, 0–1. */
  clipped: number;
  /** Mean luminance of the darker half (left or right) over that of the brighter, 0–1 (1: evenly lit). */
  uniformity: number;
  /**
   * Luminance spread (median absolute deviation) in the two eye areas over that of the face region,
   * for the eye with less, 0 and up: well above 0.3 for visible eyes, near 0 when something
   * uniform (a bar, a hand, dark glasses) covers them.
   */
  eyeContrast: number;
}

/** Where dlib's template puts the eye centres, as fractions of the chip side, and a box around each. */
const EYES = [
  { x: (0.2273 + 0.25) / 1.5, y: (0.2214 + 0.25) / 1.5 },
  { x: (0.7528 + 0.25) / 1.5, y: (0.2212 + 0.25) / 1.5 },
] as const;
const EYE_HALF_WIDTH = 0.08;
const EYE_HALF_HEIGHT = 0.045;

/**
 * The spread of luminance in a box of the chip: the median absolute deviation from the median,
 * which ignores a minority of pixels (the edge of whatever covers the eye) that a standard
 * deviation would count.
 */
function spreadInBox(chip: RgbImage, cx: number, cy: number): number {
  const { width, height, data } = chip;
  const x0 = Math.max(0, Math.round((cx - EYE_HALF_WIDTH) * width));
  const x1 = Math.min(width, Math.round((cx + EYE_HALF_WIDTH) * width));
  const y0 = Math.max(0, Math.round((cy - EYE_HALF_HEIGHT) * height));
  const y1 = Math.min(height, Math.round((cy + EYE_HALF_HEIGHT) * height));
  const values = new Float32Array(Math.max(0, (x1 - x0) * (y1 - y0)));
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0, i = (y * width + x0) * 3; x < x1; x++, i += 3) values[n++] = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  }
  return medianAbsoluteDeviation(values.subarray(0, n));
}

function medianAbsoluteDeviation(values: Float32Array): number {
  if (values.length === 0) return 0;
  const sorted = Float32Array.from(values).sort();
  const median = sorted[sorted.length >> 1]!;
  for (let i = 0; i < sorted.length; i++) sorted[i] = Math.abs(sorted[i]! - median);
  sorted.sort();
  return sorted[sorted.length >> 1]!;
}

/**
 * Measures a chip cut with dlib's framing (any side; 150 in the default pipeline). One pass to
 * luminance, one for the Laplacian: about 0.1 ms for 150×150.
 *
 * @param chip - RGB chip in dlib's framing
 */
export function photometry(chip: RgbImage): Photometry {
  const { width, height, data } = chip;
  const x0 = Math.round(REGION.left * width);
  const x1 = Math.round(REGION.right * width);
  const y0 = Math.round(REGION.top * height);
  const y1 = Math.round(REGION.bottom * height);
  const w = x1 - x0;
  const h = y1 - y0;
  const grey = new Float32Array(w * h);
  let sum = 0;
  let sumSq = 0;
  let clipped = 0;
  let leftSum = 0;
  let rightSum = 0;
  const mid = w / 2;
  for (let y = 0; y < h; y++) {
    let i = ((y0 + y) * width + x0) * 3;
    for (let x = 0; x < w; x++, i += 3) {
      const v = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      grey[y * w + x] = v;
      sum += v;
      sumSq += v * v;
      if (v <= 8 || v >= 247) clipped++;
      if (x < mid) leftSum += v;
      else rightSum += v;
    }
  }
  const n = w * h;
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean);
  // 4-neighbour Laplacian over the interior of the region.
  let lapSum = 0;
  let lapSq = 0;
  let m = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const k = y * w + x;
      const lap = grey[k - 1]! + grey[k + 1]! + grey[k - w]! + grey[k + w]! - 4 * grey[k]!;
      lapSum += lap;
      lapSq += lap * lap;
      m++;
    }
  }
  const lapMean = lapSum / m;
  const lapVar = Math.max(0, lapSq / m - lapMean * lapMean);
  const halves = Math.ceil(mid) * h;
  const left = leftSum / halves;
  const right = rightSum / (n - halves);
  const bright = Math.max(left, right);
  const faceSpread = medianAbsoluteDeviation(grey);
  const eyeSpread = Math.min(spreadInBox(chip, EYES[0].x, EYES[0].y), spreadInBox(chip, EYES[1].x, EYES[1].y));
  return {
    eyeContrast: faceSpread > 1e-3 ? eyeSpread / faceSpread : 0,
    sharpness: variance > 1e-6 ? lapVar / variance : 0,
    brightness: mean,
    clipped: clipped / n,
    uniformity: bright > 0 ? Math.min(left, right) / bright : 1,
  };
}
