/**
 * The face-api 68-point landmark network (FaceLandmark68Net), built in tfjs ops from its vendored
 * weights. The weights ship without a topology; this module is the topology.
 *
 * Topology (input `[n, 112, 112, 3]`, float RGB 0–255):
 *
 * 1. normalise: subtract the RGB means (122.782, 117.001, 104.298), divide by 255;
 * 2. four dense blocks `dense0`…`dense3` (32, 64, 128, 256 channels). Each block halves the size
 *    with its first convolution (`conv0`, stride 2: a plain 3×3 convolution in `dense0`, a
 *    depthwise-separable one in the others), then adds three stride-1 depthwise-separable
 *    convolutions densely: every convolution reads the ReLU of the sum of all earlier outputs of the
 *    block, and the block returns the ReLU of the sum of all four. 112 → 56 → 28 → 14 → 7;
 * 3. a 7×7 average pool (stride 2, valid) to `[n, 1, 1, 256]`;
 * 4. a fully connected layer `fc` to `[n, 136]`: 68 (x, y) pairs, each 0–1 across the square input.
 *
 * @module
 */
import * as tf from '../runtime/tf.js';
import { FaceMatchError } from '../errors.js';

/** Side of the square input, in pixels. */
export const LANDMARK_INPUT_SIZE = 112;

/** Channel means subtracted from RGB input (0–255) before the network. */
export const LANDMARK_MEAN_RGB: readonly [number, number, number] = [122.782, 117.001, 104.298];

/** Divisor applied after the mean subtraction. */
export const LANDMARK_INPUT_DIVISOR = 255;

/** Number of landmarks the network predicts. */
export const LANDMARK_COUNT = 68;

const BLOCKS = ['dense0', 'dense1', 'dense2', 'dense3'] as const;
const BLOCK_CHANNELS = [32, 64, 128, 256] as const;
const FEATURES = 256;

interface SeparableConv {
  depthwise: tf.Tensor4D;
  pointwise: tf.Tensor4D;
  bias: tf.Tensor1D;
}

interface PlainConv {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
}

interface DenseBlock {
  /** The stride-2 entry convolution: plain in the first block, separable in the others. */
  conv0: PlainConv | SeparableConv;
  /** The three stride-1 separable convolutions. */
  rest: [SeparableConv, SeparableConv, SeparableConv];
}

/**
 * The built network: call it on a batch of 112×112 RGB crops, get the raw 136 outputs per crop.
 * Owns its weight tensors until {@link LandmarkNet.dispose}.
 * @internal
 */
export interface LandmarkNet {
  /**
   * Runs the network. `input` is `[n, 112, 112, 3]` float RGB in 0–255 (normalisation happens
   * inside). Returns `[n, 136]`: x0, y0, x1, y1, … relative to the square input (0–1).
   * The caller disposes the result.
   */
  predict(input: tf.Tensor4D): tf.Tensor2D;
  /** Frees every weight tensor. Idempotent. */
  dispose(): void;
}

function weightError(message: string): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', message, { field: 'model', details: { model: 'landmarks-68' } });
}

/** Takes the named tensor from the map, checking its shape. */
function take<R extends tf.Rank>(weights: tf.NamedTensorMap, name: string, shape: number[]): tf.Tensor<R> {
  const t = weights[name];
  if (!t) throw weightError(`Expected weight "${name}" in the landmarks-68 weights but it is missing`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw weightError(`Expected weight "${name}" to have shape [${shape.join(', ')}] but it has [${t.shape.join(', ')}]`);
  }
  return t as tf.Tensor<R>;
}

function takeSeparable(weights: tf.NamedTensorMap, prefix: string, inC: number, outC: number): SeparableConv {
  return {
    depthwise: take(weights, `${prefix}/depthwise_filter`, [3, 3, inC, 1]),
    pointwise: take(weights, `${prefix}/pointwise_filter`, [1, 1, inC, outC]),
    bias: take(weights, `${prefix}/bias`, [outC]),
  };
}

function takeBlock(weights: tf.NamedTensorMap, index: number): DenseBlock {
  const name = BLOCKS[index]!;
  const outC = BLOCK_CHANNELS[index]!;
  const inC = index === 0 ? 3 : BLOCK_CHANNELS[index - 1]!;
  const conv0: PlainConv | SeparableConv =
    index === 0
      ? { filters: take(weights, `${name}/conv0/filters`, [3, 3, inC, outC]), bias: take(weights, `${name}/conv0/bias`, [outC]) }
      : takeSeparable(weights, `${name}/conv0`, inC, outC);
  return {
    conv0,
    rest: [
      takeSeparable(weights, `${name}/conv1`, outC, outC),
      takeSeparable(weights, `${name}/conv2`, outC, outC),
      takeSeparable(weights, `${name}/conv3`, outC, outC),
    ],
  };
}

function separable(x: tf.Tensor4D, conv: SeparableConv, stride: 1 | 2): tf.Tensor4D {
  return tf.add(tf.separableConv2d(x, conv.depthwise, conv.pointwise, stride, 'same'), conv.bias);
}

function entry(x: tf.Tensor4D, conv: PlainConv | SeparableConv): tf.Tensor4D {
  const pre = 'filters' in conv ? tf.add(tf.conv2d(x, conv.filters, 2, 'same'), conv.bias) : separable(x, conv, 2);
  return tf.relu(pre as tf.Tensor4D);
}

/** One dense block: each convolution sees the rectified sum of all earlier outputs. */
function denseBlock(x: tf.Tensor4D, block: DenseBlock): tf.Tensor4D {
  let sum = entry(x, block.conv0);
  for (const conv of block.rest) {
    sum = tf.add(sum, separable(tf.relu(sum), conv, 1));
  }
  return tf.relu(sum);
}

/**
 * Builds the network from the dequantised weights of `loadManifestWeights('landmarks-68')`. Takes
 * ownership of the map: tensors it does not use are disposed now, the rest by `dispose()`.
 *
 * @throws FaceMatchError `MODEL_ERROR` when a weight is missing or has the wrong shape (the map is
 *   disposed in that case too)
 * @internal
 */
export function buildLandmarkNet(weights: tf.NamedTensorMap): LandmarkNet {
  let blocks: DenseBlock[];
  let fcWeights: tf.Tensor2D;
  let fcBias: tf.Tensor1D;
  try {
    blocks = BLOCKS.map((_, i) => takeBlock(weights, i));
    fcWeights = take(weights, 'fc/weights', [FEATURES, LANDMARK_COUNT * 2]);
    fcBias = take(weights, 'fc/bias', [LANDMARK_COUNT * 2]);
  } catch (err) {
    tf.dispose(Object.values(weights));
    throw err;
  }
  const owned = new Set<tf.Tensor>([
    fcWeights,
    fcBias,
    ...blocks.flatMap((b) => [b.conv0, ...b.rest].flatMap((c) => Object.values(c) as tf.Tensor[])),
  ]);
  tf.dispose(Object.values(weights).filter((t) => !owned.has(t)));
  const mean = tf.tensor1d([...LANDMARK_MEAN_RGB]);
  owned.add(mean);
  let disposed = false;

  return {
    predict(input: tf.Tensor4D): tf.Tensor2D {
      if (disposed) throw new FaceMatchError('INVALID_INPUT', 'Expected a live landmark network but it has been disposed', { field: 'landmarker' });
      return tf.tidy(() => {
        let x = tf.div(tf.sub(input, mean), LANDMARK_INPUT_DIVISOR) as tf.Tensor4D;
        for (const block of blocks) x = denseBlock(x, block);
        const pooled = tf.avgPool(x, 7, 2, 'valid');
        const flat = tf.reshape(pooled, [input.shape[0], FEATURES]) as tf.Tensor2D;
        return tf.add(tf.matMul(flat, fcWeights), fcBias) as tf.Tensor2D;
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      tf.dispose([...owned]);
    },
  };
}
