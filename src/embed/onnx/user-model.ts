/**
 * An ONNX embedder for a model in the user model registry, with the preset and settings recorded
 * when it was added and its sha256 checked.
 * @module
 */
import { FaceMatchError } from '../../errors.js';
import { getUserModel, type UserModelsOptions } from '../../runtime/user-models.js';
import { createOnnxEmbedder, type OnnxEmbedder } from './embedder.js';
import type { OnnxEmbedderOptions } from './options.js';

/**
 * Loads a model registered with `facematch models add` (or {@link addUserModel}) as an
 * {@link OnnxEmbedder}: its recorded preset and settings apply, `overrides` win over them, and
 * the file must still have the sha256 recorded when it was added.
 *
 * @example
 * ```ts
 * const embedder = await createUserModelEmbedder('my-arcface');
 * const matcher = await FaceMatcher.create({ embedder });
 * ```
 * @param name - the registered name
 * @param overrides - options that replace the recorded ones (runtime, threads, flip, ...)
 * @param options - which user models folder to look in
 * @throws FaceMatchError `INVALID_INPUT` (field `name`) when no model has that name; `MODEL_ERROR`
 *   when its file is missing or altered; otherwise as {@link createOnnxEmbedder}
 * @category Embedding
 */
export async function createUserModelEmbedder(
  name: string,
  overrides: Omit<OnnxEmbedderOptions, 'model' | 'sha256'> = {},
  options: UserModelsOptions = {},
): Promise<OnnxEmbedder> {
  const entry = await getUserModel(name, options);
  if (!entry) {
    throw new FaceMatchError('INVALID_INPUT', `Expected the name of a registered user model for name but received ${JSON.stringify(name)}`, {
      field: 'name',
      details: { name },
    });
  }
  return createOnnxEmbedder({ name: `onnx:${entry.name}`, ...entry.options, preset: entry.preset, ...overrides, model: entry.path, sha256: entry.sha256 });
}
