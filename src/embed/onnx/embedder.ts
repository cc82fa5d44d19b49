/**
 * `createOnnxEmbedder`: any face embedding network exported to ONNX (ArcFace, MobileFaceNet,
 * FaceNet, a vendor's model), with its preprocessing described by a preset and overrides.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { arcfaceFraming, boxFraming, type ChipFraming, type ChipSize } from '../../align/framing.js';
import { clip, FaceMatchError } from '../../errors.js';
import { createOnnxSession, type OnnxRuntimeInfo, type OnnxSession, type OnnxValueInfo } from '../../runtime/onnx.js';
import type { ChannelOrder, OnnxPreset, TensorLayout } from '../../runtime/onnx.js';
import type { RgbImage } from '../../types.js';
import { checkChips, disposedError, l2Normalise } from '../chips.js';
import type { Embedder } from '../types.js';
import { resolveInput } from './model-input.js';
import { checkOnnxOptions, contradicts, ONNX_PRESET_DEFAULTS, type CheckedOptions, type OnnxEmbedderOptions } from './options.js';
import { packBatch, type PackItem, type PackSpec } from './pack.js';

/**
 * The preprocessing an {@link OnnxEmbedder} settled on, after the preset, the options and the
 * model's own input shape: what a pipeline description or bench report records.
 *
 * @category Embedding
 */
export interface OnnxEmbedderSettings {
  /** The preset the defaults came from. */
  preset: OnnxPreset;
  /** Name of the image input fed. */
  inputName: string;
  /** Name of the output read. */
  outputName: string;
  /** Input layout. */
  layout: TensorLayout;
  /** Whether the layout was read from the model's input shape, given as an option, or the preset's. */
  layoutFrom: 'model' | 'option' | 'preset';
  /** Channel order fed. */
  channelOrder: ChannelOrder;
  /** Per-channel mean, in the model's channel order. */
  mean: readonly [number, number, number];
  /** Per-channel divisor, in the model's channel order. */
  std: readonly [number, number, number];
  /** Horizontal-flip averaging. */
  flip: boolean;
  /** Chips per run: the model's fixed batch size, or `maxBatch` for a dynamic batch. */
  batch: number;
  /** Whether the model fixes its batch size. */
  fixedBatch: boolean;
}

/**
 * An {@link Embedder} running an ONNX model, with what it runs on and how it feeds the model.
 *
 * @category Embedding
 */
export interface OnnxEmbedder extends Embedder {
  /** Always set for ONNX models: the hex sha256 of the `.onnx` bytes. */
  readonly modelSha256: string;
  /** The ONNX runtime in use. */
  readonly runtime: OnnxRuntimeInfo;
  /** The resolved preprocessing. */
  readonly settings: Readonly<OnnxEmbedderSettings>;
}

function modelError(message: string, details: Record<string, unknown> = {}, cause?: unknown): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', message, { field: 'model', details, cause });
}

async function readModel(model: string | Uint8Array): Promise<Uint8Array> {
  if (typeof model !== 'string') return model;
  try {
    const bytes = await readFile(model);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    throw modelError(`Expected an ONNX model file at ${clip(model)} but it could not be read (${code ?? (cause as Error)?.message})`, { file: clip(model), code }, cause);
  }
}

function pickValue(values: readonly OnnxValueInfo[], wanted: string | undefined, field: 'inputName' | 'outputName'): OnnxValueInfo {
  const what = field === 'inputName' ? 'input' : 'output';
  if (wanted === undefined) {
    const first = values[0];
    if (!first) throw modelError(`Expected the ONNX model to have an ${what} but it has none`);
    return first;
  }
  const found = values.find((v) => v.name === wanted);
  if (!found) {
    throw contradicts(field, `Expected ${field} to name one of the model's ${what}s (${values.map((v) => JSON.stringify(v.name)).join(', ')}) but received ${JSON.stringify(clip(wanted))}`, {
      available: values.map((v) => v.name),
    });
  }
  return found;
}

function framingFor(options: CheckedOptions, size: ChipSize): ChipFraming {
  if (typeof options.framing === 'object') return options.framing;
  if (size.width !== size.height) {
    throw contradicts('inputSize', `Expected a square input for the ${options.framing} framing but the model takes ${size.width}×${size.height}; pass a ChipFraming object as framing`, {
      width: size.width,
      height: size.height,
    });
  }
  return options.framing === 'box' ? boxFraming(size.width, options.margin) : arcfaceFraming(size.width);
}

/** Rows of a `[n, ...]` output as `n` vectors. */
function rows(output: { data: Float32Array; dims: readonly number[] }, n: number, outputName: string): Float32Array[] {
  const [first, ...rest] = output.dims;
  const d = rest.reduce((a, b) => a * b, 1);
  if (first !== n || rest.length === 0 || d < 1 || output.data.length !== n * d) {
    throw modelError(`Expected output ${JSON.stringify(outputName)} of shape [${n}, d] for a batch of ${n} but it is [${output.dims.join(', ')}]`, {
      dims: [...output.dims],
    });
  }
  return Array.from({ length: n }, (_, i) => output.data.slice(i * d, (i + 1) * d));
}

class OnnxFaceEmbedder implements OnnxEmbedder {
  #session: OnnxSession | undefined;
  readonly runtime: OnnxRuntimeInfo;

  constructor(
    session: OnnxSession,
    readonly name: string,
    readonly framing: ChipFraming,
    readonly modelSha256: string,
    readonly dimension: number,
    readonly settings: Readonly<OnnxEmbedderSettings>,
    private readonly spec: PackSpec,
  ) {
    this.#session = session;
    this.runtime = session.runtime;
  }

  get inputSize(): ChipSize {
    return this.framing.size;
  }

  get signature(): Readonly<Record<string, string | boolean>> {
    const { channelOrder, layout, mean, std, flip, inputName, outputName } = this.settings;
    return { channelOrder, layout, mean: mean.join(','), std: std.join(','), flip, inputName, outputName };
  }

  async embed(chips: readonly RgbImage[]): Promise<Float32Array[]> {
    checkChips(chips, this.inputSize, this.name);
    if (!this.#session) throw disposedError(this.name);
    const items: PackItem[] = chips.map((chip) => ({ chip, mirror: false }));
    if (this.settings.flip) items.push(...chips.map((chip) => ({ chip, mirror: true })));
    const vectors: Float32Array[] = [];
    const { batch, fixedBatch } = this.settings;
    for (let i = 0; i < items.length; i += batch) {
      const group = items.slice(i, i + batch);
      const used = group.length;
      if (fixedBatch) while (group.length < batch) group.push({ chip: undefined, mirror: false });
      vectors.push(...(await this.#run(group)).slice(0, used).map(l2Normalise));
    }
    if (!this.settings.flip) return vectors;
    const n = chips.length;
    return vectors.slice(0, n).map((plain, i) => {
      const mirrored = vectors[n + i]!;
      return l2Normalise(plain.map((v, k) => v + mirrored[k]!));
    });
  }

  async #run(items: PackItem[]): Promise<Float32Array[]> {
    const session = this.#session;
    if (!session) throw disposedError(this.name);
    const input = packBatch(items, this.spec);
    const output = await session.run(this.settings.inputName, input, this.settings.outputName);
    const out = rows(output, items.length, this.settings.outputName);
    if (out[0]!.length !== this.dimension) {
      throw modelError(`Expected ${this.dimension}-D embeddings from ${this.name} but it returned ${out[0]!.length}`);
    }
    return out;
  }

  dispose(): void {
    const session = this.#session;
    this.#session = undefined;
    // Releasing waits for a run in flight; its failure leaves nothing to clean up.
    void session?.release().catch(() => undefined);
  }
}

/**
 * Loads a face embedding network from an `.onnx` file (or its bytes) and returns an
 * {@link Embedder} for it. The preset (`arcface` by default) gives the preprocessing the common
 * exports expect; every field can be overridden, and what the model declares (input layout, chip
 * size, batch size, embedding size) is read from the model:
 *
 * - layout: the static input shape's channel dimension (a 3 in dimension 1 is NCHW, in dimension 3
 *   NHWC), else `layout`, else the preset's (NCHW);
 * - chip size: the static spatial dimensions, else `inputSize`, else the preset's side;
 * - batch: a fixed batch size runs that many chips at a time (padding the last run), a dynamic one
 *   up to `maxBatch`;
 * - {@link Embedder.dimension}: from a probe run on a blank batch at load time, which also checks
 *   that the model maps `[n, …]` chips to `[n, d]` vectors.
 *
 * Outputs are L2-normalised; with `flip` (on by default) each chip and its mirror image are
 * embedded, normalised, summed and normalised again. Chips must be RGB of {@link Embedder.inputSize},
 * cut with {@link Embedder.framing} (the matcher does this).
 *
 * @example
 * ```ts
 * const embedder = await createOnnxEmbedder({ model: './models-local/arcface-r50.onnx', preset: 'arcface' });
 * const matcher = await FaceMatcher.create({ embedder });
 * ```
 * @throws FaceMatchError `INVALID_INPUT` naming a bad option, or one that contradicts the model
 *   (`inputSize`, `layout`, `framing`, `inputName`, `outputName`); `MODEL_ERROR` when the file is
 *   missing, its sha256 differs from `sha256`, or the runtime cannot load or run it; `BACKEND_ERROR`
 *   when no ONNX runtime (or not the requested one) is installed
 * @category Embedding
 */
export async function createOnnxEmbedder(options: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
  const checked = checkOnnxOptions(options);
  const bytes = await readModel(checked.model);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (checked.sha256 !== undefined && checked.sha256 !== digest) {
    throw modelError(
      `Expected the ONNX model ${typeof checked.model === 'string' ? clip(checked.model) : `(${bytes.byteLength} bytes)`} to have sha256 ${checked.sha256} but it has ${digest}: the file was altered or replaced`,
      { expected: checked.sha256, actual: digest },
    );
  }
  const session = await createOnnxSession(bytes, { runtime: checked.runtime, threads: checked.threads });
  try {
    const inputInfo = pickValue(session.inputs, checked.inputName, 'inputName');
    const outputInfo = pickValue(session.outputs, checked.outputName, 'outputName');
    const framingObject = typeof checked.framing === 'object' ? checked.framing : undefined;
    if (framingObject && checked.inputSize && (framingObject.size.width !== checked.inputSize.width || framingObject.size.height !== checked.inputSize.height)) {
      throw contradicts(
        'framing',
        `Expected a framing of inputSize ${checked.inputSize.width}×${checked.inputSize.height} but received ${framingObject.name} of ${framingObject.size.width}×${framingObject.size.height}`,
      );
    }
    const defaults = ONNX_PRESET_DEFAULTS[checked.preset];
    const input = resolveInput(inputInfo, {
      layout: checked.layout,
      size: checked.inputSize ?? framingObject?.size,
      sizeField: checked.inputSize ? 'inputSize' : 'framing',
      presetLayout: defaults.layout,
      presetSide: defaults.inputSize,
    });
    const framing = framingFor(checked, input.size);
    const spec: PackSpec = { size: input.size, channelOrder: checked.channelOrder, layout: input.layout, mean: checked.mean, std: checked.std };
    const batch = input.fixedBatch ?? checked.maxBatch;
    const probe = packBatch(Array.from({ length: input.fixedBatch ?? 1 }, () => ({ chip: undefined, mirror: false })), spec);
    const output = await session.run(input.name, probe, outputInfo.name);
    const [vector] = rows(output, probe.dims[0]!, outputInfo.name);
    const dimension = vector!.length;
    const name = checked.name ?? (typeof checked.model === 'string' ? `onnx:${path.basename(checked.model, path.extname(checked.model))}` : `onnx:${digest.slice(0, 12)}`);
    const settings: OnnxEmbedderSettings = {
      preset: checked.preset,
      inputName: input.name,
      outputName: outputInfo.name,
      layout: input.layout,
      layoutFrom: input.layoutFrom,
      channelOrder: checked.channelOrder,
      mean: checked.mean,
      std: checked.std,
      flip: checked.flip,
      batch,
      fixedBatch: input.fixedBatch !== undefined,
    };
    return new OnnxFaceEmbedder(session, name, framing, digest, dimension, Object.freeze(settings), spec);
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}
