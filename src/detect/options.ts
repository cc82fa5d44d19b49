/**
 * Options of the face detector, their defaults and their validation.
 * @module
 */
import { invalidInput } from '../errors.js';
import type { BackendName } from '../runtime/backend.js';
import type { SuppressionMethod } from './nms.js';

/**
 * Which BlazeFace model a {@link FaceDetector} runs.
 *
 * - `short`: short-range only (128×128 input). Fast; finds faces that fill a fair part of the image.
 * - `full`: full-range only (192×192 input). Also finds small faces; slower.
 * - `auto` (default): short-range first, full-range when short-range finds nothing.
 *
 * @category Detection
 */
export type DetectorModel = 'short' | 'full' | 'auto';

/**
 * Options of {@link createFaceDetector}. Every field is optional; see
 * {@link DEFAULT_FACE_DETECTOR_OPTIONS} for the defaults.
 *
 * @category Detection
 */
export interface FaceDetectorOptions {
  /** Which model runs: `short`, `full` or `auto` (default: short, then full when short finds nothing). */
  model?: DetectorModel;
  /**
   * Lowest detection score kept, 0–1. Default 0.5, MediaPipe's own threshold for the short-range
   * model; with it the short-range model finds a face in every one of the 7,701 LFW View 2 images.
   */
  minConfidence?: number;
  /** IoU above which two detections are the same face during non-max suppression, 0–1. Default 0.3, as MediaPipe. */
  iouThreshold?: number;
  /** Most faces returned, a positive integer; the largest ones are kept. Default 10. */
  maxFaces?: number;
  /** How overlapping detections of one face are merged. Default `weighted` (MediaPipe's blending). */
  suppression?: SuppressionMethod;
  /**
   * tfjs backend to start when none runs yet. Default `auto`, which keeps a backend already
   * started (for example by a matcher) and otherwise picks node, then wasm, then cpu.
   */
  backend?: BackendName;
  /** Folder holding `manifest.json` and the model files. Default: `modelEnv.modelsDir` at creation time. */
  modelsDir?: string;
}

/**
 * {@link FaceDetectorOptions} with every default filled in (`modelsDir` stays optional).
 *
 * @category Detection
 */
export interface ResolvedFaceDetectorOptions {
  /** See {@link FaceDetectorOptions.model}. */
  model: DetectorModel;
  /** See {@link FaceDetectorOptions.minConfidence}. */
  minConfidence: number;
  /** See {@link FaceDetectorOptions.iouThreshold}. */
  iouThreshold: number;
  /** See {@link FaceDetectorOptions.maxFaces}. */
  maxFaces: number;
  /** See {@link FaceDetectorOptions.suppression}. */
  suppression: SuppressionMethod;
  /** See {@link FaceDetectorOptions.backend}. */
  backend: BackendName;
  /** See {@link FaceDetectorOptions.modelsDir}. */
  modelsDir?: string;
}

/**
 * The defaults of {@link FaceDetectorOptions}.
 *
 * @category Detection
 */
export const DEFAULT_FACE_DETECTOR_OPTIONS: Readonly<Omit<ResolvedFaceDetectorOptions, 'modelsDir'>> = Object.freeze({
  model: 'auto',
  minConfidence: 0.5,
  iouThreshold: 0.3,
  maxFaces: 10,
  suppression: 'weighted',
  backend: 'auto',
});

/**
 * The BlazeFace model choices, in a fixed order (for CLI and option checks).
 *
 * @category Detection
 */
export const DETECTOR_MODELS: readonly DetectorModel[] = Object.freeze(['auto', 'short', 'full']);
const SUPPRESSIONS: readonly SuppressionMethod[] = ['weighted', 'hard'];

function fraction(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw invalidInput(field, 'a number from 0 to 1', value);
  return value;
}

/**
 * Fills in the defaults and checks every option.
 *
 * @throws FaceMatchError `INVALID_INPUT` naming the option (`field`) when a value is out of range
 *   or not one of the allowed names; the backend name is checked when the backend starts
 * @category Detection
 */
export function resolveFaceDetectorOptions(options: FaceDetectorOptions = {}): ResolvedFaceDetectorOptions {
  if (options === null || typeof options !== 'object') throw invalidInput('options', 'an options object', options);
  const merged = { ...DEFAULT_FACE_DETECTOR_OPTIONS, ...definedOnly(options) };
  if (!DETECTOR_MODELS.includes(merged.model)) throw invalidInput('model', 'auto, short or full', merged.model);
  if (!SUPPRESSIONS.includes(merged.suppression)) throw invalidInput('suppression', 'weighted or hard', merged.suppression);
  if (!Number.isInteger(merged.maxFaces) || merged.maxFaces < 1) throw invalidInput('maxFaces', 'a positive integer', merged.maxFaces);
  if (merged.modelsDir !== undefined && (typeof merged.modelsDir !== 'string' || merged.modelsDir === '')) {
    throw invalidInput('modelsDir', 'a folder path', merged.modelsDir);
  }
  fraction('minConfidence', merged.minConfidence);
  fraction('iouThreshold', merged.iouThreshold);
  return merged;
}

/** Drops keys whose value is undefined, so `{ model: undefined }` means the default. */
function definedOnly(options: FaceDetectorOptions): FaceDetectorOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as FaceDetectorOptions;
}
