/**
 * FaceNet (or any compatible) embedder for user-supplied TF.js models: a graph or layers model
 * folder taking `[n, size, size, 3]` chips and returning `[n, d]` embeddings. No weights ship with
 * facematch; docs/facenet.md explains how to convert them.
 * @module
 */
import path from 'node:path';
import * as tf from '../runtime/tf.js';
import { FaceMatchError, invalidInput } from '../errors.js';
import { boxFraming, type ChipFraming } from '../align/framing.js';
import { combinedSha256, fileModelHandler } from '../runtime/models.js';
import type { RgbImage } from '../types.js';
import { checkChips, checkMaxBatch, chipsToTensor, chunk, disposedError, l2Normalise, readRows } from './chips.js';
import type { ChipSize } from '../align/framing.js';
import type { Embedder } from './types.js';

/**
 * How chip pixels are scaled before a FaceNet model.
 *
 * - `fixed`: `(x − 127.5) / 128`, FaceNet's "fixed image standardisation" (davidsandberg/facenet
 *   models from 2018 on, facenet-pytorch).
 * - `prewhiten`: per-chip standardisation, `(x − mean) / max(std, 1/√N)` over all `N` values of
 *   the chip, as in the original FaceNet code and the Keras ports trained with it.
 *
 * @category Embedding
 */
export type FaceNetNormalisation = 'fixed' | 'prewhiten';

/**
 * Options of {@link createFaceNetEmbedder}.
 *
 * @category Embedding
 */
export interface FaceNetOptions {
  /** A folder holding `model.json` and its weight shards, or the path of the `model.json` itself. */
  modelPath: string;
  /**
   * Side of the square input chip. Default: the model's own input size when its `model.json`
   * declares one, else 160. Giving a size that contradicts the declared one is an error.
   */
  inputSize?: number;
  /** Pixel scaling; default `fixed`. Use what the weights were trained with. */
  normalisation?: FaceNetNormalisation;
  /** The name the embedder reports (for bench tables). Default `facenet`. */
  name?: string;
  /** Optional hex sha256 per file, keyed by file name relative to the model.json's folder. */
  sha256?: Record<string, string>;
  /** Most chips run through the network at once; larger batches are split. Default 8. */
  maxBatch?: number;
  /**
   * How chips are cut for this model. Default: the detector's box grown by 12.5% of its side on
   * every side, unrotated ({@link boxFraming}), like the MTCNN crops FaceNet models were trained
   * on; {@link arcfaceFraming} gives a five-point alignment instead. Its size must be the model's
   * input size.
   */
  framing?: ChipFraming;
}

/** The slice of a tfjs-layers `LayersModel` used here (the package is an optional peer). */
interface LayersModelLike {
  readonly inputs: { shape: (number | null)[] }[];
  predict(input: tf.Tensor): tf.Tensor | tf.Tensor[];
  dispose(): void;
}

type Model = tf.GraphModel | LayersModelLike;

/**
 * `@tensorflow/tfjs-layers`, imported on first use: only layers-format models need it, and it is an
 * optional peer so that a default install stays small.
 */
async function loadLayers(file: string): Promise<{ loadLayersModel(handler: tf.io.IOHandler): Promise<LayersModelLike> }> {
  try {
    const specifier = '@tensorflow/tfjs-layers';
    return (await import(specifier)) as { loadLayersModel(handler: tf.io.IOHandler): Promise<LayersModelLike> };
  } catch (cause) {
    throw modelError(
      `Expected the optional peer @tensorflow/tfjs-layers to load ${file}, a layers-model, but it cannot be imported ` +
        '(npm install @tensorflow/tfjs-layers@4.22.0, or convert the model to a graph-model)',
      cause,
    );
  }
}

function modelError(message: string, cause?: unknown): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', message, { field: 'model', cause });
}


/** `graph-model` or `layers-model`, from the `format` field or, failing that, the topology's shape. */
function modelFormat(artifacts: tf.io.ModelArtifacts, file: string): 'graph-model' | 'layers-model' {
  if (artifacts.format === 'graph-model' || artifacts.format === 'layers-model') return artifacts.format;
  const topology = artifacts.modelTopology as Record<string, unknown> | undefined;
  if (topology && Array.isArray(topology.node)) return 'graph-model';
  if (topology && ('class_name' in topology || 'model_config' in topology)) return 'layers-model';
  throw modelError(
    `Expected ${file} to be a TF.js graph-model or layers-model but it has format ${JSON.stringify(artifacts.format)} ` +
      'and no recognisable topology',
  );
}

async function loadModel(modelJson: string, sha256: Record<string, string>, onFile: (file: string, sha256: string) => void): Promise<Model> {
  const artifacts = await fileModelHandler(modelJson, sha256, onFile).load!();
  const format = modelFormat(artifacts, modelJson);
  const layers = format === 'layers-model' ? await loadLayers(modelJson) : undefined;
  try {
    return layers ? await layers.loadLayersModel(tf.io.fromMemory(artifacts)) : await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  } catch (cause) {
    throw modelError(`Expected ${modelJson} to load as a TF.js ${format} but it failed: ${(cause as Error).message}`, cause);
  }
}

/** The input chip size the model declares, when its input shape is static. */
function declaredInput(model: Model): ChipSize | undefined {
  const shape = model.inputs[0]?.shape;
  if (!shape || shape.length !== 4) return undefined;
  const [, height, width, channels] = shape;
  if (channels !== undefined && channels !== null && channels > 0 && channels !== 3) {
    throw modelError(`Expected a model taking RGB chips [n, height, width, 3] but its input is [${shape.join(', ')}]`);
  }
  return typeof height === 'number' && height > 0 && typeof width === 'number' && width > 0 ? { width, height } : undefined;
}

function resolveInputSize(model: Model, requested: number | undefined): ChipSize {
  const declared = declaredInput(model);
  if (declared && requested !== undefined && (declared.width !== requested || declared.height !== requested)) {
    throw invalidInput('inputSize', `the model's declared input ${declared.width}×${declared.height}`, requested);
  }
  const side = requested ?? 160;
  return declared ?? { width: side, height: side };
}

/** Scales raw 0–255 chips as the model expects. */
function normalise(pixels: tf.Tensor4D, how: FaceNetNormalisation): tf.Tensor4D {
  if (how === 'fixed') return tf.div(tf.sub(pixels, 127.5), 128);
  const { mean, variance } = tf.moments(pixels, [1, 2, 3], true);
  const values = pixels.shape[1] * pixels.shape[2] * pixels.shape[3];
  const std = tf.maximum(tf.sqrt(variance), 1 / Math.sqrt(values));
  return tf.div(tf.sub(pixels, mean), std);
}

/** Runs the model and insists on a single `[n, d]` output. */
function run(model: Model, input: tf.Tensor4D): tf.Tensor2D {
  const out = model.predict(input);
  if (!(out instanceof tf.Tensor)) {
    tf.dispose(Array.isArray(out) ? out : Object.values(out));
    throw modelError('Expected the model to have a single output tensor but it has several');
  }
  if (out.rank !== 2 || out.shape[0] !== input.shape[0]) {
    const shape = out.shape.join(', ');
    out.dispose();
    throw modelError(`Expected the model to output [${input.shape[0]}, d] embeddings but it output [${shape}]`);
  }
  return out as tf.Tensor2D;
}

class FaceNetEmbedder implements Embedder {
  #model: Model | undefined;

  constructor(
    model: Model,
    readonly name: string,
    readonly framing: ChipFraming,
    readonly modelSha256: string,
    readonly dimension: number,
    private readonly normalisation: FaceNetNormalisation,
    private readonly maxBatch: number,
  ) {
    this.#model = model;
  }

  get inputSize(): ChipSize {
    return this.framing.size;
  }

  get signature(): Readonly<Record<string, string>> {
    return { normalisation: this.normalisation };
  }

  async embed(chips: readonly RgbImage[]): Promise<Float32Array[]> {
    checkChips(chips, this.inputSize, this.name);
    const out: Float32Array[] = [];
    for (const group of chunk(chips, this.maxBatch)) {
      const model = this.#model;
      if (!model) throw disposedError(this.name);
      const embeddings = tf.tidy(() => run(model, normalise(chipsToTensor(group, this.inputSize), this.normalisation)));
      out.push(...(await readRows(embeddings)).map(l2Normalise));
    }
    return out;
  }

  dispose(): void {
    this.#model?.dispose();
    this.#model = undefined;
  }
}

const NORMALISATIONS: readonly FaceNetNormalisation[] = ['fixed', 'prewhiten'];

/**
 * Loads a user-supplied TF.js FaceNet model (graph or layers format) from disk and returns an
 * embedder for it. The model must take one float input `[n, height, width, 3]` and return one
 * `[n, d]` output; the embedding dimension `d` (128 or 512 for FaceNet) is read by running the
 * model once on a blank chip. Chips are expected in the MTCNN crop FaceNet was trained on (see
 * {@link Embedder}). Run {@link initBackend} first to choose the tfjs backend.
 *
 * @example
 * ```ts
 * const facenet = await createFaceNetEmbedder({ modelPath: './facenet-tfjs', normalisation: 'prewhiten' });
 * const [embedding] = await facenet.embed([chip160]);
 * ```
 * @throws FaceMatchError `MODEL_ERROR` when the folder or a file is missing, a sha256 differs, or
 *   the model cannot load or does not map chips to `[n, d]`; `INVALID_INPUT` for a bad option
 * @category Embedding
 */
export async function createFaceNetEmbedder(options: FaceNetOptions): Promise<Embedder> {
  const { modelPath, inputSize, normalisation = 'fixed', name = 'facenet', sha256 = {}, maxBatch = 8, framing } = options ?? {};
  if (typeof modelPath !== 'string' || modelPath === '') {
    throw invalidInput('modelPath', 'a model folder or model.json path', modelPath);
  }
  if (!NORMALISATIONS.includes(normalisation)) {
    throw invalidInput('normalisation', "'fixed' or 'prewhiten'", normalisation);
  }
  if (typeof name !== 'string' || name === '') {
    throw invalidInput('name', 'a non-empty string', name);
  }
  if (inputSize !== undefined && (!Number.isInteger(inputSize) || inputSize < 1)) {
    throw invalidInput('inputSize', 'a positive integer', inputSize);
  }
  checkMaxBatch(maxBatch);

  const modelJson = modelPath.endsWith('.json') ? modelPath : path.join(modelPath, 'model.json');
  const files: { file: string; sha256: string }[] = [];
  const model = await loadModel(modelJson, sha256, (file, digest) => files.push({ file, sha256: digest }));
  try {
    const size = resolveInputSize(model, inputSize ?? framing?.size.width);
    if (framing && (framing.size.width !== size.width || framing.size.height !== size.height)) {
      throw invalidInput('framing', `a framing of the model's input size ${size.width}×${size.height}`, `${framing.size.width}×${framing.size.height}`);
    }
    const probe = tf.tidy(() => run(model, tf.zeros<tf.Rank.R4>([1, size.height, size.width, 3])));
    const dimension = probe.shape[1];
    probe.dispose();
    const cut = framing ?? boxFraming(size.width, 0.125);
    return new FaceNetEmbedder(model, name, cut, combinedSha256(files), dimension, normalisation, maxBatch);
  } catch (err) {
    model.dispose();
    if (err instanceof FaceMatchError) throw err;
    throw modelError(`Expected ${modelJson} to map a [1, h, w, 3] chip to an embedding but it failed: ${(err as Error).message}`, err);
  }
}
