/**
 * Options of the ONNX embedders, the two presets, and the checks that turn caller options into
 * validated values (every bad option is `INVALID_INPUT` naming it).
 * @module
 */
import type { ChipFraming, ChipSize } from '../../align/framing.js';
import { FaceMatchError, invalidInput } from '../../errors.js';
import {
  CHANNEL_ORDERS,
  ONNX_FRAMINGS,
  ONNX_PRESETS,
  ONNX_RUNTIMES,
  TENSOR_LAYOUTS,
  type ChannelOrder,
  type OnnxFramingName,
  type OnnxModelSettings,
  type OnnxPreset,
  type OnnxRuntimeName,
  type TensorLayout,
} from '../../runtime/onnx.js';

/**
 * Options of {@link createOnnxEmbedder}. Only `model` is required; every other field overrides
 * what the preset (and, for layout, input size and batch, the model's own input shape) gives.
 *
 * @category Embedding
 */
export interface OnnxEmbedderOptions extends Omit<OnnxModelSettings, 'framing'> {
  /** Path of the `.onnx` file, or its bytes. */
  model: string | Uint8Array;
  /** Preprocessing preset; default `arcface`. See {@link OnnxPreset}. */
  preset?: OnnxPreset;
  /**
   * Expected hex sha256 of the model's bytes. When given, a file whose digest differs is refused
   * with `MODEL_ERROR` before it is loaded. The digest is {@link Embedder.modelSha256} either way.
   */
  sha256?: string;
  /**
   * How the matcher cuts chips for this model: `box`, `five-point` (see {@link OnnxFramingName}),
   * or a {@link ChipFraming} object (its size becomes the input size). Default: the preset's
   * (`five-point` for `arcface`, `box` for `facenet`).
   */
  framing?: OnnxFramingName | ChipFraming;
  /**
   * Most chips in one run when the model's batch dimension is dynamic (a mirrored chip counts as
   * one); default 8. A model with a fixed batch size always runs that many (the last run padded).
   */
  maxBatch?: number;
  /** The name the embedder reports (bench tables, cache keys); default `onnx:<file stem>`. */
  name?: string;
  /** ONNX runtime; default `auto` (`onnxruntime-node` when installed, else `onnxruntime-web`). */
  runtime?: OnnxRuntimeName;
  /** Intra-op threads; default 1 (scale with worker threads instead). */
  threads?: number;
}

/**
 * What a preset sets. `inputSize` is the side used when the model's input size is dynamic.
 *
 * @category Embedding
 */
export interface OnnxPresetDefaults {
  /** Chip side when the model does not fix it. */
  inputSize: number;
  /** Channel order. */
  channelOrder: ChannelOrder;
  /** Layout when the model's input shape does not tell. */
  layout: TensorLayout;
  /** Per-channel mean (0–255 scale), in the model's channel order. */
  mean: readonly [number, number, number];
  /** Per-channel divisor, in the model's channel order. */
  std: readonly [number, number, number];
  /** Horizontal-flip averaging. */
  flip: boolean;
  /** Chip framing by name. */
  framing: OnnxFramingName;
  /** Margin of the `box` framing. */
  margin: number;
}

/**
 * The two presets. Both use `(v − 127.5) / 128`; they differ in chip size, framing and channel
 * order. Flip averaging is on for both: on LFW it raised the MobileFaceNet's accuracy (99.28% with
 * it) as it does dlib's.
 *
 * @category Embedding
 */
export const ONNX_PRESET_DEFAULTS: Readonly<Record<OnnxPreset, Readonly<OnnxPresetDefaults>>> = Object.freeze({
  arcface: Object.freeze({
    inputSize: 112,
    channelOrder: 'bgr',
    layout: 'NCHW',
    mean: Object.freeze([127.5, 127.5, 127.5]) as readonly [number, number, number],
    std: Object.freeze([128, 128, 128]) as readonly [number, number, number],
    flip: true,
    framing: 'five-point',
    margin: 0.125,
  }),
  facenet: Object.freeze({
    inputSize: 160,
    channelOrder: 'rgb',
    layout: 'NCHW',
    mean: Object.freeze([127.5, 127.5, 127.5]) as readonly [number, number, number],
    std: Object.freeze([128, 128, 128]) as readonly [number, number, number],
    flip: true,
    framing: 'box',
    margin: 0.125,
  }),
});

/** Caller options after type checks, before the model is consulted. */
export interface CheckedOptions {
  model: string | Uint8Array;
  preset: OnnxPreset;
  sha256: string | undefined;
  inputSize: ChipSize | undefined;
  channelOrder: ChannelOrder;
  layout: TensorLayout | undefined;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  flip: boolean;
  framing: OnnxFramingName | ChipFraming;
  margin: number;
  inputName: string | undefined;
  outputName: string | undefined;
  maxBatch: number;
  name: string | undefined;
  runtime: OnnxRuntimeName;
  threads: number;
}

const MIN_SIDE = 16;
const MAX_SIDE = 4096;

function checkSide(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_SIDE || value > MAX_SIDE) {
    throw invalidInput(field, `a whole number of pixels from ${MIN_SIDE} to ${MAX_SIDE}`, value);
  }
  return value;
}

function checkInputSize(value: unknown): ChipSize | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    const side = checkSide(value, 'inputSize');
    return { width: side, height: side };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { width, height } = value as Record<string, unknown>;
    return { width: checkSide(width, 'inputSize.width'), height: checkSide(height, 'inputSize.height') };
  }
  throw invalidInput('inputSize', 'a chip side in pixels or { width, height }', value);
}

function checkTriple(value: unknown, field: string, fallback: readonly [number, number, number], positive: boolean): readonly [number, number, number] {
  if (value === undefined) return fallback;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0);
  const what = positive ? 'a number above 0, or three of them (one per channel, in the model\'s channel order)' : 'a finite number, or three of them (one per channel, in the model\'s channel order)';
  if (ok(value)) return [value, value, value];
  if (Array.isArray(value) && value.length === 3 && value.every(ok)) return [value[0] as number, value[1] as number, value[2] as number];
  throw invalidInput(field, what, value);
}

function checkChoice<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T;
function checkChoice<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: undefined): T | undefined;
function checkChoice<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw invalidInput(field, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function checkName(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 200) throw invalidInput(field, 'a non-empty string of at most 200 characters', value);
  return value;
}

function isFraming(value: unknown): value is ChipFraming {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Partial<ChipFraming>;
  return (f.kind === 'aligned' || f.kind === 'box') && typeof f.name === 'string' && typeof f.size === 'object' && f.size !== null;
}

/**
 * Type-checks every option of {@link createOnnxEmbedder} and fills the preset's values.
 *
 * @throws FaceMatchError `INVALID_INPUT` naming the first bad option
 * @internal
 */
export function checkOnnxOptions(options: OnnxEmbedderOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw invalidInput('options', 'an options object with a model', options);
  const { model } = options;
  if (typeof model === 'string') {
    if (model === '') throw invalidInput('model', 'the path of an .onnx file or its bytes', model);
  } else if (!(model instanceof Uint8Array)) {
    throw invalidInput('model', 'the path of an .onnx file or its bytes (a Uint8Array)', model);
  }
  const preset = checkChoice(options.preset, 'preset', ONNX_PRESETS, 'arcface');
  const defaults = ONNX_PRESET_DEFAULTS[preset];
  let sha256: string | undefined;
  if (options.sha256 !== undefined) {
    if (typeof options.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(options.sha256)) {
      throw invalidInput('sha256', 'a hex sha256 of 64 characters', options.sha256);
    }
    sha256 = options.sha256.toLowerCase();
  }
  let framing: OnnxFramingName | ChipFraming = defaults.framing;
  if (options.framing !== undefined) {
    if (typeof options.framing === 'string') framing = checkChoice(options.framing, 'framing', ONNX_FRAMINGS, defaults.framing);
    else if (isFraming(options.framing)) framing = options.framing;
    else throw invalidInput('framing', `one of ${ONNX_FRAMINGS.join(', ')} or a ChipFraming object`, options.framing);
  }
  const margin = options.margin ?? defaults.margin;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0 || margin > 2) throw invalidInput('margin', 'a number from 0 to 2', margin);
  if (options.flip !== undefined && typeof options.flip !== 'boolean') throw invalidInput('flip', 'true or false', options.flip);
  const maxBatch = options.maxBatch ?? 8;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 1024) throw invalidInput('maxBatch', 'a whole number from 1 to 1024', maxBatch);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw invalidInput('threads', 'a whole number of threads from 1 to 64', threads);
  return {
    model,
    preset,
    sha256,
    inputSize: checkInputSize(options.inputSize),
    channelOrder: checkChoice(options.channelOrder, 'channelOrder', CHANNEL_ORDERS, defaults.channelOrder),
    layout: checkChoice(options.layout, 'layout', TENSOR_LAYOUTS, undefined),
    mean: checkTriple(options.mean, 'mean', defaults.mean, false),
    std: checkTriple(options.std, 'std', defaults.std, true),
    flip: options.flip ?? defaults.flip,
    framing,
    margin,
    inputName: checkName(options.inputName, 'inputName'),
    outputName: checkName(options.outputName, 'outputName'),
    maxBatch,
    name: checkName(options.name, 'name'),
    runtime: checkChoice(options.runtime, 'runtime', ONNX_RUNTIMES, 'auto'),
    threads,
  };
}

/**
 * The error for an option that contradicts the model.
 *
 * @internal
 */
export function contradicts(field: string, message: string, details: Record<string, unknown> = {}): FaceMatchError {
  return new FaceMatchError('INVALID_INPUT', message, { field, details });
}
