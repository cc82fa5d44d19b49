/**
 * Embedding speed of the dlib ResNet: milliseconds per chip, median of N runs, batch 1 and 8.
 *
 *   npx vite-node bench/scripts/embed-speed.ts            (wasm; FACEMATCH_BACKEND=cpu for the JS backend)
 *
 * Besides the shipped formulation (scale layers folded into the convolutions, fused conv + bias +
 * ReLU kernels) it times the textbook op sequence on the unfolded weights (conv, bias add, scale
 * multiply, scale add, ReLU: face-api's formulation) and checks both give the same descriptors.
 */
import * as tf from '../../src/runtime/tf.js';
import { createDlibResNetEmbedder } from '../../src/embed/dlib-resnet.js';
import { DLIB_MEAN_RGB } from '../../src/embed/dlib-resnet-net.js';
import { initBackend } from '../../src/runtime/backend.js';
import { loadManifestWeights } from '../../src/runtime/models.js';
import type { RgbImage } from '../../src/types.js';
import { syntheticChip } from '../helpers/chips.js';

const RUNS = Number(process.env.RUNS ?? 50);

/** The textbook op sequence on the raw weights, as a speed and correctness baseline. */
function unfoldedForward(w: tf.NamedTensorMap, pixels: tf.Tensor4D): tf.Tensor2D {
  const get = <T extends tf.Tensor>(name: string): T => {
    const t = w[name];
    if (!t) throw new Error(`missing weight ${name}`);
    return t as T;
  };
  const convLayer = (x: tf.Tensor4D, prefix: string, stride: 1 | 2, relu: boolean): tf.Tensor4D => {
    let y = tf.conv2d(x, get<tf.Tensor4D>(`${prefix}/conv/filters`), stride, stride === 1 ? 'same' : 'valid');
    y = tf.add(y, get(`${prefix}/conv/bias`));
    y = tf.add(tf.mul(y, get(`${prefix}/scale/weights`)), get(`${prefix}/scale/biases`));
    return relu ? tf.relu(y) : y;
  };
  const block = (x: tf.Tensor4D, name: string, down: boolean): tf.Tensor4D => {
    const main = convLayer(convLayer(x, `${name}/conv1`, down ? 2 : 1, true), `${name}/conv2`, 1, false);
    if (!down) return tf.relu(tf.add<tf.Tensor4D>(main, x));
    const pooled = tf.avgPool(x, 2, 2, 'valid');
    const dh = pooled.shape[1] - main.shape[1];
    const padded = tf.pad(main, [[0, 0], [0, dh], [0, dh], [0, 0]]);
    const shortcut = tf.pad(pooled, [[0, 0], [0, 0], [0, 0], [0, main.shape[3] - pooled.shape[3]]]);
    return tf.relu(tf.add<tf.Tensor4D>(padded, shortcut));
  };
  let x = tf.div(tf.sub(pixels, tf.tensor1d([...DLIB_MEAN_RGB])), 256) as tf.Tensor4D;
  x = tf.maxPool(convLayer(x, 'conv32_down', 2, true), 3, 2, 'valid');
  const blocks: [string, boolean][] = [
    ['conv32_1', false], ['conv32_2', false], ['conv32_3', false],
    ['conv64_down', true], ['conv64_1', false], ['conv64_2', false], ['conv64_3', false],
    ['conv128_down', true], ['conv128_1', false], ['conv128_2', false],
    ['conv256_down', true], ['conv256_1', false], ['conv256_2', false], ['conv256_down_out', true],
  ];
  for (const [name, down] of blocks) x = block(x, name, down);
  return tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, get<tf.Tensor2D>('fc'));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Times the variants round-robin (so a busy machine slows them alike); median ms per chip each. */
async function timeInterleaved(batch: number, variants: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const run of variants) for (let i = 0; i < 3; i++) await run();
  const ms: number[][] = variants.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [v, run] of variants.entries()) {
      const t0 = performance.now();
      await run();
      ms[v]!.push((performance.now() - t0) / batch);
    }
  }
  return ms.map(median);
}

async function main(): Promise<void> {
  const backend = await initBackend((process.env.FACEMATCH_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  const chips: RgbImage[] = Array.from({ length: 8 }, (_, i) => syntheticChip(150, i + 1));
  const embedder = await createDlibResNetEmbedder();
  const flipped = await createDlibResNetEmbedder({ flip: true });
  const raw = await loadManifestWeights('dlib-resnet');
  const unfolded = async (n: number): Promise<Float32Array> => {
    const out = tf.tidy(() => {
      const pixels = tf.tensor4d(Float32Array.from(chips.slice(0, n).flatMap((c) => Array.from(c.data))), [n, 150, 150, 3]);
      const descriptors = unfoldedForward(raw, pixels);
      return tf.div(descriptors, tf.norm(descriptors, 'euclidean', 1, true));
    });
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return data;
  };

  // Folding must not change the answer.
  const reference = await unfolded(8);
  const shipped = await embedder.embed(chips);
  let maxDiff = 0;
  shipped.forEach((v, i) => v.forEach((x, k) => (maxDiff = Math.max(maxDiff, Math.abs(x - reference[i * 128 + k]!)))));

  console.log(`backend ${backend.name} (simd ${backend.simd}), tfjs ${backend.tfjsVersion}, median of ${RUNS} runs, ms per chip`);
  console.log(`folded+fused vs unfolded, L2-normalised: max |diff| ${maxDiff.toExponential(2)}`);
  for (const batch of [1, 8]) {
    const group = chips.slice(0, batch);
    const [fused, flip, plain] = await timeInterleaved(batch, [
      () => embedder.embed(group),
      () => flipped.embed(group),
      () => unfolded(batch),
    ]);
    console.log(
      `batch ${batch}: folded+fused ${fused!.toFixed(2)}  | with flip TTA ${flip!.toFixed(2)}  | unfolded op sequence ${plain!.toFixed(2)}`,
    );
  }
  embedder.dispose();
  flipped.dispose();
  tf.dispose(Object.values(raw));
}

await main();
