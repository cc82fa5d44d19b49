/**
 * The dlib ResNet metric network (`dlib_face_recognition_resnet_model_v1`) written in tfjs ops.
 *
 * Topology (dlib's `anet_type`, as face-api's weight names lay it out): a 7×7 stride-2 stem
 * convolution and a 3×3 stride-2 max pool, then 14 residual blocks at 32, 64, 128 and 256
 * channels, a global average pool and a 128×256 fully connected layer without bias. Every
 * convolution is followed by a per-channel affine "scale" layer (dlib's frozen batch norm).
 *
 * At load time each conv + scale pair is folded into one convolution:
 * `(conv(x, W) + b) × s + t = conv(x, W × s) + (b × s + t)`, so the forward pass is a chain of
 * fused conv + bias (+ ReLU) kernels with no separate elementwise passes.
 * @module
 */
import * as tf from '../runtime/tf.js';
import { FaceMatchError } from '../errors.js';

/** dlib's mean face-chip colour, subtracted before the network (R, G, B). */
export const DLIB_MEAN_RGB: readonly [number, number, number] = [122.782, 117.001, 104.298];

/** A convolution with its scale layer folded in. */
interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** One residual block: two 3×3 convolutions; `down` blocks start with a stride-2 convolution. */
interface ResidualBlock {
  name: string;
  down: boolean;
  conv1: FoldedConv;
  conv2: FoldedConv;
}

/**
 * The folded weights of the dlib ResNet, ready for {@link dlibResNetForward}. Created by
 * {@link foldDlibResNetWeights}; free with {@link disposeDlibResNetParams}.
 *
 * @internal
 */
export interface DlibResNetParams {
  /** 7×7 stride-2 stem convolution. */
  stem: FoldedConv;
  /** Residual blocks in order. */
  blocks: ResidualBlock[];
  /** `[256, 128]` projection, no bias. */
  fc: tf.Tensor2D;
}

/** The residual blocks in network order, named as in the weights manifest. */
const BLOCKS: readonly (readonly [name: string, down: boolean])[] = [
  ['conv32_1', false],
  ['conv32_2', false],
  ['conv32_3', false],
  ['conv64_down', true],
  ['conv64_1', false],
  ['conv64_2', false],
  ['conv64_3', false],
  ['conv128_down', true],
  ['conv128_1', false],
  ['conv128_2', false],
  ['conv256_down', true],
  ['conv256_1', false],
  ['conv256_2', false],
  ['conv256_down_out', true],
];

function weight<R extends tf.Rank>(weights: tf.NamedTensorMap, name: string, rank: number): tf.Tensor<R> {
  const t = weights[name];
  if (!t || t.rank !== rank) {
    const got = t ? `rank ${t.rank} [${t.shape.join(', ')}]` : 'nothing';
    throw new FaceMatchError('MODEL_ERROR', `Expected dlib ResNet weight "${name}" of rank ${rank} but found ${got}`, {
      field: 'model',
      details: { weight: name },
    });
  }
  return t as tf.Tensor<R>;
}

function foldConv(weights: tf.NamedTensorMap, prefix: string): FoldedConv {
  const filter = weight<tf.Rank.R4>(weights, `${prefix}/conv/filters`, 4);
  const bias = weight<tf.Rank.R1>(weights, `${prefix}/conv/bias`, 1);
  const scale = weight<tf.Rank.R1>(weights, `${prefix}/scale/weights`, 1);
  const shift = weight<tf.Rank.R1>(weights, `${prefix}/scale/biases`, 1);
  return tf.tidy(() => ({
    filter: tf.mul<tf.Tensor4D>(filter, scale),
    bias: tf.add<tf.Tensor1D>(tf.mul(bias, scale), shift),
  }));
}

/**
 * Folds the raw weights (as `loadManifestWeights('dlib-resnet')` returns them) into
 * {@link DlibResNetParams}. The input map is left untouched; the caller still owns it.
 *
 * @throws FaceMatchError `MODEL_ERROR` when a weight is missing or has the wrong rank
 * @internal
 */
export function foldDlibResNetWeights(weights: tf.NamedTensorMap): DlibResNetParams {
  const folded: tf.Tensor[] = [];
  const keep = (conv: FoldedConv): FoldedConv => {
    folded.push(conv.filter, conv.bias);
    return conv;
  };
  try {
    const stem = keep(foldConv(weights, 'conv32_down'));
    const blocks = BLOCKS.map(([name, down]) => ({
      name,
      down,
      conv1: keep(foldConv(weights, `${name}/conv1`)),
      conv2: keep(foldConv(weights, `${name}/conv2`)),
    }));
    const fc = tf.clone(weight<tf.Rank.R2>(weights, 'fc', 2));
    return { stem, blocks, fc };
  } catch (err) {
    tf.dispose(folded);
    throw err;
  }
}

/**
 * Frees every tensor of the folded network.
 *
 * @internal
 */
export function disposeDlibResNetParams(params: DlibResNetParams): void {
  tf.dispose([params.stem.filter, params.stem.bias, params.fc]);
  for (const b of params.blocks) tf.dispose([b.conv1.filter, b.conv1.bias, b.conv2.filter, b.conv2.bias]);
}

function conv(x: tf.Tensor4D, c: FoldedConv, stride: 1 | 2, relu: boolean): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: c.filter,
    bias: c.bias,
    strides: stride,
    // dlib pads stride-1 convolutions to keep the size and does not pad stride-2 ones.
    pad: stride === 1 ? 'same' : 'valid',
    activation: relu ? 'relu' : 'linear',
  });
}

/**
 * The shortcut path of a down-sampling block, brought to the main path's shape the way dlib's
 * `add_prev` does: 2×2 average pool, extra channels as zeros; where the two paths differ in
 * height or width, the smaller one is zero-padded at the bottom and right.
 */
function addShortcut(main: tf.Tensor4D, x: tf.Tensor4D, down: boolean): tf.Tensor4D {
  if (!down) return tf.add(main, x);
  const pooled = tf.avgPool(x, 2, 2, 'valid');
  const [, mh, mw, mc] = main.shape;
  const [, ph, pw, pc] = pooled.shape;
  const h = Math.max(mh, ph);
  const w = Math.max(mw, pw);
  const grow = (t: tf.Tensor4D, th: number, tw: number, tc: number): tf.Tensor4D =>
    th === h && tw === w && tc === mc
      ? t
      : tf.pad(t, [
          [0, 0],
          [0, h - th],
          [0, w - tw],
          [0, mc - tc],
        ]);
  return tf.add(grow(main, mh, mw, mc), grow(pooled, ph, pw, pc));
}

function residual(x: tf.Tensor4D, block: ResidualBlock): tf.Tensor4D {
  const h = conv(x, block.conv1, block.down ? 2 : 1, true);
  const main = conv(h, block.conv2, 1, false);
  return tf.relu(addShortcut(main, x, block.down));
}

/**
 * Runs the network on a float32 `[n, 150, 150, 3]` batch of raw 0–255 RGB values and returns the
 * `[n, 128]` descriptors before L2 normalisation. Call inside `tf.tidy`: intermediate tensors are
 * not disposed here.
 *
 * @param params - folded weights
 * @param pixels - raw RGB values
 * @param pixelDivisor - dlib divides the mean-subtracted pixels by 256; face-api divides by 255
 * @internal
 */
export function dlibResNetForward(params: DlibResNetParams, pixels: tf.Tensor4D, pixelDivisor: number): tf.Tensor2D {
  const input = tf.div(tf.sub(pixels, tf.tensor1d([...DLIB_MEAN_RGB])), pixelDivisor) as tf.Tensor4D;
  let x = conv(input, params.stem, 2, true);
  x = tf.maxPool(x, 3, 2, 'valid');
  for (const block of params.blocks) x = residual(x, block);
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  return tf.matMul(pooled, params.fc);
}
