import type { RgbImage } from '../types.js';
import { invertSimilarity, type SimilarityTransform } from './similarity.js';

/**
 * Resamples `image` into a `width`×`height` chip through a similarity transform that maps image
 * coordinates to chip coordinates. Coordinates are continuous, with pixel `i` covering `[i, i+1)`.
 * Samples are bilinear; when the chip is smaller than the face in the image, each chip pixel averages
 * a k×k grid of samples (k up to 6) so that large faces are not aliased. Outside the image is black,
 * as in dlib's chip extraction.
 *
 * @param image - source RGB image
 * @param toChip - transform from image pixels to chip pixels
 * @param width - chip width
 * @param height - chip height
 * @category Alignment
 */
export function warpSimilarity(image: RgbImage, toChip: SimilarityTransform, width: number, height: number): RgbImage {
  const inv = invertSimilarity(toChip);
  const step = Math.hypot(inv.a, inv.b); // source pixels per chip pixel
  const k = Math.max(1, Math.min(6, Math.ceil(step - 1e-9)));
  const out = new Uint8Array(width * height * 3);
  const src = image.data;
  const w = image.width;
  const h = image.height;
  const acc = [0, 0, 0];

  const sample = (sx: number, sy: number): void => {
    // Pixel centres sit at integer + 0.5.
    const fx = sx - 0.5;
    const fy = sy - 0.5;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const dx = fx - x0;
    const dy = fy - y0;
    for (let j = 0; j < 2; j += 1) {
      const yy = y0 + j;
      if (yy < 0 || yy >= h) continue;
      const wy = j === 0 ? 1 - dy : dy;
      for (let i = 0; i < 2; i += 1) {
        const xx = x0 + i;
        if (xx < 0 || xx >= w) continue;
        const wgt = wy * (i === 0 ? 1 - dx : dx);
        if (wgt === 0) continue;
        const o = (yy * w + xx) * 3;
        acc[0]! += wgt * src[o]!;
        acc[1]! += wgt * src[o + 1]!;
        acc[2]! += wgt * src[o + 2]!;
      }
    }
  };

  const inv2 = 1 / (k * k);
  for (let v = 0; v < height; v += 1) {
    for (let u = 0; u < width; u += 1) {
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      for (let sj = 0; sj < k; sj += 1) {
        const cy = v + (sj + 0.5) / k;
        for (let si = 0; si < k; si += 1) {
          const cx = u + (si + 0.5) / k;
          sample(inv.a * cx - inv.b * cy + inv.tx, inv.b * cx + inv.a * cy + inv.ty);
        }
      }
      const o = (v * width + u) * 3;
      out[o] = Math.round(acc[0]! * inv2);
      out[o + 1] = Math.round(acc[1]! * inv2);
      out[o + 2] = Math.round(acc[2]! * inv2);
    }
  }
  return { width, height, data: out };
}
