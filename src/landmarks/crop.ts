/**
 * The square face crop the landmark network reads, and the way back from its outputs to image
 * pixels. Pure functions on plain arrays: no tensors, so the cost does not depend on image size.
 *
 * Coordinates are continuous pixel coordinates: pixel (i, j) covers [i, i + 1) × [j, j + 1), so
 * its centre is (i + 0.5, j + 0.5) and an image of width W spans x ∈ [0, W].
 * @module
 */
import { FaceMatchError } from '../errors.js';
import type { Box, Point, RgbImage } from '../types.js';

/**
 * How the square region the landmark network sees is derived from a detector's face box.
 * The region is a square of side `scale × max(box.width, box.height)` centred on the box centre
 * moved down by `shiftY × box.height`.
 *
 * @category Landmarks
 */
export interface LandmarkCropOptions {
  /** Side of the square as a multiple of the box's larger side. Must be in (0, 4]. */
  scale?: number;
  /** Downward shift of the square's centre as a fraction of the box height (negative moves it up). Must be in [-1, 1]. */
  shiftY?: number;
}

/**
 * The crop used when none is given: a square of 1.2 × the box's larger side on the box centre.
 *
 * Chosen for BlazeFace short-range boxes by label-free stability on 50 LFW images
 * (`bench/scripts/landmarks-crop.ts`, scales 1.0–1.5 × shifts −0.1…0.1): with mirror averaging, the
 * landmarks of the mirrored image (BlazeFace run on it) differ from the original's by 0.87% of the
 * inter-ocular distance, and moving the box by 5% of its side moves them by 1.14%; the best of the
 * 30 settings scored 0.85% and 1.14%, scale 1.0 scored 1.13% and 1.51%, scale 1.5 1.23% and 1.67%.
 * Without mirror averaging the box-move figure is also lowest here (1.53%).
 *
 * @category Landmarks
 */
export const DEFAULT_LANDMARK_CROP: Readonly<Required<LandmarkCropOptions>> = Object.freeze({ scale: 1.2, shiftY: 0 });

/**
 * Checks and completes crop options.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `crop`) for a value out of range
 * @internal
 */
export function resolveCrop(options: LandmarkCropOptions = {}): Required<LandmarkCropOptions> {
  const scale = options.scale ?? DEFAULT_LANDMARK_CROP.scale;
  const shiftY = options.shiftY ?? DEFAULT_LANDMARK_CROP.shiftY;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 4) {
    throw new FaceMatchError('INVALID_INPUT', `Expected crop.scale to be a number in (0, 4] but received ${String(scale)}`, {
      field: 'crop',
    });
  }
  if (typeof shiftY !== 'number' || !Number.isFinite(shiftY) || shiftY < -1 || shiftY > 1) {
    throw new FaceMatchError('INVALID_INPUT', `Expected crop.shiftY to be a number in [-1, 1] but received ${String(shiftY)}`, {
      field: 'crop',
    });
  }
  return { scale, shiftY };
}

/**
 * The square region (in image pixels) that the network sees for a face box.
 * @internal
 */
export function squareRegion(box: Box, crop: Required<LandmarkCropOptions>): Box {
  const side = crop.scale * Math.max(box.width, box.height);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2 + crop.shiftY * box.height;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Most samples per output pixel along each axis: bounds the cost for very large faces. */
const MAX_SUPERSAMPLING = 4;

/**
 * Where the samples of one axis fall: for output index i and sub-sample s (entry i·k + s), the two
 * neighbouring source positions (as offsets) and their bilinear weights, both 0 when the sample lies
 * outside the image.
 */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  wLo: Float32Array;
  wHi: Float32Array;
}

function axisTaps(start: number, step: number, size: number, k: number, length: number, stride: number): AxisTaps {
  const n = size * k;
  const taps: AxisTaps = { lo: new Int32Array(n), hi: new Int32Array(n), wLo: new Float32Array(n), wHi: new Float32Array(n) };
  const sub = step / k;
  for (let i = 0; i < size; i += 1) {
    for (let s = 0; s < k; s += 1) {
      const u = start + i * step + (s + 0.5) * sub;
      if (u < 0 || u > length) continue;
      const f = Math.min(Math.max(u - 0.5, 0), length - 1);
      const lo = Math.floor(f);
      const t = f - lo;
      const e = i * k + s;
      taps.lo[e] = lo * stride;
      taps.hi[e] = Math.min(lo + 1, length - 1) * stride;
      taps.wLo[e] = 1 - t;
      taps.wHi[e] = t;
    }
  }
  return taps;
}

/**
 * Samples the square `region` of `image` into `out` at `offset` as `size × size` RGB floats (0–255,
 * row-major, three per pixel). Bilinear, with `k × k` supersampling per output pixel when shrinking
 * (k = ⌈region side / size⌉, at most 4) so that large faces are averaged rather than aliased.
 * Samples that fall outside the image are black (0), like face-api's zero padding.
 * @internal
 */
export function sampleSquare(image: RgbImage, region: Box, size: number, out: Float32Array, offset: number): void {
  const { width: w, height: h, data } = image;
  const step = region.width / size;
  const k = Math.min(MAX_SUPERSAMPLING, Math.max(1, Math.ceil(step - 1e-6)));
  const xs = axisTaps(region.x, step, size, k, w, 3);
  const ys = axisTaps(region.y, step, size, k, h, w * 3);
  const norm = 1 / (k * k);
  let o = offset;
  for (let j = 0; j < size; j += 1) {
    for (let i = 0; i < size; i += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = j * k; sy < (j + 1) * k; sy += 1) {
        const wy0 = ys.wLo[sy]!;
        const wy1 = ys.wHi[sy]!;
        if (wy0 === 0 && wy1 === 0) continue;
        const row0 = ys.lo[sy]!;
        const row1 = ys.hi[sy]!;
        for (let sx = i * k; sx < (i + 1) * k; sx += 1) {
          const wx0 = xs.wLo[sx]!;
          const wx1 = xs.wHi[sx]!;
          const a = row0 + xs.lo[sx]!;
          const bb = row0 + xs.hi[sx]!;
          const c = row1 + xs.lo[sx]!;
          const d = row1 + xs.hi[sx]!;
          const wa = wy0 * wx0;
          const wb = wy0 * wx1;
          const wc = wy1 * wx0;
          const wd = wy1 * wx1;
          r += data[a]! * wa + data[bb]! * wb + data[c]! * wc + data[d]! * wd;
          g += data[a + 1]! * wa + data[bb + 1]! * wb + data[c + 1]! * wc + data[d + 1]! * wd;
          b += data[a + 2]! * wa + data[bb + 2]! * wb + data[c + 2]! * wc + data[d + 2]! * wd;
        }
      }
      out[o] = r * norm;
      out[o + 1] = g * norm;
      out[o + 2] = b * norm;
      o += 3;
    }
  }
}

/**
 * Copies the `size × size` RGB square at `from` in `buffer` to `to`, mirrored left–right.
 * @internal
 */
export function mirrorSquare(buffer: Float32Array, from: number, to: number, size: number): void {
  for (let j = 0; j < size; j += 1) {
    const row = j * size * 3;
    for (let i = 0; i < size; i += 1) {
      const s = from + row + i * 3;
      const d = to + row + (size - 1 - i) * 3;
      buffer[d] = buffer[s]!;
      buffer[d + 1] = buffer[s + 1]!;
      buffer[d + 2] = buffer[s + 2]!;
    }
  }
}

/**
 * Maps the network's relative outputs (x0, y0, x1, y1, …, each 0–1 across the square input) back
 * to image pixels: `region.x + x × side`, `region.y + y × side`.
 * @internal
 */
export function regionToImage(relative: ArrayLike<number>, offset: number, count: number, region: Box): Point[] {
  const points: Point[] = new Array<Point>(count);
  for (let p = 0; p < count; p += 1) {
    points[p] = {
      x: region.x + relative[offset + 2 * p]! * region.width,
      y: region.y + relative[offset + 2 * p + 1]! * region.height,
    };
  }
  return points;
}
