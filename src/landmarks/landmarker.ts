import * as tf from '../runtime/tf.js';
import { FaceMatchError, invalidInput } from '../errors.js';
import { assertRgbImage } from '../image/rgb-check.js';
import { loadManifestWeights, modelEnv } from '../runtime/models.js';
import type { Box, Point, RgbImage } from '../types.js';
import { type LandmarkCropOptions, mirrorSquare, regionToImage, resolveCrop, sampleSquare, squareRegion } from './crop.js';
import { buildLandmarkNet, LANDMARK_COUNT, LANDMARK_INPUT_SIZE } from './net.js';
import { averageWithMirrored } from './points.js';

/**
 * Options for {@link createLandmarker}.
 *
 * @category Landmarks
 */
export interface LandmarkerOptions {
  /** Folder holding `manifest.json` and the `landmarks-68` weights. Default: {@link modelEnv}.modelsDir. */
  modelsDir?: string;
  /** How the square the network reads is cut around each face box. Default: {@link DEFAULT_LANDMARK_CROP}. */
  crop?: LandmarkCropOptions;
  /**
   * Also run the network on the mirror image of each crop and average the two (mapped back).
   * This cancels the network's own left–right bias (it places every point about 0.9 of its 112 input
   * pixels, 0.8% of the crop, too far left: 2% of the inter-ocular distance at the default crop) and
   * cuts the landmarks' sensitivity to the box by a quarter, at twice the network time. Default `true`.
   */
  mirror?: boolean;
}

/**
 * Finds 68 face landmarks (iBUG 300-W order, see {@link LANDMARK_GROUPS}) inside face boxes.
 * Create it with {@link createLandmarker}; call `dispose()` when done to free the weights.
 *
 * @category Landmarks
 */
export interface Landmarker {
  /**
   * The 68 landmarks of the face in `box`, in image pixels (continuous coordinates: pixel (0, 0)
   * spans [0, 1) × [0, 1)).
   *
   * @param image - the decoded image the box refers to
   * @param box - the face box in pixels, as a detector returns it
   * @throws FaceMatchError `INVALID_INPUT` for a malformed image or a box that is empty,
   *   not finite or entirely outside the image; `MODEL_ERROR` after `dispose()`
   */
  landmarks(image: RgbImage, box: Box): Promise<Point[]>;
  /**
   * The landmarks of several faces of one image in a single network call; the result is in the
   * order of `boxes` and equals calling {@link Landmarker.landmarks} on each.
   *
   * @throws FaceMatchError `INVALID_INPUT` like {@link Landmarker.landmarks}, naming the bad box
   */
  landmarksBatch(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]>;
  /** Frees the network's weights. Idempotent; the landmarker cannot be used afterwards. */
  dispose(): void;
}

function disposedError(): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', 'Expected a live landmarker but dispose() has been called', { field: 'model' });
}

function checkBox(box: Box, image: RgbImage, field: string): void {
  const values = box === null || typeof box !== 'object' ? [] : [box.x, box.y, box.width, box.height];
  if (values.length !== 4 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw invalidInput(field, 'a box { x, y, width, height } of finite numbers', box);
  }
  if (box.width <= 0 || box.height <= 0) {
    throw invalidInput(field, 'a box of positive width and height', `${box.width}×${box.height}`, { ...box });
  }
  if (box.x >= image.width || box.y >= image.height || box.x + box.width <= 0 || box.y + box.height <= 0) {
    throw invalidInput(field, `a box overlapping the ${image.width}×${image.height} image`, JSON.stringify(box), { ...box });
  }
}

/**
 * Loads the face-api 68-point landmark network (`landmarks-68` in `models/manifest.json`, weights
 * checked against their sha256) and returns a {@link Landmarker}. Initialise a tfjs backend first
 * ({@link initBackend}).
 *
 * The network reads a 112×112 square: by default the face box's larger side × 1.2 on the box
 * centre (see {@link DEFAULT_LANDMARK_CROP}), sampled in JavaScript from the image (black outside
 * it). By default it also reads the mirror image of that square and averages the two results
 * (see {@link LandmarkerOptions.mirror}).
 *
 * @example
 * ```ts
 * await initBackend();
 * const landmarker = await createLandmarker();
 * const points = await landmarker.landmarks(image, face.box);
 * const rightEye = landmarkCentre(points, 'rightEye');
 * landmarker.dispose();
 * ```
 * @throws FaceMatchError `INVALID_INPUT` for bad `crop` or `mirror` options, `MODEL_ERROR` when the weights are
 *   missing, altered or malformed
 * @category Landmarks
 */
export async function createLandmarker(options: LandmarkerOptions = {}): Promise<Landmarker> {
  const crop = resolveCrop(options.crop);
  const mirror = options.mirror ?? true;
  if (typeof mirror !== 'boolean') {
    throw invalidInput('mirror', 'true or false', mirror);
  }
  const net = buildLandmarkNet(await loadManifestWeights('landmarks-68', options.modelsDir ?? modelEnv.modelsDir));
  let disposed = false;
  const size = LANDMARK_INPUT_SIZE;
  const pixels = size * size * 3;

  async function run(image: RgbImage, boxes: readonly Box[], field: (i: number) => string): Promise<Point[][]> {
    if (disposed) throw disposedError();
    assertRgbImage(image, 'image');
    boxes.forEach((box, i) => checkBox(box, image, field(i)));
    if (boxes.length === 0) return [];
    const regions = boxes.map((box) => squareRegion(box, crop));
    const perFace = mirror ? 2 : 1;
    const count = boxes.length * perFace;
    const batch = new Float32Array(count * pixels);
    regions.forEach((region, i) => {
      const at = i * perFace * pixels;
      sampleSquare(image, region, size, batch, at);
      if (mirror) mirrorSquare(batch, at, at + pixels, size);
    });
    const output = tf.tidy(() => net.predict(tf.tensor4d(batch, [count, size, size, 3])));
    let relative: Float32Array;
    try {
      relative = (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
    const values = LANDMARK_COUNT * 2;
    return regions.map((region, i) => {
      const at = i * perFace * values;
      return mirror
        ? regionToImage(averageWithMirrored(relative, at, at + values), 0, LANDMARK_COUNT, region)
        : regionToImage(relative, at, LANDMARK_COUNT, region);
    });
  }

  return {
    async landmarks(image: RgbImage, box: Box): Promise<Point[]> {
      const [points] = await run(image, [box], () => 'box');
      return points!;
    },
    async landmarksBatch(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]> {
      if (!Array.isArray(boxes)) throw invalidInput('boxes', 'an array of boxes', boxes);
      return run(image, boxes, (i) => `boxes[${i}]`);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      net.dispose();
    },
  };
}
