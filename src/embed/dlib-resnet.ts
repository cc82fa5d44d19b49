/**
 * The default embedder: dlib's ResNet face recognition network, 150×150 chips → 128-D vectors.
 * @module
 */
import { DLIB_RESNET_FRAMING } from '../align/framing.js';
import * as tf from '../runtime/tf.js';
import { FaceMatchError } from '../errors.js';
import { combinedSha256, getModelEntry, loadManifestWeights } from '../runtime/models.js';
import type { RgbImage } from '../types.js';
import { checkChips, checkMaxBatch, chipsToTensor, chunk, disposedError, l2Normalise, readRows } from './chips.js';
import { type DlibResNetParams, disposeDlibResNetParams, dlibResNetForward, foldDlibResNetWeights } from './dlib-resnet-net.js';
import type { ChipSize } from '../align/framing.js';
import type { Embedder } from './types.js';

/**
 * Options of {@link createDlibResNetEmbedder}.
 *
 * @category Embedding
 */
export interface DlibResNetOptions {
  /** Folder holding `manifest.json` and the weights. Default: {@link modelEnv}.modelsDir. */
  modelsDir?: string;
  /**
   * Horizontal-flip test-time augmentation: embed each chip and its mirror image in the same
   * batch, L2-normalise both, average them and normalise again. Twice the compute. Default false.
   */
  flip?: boolean;
  /**
   * The mean-subtracted pixels are divided by this before the network. Default 256, dlib's own
   * preprocessing (the one the weights were trained with); face-api uses 255.
   */
  pixelDivisor?: number;
  /** Most chips run through the network at once; larger batches are split. Default 8. */
  maxBatch?: number;
}

/** The name {@link createDlibResNetEmbedder}'s embedder reports. */
const NAME = 'dlib-resnet';
const INPUT_SIZE: ChipSize = DLIB_RESNET_FRAMING.size;
const DIMENSION = 128;

class DlibResNetEmbedder implements Embedder {
  readonly name = NAME;
  readonly inputSize = INPUT_SIZE;
  readonly framing = DLIB_RESNET_FRAMING;
  readonly dimension = DIMENSION;
  readonly modelSha256: string;
  readonly signature: Readonly<Record<string, number | boolean>>;
  #params: DlibResNetParams | undefined;

  constructor(
    params: DlibResNetParams,
    modelSha256: string,
    private readonly flip: boolean,
    private readonly pixelDivisor: number,
    private readonly maxBatch: number,
  ) {
    this.#params = params;
    this.modelSha256 = modelSha256;
    this.signature = Object.freeze({ flip, pixelDivisor });
  }

  async embed(chips: readonly RgbImage[]): Promise<Float32Array[]> {
    checkChips(chips, INPUT_SIZE, NAME);
    const out: Float32Array[] = [];
    for (const group of chunk(chips, this.maxBatch)) out.push(...(await this.#embedBatch(group)));
    return out;
  }

  async #embedBatch(chips: readonly RgbImage[]): Promise<Float32Array[]> {
    const params = this.#params;
    if (!params) throw disposedError(NAME);
    const descriptors = tf.tidy(() => {
      const pixels = chipsToTensor(chips, INPUT_SIZE);
      const batch = this.flip ? tf.concat([pixels, tf.reverse(pixels, 2)]) : pixels;
      return dlibResNetForward(params, batch, this.pixelDivisor);
    });
    const rows = (await readRows(descriptors)).map(l2Normalise);
    if (!this.flip) return rows;
    const n = chips.length;
    return rows.slice(0, n).map((plain, i) => {
      const mirrored = rows[n + i]!;
      return l2Normalise(plain.map((v, k) => v + mirrored[k]!));
    });
  }

  dispose(): void {
    if (this.#params) disposeDlibResNetParams(this.#params);
    this.#params = undefined;
  }
}

/**
 * Loads the vendored dlib ResNet weights (sha256-checked, from disk) and returns the 128-D
 * embedder. Takes 150×150 chips aligned the dlib way (see {@link Embedder}). Run
 * {@link initBackend} first to choose the tfjs backend.
 *
 * @example
 * ```ts
 * const embedder = await createDlibResNetEmbedder({ flip: true });
 * const [a, b] = await embedder.embed([chipA, chipB]);
 * embedder.dispose();
 * ```
 * @throws FaceMatchError `MODEL_ERROR` when the weights are missing, altered or malformed;
 *   `INVALID_INPUT` for a bad option
 * @category Embedding
 */
export async function createDlibResNetEmbedder(options: DlibResNetOptions = {}): Promise<Embedder> {
  const { modelsDir, flip = false, pixelDivisor = 256, maxBatch = 8 } = options;
  if (typeof flip !== 'boolean') {
    throw new FaceMatchError('INVALID_INPUT', `Expected flip to be true or false but received ${String(flip)}`, { field: 'flip' });
  }
  if (!Number.isFinite(pixelDivisor) || pixelDivisor <= 0) {
    throw new FaceMatchError('INVALID_INPUT', `Expected pixelDivisor to be a positive number but received ${String(pixelDivisor)}`, {
      field: 'pixelDivisor',
    });
  }
  checkMaxBatch(maxBatch);
  const weights = await loadManifestWeights('dlib-resnet', modelsDir);
  try {
    const sha256 = combinedSha256((await getModelEntry('dlib-resnet', modelsDir)).files);
    return new DlibResNetEmbedder(foldDlibResNetWeights(weights), sha256, flip, pixelDivisor, maxBatch);
  } finally {
    tf.dispose(Object.values(weights));
  }
}
