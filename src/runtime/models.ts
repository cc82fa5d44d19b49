import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from './tf.js';
import { FaceMatchError } from '../errors.js';
import { packageRoot } from './package.js';

/**
 * One file of a vendored model, as listed in `models/manifest.json`.
 *
 * @category Runtime
 */
export interface ModelFileEntry {
  /** Path relative to the models folder. */
  file: string;
  /** Path of the file inside the source npm package. */
  source: string;
  /** Hex sha256 of the file; checked every time the file is loaded. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
}

/**
 * Where a vendored model's files come from.
 *
 * @category Runtime
 */
export interface ModelSource {
  /** npm package name, such as `@vladmandic/face-api`. */
  package: string;
  /** Exact package version. */
  version: string;
  /** Path of the model's main file inside the package. */
  path: string;
}

/**
 * The input tensor a model expects.
 *
 * @category Runtime
 */
export interface ModelInputSpec {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Colour channels (3: RGB). */
  channels: number;
  /** Tensor layout, `NHWC`. */
  layout: string;
}

/**
 * One model in `models/manifest.json`: where its weights come from and how to feed it.
 *
 * @category Runtime
 */
export interface ModelManifestEntry {
  /** `detector`, `embedder` or `landmarks`. */
  role: string;
  /** Human-readable name of the network. */
  title: string;
  /** `graph-model` (model.json with topology) or `weights-only` (a tfjs weights manifest; facematch builds the network). */
  format: 'graph-model' | 'weights-only';
  /** The npm package and version the files were taken from, and the path of the main file inside it. */
  source: ModelSource;
  /** Licence of the weights and of the conversion. */
  licence: string;
  /** Input tensor size. */
  input: ModelInputSpec;
  /** How pixels are normalised before the network. */
  normalisation: string;
  /** What the network outputs. */
  output: string;
  /** The files, each with its sha256. */
  files: ModelFileEntry[];
  /** Score calibration fitted on LFW (embedders only); see the compare module. */
  calibration?: Record<string, unknown>;
}

/**
 * The parsed `models/manifest.json`.
 *
 * @category Runtime
 */
export interface ModelManifest {
  /** Free text. */
  description?: string;
  /** Models by id (`blazeface-short`, `blazeface-full`, `dlib-resnet`, `landmarks-68`). */
  models: Record<string, ModelManifestEntry>;
}

/**
 * The shape of {@link modelEnv}.
 *
 * @category Runtime
 */
export interface ModelEnv {
  /** Folder holding `manifest.json` and the weight files. Default: the package's own `models/`. */
  modelsDir: string;
}

/**
 * Where facematch finds its models. Change it once, before creating a matcher, to load the weights
 * from another folder (it must hold a `manifest.json` of the same shape). facematch never downloads
 * models: every file is read from disk and checked against its sha256.
 *
 * @category Runtime
 */
export const modelEnv: ModelEnv = {
  modelsDir: path.join(packageRoot(), 'models'),
};

const manifestCache = new Map<string, Promise<ModelManifest>>();

function modelError(message: string, file: string | undefined, cause?: unknown): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', message, { field: 'model', details: file ? { file } : {}, cause });
}

/**
 * Reads and caches the models manifest of a folder (default {@link modelEnv}.modelsDir).
 *
 * @throws FaceMatchError `MODEL_ERROR` when the manifest is missing or not valid JSON
 * @category Runtime
 */
export async function readModelManifest(modelsDir: string = modelEnv.modelsDir): Promise<ModelManifest> {
  const dir = path.resolve(modelsDir);
  let cached = manifestCache.get(dir);
  if (!cached) {
    cached = (async () => {
      const file = path.join(dir, 'manifest.json');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (cause) {
        throw modelError(`Expected a model manifest at ${file} but the file could not be read`, file, cause);
      }
      try {
        const parsed = JSON.parse(text) as ModelManifest;
        if (!parsed || typeof parsed.models !== 'object') throw new Error('no "models" object');
        return parsed;
      } catch (cause) {
        throw modelError(`Expected ${file} to be a JSON model manifest but it could not be parsed`, file, cause);
      }
    })();
    cached.catch(() => manifestCache.delete(dir));
    manifestCache.set(dir, cached);
  }
  return cached;
}

/**
 * Looks a model up in the manifest.
 *
 * @throws FaceMatchError `MODEL_ERROR` when the id is not in the manifest
 * @category Runtime
 */
export async function getModelEntry(id: string, modelsDir: string = modelEnv.modelsDir): Promise<ModelManifestEntry> {
  const manifest = await readModelManifest(modelsDir);
  const entry = manifest.models[id];
  if (!entry) {
    throw modelError(
      `Expected model "${id}" in ${path.join(modelsDir, 'manifest.json')} but it lists only ${Object.keys(manifest.models).join(', ')}`,
      undefined,
    );
  }
  return entry;
}

/**
 * One digest for a model made of several files: the hex sha256 of its files' sorted
 * `basename:sha256` lines (a single-file model's digest is that file's own sha256, so it matches
 * `sha256sum`). What {@link Embedder.modelSha256} reports for vendored models.
 *
 * @category Runtime
 */
export function combinedSha256(files: readonly { file: string; sha256: string }[]): string {
  if (files.length === 1) return files[0]!.sha256;
  const lines = files.map((f) => `${path.posix.basename(f.file)}:${f.sha256}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Reads one file of a model and checks its sha256 against the manifest.
 *
 * @throws FaceMatchError `MODEL_ERROR` naming the file when it is missing, not in the manifest, or altered
 * @category Runtime
 */
export async function readModelFile(id: string, file: string, modelsDir: string = modelEnv.modelsDir): Promise<Buffer> {
  const entry = await getModelEntry(id, modelsDir);
  const listed = entry.files.find((f) => f.file === file || path.posix.basename(f.file) === file);
  const full = path.join(modelsDir, listed ? listed.file : file);
  if (!listed) throw modelError(`Expected ${full} to be listed for model "${id}" in the manifest but it is not`, full);
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch (cause) {
    throw modelError(`Expected model file ${full} (${id}) but it is missing or unreadable`, full, cause);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== listed.sha256) {
    throw modelError(
      `Expected model file ${full} to have sha256 ${listed.sha256} but it has ${digest}: the file was altered or replaced`,
      full,
    );
  }
  return bytes;
}

function toArrayBuffer(buffers: Buffer[]): ArrayBuffer {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(b, offset);
    offset += b.length;
  }
  return out.buffer; // out was allocated here at its exact length: it owns the whole ArrayBuffer
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/**
 * Reads every shard a tfjs weights manifest names, through `read`, and returns the specs and bytes.
 * @internal
 */
async function readWeightGroups(
  groups: WeightsGroup[],
  read: (file: string) => Promise<Buffer>,
): Promise<{ weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer }> {
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of groups) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(await read(p));
  }
  return { weightSpecs, weightData: toArrayBuffer(buffers) };
}

/**
 * A tfjs IOHandler that reads a vendored graph model (model.json + shards) from disk, checking every
 * file's sha256 against the manifest.
 *
 * @category Runtime
 */
export function manifestModelHandler(id: string, modelsDir: string = modelEnv.modelsDir): tf.io.IOHandler {
  return {
    load: async () => {
      const entry = await getModelEntry(id, modelsDir);
      if (entry.format !== 'graph-model') throw modelError(`Expected model "${id}" to be a graph model but it is ${entry.format}`, undefined);
      const jsonFile = entry.files.find((f) => f.file.endsWith('.json'));
      if (!jsonFile) throw modelError(`Expected a model.json for "${id}" in the manifest but none is listed`, undefined);
      const json = JSON.parse((await readModelFile(id, jsonFile.file, modelsDir)).toString('utf8')) as tf.io.ModelJSON;
      const dir = path.posix.dirname(jsonFile.file);
      const { weightSpecs, weightData } = await readWeightGroups(json.weightsManifest as WeightsGroup[], (p) =>
        readModelFile(id, path.posix.join(dir, p), modelsDir),
      );
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs,
        weightData,
      } as tf.io.ModelArtifacts;
    },
  };
}

/**
 * Loads a vendored graph model (such as `blazeface-short`) from disk. No network is used.
 *
 * @throws FaceMatchError `MODEL_ERROR` when a file is missing, altered or not a valid model
 * @category Runtime
 */
export async function loadManifestGraphModel(id: string, modelsDir: string = modelEnv.modelsDir): Promise<tf.GraphModel> {
  try {
    return await tf.loadGraphModel(manifestModelHandler(id, modelsDir));
  } catch (cause) {
    if (cause instanceof FaceMatchError) throw cause;
    throw modelError(`Expected model "${id}" to load as a tfjs graph model but it failed: ${(cause as Error).message}`, undefined, cause);
  }
}

/**
 * Loads a vendored weights-only model (such as `dlib-resnet`): the tensors named in its weights
 * manifest, dequantised to float32. The caller owns the tensors and must dispose them.
 *
 * @throws FaceMatchError `MODEL_ERROR` when a file is missing, altered or malformed
 * @category Runtime
 */
export async function loadManifestWeights(id: string, modelsDir: string = modelEnv.modelsDir): Promise<tf.NamedTensorMap> {
  const entry = await getModelEntry(id, modelsDir);
  if (entry.format !== 'weights-only') throw modelError(`Expected model "${id}" to be weights-only but it is ${entry.format}`, undefined);
  const manifestFile = entry.files.find((f) => f.file.endsWith('.json'));
  if (!manifestFile) throw modelError(`Expected a weights manifest for "${id}" in the manifest but none is listed`, undefined);
  const dir = path.posix.dirname(manifestFile.file);
  let groups: WeightsGroup[];
  try {
    groups = JSON.parse((await readModelFile(id, manifestFile.file, modelsDir)).toString('utf8')) as WeightsGroup[];
  } catch (cause) {
    if (cause instanceof FaceMatchError) throw cause;
    throw modelError(`Expected ${manifestFile.file} to be a tfjs weights manifest but it could not be parsed`, manifestFile.file, cause);
  }
  const { weightSpecs, weightData } = await readWeightGroups(groups, (p) => readModelFile(id, path.posix.join(dir, p), modelsDir));
  try {
    return tf.io.decodeWeights(weightData, weightSpecs);
  } catch (cause) {
    throw modelError(`Expected the weights of "${id}" to decode but they did not: ${(cause as Error).message}`, undefined, cause);
  }
}

/**
 * A tfjs IOHandler that reads any TF.js model folder from disk: a `model.json` (graph or layers
 * format) and the weight shards it names, relative to it. Used for user-supplied models such as
 * FaceNet conversions. When `sha256` is given, each file named in it is checked.
 *
 * @param modelJsonPath - path of the model.json
 * @param sha256 - optional map from file name (relative to the model.json's folder) to hex sha256
 * @param onFile - called with each file read and its sha256 (to describe the model)
 * @category Runtime
 */
export function fileModelHandler(
  modelJsonPath: string,
  sha256: Record<string, string> = {},
  onFile?: (file: string, sha256: string) => void,
): tf.io.IOHandler {
  const dir = path.dirname(modelJsonPath);
  const read = async (rel: string): Promise<Buffer> => {
    const full = path.join(dir, rel);
    let bytes: Buffer;
    try {
      bytes = await readFile(full);
    } catch (cause) {
      throw modelError(`Expected model file ${full} but it is missing or unreadable`, full, cause);
    }
    const got = createHash('sha256').update(bytes).digest('hex');
    const want = sha256[rel];
    if (want !== undefined && got !== want) throw modelError(`Expected model file ${full} to have sha256 ${want} but it has ${got}`, full);
    onFile?.(rel, got);
    return bytes;
  };
  return {
    load: async () => {
      const base = path.basename(modelJsonPath);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse((await read(base)).toString('utf8')) as tf.io.ModelJSON;
      } catch (cause) {
        if (cause instanceof FaceMatchError) throw cause;
        throw modelError(`Expected ${modelJsonPath} to be a TF.js model.json but it could not be parsed`, modelJsonPath, cause);
      }
      const { weightSpecs, weightData } = await readWeightGroups((json.weightsManifest ?? []) as WeightsGroup[], read);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        trainingConfig: json.trainingConfig,
        weightSpecs,
        weightData,
      } as tf.io.ModelArtifacts;
    },
  };
}
