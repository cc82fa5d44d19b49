import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticChip } from '../bench/helpers/chips.js';
import { createFaceNetEmbedder } from '../src/embed/facenet.js';
import type { Embedder } from '../src/embed/types.js';
import { FaceMatchError } from '../src/errors.js';
import { initBackend } from '../src/runtime/backend.js';
import type { RgbImage } from '../src/types.js';
import { norm, maxAbsDiff } from './fixtures/numeric.js';

function concat(data: ArrayBuffer | ArrayBuffer[]): Buffer {
  return Buffer.concat((Array.isArray(data) ? data : [data]).map((b) => Buffer.from(b)));
}

/** Writes a model as a TF.js folder: model.json + weights.bin, as tensorflowjs_converter lays it out. */
async function writeModelFolder(
  dir: string,
  json: Record<string, unknown>,
  weightSpecs: tf.io.WeightsManifestEntry[],
  weights: Buffer,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'weights.bin'), weights);
  const manifest = [{ paths: ['weights.bin'], weights: weightSpecs }];
  await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: manifest }));
}

/** Saves a layers model through tf.io.withSaveHandler into a model folder. */
/** The bytes of a typed array, exactly its own range of its buffer. */
function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

async function saveLayersModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = { format: 'layers-model', generatedBy: 'facematch test', convertedBy: null, modelTopology: artifacts.modelTopology };
      await writeModelFolder(dir, json, artifacts.weightSpecs ?? [], concat(artifacts.weightData ?? []));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** The model-under-test's normalisation, computed independently in float64 JavaScript. */
function referenceNormalise(chip: RgbImage, how: 'fixed' | 'prewhiten'): Float32Array {
  const x = Array.from(chip.data);
  if (how === 'fixed') return Float32Array.from(x, (v) => (v - 127.5) / 128);
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
  const adj = Math.max(std, 1 / Math.sqrt(x.length));
  return Float32Array.from(x, (v) => (v - mean) / adj);
}

/** Runs `forward` on one chip normalised in JavaScript and L2-normalises the result. */
function expectedEmbedding(forward: (x: tf.Tensor4D) => tf.Tensor, chip: RgbImage, how: 'fixed' | 'prewhiten'): Float32Array {
  const raw = tf.tidy(() => forward(tf.tensor4d(referenceNormalise(chip, how), [1, chip.height, chip.width, 3])).dataSync() as Float32Array);
  const n = norm(raw);
  return raw.map((v) => v / n);
}

let root: string;
beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'facematch-facenet-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const chips = [syntheticChip(160, 11), syntheticChip(160, 12), syntheticChip(160, 13)];

describe('FaceNet embedder on a layers model', () => {
  let model: tfl.Sequential;
  let dir: string;

  beforeAll(async () => {
    model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [160, 160, 3],
          filters: 8,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({
          units: 128,
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
          biasInitializer: tfl.initializers.randomNormal({ seed: 3 }),
        }),
      ],
    });
    dir = path.join(root, 'layers');
    await saveLayersModel(model, dir);
  });
  afterAll(() => model.dispose());

  for (const normalisation of ['fixed', 'prewhiten'] as const) {
    it(`matches the in-memory model with ${normalisation} normalisation`, async () => {
      const embedder = await createFaceNetEmbedder({ modelPath: dir, normalisation });
      expect(embedder.name).toBe('facenet');
      expect(embedder.inputSize).toEqual({ width: 160, height: 160 });
      expect(embedder.dimension).toBe(128);
      const out = await embedder.embed(chips);
      embedder.dispose();
      expect(out).toHaveLength(3);
      for (const [i, chip] of chips.entries()) {
        expect(out[i]).toBeInstanceOf(Float32Array);
        expect(out[i]).toHaveLength(128);
        expect(norm(out[i]!)).toBeCloseTo(1, 5);
        expect(maxAbsDiff(out[i]!, expectedEmbedding((x) => model.predict(x) as tf.Tensor, chip, normalisation))).toBeLessThan(1e-5);
      }
    });
  }

  it('gives different results for the two normalisations', async () => {
    const fixed = await createFaceNetEmbedder({ modelPath: dir });
    const white = await createFaceNetEmbedder({ modelPath: path.join(dir, 'model.json'), normalisation: 'prewhiten', name: 'facenet-white' });
    const [a] = await fixed.embed([chips[0]!]);
    const [b] = await white.embed([chips[0]!]);
    expect(white.name).toBe('facenet-white');
    expect(maxAbsDiff(a!, b!)).toBeGreaterThan(1e-3);
    fixed.dispose();
    white.dispose();
  });

  it('leaves no tensors behind and frees the model on dispose', async () => {
    const before = tf.memory().numTensors;
    const embedder = await createFaceNetEmbedder({ modelPath: dir });
    await embedder.embed(chips);
    const loaded = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) await embedder.embed(chips);
    expect(tf.memory().numTensors).toBe(loaded);
    embedder.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(embedder.embed(chips)).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });

  it('refuses a chip of the wrong size with INVALID_INPUT', async () => {
    const embedder = await createFaceNetEmbedder({ modelPath: dir });
    const err = await embedder.embed([syntheticChip(150, 1)]).catch((e: unknown) => e);
    embedder.dispose();
    expect(err).toBeInstanceOf(FaceMatchError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'chips[0]' });
  });

  it('refuses an inputSize that contradicts the model', async () => {
    await expect(createFaceNetEmbedder({ modelPath: dir, inputSize: 112 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'inputSize' });
  });

  it('checks sha256 when given', async () => {
    const bad = { 'weights.bin': '0'.repeat(64) };
    const err = await createFaceNetEmbedder({ modelPath: dir, sha256: bad }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_ERROR' });
    expect((err as Error).message).toMatch(/sha256/);
  });
});

describe('FaceNet embedder on a graph model', () => {
  // A hand-written GraphDef (what tensorflowjs_converter emits for a SavedModel or frozen graph):
  // input [-1, 96, 96, 3] → Conv2D 3×3/2 SAME (16 filters) → BiasAdd → Relu → Mean over H, W → MatMul [16, 512].
  // (The bias makes the output depend on the input's scale, so the normalisation is tested too.)
  let filter: tf.Tensor4D;
  let bias: tf.Tensor1D;
  let projection: tf.Tensor2D;
  const forward = (x: tf.Tensor4D): tf.Tensor =>
    tf.matMul(tf.mean(tf.relu(tf.add(tf.conv2d(x, filter, 2, 'same'), bias)), [1, 2]) as tf.Tensor2D, projection);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const dims = (shape: number[]): { dim: { size: string }[] } => ({ dim: shape.map((size) => ({ size: String(size) })) });
  const constNode = (name: string, dtype: string, shape: number[]) => ({
    name,
    op: 'Const',
    attr: { value: { tensor: { dtype, tensorShape: dims(shape) } }, dtype: { type: dtype } },
  });
  const topology = {
    node: [
      { name: 'input', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, 96, 96, 3]) } } },
      constNode('filter', 'DT_FLOAT', [3, 3, 3, 16]),
      constNode('bias', 'DT_FLOAT', [16]),
      constNode('axes', 'DT_INT32', [2]),
      constNode('projection', 'DT_FLOAT', [16, 512]),
      {
        name: 'conv',
        op: 'Conv2D',
        input: ['input', 'filter'],
        attr: {
          T: { type: 'DT_FLOAT' },
          strides: { list: { i: ['1', '2', '2', '1'] } },
          padding: { s: b64('SAME') },
          data_format: { s: b64('NHWC') },
          dilations: { list: { i: ['1', '1', '1', '1'] } },
        },
      },
      { name: 'biased', op: 'BiasAdd', input: ['conv', 'bias'], attr: { T: { type: 'DT_FLOAT' }, data_format: { s: b64('NHWC') } } },
      { name: 'relu', op: 'Relu', input: ['biased'], attr: { T: { type: 'DT_FLOAT' } } },
      {
        name: 'pool',
        op: 'Mean',
        input: ['relu', 'axes'],
        attr: { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } },
      },
      {
        name: 'embeddings',
        op: 'MatMul',
        input: ['pool', 'projection'],
        attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
      },
    ],
    library: {},
    versions: { producer: 1 },
  };
  let dir: string;

  beforeAll(async () => {
    filter = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 16], 0, 0.3, 'float32', 4);
    bias = tf.randomNormal<tf.Rank.R1>([16], 0, 0.5, 'float32', 6);
    projection = tf.randomNormal<tf.Rank.R2>([16, 512], 0, 0.3, 'float32', 5);
    dir = path.join(root, 'graph');
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'filter', shape: [3, 3, 3, 16], dtype: 'float32' },
      { name: 'bias', shape: [16], dtype: 'float32' },
      { name: 'axes', shape: [2], dtype: 'int32' },
      { name: 'projection', shape: [16, 512], dtype: 'float32' },
    ];
    const bytes = Buffer.concat([
      bytesOf(filter.dataSync()),
      bytesOf(bias.dataSync()),
      bytesOf(new Int32Array([1, 2])),
      bytesOf(projection.dataSync()),
    ]);
    const json = { format: 'graph-model', generatedBy: 'facematch test', convertedBy: 'hand-written', modelTopology: topology };
    await writeModelFolder(dir, json, specs, bytes);
  });
  afterAll(() => tf.dispose([filter, bias, projection]));

  it('loads it, takes the declared 96×96 input, reports 512 dimensions and matches the same ops', async () => {
    const embedder = await createFaceNetEmbedder({ modelPath: dir });
    expect(embedder.inputSize).toEqual({ width: 96, height: 96 });
    expect(embedder.dimension).toBe(512);
    const inputs = [syntheticChip(96, 21), syntheticChip(96, 22)];
    const out = await embedder.embed(inputs);
    embedder.dispose();
    for (const [i, chip] of inputs.entries()) {
      expect(out[i]).toHaveLength(512);
      expect(norm(out[i]!)).toBeCloseTo(1, 5);
      expect(maxAbsDiff(out[i]!, expectedEmbedding(forward, chip, 'fixed'))).toBeLessThan(1e-5);
    }
  });

  it('finds the format from the topology when model.json has no format field', async () => {
    const bare = path.join(root, 'graph-no-format');
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    delete json.format;
    await mkdir(bare, { recursive: true });
    await writeFile(path.join(bare, 'model.json'), JSON.stringify(json));
    await copyFile(path.join(dir, 'weights.bin'), path.join(bare, 'weights.bin'));
    const embedder: Embedder = await createFaceNetEmbedder({ modelPath: bare });
    expect(embedder.dimension).toBe(512);
    embedder.dispose();
  });
});

describe('FaceNet embedder errors', () => {
  it('reports a missing folder as MODEL_ERROR naming the model.json', async () => {
    const missing = path.join(root, 'no-such-model');
    const err = await createFaceNetEmbedder({ modelPath: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceMatchError);
    expect((err as FaceMatchError).code).toBe('MODEL_ERROR');
    expect((err as FaceMatchError).message).toContain(path.join(missing, 'model.json'));
  });

  it('reports a model.json that is not a model as MODEL_ERROR', async () => {
    const dir = path.join(root, 'not-a-model');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ hello: 'world' }));
    await expect(createFaceNetEmbedder({ modelPath: dir })).rejects.toMatchObject({ code: 'MODEL_ERROR' });
  });

  it('reports a model that does not output [n, d] as MODEL_ERROR and leaks nothing', async () => {
    const conv = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [160, 160, 3], filters: 4, kernelSize: 3 })] });
    const dir = path.join(root, 'feature-map');
    await saveLayersModel(conv, dir);
    conv.dispose();
    const before = tf.memory().numTensors;
    const err = await createFaceNetEmbedder({ modelPath: dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODEL_ERROR' });
    expect((err as Error).message).toMatch(/\[1, d\].*\[1, 158, 158, 4\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad options with INVALID_INPUT', async () => {
    await expect(createFaceNetEmbedder({ modelPath: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'modelPath' });
    await expect(createFaceNetEmbedder({ modelPath: root, normalisation: 'zscore' as never })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'normalisation',
    });
    await expect(createFaceNetEmbedder({ modelPath: root, inputSize: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'inputSize' });
    await expect(createFaceNetEmbedder({ modelPath: root, maxBatch: 1.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'maxBatch' });
  });
});
