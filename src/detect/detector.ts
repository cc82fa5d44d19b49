/**
 * The face detector: BlazeFace short-range and/or full-range, non-max suppression, faces in image
 * pixels, largest first.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import { assertRgbImage } from '../image/rgb-check.js';
import { initBackend } from '../runtime/backend.js';
import type { DetectedFace, RgbImage } from '../types.js';
import { BlazeFaceModel } from './blazeface.js';
import { sortByArea, toDetectedFace } from './faces.js';
import type { BlazeFaceModelId } from './models.js';
import { nonMaxSuppression } from './nms.js';
import { resolveFaceDetectorOptions, type FaceDetectorOptions, type ResolvedFaceDetectorOptions } from './options.js';

/**
 * The faces found in one image and the model that found them.
 *
 * @category Detection
 */
export interface DetectionResult {
  /** Faces, largest box first; empty when none was found. */
  faces: DetectedFace[];
  /**
   * The model whose output `faces` is. For BlazeFace with `auto`: `blazeface-short` unless it found
   * nothing and `blazeface-full` ran.
   */
  model: string;
}

/**
 * What {@link BlazeFaceDetector.detectWithInfo} returns: the faces and which BlazeFace model found them.
 *
 * @category Detection
 */
export interface BlazeFaceDetection extends DetectionResult {
  /** `blazeface-short` or `blazeface-full`. */
  model: BlazeFaceModelId;
}

/**
 * The detection stage: finds faces in decoded RGB images. {@link createFaceDetector} returns the
 * built-in BlazeFace implementation; any object with these members can be passed to
 * `FaceMatcher.create({ detector })` instead.
 *
 * A face's `keypoints` follow {@link KEYPOINT_NAMES} (eyes, nose tip, mouth centre, ears): the
 * matcher's `keypoints` alignment reads the first four, and the landmark stage only needs `box`.
 *
 * @category Detection
 */
export interface FaceDetector {
  /** A stable name for reports, such as `blazeface-auto`. */
  readonly name: string;
  /**
   * Finds the faces in an image, largest box first, in the image's pixels.
   *
   * @param image - decoded RGB image
   * @param field - name of the input, for error messages (default `image`)
   * @throws FaceMatchError `INVALID_INPUT` for a malformed image, `MODEL_ERROR` after `dispose()`
   */
  detect(image: RgbImage, field?: string): Promise<DetectedFace[]>;
  /** Like {@link FaceDetector.detect}, and says which model found the faces. Optional. */
  detectWithInfo?(image: RgbImage, field?: string): Promise<DetectionResult>;
  /** Frees the models. Idempotent; detecting afterwards throws `MODEL_ERROR`. */
  dispose(): void;
}

/**
 * MediaPipe BlazeFace (short-range, full-range, or short then full), the built-in
 * {@link FaceDetector}. Create it with {@link createFaceDetector}; it holds tfjs models, so call
 * {@link BlazeFaceDetector.dispose} when done.
 *
 * @example
 * ```ts
 * const detector = await createFaceDetector({ model: 'auto' });
 * const faces = await detector.detect(image); // largest first
 * detector.dispose();
 * ```
 * @category Detection
 */
export class BlazeFaceDetector implements FaceDetector {
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedFaceDetectorOptions>;
  /** Models in the order they are tried. */
  private readonly models: readonly BlazeFaceModel[];
  private disposed = false;

  private constructor(options: Readonly<ResolvedFaceDetectorOptions>, models: readonly BlazeFaceModel[]) {
    this.options = options;
    this.models = models;
  }

  /** `blazeface-short`, `blazeface-full` or `blazeface-auto`. */
  get name(): string {
    return `blazeface-${this.options.model}`;
  }

  /**
   * Checks the options, starts the tfjs backend and loads the model(s) from disk. Prefer
   * {@link createFaceDetector}, which calls this.
   *
   * @throws FaceMatchError `INVALID_INPUT` for a bad option, `BACKEND_ERROR` when the backend
   *   cannot start, `MODEL_ERROR` when a model file is missing or altered
   */
  static async create(options: FaceDetectorOptions = {}): Promise<BlazeFaceDetector> {
    const resolved = Object.freeze(resolveFaceDetectorOptions(options));
    await initBackend(resolved.backend);
    const ids: BlazeFaceModelId[] =
      resolved.model === 'short' ? ['blazeface-short'] : resolved.model === 'full' ? ['blazeface-full'] : ['blazeface-short', 'blazeface-full'];
    const models: BlazeFaceModel[] = [];
    try {
      for (const id of ids) models.push(await BlazeFaceModel.load(id, resolved.modelsDir));
    } catch (err) {
      for (const m of models) m.dispose();
      throw err;
    }
    return new BlazeFaceDetector(resolved, models);
  }

  /**
   * Finds the faces in an image, largest box first (at most `maxFaces`).
   *
   * @param image - decoded RGB image
   * @param field - name of the input, used in error messages (default `image`)
   * @throws FaceMatchError `INVALID_INPUT` when the image is malformed, `MODEL_ERROR` after dispose
   */
  async detect(image: RgbImage, field?: string): Promise<DetectedFace[]> {
    return (await this.detectWithInfo(image, field)).faces;
  }

  /**
   * Like {@link BlazeFaceDetector.detect}, and also says which model found the faces.
   *
   * @param image - decoded RGB image
   * @param field - name of the input, used in error messages (default `image`)
   * @throws FaceMatchError `INVALID_INPUT` when the image is malformed, `MODEL_ERROR` after dispose
   */
  async detectWithInfo(image: RgbImage, field = 'image'): Promise<BlazeFaceDetection> {
    assertRgbImage(image, field);
    const { minConfidence, iouThreshold, suppression, maxFaces } = this.options;
    let result: BlazeFaceDetection | undefined;
    for (const model of this.models) {
      if (this.disposed) break;
      const { detections, letterbox } = await model.run(image, minConfidence);
      const faces = nonMaxSuppression(detections, iouThreshold, suppression)
        .map((d) => toDetectedFace(d, letterbox))
        .filter((f) => f.box.width > 0 && f.box.height > 0);
      result = { faces: sortByArea(faces).slice(0, maxFaces), model: model.spec.id };
      if (faces.length > 0) break;
    }
    if (this.disposed || result === undefined) {
      throw new FaceMatchError('MODEL_ERROR', 'Expected a live face detector but it has been disposed', { field: 'model' });
    }
    return result;
  }

  /** Frees the models. Calling it again does nothing; detecting afterwards throws `MODEL_ERROR`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const m of this.models) m.dispose();
  }
}

/**
 * Creates the built-in {@link FaceDetector}, {@link BlazeFaceDetector}: checks the options, starts
 * the tfjs backend and loads the BlazeFace model(s) from disk (sha256-checked, no network).
 *
 * @throws FaceMatchError `INVALID_INPUT` for a bad option, `BACKEND_ERROR` when the backend
 *   cannot start, `MODEL_ERROR` when a model file is missing or altered
 * @category Detection
 */
export function createFaceDetector(options: FaceDetectorOptions = {}): Promise<BlazeFaceDetector> {
  return BlazeFaceDetector.create(options);
}
