/**
 * The options of {@link FaceMatcher}: their types, defaults, and the one function that checks them.
 * @module
 */
import { parseCalibration, type Calibration } from './compare/calibration.js';
import type { FaceDetector } from './detect/detector.js';
import { DETECTOR_MODELS, type DetectorModel } from './detect/options.js';
import { FACE_SELECTIONS, type FaceSelection } from './detect/select.js';
import { checkEmbedder } from './embed/check.js';
import { isFusedEmbedder, type FusedEmbedder } from './embed/fusion.js';
import type { Embedder } from './embed/types.js';
import { FaceMatchError, invalidInput } from './errors.js';
import { DEFAULT_MAX_DECODE_BYTES } from './image/budget.js';
import { resolveConstraints } from './image/constraints.js';
import { checkDecoderChoice } from './image/decode.js';
import type { ConstraintPreset, DecoderChoice, ImageConstraints } from './image/types.js';
import type { Landmarker } from './landmarks/landmarker.js';
import { BACKEND_NAMES, type BackendName } from './runtime/backend.js';

/**
 * The alignment modes, in a fixed order (for CLI and option checks).
 *
 * @category Matching
 */
export const ALIGNMENT_MODES = Object.freeze(['landmarks', 'keypoints'] as const);

/**
 * How a face is aligned before it is embedded: which points place it on the embedder's template
 * (the template itself belongs to the embedder's {@link ChipFraming}).
 *
 * - `landmarks` (default): the 68-point landmark network refines BlazeFace's box and gives the
 *   points (for dlib ResNet: nose, eyes and mouth, landmarks 27–67 on dlib's mean face). Most
 *   accurate; costs one small network run (~5 ms) per face.
 * - `keypoints`: BlazeFace's own keypoints (eyes, nose tip, mouth centre). Faster, a little less
 *   accurate.
 *
 * @category Matching
 */
export type AlignmentMode = (typeof ALIGNMENT_MODES)[number];

/**
 * Which embedder a {@link FaceMatcher} runs, as text or as an instance:
 *
 * - `dlib-resnet`: the vendored dlib ResNet (default).
 * - `onnx:PATH` or `onnx:PATH:PRESET`: a user's ONNX model file, with the `arcface` (default) or
 *   `facenet` preset's preprocessing and framing; `onnx:NAME[:PRESET]` uses a model registered with
 *   `facematch models add NAME PATH`.
 * - `A+B` (for example `dlib-resnet+onnx:/models/arcface.onnx`): fusion. One L2-normalised vector
 *   made of the parts' vectors, each scaled by the square root of its weight, so its cosine is the
 *   weighted mean of the parts' cosines; the weights (from the parts' similarity statistics on LFW,
 *   fitted by `facematch bench lfw --fit-calibration`) and the calibration are looked up like any
 *   embedder's.
 * - an {@link Embedder} instance, such as {@link createFaceNetEmbedder}'s, or a fusion from
 *   {@link createFusedEmbedder}. An instance you pass stays yours: the matcher does not dispose it.
 *
 * @category Matching
 */
export type EmbedderSpec = string | Embedder | FusedEmbedder;

/**
 * Options of {@link FaceMatcher.create}. Every field is optional; the defaults are in
 * {@link DEFAULT_FACE_MATCHER_OPTIONS} and documented on each field.
 *
 * @category Matching
 */
export interface FaceMatcherOptions {
  /** tfjs backend: `auto` (default: node when installed, else wasm, else cpu), `node`, `wasm` or `cpu`. */
  backend?: BackendName;
  /**
   * The detection stage: a BlazeFace model choice — `auto` (default: short-range, then full-range
   * when it finds nothing), `short` or `full` — or any {@link FaceDetector} instance (yours to
   * dispose). {@link MatchCallOptions.detector} overrides the BlazeFace model per image.
   */
  detector?: DetectorModel | FaceDetector;
  /** Lowest detector confidence kept by the built-in BlazeFace detector, 0–1. Default 0.5. */
  minConfidence?: number;
  /**
   * The landmark stage used by `alignment: 'landmarks'`: default the vendored 68-point network;
   * any {@link Landmarker} instance (yours to dispose) returning the 68 points in iBUG order.
   */
  landmarker?: Landmarker;
  /** How faces are aligned. Default `landmarks`. */
  alignment?: AlignmentMode;
  /** Which face of an image is compared when it holds several. Default `largest` (Didit's rule). */
  faceSelection?: FaceSelection;
  /** The embedder; see {@link EmbedderSpec}. Default `dlib-resnet`. */
  embedder?: EmbedderSpec;
  /**
   * For a fusion named by text (`A+B`): the weight of each part's cosine, positive, normalised to
   * sum 1. Default: the weights stored with the fusion's calibration, else equal weights; with
   * your own `calibration`, equal weights (a calibration is only valid for the weights it was
   * fitted with, so pass those here). With weights other than the stored ones, the stored
   * calibration does not apply.
   */
  fusionWeights?: readonly number[];
  /**
   * For embedders the matcher creates from a string (`dlib-resnet`, `onnx:…`): also embed the
   * mirrored chip and average the two embeddings. Default `true`: in the alignment experiments on
   * LFW View 2 (bench/experiments) it was the one change that lifted accuracy, AUC and TAR together,
   * for every alignment (landmarks without eyebrows: 98.95% → 99.05%, TAR at FAR 1e-3 95.8% →
   * 96.5%), for one more network run per face. Set `false` for about half the embedding time.
   * An {@link Embedder} instance decides this itself.
   */
  flip?: boolean;
  /**
   * Similarity-to-score calibration. Default: the one stored for the embedder (in the user models
   * folder after `facematch bench lfw --fit-calibration`, in `models/calibrations.json` for the
   * third-party models facematch has fits for, in `models/manifest.json` for the vendored weights);
   * for an embedder without one, the score is
   * `max(0, similarity) × 100` and {@link FaceMatcher.calibration} is undefined.
   */
  calibration?: Calibration;
  /** Limits every image must meet: a preset (`didit`, `attestr`, `none`) or an object. Default `none`. */
  constraints?: ConstraintPreset | ImageConstraints;
  /**
   * Refuse faces whose overall quality ({@link FaceQuality.overall}, 0–100) is below this with
   * `LOW_QUALITY` (the Didit formatter answers that with a `Declined` result). Default: no floor;
   * every face's quality is still measured and reported.
   */
  minQuality?: number;
  /** Largest width × height accepted, checked before decoding. Default 50,000,000. */
  maxPixels?: number;
  /**
   * Images whose longer side is above this are scaled down while decoding. Default 1600: faces stay
   * far larger than the 150-pixel chip, and a 12 MP photo decodes several times faster. Boxes and
   * keypoints are always reported in the original pixels.
   */
  maxSide?: number;
  /**
   * Largest memory a decode may be estimated to take, in bytes, checked on the header before any
   * pixel is decoded (see {@link loadImage}). Default {@link DEFAULT_MAX_DECODE_BYTES} (480 MiB):
   * every photo a phone makes decodes, with either decoder.
   */
  maxDecodeBytes?: number;
  /**
   * Image decoder: `auto` (default: sharp when installed, else `builtin`), `builtin` (libjpeg-turbo
   * and libwebp in WebAssembly, facematch's own PNG decoder; always available), or `sharp`.
   * `jimp` is a deprecated alias of `builtin`.
   */
  decoder?: DecoderChoice;
  /** Folder holding `manifest.json` and the vendored weights. Default: `modelEnv.modelsDir`. */
  modelsDir?: string;
}

/**
 * The defaults of {@link FaceMatcherOptions} (`modelsDir` defaults to `modelEnv.modelsDir` at
 * creation time; `calibration` to the stored one; `landmarker` to the vendored network).
 *
 * @category Matching
 */
export const DEFAULT_FACE_MATCHER_OPTIONS: Readonly<
  Required<
    Pick<
      FaceMatcherOptions,
      | 'backend'
      | 'detector'
      | 'minConfidence'
      | 'alignment'
      | 'faceSelection'
      | 'embedder'
      | 'flip'
      | 'constraints'
      | 'maxPixels'
      | 'maxDecodeBytes'
      | 'maxSide'
      | 'decoder'
    >
  > & {
    /** `auto`: BlazeFace short-range, then full-range when it finds nothing. */
    detector: DetectorModel;
    /** `dlib-resnet`, the vendored embedder. */
    embedder: string;
    /** `none`: no limits beyond the pixel limit. */
    constraints: ConstraintPreset;
  }
> = Object.freeze({
  backend: 'auto',
  detector: 'auto',
  minConfidence: 0.5,
  alignment: 'landmarks',
  faceSelection: 'largest',
  embedder: 'dlib-resnet',
  flip: true,
  constraints: 'none',
  maxPixels: 50_000_000,
  maxDecodeBytes: DEFAULT_MAX_DECODE_BYTES,
  maxSide: 1600,
  decoder: 'auto',
} as const);

/**
 * {@link FaceMatcherOptions} checked, with every default filled in.
 *
 * @category Matching
 */
export interface ResolvedFaceMatcherOptions {
  /** See {@link FaceMatcherOptions.backend}. */
  backend: BackendName;
  /** See {@link FaceMatcherOptions.detector}. */
  detector: DetectorModel | FaceDetector;
  /** See {@link FaceMatcherOptions.minConfidence}. */
  minConfidence: number;
  /** See {@link FaceMatcherOptions.landmarker}. */
  landmarker: Landmarker | undefined;
  /** See {@link FaceMatcherOptions.alignment}. */
  alignment: AlignmentMode;
  /** See {@link FaceMatcherOptions.faceSelection}. */
  faceSelection: FaceSelection;
  /** See {@link FaceMatcherOptions.embedder}. */
  embedder: EmbedderSpec;
  /** See {@link FaceMatcherOptions.fusionWeights}. */
  fusionWeights: readonly number[] | undefined;
  /** See {@link FaceMatcherOptions.flip}. */
  flip: boolean;
  /** See {@link FaceMatcherOptions.calibration}. */
  calibration: Calibration | undefined;
  /** See {@link FaceMatcherOptions.constraints}. */
  constraints: ConstraintPreset | ImageConstraints;
  /** See {@link FaceMatcherOptions.minQuality}. */
  minQuality: number | undefined;
  /** See {@link FaceMatcherOptions.maxPixels}. */
  maxPixels: number;
  /** See {@link FaceMatcherOptions.maxSide}. */
  maxSide: number;
  /** See {@link FaceMatcherOptions.maxDecodeBytes}. */
  maxDecodeBytes: number;
  /** See {@link FaceMatcherOptions.decoder}. */
  decoder: DecoderChoice;
  /** See {@link FaceMatcherOptions.modelsDir}; undefined means `modelEnv.modelsDir`. */
  modelsDir: string | undefined;
}

const OPTION_NAMES: readonly string[] = Object.freeze([
  'backend',
  'detector',
  'minConfidence',
  'landmarker',
  'alignment',
  'faceSelection',
  'embedder',
  'fusionWeights',
  'flip',
  'calibration',
  'constraints',
  'minQuality',
  'maxPixels',
  'maxDecodeBytes',
  'maxSide',
  'decoder',
  'modelsDir',
]);

/** The closest name in `names` to `name` (edit distance at most 2), for "did you mean" hints. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Throws unless `value` is undefined or a plain options object whose keys are all in `names`.
 *
 * @internal
 */
export function checkOptionsObject(value: unknown, field: string, names: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidInput(field, 'an options object', value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!names.includes(key)) {
      const hint = closestName(key, names);
      throw new FaceMatchError(
        'INVALID_INPUT',
        `Expected ${field} to name only ${names.join(', ')} but it has ${JSON.stringify(key.slice(0, 60))}${hint ? ` (did you mean ${hint}?)` : ''}`,
        { field: `${field}.${key.slice(0, 60)}`, details: { option: key.slice(0, 60), ...(hint ? { suggestion: hint } : {}) } },
      );
    }
  }
  return record;
}

function isStage(value: unknown, method: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function';
}

function choice<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidInput(field, `one of ${allowed.join(', ')}`, value);
}

/**
 * Checks every option of {@link FaceMatcher.create} and fills in the defaults. Pure: loads nothing
 * (an embedder string is checked for its form here and resolved when the matcher is created).
 *
 * @throws FaceMatchError `INVALID_INPUT` naming the option (`field`) for anything that is not an
 *   accepted value, including unknown option names (with a "did you mean" hint)
 * @category Matching
 */
export function resolveFaceMatcherOptions(options?: FaceMatcherOptions): ResolvedFaceMatcherOptions {
  const o = checkOptionsObject(options, 'options', OPTION_NAMES) as FaceMatcherOptions;
  const d = DEFAULT_FACE_MATCHER_OPTIONS;
  const backend = choice(o.backend ?? d.backend, 'backend', BACKEND_NAMES);
  let detector: DetectorModel | FaceDetector = d.detector;
  if (o.detector !== undefined) {
    if (typeof o.detector === 'string') detector = choice(o.detector, 'detector', DETECTOR_MODELS);
    else if (isStage(o.detector, 'detect') && isStage(o.detector, 'dispose')) detector = o.detector;
    else throw invalidInput('detector', `${DETECTOR_MODELS.join(', ')} or a FaceDetector (detect(), dispose())`, o.detector);
  }
  const minConfidence = o.minConfidence ?? d.minConfidence;
  if (typeof minConfidence !== 'number' || !(minConfidence >= 0 && minConfidence <= 1)) {
    throw invalidInput('minConfidence', 'a number from 0 to 1', minConfidence);
  }
  if (o.landmarker !== undefined && !(isStage(o.landmarker, 'landmarks') && isStage(o.landmarker, 'dispose'))) {
    throw invalidInput('landmarker', 'a Landmarker (landmarks(), dispose())', o.landmarker);
  }
  const embedder = o.embedder ?? d.embedder;
  if (typeof embedder === 'string') {
    if (embedder.trim() === '') throw invalidInput('embedder', "'dlib-resnet', 'onnx:PATH[:PRESET]', 'A+B' or an Embedder", embedder);
  } else if (isFusedEmbedder(embedder)) {
    embedder.parts.forEach((part, i) => checkEmbedder(part, `embedder.parts[${i}]`));
  } else {
    checkEmbedder(embedder, 'embedder');
  }
  if (o.fusionWeights !== undefined) {
    const w = o.fusionWeights as unknown;
    if (typeof embedder !== 'string' || !embedder.includes('+')) throw invalidInput('fusionWeights', "a fusion named by text ('A+B') to apply to", embedder);
    if (!Array.isArray(w) || w.length !== embedder.split('+').length || !w.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) {
      throw invalidInput('fusionWeights', `${embedder.split('+').length} positive numbers, one per part`, w);
    }
  }
  const flip = o.flip ?? d.flip;
  if (typeof flip !== 'boolean') throw invalidInput('flip', 'true or false', flip);
  const constraints = o.constraints ?? d.constraints;
  const maxPixels = o.maxPixels ?? d.maxPixels;
  resolveConstraints(constraints, maxPixels); // checks both
  if (o.minQuality !== undefined && (typeof o.minQuality !== 'number' || !(o.minQuality >= 0 && o.minQuality <= 100))) {
    throw invalidInput('minQuality', 'a number from 0 to 100', o.minQuality);
  }
  const maxSide = o.maxSide ?? d.maxSide;
  if (typeof maxSide !== 'number' || !Number.isInteger(maxSide) || maxSide < 64) throw invalidInput('maxSide', 'a whole number of at least 64', maxSide);
  const maxDecodeBytes = o.maxDecodeBytes ?? d.maxDecodeBytes;
  if (typeof maxDecodeBytes !== 'number' || !Number.isFinite(maxDecodeBytes) || maxDecodeBytes <= 0) {
    throw invalidInput('maxDecodeBytes', 'a number of bytes above 0', maxDecodeBytes);
  }
  const decoder = o.decoder ?? d.decoder;
  checkDecoderChoice(decoder);
  if (o.modelsDir !== undefined && (typeof o.modelsDir !== 'string' || o.modelsDir === '')) throw invalidInput('modelsDir', 'a folder path', o.modelsDir);
  return {
    backend,
    detector,
    minConfidence,
    landmarker: o.landmarker,
    alignment: choice(o.alignment ?? d.alignment, 'alignment', ALIGNMENT_MODES),
    faceSelection: choice(o.faceSelection ?? d.faceSelection, 'faceSelection', FACE_SELECTIONS),
    embedder,
    fusionWeights: o.fusionWeights === undefined ? undefined : [...o.fusionWeights],
    flip,
    calibration: o.calibration === undefined ? undefined : parseCalibration(o.calibration),
    constraints,
    minQuality: o.minQuality,
    maxPixels,
    maxDecodeBytes,
    maxSide,
    decoder,
    modelsDir: o.modelsDir,
  };
}

/**
 * Per-call options of {@link FaceMatcher.embed} and {@link FaceMatcher.detect}.
 *
 * @category Matching
 */
export interface ImageCallOptions {
  /** Name of the input in errors (`FaceMatchError.field`). Default `image`. */
  field?: string;
  /** BlazeFace model for this image (built-in detector only). Default: the matcher's. */
  detector?: DetectorModel;
  /** Constraints for this image. Default: the matcher's. */
  constraints?: ConstraintPreset | ImageConstraints;
}

/**
 * Per-call options of {@link FaceMatcher.match}.
 *
 * @category Matching
 */
export interface MatchCallOptions {
  /** Names of the two inputs in errors. Default `['source', 'target']`. */
  fields?: readonly [string, string];
  /** BlazeFace model for both images, or per image as a pair (built-in detector only). Default: the matcher's. */
  detector?: DetectorModel | readonly [DetectorModel, DetectorModel];
  /** Constraints for both images. Default: the matcher's. */
  constraints?: ConstraintPreset | ImageConstraints;
}

/** Checked per-image call options. */
export interface ResolvedImageCall {
  field: string;
  detector: DetectorModel | undefined;
  constraints: ConstraintPreset | ImageConstraints | undefined;
}

function fieldName(value: unknown, name: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 200) return value;
  throw invalidInput(name, 'a non-empty name of at most 200 characters', value);
}

function callDetector(value: unknown, name: string): DetectorModel | undefined {
  return value === undefined ? undefined : choice(value, name, DETECTOR_MODELS);
}

/**
 * Checks the options of {@link FaceMatcher.embed} and {@link FaceMatcher.detect}.
 *
 * @internal
 */
export function resolveImageCall(options: unknown): ResolvedImageCall {
  const o = checkOptionsObject(options, 'options', ['field', 'detector', 'constraints']) as ImageCallOptions;
  if (o.constraints !== undefined) resolveConstraints(o.constraints);
  return {
    field: o.field === undefined ? 'image' : fieldName(o.field, 'field'),
    detector: callDetector(o.detector, 'detector'),
    constraints: o.constraints,
  };
}

/**
 * Checks the options of {@link FaceMatcher.match}: the per-image call options of each side.
 *
 * @internal
 */
export function resolveMatchCall(options: unknown): [ResolvedImageCall, ResolvedImageCall] {
  const o = checkOptionsObject(options, 'options', ['fields', 'detector', 'constraints']) as MatchCallOptions;
  let fields: [string, string] = ['source', 'target'];
  if (o.fields !== undefined) {
    if (!Array.isArray(o.fields) || o.fields.length !== 2) throw invalidInput('fields', 'a pair of names such as ["user_image", "ref_image"]', o.fields);
    fields = [fieldName(o.fields[0], 'fields[0]'), fieldName(o.fields[1], 'fields[1]')];
  }
  let detectors: [DetectorModel | undefined, DetectorModel | undefined];
  if (Array.isArray(o.detector)) {
    if (o.detector.length !== 2) throw invalidInput('detector', 'a BlazeFace model or a pair of them', o.detector);
    detectors = [callDetector(o.detector[0], 'detector[0]'), callDetector(o.detector[1], 'detector[1]')];
  } else {
    const one = callDetector(o.detector, 'detector');
    detectors = [one, one];
  }
  if (o.constraints !== undefined) resolveConstraints(o.constraints);
  return [
    { field: fields[0], detector: detectors[0], constraints: o.constraints },
    { field: fields[1], detector: detectors[1], constraints: o.constraints },
  ];
}
