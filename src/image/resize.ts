/**
 * Downscaling: the target size for a longest-side limit, and an area-averaging (box) resampler
 * for the pure-JavaScript decoder. Averaging every source pixel that falls under an output pixel,
 * with fractional weights at the edges, is what a good downscaler does; it does not alias.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import type { RgbImage } from '../types.js';
import type { ImageSize } from './orient.js';

/**
 * The size that fits `width` × `height` inside a `maxSide` × `maxSide` square, keeping the aspect
 * ratio: the longer side becomes `maxSide`, the other is rounded (at least 1). Never enlarges: an
 * image already inside is returned at its own size.
 *
 * @category Image
 */
export function fitInside(width: number, height: number, maxSide: number): ImageSize {
  const longer = Math.max(width, height);
  if (longer <= maxSide) return { width, height };
  const factor = maxSide / longer;
  return {
    width: width >= height ? maxSide : Math.max(1, Math.round(width * factor)),
    height: height > width ? maxSide : Math.max(1, Math.round(height * factor)),
  };
}

/** For each output position along one axis, the source positions it covers and their weights. */
interface Contributions {
  /** `offsets[i]` to `offsets[i + 1]` index `sources` and `weights` for output position i. */
  offsets: Int32Array;
  /** Source positions. */
  sources: Int32Array;
  /** Their weights: the share of the output pixel each covers; they sum to 1 per output. */
  weights: Float32Array;
}

function contributions(from: number, to: number): Contributions {
  const ratio = from / to;
  const perOutput = Math.ceil(ratio) + 1;
  const offsets = new Int32Array(to + 1);
  const sources = new Int32Array(to * perOutput);
  const weights = new Float32Array(to * perOutput);
  let n = 0;
  for (let i = 0; i < to; i++) {
    const start = i * ratio;
    const end = Math.min(from, (i + 1) * ratio);
    for (let s = Math.floor(start); s < end; s++) {
      const weight = Math.min(end, s + 1) - Math.max(start, s);
      if (weight <= 0) continue;
      sources[n] = s;
      weights[n] = weight / ratio;
      n++;
    }
    offsets[i + 1] = n;
  }
  return { offsets, sources, weights };
}

/**
 * Scales RGB pixels down to `width` × `height` by area averaging (each output pixel is the mean of
 * the source area it covers). Meant for shrinking; the target must not exceed the source on either
 * axis.
 *
 * @param image - the source pixels
 * @param width - target width, 1 to `image.width`
 * @param height - target height, 1 to `image.height`
 * @category Image
 */
export function downscaleArea(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  if (width < 1 || height < 1 || width > image.width || height > image.height) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected a target size no larger than ${image.width}x${image.height} (downscaleArea only shrinks) but received ${width}x${height}`,
      { field: 'size' },
    );
  }
  const src = image.data;
  const srcStride = image.width * 3;
  const lines = contributions(image.height, height);
  const cols = contributions(image.width, width);
  const row = new Float32Array(srcStride);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    // Vertical first: the weighted sum of the source rows under output row y, over contiguous
    // memory; then each output pixel sums its columns of that one row.
    row.fill(0);
    for (let k = lines.offsets[y] as number; k < (lines.offsets[y + 1] as number); k++) {
      const base = (lines.sources[k] as number) * srcStride;
      const w = lines.weights[k] as number;
      for (let i = 0; i < srcStride; i++) row[i] = (row[i] as number) + (src[base + i] as number) * w;
    }
    horizontal(row, cols, out, y * width * 3, width);
  }
  return { width, height, data: out };
}

/** Each output pixel of one row: the weighted sum of its columns of the vertically summed row. */
function horizontal(row: Float32Array, cols: Contributions, out: Uint8Array, o: number, width: number): void {
  for (let x = 0; x < width; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let k = cols.offsets[x] as number; k < (cols.offsets[x + 1] as number); k++) {
      const i = (cols.sources[k] as number) * 3;
      const w = cols.weights[k] as number;
      r += (row[i] as number) * w;
      g += (row[i + 1] as number) * w;
      b += (row[i + 2] as number) * w;
    }
    // Weights sum to 1 up to float rounding; the cap keeps 255.5 from wrapping to 0.
    out[o++] = Math.min(255, Math.round(r));
    out[o++] = Math.min(255, Math.round(g));
    out[o++] = Math.min(255, Math.round(b));
  }
}

/**
 * {@link downscaleArea} for rows that arrive one at a time, top to bottom (a streaming decoder's
 * output): the full-size image never exists, only two rows of sums. The arithmetic and its order
 * are downscaleArea's, so the pixels are identical.
 *
 * @internal
 */
export class RowDownscaler {
  private readonly lines: Contributions;
  private readonly cols: Contributions;
  private readonly sums: [Float32Array, Float32Array];
  private readonly out: Uint8Array;
  private next = 0;
  private y = 0;

  /**
   * @param sourceWidth - width of the rows pushed
   * @param sourceHeight - how many rows will be pushed
   * @param width - target width, 1 to `sourceWidth`
   * @param height - target height, 1 to `sourceHeight`
   */
  constructor(
    sourceWidth: number,
    sourceHeight: number,
    private readonly width: number,
    private readonly height: number,
  ) {
    this.lines = contributions(sourceHeight, height);
    this.cols = contributions(sourceWidth, width);
    this.sums = [new Float32Array(sourceWidth * 3), new Float32Array(sourceWidth * 3)];
    this.out = new Uint8Array(width * height * 3);
  }

  /** Adds the next source row: `sourceWidth × 3` bytes of `row` from `offset`. */
  push(row: Uint8Array, offset: number): void {
    const { lines } = this;
    const y = this.y++;
    // A source row falls under at most two output rows (the target is never larger).
    const last = Math.min(this.next + 2, this.height);
    for (let oy = this.next; oy < last; oy++) {
      const first = lines.offsets[oy] as number;
      const end = lines.offsets[oy + 1] as number;
      for (let k = first; k < end; k++) {
        if ((lines.sources[k] as number) !== y) continue;
        const sum = (oy & 1) === 0 ? this.sums[0] : this.sums[1];
        const w = lines.weights[k] as number;
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (row[offset + i] as number) * w;
        if (k === end - 1) {
          horizontal(sum, this.cols, this.out, oy * this.width * 3, this.width);
          sum.fill(0);
          this.next = oy + 1;
        }
      }
    }
  }

  /** The downscaled image, once every source row has been pushed. */
  result(): RgbImage {
    if (this.next !== this.height) throw new Error(`the downscaler has ${this.next} of ${this.height} rows`);
    return { width: this.width, height: this.height, data: this.out };
  }
}
