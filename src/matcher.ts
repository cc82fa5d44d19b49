import { performance } from 'node:perf_hooks';
import { cutChip, DLIB_RESNET_FRAMING } from './align/framing.js';
import { scoreFromSimilarity, type Calibration } from './compare/calibration.js';
import { calibrationKeyOf, findStoredCalibration, type FusionCalibration } from './compare/stored.js';
import { cosineSimilarity, euclideanDistance } from './compare/distance.js';
import { createFaceDetector, type FaceDetector } from './detect/detector.js';
import type { DetectorModel } from './detect/options.js';
import { selectFace, type FaceSelection } from './detect/select.js';
import { createEmbedderFromSpec } from './embed/create.js';
import { createFusedEmbedder, isFusedEmbedder, type FusedEmbedder } from './embed/fusion.js';
import type { Embedder } from './embed/types.js';
import { FaceMatchError, invalidInput } from './errors.js';
import { measureFaceQuality } from './quality/measure.js';
import { loadImage } from './image/load.js';
import type { ImageInput, LoadedImage } from './image/types.js';
import { DEFAULT_LANDMARK_CROP, type LandmarkCropOptions } from './landmarks/crop.js';
import { createLandmarker, type Landmarker } from './landmarks/landmarker.js';
import {
  resolveFaceMatcherOptions,
  resolveImageCall,
  resolveMatchCall,
  type AlignmentMode,
  type FaceMatcherOptions,
  type ImageCallOptions,
  type MatchCallOptions,
  type ResolvedFaceMatcherOptions,
  type ResolvedImageCall,
} from './matcher-options.js';
import type { FaceReport, MatchResult, StageTimings } from './result.js';
import { initBackend, type BackendInfo } from './runtime/backend.js';
import { modelEnv } from './runtime/models.js';
import { calibrationKeyId } from './runtime/user-models.js';
import type { Box, DetectedFace, Point, RgbImage } from './types.js';

/**
 * The faces found in one image by {@link FaceMatcher.detect}.
 *
 * @category Matching
 */
export interface ImageDetection {
  /** Faces in original-image pixels, largest first. */
  faces: DetectedFace[];
  /** Index in `faces` of the face the matcher's face selection picks (-1 when there is none). */
  selected: number;
  /** Image width after EXIF orientation, in original pixels. */
  imageWidth: number;
  /** Image height after EXIF orientation, in original pixels. */
  imageHeight: number;
  /** The format found in the bytes. */
  format: LoadedImage['format'];
  /** The detector (model) whose faces these are. */
  detector: string;
  /** Milliseconds spent decoding and detecting. */
  timings: Pick<StageTimings, 'decode' | 'detect'>;
}

/**
 * One image's embedding and the face it came from, from {@link FaceMatcher.embed}.
 *
 * @category Matching
 */
export interface FaceEmbedding extends FaceReport {
  /** L2-normalised embedding of the selected face (for a fusion, the fused vector). */
  embedding: Float32Array;
  /** The detector (model) that found the face. */
  detector: string;
  /** Milliseconds per stage for this image (`compare` is 0). */
  timings: StageTimings;
}

/** One image carried through decode, detect and align: one chip per embedder part. */
interface PreparedFace {
  report: FaceReport;
  chips: RgbImage[];
  detector: string;
  timings: StageTimings;
}

/**
 * The landmarker's mirror averaging steadies the points (see `createLandmarker`), but with flip
 * averaging of the embeddings it no longer shows in accuracy: on LFW View 2, 99.12% ± 0.18 without
 * it against 99.05% ± 0.38 with it, the same AUC (0.99780 vs 0.99782), for 4.5 ms less per face.
 */
const LANDMARK_MIRROR = false;

/**
 * Every setting that shapes an embedding, with defaults filled in: what a cache of embeddings must
 * be keyed on, and what a benchmark report should state.
 *
 * @category Matching
 */
export interface PipelineDescription {
  /** Embedder name (parts joined by `+` for a fusion). */
  embedder: string;
  /** Detector: the BlazeFace model choice, or a custom detector's name. */
  detector: string;
  /** Lowest detector confidence kept (built-in detector). */
  minConfidence: number;
  /** Alignment mode. */
  alignment: AlignmentMode;
  /** Face selection policy. */
  faceSelection: FaceSelection;
  /** The chip framing of each embedder part, such as `dlib-41@150`, joined by `+`. */
  framing: string;
  /** Landmark crop around the detector box (landmarks alignment), or null. */
  landmarkCrop: Required<LandmarkCropOptions> | null;
  /** Whether the landmark network also runs on the mirrored crop (landmarks alignment). */
  landmarkMirror: boolean;
  /** Horizontal-flip averaging of embeddings, for embedders created from text. */
  flip: boolean;
  /** Longest image side after decoding. */
  maxSide: number;
  /**
   * The weights' digest (`Embedder.modelSha256`; for a fusion, the digest of the parts' and their
   * weights). Known only once the matcher has loaded them: {@link FaceMatcher.pipeline} has it,
   * {@link describePipeline} does not.
   */
  modelSha256?: string;
  /**
   * The key the matcher's calibration is stored under (embedder name, weights' sha256, every
   * setting that changes similarities), as {@link FaceMatcher.pipeline} reports it; with
   * `modelSha256` and the fields above, what a cache of embeddings must be keyed on.
   */
  calibrationKey?: string;
}

function framingName(embedder: Embedder | FusedEmbedder): string {
  return isFusedEmbedder(embedder) ? embedder.parts.map((p) => p.framing.name).join('+') : embedder.framing.name;
}

/** The framing names of the embedder texts the matcher creates itself. */
function framingOfText(text: string): string {
  return text
    .split('+')
    .map((part) => (part.trim() === 'dlib-resnet' ? 'dlib-41@150' : /:facenet$/.test(part.trim()) ? 'facenet' : 'arcface-5@112'))
    .join('+');
}

function describeResolved(o: ResolvedFaceMatcherOptions): PipelineDescription {
  const custom = typeof o.embedder !== 'string';
  const landmarks = o.alignment === 'landmarks';
  return {
    embedder: custom ? (o.embedder as Embedder | FusedEmbedder).name : (o.embedder as string),
    detector: typeof o.detector === 'string' ? o.detector : o.detector.name,
    minConfidence: o.minConfidence,
    alignment: o.alignment,
    faceSelection: o.faceSelection,
    framing: custom ? framingName(o.embedder as Embedder | FusedEmbedder) : framingOfText(o.embedder as string),
    landmarkCrop: landmarks && !o.landmarker ? { ...DEFAULT_LANDMARK_CROP } : null,
    landmarkMirror: landmarks && !o.landmarker ? LANDMARK_MIRROR : false,
    flip: !custom && o.flip,
    maxSide: o.maxSide,
  };
}

/**
 * The settings a {@link FaceMatcher} created with `options` will use. Pure: loads nothing, so it
 * cannot know the weights' digest ({@link FaceMatcher.pipeline} can).
 *
 * @throws FaceMatchError `INVALID_INPUT` for options {@link FaceMatcher.create} would refuse
 * @category Matching
 */
export function describePipeline(options: FaceMatcherOptions = {}): PipelineDescription {
  return describeResolved(resolveFaceMatcherOptions(options));
}

function mapBox(box: Box, s: number): Box {
  return { x: box.x / s, y: box.y / s, width: box.width / s, height: box.height / s };
}

function mapPoint(p: Point, s: number): Point {
  return { x: p.x / s, y: p.y / s };
}

/** A face found in the (possibly downscaled) decoded image, mapped back to original pixels. */
function toOriginal(face: DetectedFace, scale: number): DetectedFace {
  if (scale === 1) return face;
  return { ...face, box: mapBox(face.box, scale), keypoints: face.keypoints.map((p) => mapPoint(p, scale)) };
}

function elapsed(start: number): number {
  return performance.now() - start;
}

function disposedError(cause?: unknown): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', 'Expected a live FaceMatcher but it has been disposed', { field: 'model', ...(cause ? { cause } : {}) });
}

/** The stages a matcher created and must dispose. */
interface OwnedStages {
  embedder: FusedEmbedder | undefined;
  landmarker: Landmarker | undefined;
}

/**
 * Face verification in one object: decode and check two images, find the face in each, align it,
 * embed it and compare. Create it once with {@link FaceMatcher.create} (models load from disk,
 * once) and reuse it; call {@link FaceMatcher.dispose} when done. Calls may run concurrently.
 *
 * Every stage is replaceable: pass a {@link FaceDetector}, a {@link Landmarker} or an
 * {@link Embedder} (or a fusion, {@link FusedEmbedder}) instance in the options; instances you pass
 * stay yours to dispose.
 *
 * @example
 * ```ts
 * import { FaceMatcher } from 'facematch';
 *
 * const matcher = await FaceMatcher.create();
 * const result = await matcher.match('selfie.jpg', 'id-photo.jpg');
 * console.log(result.score, result.similarity); // 0–100, and cosine similarity
 * matcher.dispose();
 * ```
 * @category Matching
 */
export class FaceMatcher {
  /** The tfjs backend the matcher runs on. */
  readonly backend: BackendInfo;
  /** The embedder in use: the one created from text or passed in, or a fusion. */
  readonly embedder: Embedder | FusedEmbedder;
  /** The calibration that turns similarity into the 0–100 score, or undefined (score = 100 × max(0, similarity)). */
  readonly calibration: Calibration | undefined;
  /** The alignment mode in use. */
  readonly alignment: AlignmentMode;
  /** The face selection policy in use. */
  readonly faceSelection: FaceSelection;
  /** Every setting that shapes an embedding, including the weights' digest. */
  readonly pipeline: PipelineDescription;

  readonly #options: ResolvedFaceMatcherOptions;
  /** The embedder as a fusion (one part with weight 1 for a single embedder). */
  readonly #fusion: FusedEmbedder;
  readonly #landmarker: Landmarker | undefined;
  readonly #owned: OwnedStages;
  readonly #detectors = new Map<DetectorModel, Promise<FaceDetector>>();
  #disposed = false;

  private constructor(
    options: ResolvedFaceMatcherOptions,
    backend: BackendInfo,
    embedder: Embedder | FusedEmbedder,
    landmarker: Landmarker | undefined,
    calibration: Calibration | undefined,
    owned: OwnedStages,
  ) {
    this.#options = options;
    this.backend = backend;
    this.embedder = embedder;
    this.#fusion = isFusedEmbedder(embedder) ? embedder : createFusedEmbedder([embedder]);
    this.#landmarker = landmarker;
    this.#owned = owned;
    this.calibration = calibration;
    this.alignment = options.alignment;
    this.faceSelection = options.faceSelection;
    const modelSha256 = this.#fusion.modelSha256;
    this.pipeline = Object.freeze({
      ...describeResolved(options),
      embedder: embedder.name,
      framing: framingName(embedder),
      ...(modelSha256 ? { modelSha256 } : {}),
      calibrationKey: calibrationKeyId(calibrationKeyOf(embedder, options.alignment)),
    });
  }

  /**
   * Checks the options, starts the tfjs backend and loads the models from disk (sha256-checked,
   * never from the network).
   *
   * @throws FaceMatchError `INVALID_INPUT` for a bad option (naming it), `BACKEND_ERROR`, or `MODEL_ERROR`
   */
  static async create(options?: FaceMatcherOptions): Promise<FaceMatcher> {
    const resolved = resolveFaceMatcherOptions(options);
    const modelsDir = resolved.modelsDir ?? modelEnv.modelsDir;
    const backend = await initBackend(resolved.backend);
    const owned: OwnedStages = { embedder: undefined, landmarker: undefined };
    try {
      let embedder: Embedder | FusedEmbedder;
      let stored: FusionCalibration | undefined;
      if (typeof resolved.embedder === 'string') {
        const flip = (options as FaceMatcherOptions | undefined)?.flip;
        embedder = await createEmbedderFromSpec(resolved.embedder, { modelsDir, ...(flip === undefined ? {} : { flip }) });
        owned.embedder = isFusedEmbedder(embedder) ? embedder : createFusedEmbedder([embedder], { owned: [0] });
        stored = await findStoredCalibration(calibrationKeyOf(embedder, resolved.alignment), modelsDir);
        // A fusion named by text takes the weights given, else those its stored calibration was
        // fitted with, and only with that calibration: a caller's own calibration gets the given
        // or equal weights, never weights that happen to be stored on this machine.
        const weights = resolved.fusionWeights ?? (resolved.calibration === undefined ? stored?.weights : undefined);
        if (isFusedEmbedder(embedder) && weights?.length === embedder.parts.length) {
          embedder = createFusedEmbedder(embedder.parts, { weights, owned: embedder.parts.map((_, i) => i) });
          owned.embedder = embedder;
        }
      } else {
        embedder = resolved.embedder;
        stored = await findStoredCalibration(calibrationKeyOf(embedder, resolved.alignment), modelsDir);
      }
      if (stored && isFusedEmbedder(embedder) && embedder.parts.length > 1 && !sameWeights(stored.weights, embedder.weights)) stored = undefined;
      let landmarker: Landmarker | undefined;
      if (resolved.alignment === 'landmarks') {
        landmarker = resolved.landmarker ?? (owned.landmarker = await createLandmarker({ modelsDir, mirror: LANDMARK_MIRROR }));
      }
      const calibration = resolved.calibration ?? (stored ? withoutWeights(stored) : undefined);
      const matcher = new FaceMatcher({ ...resolved, modelsDir }, backend, embedder, landmarker, calibration, owned);
      if (typeof resolved.detector === 'string') await matcher.#detectorFor(resolved.detector);
      return matcher;
    } catch (err) {
      owned.landmarker?.dispose();
      owned.embedder?.dispose();
      throw err;
    }
  }

  /**
   * Finds every face in an image (largest first), without embedding.
   *
   * @throws FaceMatchError for an unreadable, unsupported or out-of-limits image; `INVALID_INPUT`
   *   for bad options; `MODEL_ERROR` when the matcher is (or gets) disposed
   */
  async detect(input: ImageInput, options?: ImageCallOptions): Promise<ImageDetection> {
    return this.#live(async () => {
      const call = resolveImageCall(options);
      let t = performance.now();
      const loaded = await this.#load(input, call);
      const decode = elapsed(t);
      t = performance.now();
      const { faces, model } = await this.#detect(loaded.image, call);
      return {
        faces: faces.map((f) => toOriginal(f, loaded.scale)),
        selected: selectFace(faces, this.faceSelection, loaded.image.width, loaded.image.height),
        imageWidth: loaded.width,
        imageHeight: loaded.height,
        format: loaded.format,
        detector: model,
        timings: { decode, detect: elapsed(t) },
      };
    });
  }

  /**
   * Embeds the selected face of an image (see {@link FaceMatcherOptions.faceSelection}).
   *
   * @throws FaceMatchError `NO_FACE` when the image holds no face; image errors as {@link FaceMatcher.detect}
   */
  async embed(input: ImageInput, options?: ImageCallOptions): Promise<FaceEmbedding> {
    return this.#live(async () => {
      const prepared = await this.#prepare(input, resolveImageCall(options));
      const t = performance.now();
      const [embedding] = await this.#embedAll([prepared]);
      prepared.timings.embed = elapsed(t);
      prepared.timings.total += prepared.timings.embed;
      return { ...prepared.report, embedding: embedding!, detector: prepared.detector, timings: prepared.timings };
    });
  }

  /**
   * Compares the selected faces of two images.
   *
   * @param source - first image (Didit `user_image`, Attestr `src`): bytes or a file path
   * @param target - second image (Didit `ref_image`, Attestr `targetFront`)
   * @throws FaceMatchError `NO_FACE` (with `field` naming the image) when either image holds no face;
   *   image errors as {@link FaceMatcher.detect}
   */
  async match(source: ImageInput, target: ImageInput, options?: MatchCallOptions): Promise<MatchResult> {
    return this.#live(async () => {
      const start = performance.now();
      const [callA, callB] = resolveMatchCall(options);
      // Both arguments are checked before either image is decoded.
      checkInputArgument(source, callA.field);
      checkInputArgument(target, callB.field);
      const a = await this.#prepare(source, callA);
      const b = await this.#prepare(target, callB);
      let t = performance.now();
      const [ea, eb] = await this.#embedAll([a, b]);
      const embed = elapsed(t);
      t = performance.now();
      const similarity = cosineSimilarity(ea!, eb!);
      const distance = euclideanDistance(ea!, eb!);
      const score = this.score(similarity);
      const compare = elapsed(t);
      return {
        source: a.report,
        target: b.report,
        similarity,
        distance,
        score,
        embedder: this.embedder.name,
        detector: a.detector === b.detector ? a.detector : `${a.detector}+${b.detector}`,
        timings: {
          decode: a.timings.decode + b.timings.decode,
          detect: a.timings.detect + b.timings.detect,
          align: a.timings.align + b.timings.align,
          quality: a.timings.quality + b.timings.quality,
          embed,
          compare,
          total: elapsed(start),
        },
      };
    });
  }

  /**
   * The calibrated 0–100 score of a cosine similarity.
   *
   * @throws FaceMatchError `INVALID_INPUT` when `similarity` is not a number from -1 to 1
   */
  score(similarity: number): number {
    if (typeof similarity !== 'number' || !(similarity >= -1.000001 && similarity <= 1.000001)) {
      throw new FaceMatchError('INVALID_INPUT', `Expected a cosine similarity from -1 to 1 for similarity but received ${String(similarity)}`, {
        field: 'similarity',
      });
    }
    if (this.calibration) return scoreFromSimilarity(similarity, this.calibration);
    return Math.max(0, Math.min(1, similarity)) * 100;
  }

  /**
   * Frees every model the matcher loaded itself (stages passed in stay yours). Idempotent; calls
   * still in flight reject with `MODEL_ERROR`, and the matcher cannot be used afterwards.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const pending of this.#detectors.values()) void pending.then((d) => d.dispose(), () => undefined);
    this.#detectors.clear();
    this.#owned.landmarker?.dispose();
    this.#owned.embedder?.dispose();
  }

  /** Runs a call, turning any failure after (or because of) `dispose()` into `MODEL_ERROR`. */
  async #live<T>(call: () => Promise<T>): Promise<T> {
    if (this.#disposed) throw disposedError();
    try {
      const result = await call();
      if (this.#disposed) throw disposedError();
      return result;
    } catch (err) {
      if (this.#disposed) throw err instanceof FaceMatchError && err.code === 'MODEL_ERROR' ? err : disposedError(err);
      throw err;
    }
  }

  #detectorFor(model: DetectorModel): Promise<FaceDetector> {
    if (this.#disposed) return Promise.reject(disposedError());
    let pending = this.#detectors.get(model);
    if (!pending) {
      pending = createFaceDetector({
        model,
        minConfidence: this.#options.minConfidence,
        backend: this.backend.name,
        ...(this.#options.modelsDir ? { modelsDir: this.#options.modelsDir } : {}),
      });
      pending.catch(() => this.#detectors.delete(model));
      this.#detectors.set(model, pending);
    }
    return pending;
  }

  async #detect(image: RgbImage, call: ResolvedImageCall): Promise<{ faces: DetectedFace[]; model: string }> {
    const configured = this.#options.detector;
    if (typeof configured !== 'string') {
      if (call.detector !== undefined) {
        throw new FaceMatchError('INVALID_INPUT', `Expected no per-call detector model with a custom FaceDetector but received ${JSON.stringify(call.detector)}`, {
          field: 'detector',
        });
      }
      if (configured.detectWithInfo) return configured.detectWithInfo(image, call.field);
      return { faces: await configured.detect(image, call.field), model: configured.name };
    }
    const detector = await this.#detectorFor(call.detector ?? configured);
    return detector.detectWithInfo!(image, call.field);
  }

  #load(input: ImageInput, call: ResolvedImageCall): Promise<LoadedImage> {
    return loadImage(input, {
      field: call.field,
      constraints: call.constraints ?? this.#options.constraints,
      maxPixels: this.#options.maxPixels,
      maxDecodeBytes: this.#options.maxDecodeBytes,
      maxSide: this.#options.maxSide,
      decoder: this.#options.decoder,
    });
  }

  /** Decode, detect, select and align one image; the chips are embedded by the caller (batched). */
  async #prepare(input: ImageInput, call: ResolvedImageCall): Promise<PreparedFace> {
    const start = performance.now();
    let t = start;
    const loaded = await this.#load(input, call);
    const decode = elapsed(t);
    t = performance.now();
    const { faces, model } = await this.#detect(loaded.image, call);
    const detect = elapsed(t);
    const chosen = selectFace(faces, this.faceSelection, loaded.image.width, loaded.image.height);
    const face = faces[chosen];
    if (!face) {
      const threshold = typeof this.#options.detector === 'string' ? `, minimum confidence ${this.#options.minConfidence}` : '';
      throw new FaceMatchError('NO_FACE', `Expected a face in ${call.field} but none was found (detector ${model}${threshold})`, {
        field: call.field,
        details: { faceCount: 0, detector: model, width: loaded.width, height: loaded.height },
      });
    }
    t = performance.now();
    const landmarks = this.#landmarker ? await this.#landmarker.landmarks(loaded.image, face.box) : undefined;
    if (this.#disposed) throw disposedError();
    const geometry = { box: face.box, keypoints: face.keypoints, ...(landmarks ? { landmarks } : {}) };
    const chips = this.#fusion.parts.map((part) => cutChip(loaded.image, geometry, part.framing).chip);
    const align = elapsed(t);
    t = performance.now();
    const dlibChip = chips.find((_, i) => this.#fusion.parts[i]!.framing.name === DLIB_RESNET_FRAMING.name);
    const quality = measureFaceQuality({
      image: loaded.image,
      box: face.box,
      keypoints: face.keypoints,
      score: face.score,
      ...(landmarks ? { landmarks } : {}),
      ...(dlibChip ? { dlibChip } : {}),
    });
    const qualityMs = elapsed(t);
    const minQuality = this.#options.minQuality;
    if (minQuality !== undefined && quality.overall < minQuality) {
      throw new FaceMatchError('LOW_QUALITY', `Expected a face of quality at least ${minQuality} in ${call.field} but its quality is ${quality.overall}`, {
        field: call.field,
        details: { quality: quality.overall, minQuality, components: quality.components },
      });
    }
    return {
      report: {
        face: toOriginal(face, loaded.scale),
        faceCount: faces.length,
        imageWidth: loaded.width,
        imageHeight: loaded.height,
        format: loaded.format,
        chip: chips[0]!,
        quality,
      },
      chips,
      detector: model,
      timings: { decode, detect, align, quality: qualityMs, embed: 0, compare: 0, total: elapsed(start) },
    };
  }

  /** One fused vector per prepared face: each part embeds its chips of all faces in one batch. */
  async #embedAll(prepared: readonly PreparedFace[]): Promise<Float32Array[]> {
    const parts = this.#fusion.parts;
    const perPart: Float32Array[][] = [];
    for (let i = 0; i < parts.length; i++) {
      if (this.#disposed) throw disposedError();
      perPart.push(await parts[i]!.embed(prepared.map((p) => p.chips[i]!)));
    }
    return prepared.map((_, k) => this.#fusion.fuse(perPart.map((vectors) => vectors[k]!)));
  }
}

/** A cheap first check of an image argument: bytes or a path (the intake checks the rest). */
function checkInputArgument(value: unknown, field: string): void {
  if (typeof value === 'string' || value instanceof Uint8Array) return;
  throw invalidInput(field, 'a Buffer, Uint8Array or file path', value);
}

/** Whether a stored fusion's weights are the ones in use (a calibration fitted for others does not apply). */
function sameWeights(stored: readonly number[] | undefined, used: readonly number[]): boolean {
  return stored !== undefined && stored.length === used.length && stored.every((w, i) => Math.abs(w - used[i]!) < 1e-9);
}

function withoutWeights(stored: FusionCalibration): Calibration {
  const { weights: _weights, ...calibration } = stored;
  return calibration;
}
