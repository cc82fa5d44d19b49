/**
 * Packs RGB chips into the float32 batch an ONNX model takes: channel order, per-channel
 * `(v − mean) / std`, NCHW or NHWC, optionally mirrored left to right. Plain JavaScript: no tensor
 * library is involved, so nothing needs disposing.
 * @module
 */
import type { ChipSize } from '../../align/framing.js';
import type { ChannelOrder, TensorLayout } from '../../runtime/onnx.js';
import type { RgbImage } from '../../types.js';

/** How chip bytes become model input values. */
export interface PackSpec {
  /** Chip size. */
  size: ChipSize;
  /** Channel order the model expects. */
  channelOrder: ChannelOrder;
  /** Layout of the batch. */
  layout: TensorLayout;
  /** Per-channel mean, in the model's channel order. */
  mean: readonly [number, number, number];
  /** Per-channel divisor, in the model's channel order. */
  std: readonly [number, number, number];
}

/** One slot of a batch: a chip, mirrored or not, or padding (zeros) for a fixed-batch model. */
export interface PackItem {
  /** The chip; undefined for a padding slot. */
  chip: RgbImage | undefined;
  /** Mirror it left to right. */
  mirror: boolean;
}

/**
 * The batch tensor's values and dimensions.
 *
 * @internal
 */
export function packBatch(items: readonly PackItem[], spec: PackSpec): { data: Float32Array; dims: number[] } {
  const { width, height } = spec.size;
  const plane = width * height;
  const stride = plane * 3;
  const out = new Float32Array(items.length * stride);
  // Source channel (in the RGB chip) for each model channel.
  const source = spec.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const nchw = spec.layout === 'NCHW';
  items.forEach(({ chip, mirror }, b) => {
    if (!chip) return;
    const data = chip.data;
    const base = b * stride;
    for (let c = 0; c < 3; c++) {
      const src = source[c]!;
      const mean = spec.mean[c]!;
      const std = spec.std[c]!;
      for (let y = 0; y < height; y++) {
        const row = y * width;
        for (let x = 0; x < width; x++) {
          const sx = mirror ? width - 1 - x : x;
          const value = (data[(row + sx) * 3 + src]! - mean) / std;
          out[nchw ? base + c * plane + row + x : base + (row + x) * 3 + c] = value;
        }
      }
    }
  });
  const dims = nchw ? [items.length, 3, height, width] : [items.length, height, width, 3];
  return { data: out, dims };
}
