import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine, lfwCentreChip, lfwDir, lfwImagePath, mirrorChip, syntheticChip } from '../bench/helpers/chips.js';
import { createDlibResNetEmbedder } from '../src/embed/dlib-resnet.js';
import { disposeDlibResNetParams, dlibResNetForward, foldDlibResNetWeights } from '../src/embed/dlib-resnet-net.js';
import type { Embedder } from '../src/embed/types.js';
import { FaceMatchError } from '../src/errors.js';
import { initBackend } from '../src/runtime/backend.js';
import { loadManifestWeights } from '../src/runtime/models.js';
import type { RgbImage } from '../src/types.js';
import { norm, maxAbsDiff } from './fixtures/numeric.js';

/**
 * @vladmandic/face-api 1.7.15 `faceRecognitionNet.computeFaceDescriptor` of `syntheticChip(150, 1)`
 * with the same vendored weights, on tfjs's cpu backend (bench/scripts/embed-parity-faceapi.ts dumped it).
 */
const FACE_API_DESCRIPTOR = [
  -0.0777594, 0.0852429, 0.0650491, -0.0152316, -0.130148, -0.0561557, -0.0387693, -0.0688856, 0.0955145, -0.0393275, 0.171938,
  -0.0299928, -0.264297, -0.0205218, -0.0179756, 0.0972855, -0.138781, -0.055569, -0.141913, -0.143258, 0.00444745, 0.00223229,
  -0.0171612, -0.0305188, -0.0924977, -0.249502, -0.0740013, -0.0848487, 0.0825372, -0.0914443, -0.000782733, 0.0443767, -0.191468,
  -0.0740718, 0.00608501, 0.041988, 0.0038938, -0.0763416, 0.140517, -0.0177473, -0.109151, 0.0101314, 0.0316636, 0.187262, 0.212091,
  0.0394656, 0.0108042, -0.0987912, 0.0854579, -0.272777, 0.0119596, 0.15791, 0.0753639, 0.0931972, 0.0604014, -0.144894, 0.0317166,
  0.086721, -0.14254, 0.0571874, 0.0582931, -0.105162, -0.0893582, -0.113196, 0.166294, 0.0886141, -0.0478376, -0.118242, 0.213468,
  -0.159769, -0.0599549, 0.0602629, -0.0813204, -0.132496, -0.258627, 0.0780073, 0.414079, 0.221051, -0.168431, 0.0127061, -0.127231,
  -0.022585, 0.027093, -0.00213455, -0.0810592, -0.0676132, -0.0516969, 0.066399, 0.204942, -0.0642672, 0.0332053, 0.204587, 0.0203521,
  0.0322341, -0.0110648, -0.0123354, -0.0802569, -0.0284555, -0.081849, -0.0420271, 0.129564, -0.153066, 0.0666552, 0.130723,
  -0.193102, 0.102809, -0.0253812, -0.0487154, 0.0510702, 0.00492801, -0.0191934, -0.00479608, 0.212648, -0.20617, 0.241807,
  0.224419, -0.00773144, 0.1071, 0.0300067, 0.135155, -0.0261834, -0.0469607, -0.121101, -0.104554, -0.00294471, -0.0161014,
  -0.0388257, 0.0426889,
];

const chips = Array.from({ length: 4 }, (_, i) => syntheticChip(150, i + 1));

describe('dlib ResNet embedder', () => {
  let embedder: Embedder;

  beforeAll(async () => {
    await initBackend('wasm');
    embedder = await createDlibResNetEmbedder();
  });
  afterAll(() => embedder.dispose());

  it('describes itself', () => {
    expect(embedder.name).toBe('dlib-resnet');
    expect(embedder.inputSize).toEqual({ width: 150, height: 150 });
    expect(embedder.dimension).toBe(128);
  });

  it('returns one unit-length 128-D Float32Array per chip', async () => {
    const out = await embedder.embed([chips[0]!]);
    expect(out).toHaveLength(1);
    expect(out[0]).toBeInstanceOf(Float32Array);
    expect(out[0]).toHaveLength(128);
    expect(norm(out[0]!)).toBeCloseTo(1, 5);
    expect(out[0]!.every(Number.isFinite)).toBe(true);
  });

  it('reproduces face-api’s descriptor with face-api’s /255 preprocessing', async () => {
    const weights = await loadManifestWeights('dlib-resnet');
    const params = foldDlibResNetWeights(weights);
    tf.dispose(Object.values(weights));
    const raw = tf.tidy(() => dlibResNetForward(params, tf.tensor4d(Float32Array.from(chips[0]!.data), [1, 150, 150, 3]), 255).dataSync());
    disposeDlibResNetParams(params);
    expect(maxAbsDiff(raw, FACE_API_DESCRIPTOR)).toBeLessThan(1e-5);

    const asFaceApi = await createDlibResNetEmbedder({ pixelDivisor: 255 });
    const [unit] = await asFaceApi.embed([chips[0]!]);
    asFaceApi.dispose();
    const n = norm(FACE_API_DESCRIPTOR);
    expect(maxAbsDiff(unit!, FACE_API_DESCRIPTOR.map((v) => v / n))).toBeLessThan(1e-5);
  });

  it('uses dlib’s /256 preprocessing by default, a hair away from face-api’s /255', async () => {
    const [unit] = await embedder.embed([chips[0]!]);
    const c = cosine(unit!, Float32Array.from(FACE_API_DESCRIPTOR));
    expect(c).toBeGreaterThan(0.9999);
    expect(c).toBeLessThan(1 - 1e-9);
  });

  it('gives the identical embedding for the same chip', async () => {
    const [a] = await embedder.embed([chips[1]!]);
    const [b] = await embedder.embed([chips[1]!]);
    expect(Array.from(b!)).toEqual(Array.from(a!));
  });

  it('gives different embeddings for different chips', async () => {
    const [a, b] = await embedder.embed([chips[0]!, chips[1]!]);
    expect(maxAbsDiff(a!, b!)).toBeGreaterThan(1e-2);
  });

  it('embeds a batch of 4 like 4 single calls', async () => {
    const batch = await embedder.embed(chips);
    expect(batch).toHaveLength(4);
    for (const [i, chip] of chips.entries()) {
      const [single] = await embedder.embed([chip]);
      expect(maxAbsDiff(batch[i]!, single!)).toBeLessThan(1e-5);
    }
  });

  it('splits batches larger than maxBatch without changing the result', async () => {
    const small = await createDlibResNetEmbedder({ maxBatch: 3 });
    const split = await small.embed(chips);
    small.dispose();
    const whole = await embedder.embed(chips);
    expect(split).toHaveLength(4);
    split.forEach((v, i) => expect(maxAbsDiff(v, whole[i]!)).toBeLessThan(1e-5));
  });

  it('returns an empty array for an empty batch', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it('refuses a chip of the wrong size with INVALID_INPUT naming it', async () => {
    const wrong: RgbImage = { width: 160, height: 160, data: new Uint8Array(160 * 160 * 3) };
    const err = await embedder.embed([chips[0]!, wrong]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceMatchError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'chips[1]' });
    expect((err as FaceMatchError).message).toMatch(/150×150.*160×160/);
  });

  it('refuses a chip whose data length does not match its size', async () => {
    const short: RgbImage = { width: 150, height: 150, data: new Uint8Array(150 * 150 * 4) };
    await expect(embedder.embed([short])).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'chips[0]' });
  });

  it('refuses bad options with INVALID_INPUT', async () => {
    await expect(createDlibResNetEmbedder({ maxBatch: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'maxBatch' });
    await expect(createDlibResNetEmbedder({ pixelDivisor: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'pixelDivisor' });
  });

  it('leaves no tensors behind after 20 embeds', async () => {
    await embedder.embed([chips[0]!]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await embedder.embed([chips[i % 4]!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees its weights on dispose and refuses to embed afterwards', async () => {
    const before = tf.memory().numTensors;
    const other = await createDlibResNetEmbedder();
    // 29 folded convolutions (filter + bias each) and the fc matrix.
    expect(tf.memory().numTensors).toBe(before + 59);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
    other.dispose();
    await expect(other.embed([chips[0]!])).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });

  describe('with horizontal-flip augmentation', () => {
    let flipped: Embedder;
    beforeAll(async () => {
      flipped = await createDlibResNetEmbedder({ flip: true });
    });
    afterAll(() => flipped.dispose());

    it('averages the normalised embeddings of the chip and its mirror image', async () => {
      const [plain, mirrored] = await embedder.embed([chips[0]!, mirrorChip(chips[0]!)]);
      const mean = plain!.map((v, i) => v + mirrored![i]!);
      const expected = mean.map((v) => v / norm(mean));
      const [tta] = await flipped.embed([chips[0]!]);
      expect(norm(tta!)).toBeCloseTo(1, 5);
      expect(maxAbsDiff(tta!, expected)).toBeLessThan(1e-5);
      expect(maxAbsDiff(tta!, plain!)).toBeGreaterThan(1e-3);
    });

    it('is the same for a chip and its mirror image', async () => {
      const [a, b] = await flipped.embed([chips[2]!, mirrorChip(chips[2]!)]);
      expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-5);
    });

    it('leaves no tensors behind', async () => {
      await flipped.embed(chips);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) await flipped.embed(chips);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

const LFW = lfwDir();
if (!LFW) {
  console.warn('FACEMATCH_LFW_DIR is unset: skipping the dlib ResNet LFW test (point it at the folder holding lfw-deepfunneled/ and pairs.txt)');
}

describe.skipIf(!LFW)('dlib ResNet on LFW deep-funneled centre crops', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    await initBackend('wasm');
    embedder = await createDlibResNetEmbedder();
  });
  afterAll(() => embedder?.dispose());

  /** Cosine similarity of the two images of each pairs.txt line. */
  async function similarities(lines: string[]): Promise<number[]> {
    const sims: number[] = [];
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      const [a, b] =
        f.length === 3
          ? [lfwImagePath(LFW!, f[0]!, Number(f[1])), lfwImagePath(LFW!, f[0]!, Number(f[2]))]
          : [lfwImagePath(LFW!, f[0]!, Number(f[1])), lfwImagePath(LFW!, f[2]!, Number(f[3]))];
      const [ea, eb] = await embedder.embed([await lfwCentreChip(a), await lfwCentreChip(b)]);
      sims.push(cosine(ea!, eb!));
    }
    return sims;
  }

  it('scores same-person pairs clearly above different-person pairs', async () => {
    // pairs.txt: a header line, then fold 1's 300 matched pairs followed by its 300 mismatched pairs.
    const lines = readFileSync(path.join(LFW!, 'pairs.txt'), 'utf8').split('\n').slice(1);
    const same = await similarities(lines.slice(0, 12));
    const different = await similarities(lines.slice(300, 312));
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(same) - mean(different)).toBeGreaterThan(0.04);
    // Fraction of (same, different) combinations ranked correctly: an AUC on 12 + 12 pairs.
    let correct = 0;
    for (const s of same) for (const d of different) if (s > d) correct++;
    expect(correct / (same.length * different.length)).toBeGreaterThan(0.9);
  });
});
