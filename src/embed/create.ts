/**
 * Embedders from their text form (see `parseEmbedderSpec`): what `FaceMatcher.create` runs for
 * `embedder: 'dlib-resnet' | 'onnx:PATH[:PRESET]' | 'A+B'`.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import { createDlibResNetEmbedder } from './dlib-resnet.js';
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
  /** Flip averaging for every part. Default true. */
  flip?: boolean;
  /** Weights of a fusion's parts; default: the stored ones, else equal. */
  weights?: readonly number[];
}

async function createPart(part: EmbedderPart, options: EmbedderFromSpecOptions): Promise<Embedder> {
  const flip = options.flip ?? true;
  if (part.kind === 'dlib-resnet') return createDlibResNetEmbedder({ ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}), flip });
  const specifier = './onnx/index.js';
  let onnx: { createOnnxEmbedder(options: Record<string, unknown>): Promise<Embedder> };
  try {
    onnx = (await import(specifier)) as typeof onnx;
  } catch (cause) {
    throw new FaceMatchError('BACKEND_ERROR', 'Expected the ONNX embedder module to load but it is missing from this build', { field: 'embedder', cause });
  }
  return onnx.createOnnxEmbedder({ model: part.model, ...(part.preset ? { preset: part.preset } : {}), flip });
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
