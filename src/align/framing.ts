/**
 * Chip framings: how a face is cut for one embedder (chip size, alignment template, and which
 * detector keypoints or 68-point landmarks feed it). A framing is plain data, owned by the embedder
 * that needs it, so a pipeline can be described, cached and reported without knowing the network.
 * @module
 */
import { FaceMatchError } from '../errors.js';
import type { Box, Point, RgbImage } from '../types.js';
import { fitSimilarity, type SimilarityTransform } from './similarity.js';
import { BLAZEFACE_TEMPLATE, DLIB_41_TEMPLATE, templateInChip } from './templates.js';
import { warpSimilarity } from './warp.js';

/**
 * Width and height of a chip in pixels.
 *
 * @category Alignment
 */
export interface ChipSize {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Where a set of face points lands in the chip. Each target point is the mean of one or more
 * source points (indices into the 68 landmarks, or into BlazeFace's six keypoints), so an eye
 * centre can be the mean of the four eyelid landmarks.
 *
 * @category Alignment
 */
export interface PointMapping {
  /** For each target, the indices of the source points it is the mean of. */
  sources: readonly (readonly number[])[];
  /** Target positions in chip pixels (continuous: pixel (0, 0) spans [0, 1) × [0, 1)). */
  targets: readonly Point[];
  /** Optional least-squares weight per target (default 1 each). */
  weights?: readonly number[];
}

/**
 * A framing that rotates and scales the face onto a template with a least-squares similarity
 * transform: dlib's and ArcFace's convention.
 *
 * @category Alignment
 */
export interface AlignedFraming {
  /** Always `aligned`. */
  kind: 'aligned';
  /** Stable name, recorded in pipeline descriptions and bench reports (`dlib-41@150`). */
  name: string;
  /** Chip size. */
  size: ChipSize;
  /** The mapping used when 68-point landmarks exist (`alignment: 'landmarks'`). */
  landmarks: PointMapping;
  /** The mapping used from BlazeFace's six keypoints (`alignment: 'keypoints'`). */
  keypoints: PointMapping;
}

/**
 * A framing that crops the detector's box grown by a margin, without rotation, and resizes it to
 * the chip: the MTCNN crop FaceNet models were trained on.
 *
 * @category Alignment
 */
export interface BoxFraming {
  /** Always `box`. */
  kind: 'box';
  /** Stable name (`box-0.125@160`). */
  name: string;
  /** Chip size. */
  size: ChipSize;
  /** Margin added on every side, as a fraction of the box's larger side; 0 or more. */
  margin: number;
}

/**
 * How an embedder wants its face chips cut. See {@link AlignedFraming} and {@link BoxFraming}.
 *
 * @category Alignment
 */
export type ChipFraming = AlignedFraming | BoxFraming;

/**
 * The face geometry a framing is cut from: the detector's box and six keypoints, and the 68
 * landmarks when the pipeline found them.
 *
 * @category Alignment
 */
export interface FaceGeometry {
  /** Detector box in image pixels. */
  box: Box;
  /** BlazeFace's six keypoints in image pixels. */
  keypoints: readonly Point[];
  /** The 68 landmarks in image pixels, when the landmarks stage ran. */
  landmarks?: readonly Point[];
}

/**
 * A chip cut by {@link cutChip}.
 *
 * @category Alignment
 */
export interface FramedChip {
  /** The chip, exactly the framing's size, RGB. */
  chip: RgbImage;
  /** Maps image pixels to chip pixels. */
  transform: SimilarityTransform;
  /** Which points placed it: `landmarks`, `keypoints` or `box`. */
  source: 'landmarks' | 'keypoints' | 'box';
}

const single = (from: number, count: number): number[][] => Array.from({ length: count }, (_, i) => [from + i]);

/**
 * dlib ResNet's framing: 150×150, landmarks 27–67 on dlib's mean face (nose, eyes, mouth; no
 * eyebrows) with padding 0.25, or BlazeFace's eyes, nose tip and mouth centre on the matching
 * template. See {@link DLIB_41_TEMPLATE} and {@link BLAZEFACE_TEMPLATE}.
 *
 * @category Alignment
 */
export const DLIB_RESNET_FRAMING: AlignedFraming = Object.freeze({
  kind: 'aligned',
  name: 'dlib-41@150',
  size: Object.freeze({ width: 150, height: 150 }),
  landmarks: Object.freeze({ sources: single(27, 41), targets: templateInChip(DLIB_41_TEMPLATE, 150, 0.25) }),
  keypoints: Object.freeze({ sources: single(0, 4), targets: templateInChip(BLAZEFACE_TEMPLATE, 150, 0.25) }),
}) as AlignedFraming;

/**
 * The standard five-point ArcFace template for 112×112 chips (insightface's `arcface_dst`, in
 * OpenCV pixel coordinates, where pixel centres are whole numbers): subject's right eye (image
 * left), left eye, nose tip, right and left mouth corners.
 *
 * @category Alignment
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = Object.freeze([
  Object.freeze({ x: 38.2946, y: 51.6963 }),
  Object.freeze({ x: 73.5318, y: 51.5014 }),
  Object.freeze({ x: 56.0252, y: 71.7366 }),
  Object.freeze({ x: 41.5493, y: 92.3655 }),
  Object.freeze({ x: 70.7299, y: 92.2041 }),
]);

/** The five ArcFace points from the 68 landmarks: eyelid means, nose tip, mouth corner means. */
const ARCFACE_LANDMARK_SOURCES: readonly (readonly number[])[] = Object.freeze([
  [37, 38, 40, 41],
  [43, 44, 46, 47],
  [30],
  [48, 60],
  [54, 64],
]);

/**
 * The ArcFace five-point framing at a square chip side (112 is the standard; other sides scale the
 * template, as insightface's `estimate_norm` does for multiples of 112). With BlazeFace keypoints
 * only, the two mouth corners are replaced by their midpoint, which BlazeFace finds.
 *
 * @param side - chip side in pixels; default 112
 * @category Alignment
 */
export function arcfaceFraming(side = 112): AlignedFraming {
  if (!Number.isInteger(side) || side < 16) throw invalidSide(side);
  const s = side / 112;
  // OpenCV's pixel centres are whole numbers; facematch's sit at +0.5.
  const at = (p: Point): Point => ({ x: p.x * s + 0.5, y: p.y * s + 0.5 });
  const five = ARCFACE_TEMPLATE_112.map(at);
  const mouth = { x: (five[3]!.x + five[4]!.x) / 2, y: (five[3]!.y + five[4]!.y) / 2 };
  return {
    kind: 'aligned',
    name: `arcface-5@${side}`,
    size: { width: side, height: side },
    landmarks: { sources: ARCFACE_LANDMARK_SOURCES, targets: five },
    keypoints: { sources: single(0, 3).concat([[3]]), targets: [five[0]!, five[1]!, five[2]!, mouth] },
  };
}

/**
 * A box framing (see {@link BoxFraming}).
 *
 * @param side - chip side in pixels
 * @param margin - margin on every side as a fraction of the box's larger side
 * @category Alignment
 */
export function boxFraming(side: number, margin: number): BoxFraming {
  if (!Number.isInteger(side) || side < 16) throw invalidSide(side);
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0 || margin > 2) {
    throw new FaceMatchError('INVALID_INPUT', `Expected a margin from 0 to 2 for the box framing but received ${String(margin)}`, { field: 'margin' });
  }
  return { kind: 'box', name: `box-${margin}@${side}`, size: { width: side, height: side }, margin };
}

function invalidSide(side: unknown): FaceMatchError {
  return new FaceMatchError('INVALID_INPUT', `Expected a whole chip side of at least 16 pixels but received ${String(side)}`, { field: 'size' });
}

function meanPoints(points: readonly Point[], sources: readonly (readonly number[])[], what: string): Point[] {
  return sources.map((indices) => {
    let x = 0;
    let y = 0;
    for (const i of indices) {
      const p = points[i];
      if (!p) {
        throw new FaceMatchError('INVALID_INPUT', `Expected ${what} point ${i} for the framing but only ${points.length} were given`, { field: what });
      }
      x += p.x;
      y += p.y;
    }
    return { x: x / indices.length, y: y / indices.length };
  });
}

/**
 * Cuts the chip a framing asks for from an image: an aligned framing fits its mapping (from the
 * landmarks when given, else from the keypoints) and warps; a box framing crops the grown box.
 * Outside the image is black.
 *
 * @throws FaceMatchError `INVALID_INPUT` when the geometry lacks points the framing names
 * @category Alignment
 */
export function cutChip(image: RgbImage, face: FaceGeometry, framing: ChipFraming): FramedChip {
  const { width, height } = framing.size;
  if (framing.kind === 'box') {
    const side = Math.max(face.box.width, face.box.height) * (1 + 2 * framing.margin);
    const cx = face.box.x + face.box.width / 2;
    const cy = face.box.y + face.box.height / 2;
    const a = width / side;
    // x' = a·(x − cx) + width/2, y' = a·(y − cy) + height/2: the box's centre lands on the chip's.
    const transform: SimilarityTransform = { a, b: 0, tx: width / 2 - a * cx, ty: height / 2 - a * cy };
    return { chip: warpSimilarity(image, transform, width, height), transform, source: 'box' };
  }
  const useLandmarks = face.landmarks !== undefined;
  const mapping = useLandmarks ? framing.landmarks : framing.keypoints;
  const from = meanPoints(useLandmarks ? face.landmarks! : face.keypoints, mapping.sources, useLandmarks ? 'landmarks' : 'keypoints');
  const transform = fitSimilarity(from, mapping.targets, mapping.weights);
  return { chip: warpSimilarity(image, transform, width, height), transform, source: useLandmarks ? 'landmarks' : 'keypoints' };
}
