/**
 * Embedders from their text form (see `parseEmbedderSpec`): what `FaceMatcher.create` runs for
 * `embedder: 'dlib-resnet' | 'onnx:PATH[:PRESET]' | 'A+B'`.
 * @module
 */
import { stat } from 'node:fs/promises';
import { getUserModel, USER_MODEL_NAME } from '../runtime/user-models.js';
import { createDlibResNetEmbedder } from './dlib-resnet.js';
import { createOnnxEmbedder } from './onnx/embedder.js';
import { createUserModelEmbedder } from './onnx/user-model.js';
import { createFusedEmbedder, type FusedEmbedder } from './fusion.js';
import { parseEmbedderSpec, type EmbedderPart } from './spec.js';
import type { Embedder } from './types.js';

/**
 * Options of {@link createEmbedderFromSpec}.
 *
 * @category Embedding
 */
export interface EmbedderFromSpecOptions {
  /** Folder of the vendored models. */
  modelsDir?: string;
  /**
   * Flip averaging for every part. Default: on for dlib-resnet; for ONNX parts, the preset's (on)
   * or what was recorded when the model was registered.
   */
  flip?: boolean;
  /** The user models folder for registered names. Default: `userModelsHome()`. */
  home?: string;
  /**
   * Weights of a fusion's parts; default equal. ({@link FaceMatcher.create} given the same text
   * looks up the weights stored with the fusion's calibration; this factory does not.)
   */
  weights?: readonly number[];
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function createPart(part: EmbedderPart, options: EmbedderFromSpecOptions): Promise<Embedder> {
  if (part.kind === 'dlib-resnet') {
    return createDlibResNetEmbedder({ ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}), flip: options.flip ?? true });
  }
  const overrides = { ...(part.preset ? { preset: part.preset } : {}), ...(options.flip === undefined ? {} : { flip: options.flip }) };
  // A registered name (no such file) uses the preset and settings recorded with `facematch models add`.
  // Only a text that could be a model name is looked up; a missing path goes on to the ONNX
  // factory, whose error names the file.
  if (USER_MODEL_NAME.test(part.model) && !(await isFile(part.model))) {
    const home = options.home ? { home: options.home } : {};
    if (await getUserModel(part.model, home)) return createUserModelEmbedder(part.model, overrides, home);
  }
  return createOnnxEmbedder({ model: part.model, ...overrides });
}

/**
 * Creates the embedder a text names: one {@link Embedder}, or for `A+B` a {@link FusedEmbedder}
 * that owns its parts. On failure, every part already created is disposed.
 *
 * @throws FaceMatchError `INVALID_INPUT` for a malformed text; what each part's factory throws
 * @category Embedding
 */
export async function createEmbedderFromSpec(text: string, options: EmbedderFromSpecOptions = {}): Promise<Embedder | FusedEmbedder> {
  const parts = parseEmbedderSpec(text);
  const created: Embedder[] = [];
  try {
    for (const part of parts) created.push(await createPart(part, options));
  } catch (err) {
    for (const e of created) e.dispose();
    throw err;
  }
  if (created.length === 1) return created[0]!;
  return createFusedEmbedder(created, { ...(options.weights ? { weights: options.weights } : {}), owned: created.map((_, i) => i) });
}
