/**
 * Face selection: which of the faces in an image is the subject.
 * @module
 */
import { invalidInput } from '../errors.js';
import type { DetectedFace } from '../types.js';

/**
 * The face-selection policies, in a fixed order (for CLI and option checks).
 *
 * @category Detection
 */
export const FACE_SELECTIONS = Object.freeze(['largest', 'center'] as const);

/**
 * Which face of an image is compared when it holds several.
 *
 * - `largest` (default): the face with the largest box area. Didit documents this rule ("largest
 *   face used"), so it is what a Didit client expects.
 * - `center`: among the faces of comparable size to the largest (the square root of the box area at
 *   least {@link COMPARABLE_FACE_SIDE} of the largest face's), the one whose box centre is nearest the
 *   image centre. Photos are framed on their subject: in press photos and in LFW a bystander's face is
 *   often larger than the subject's but off-centre. A much smaller face near the centre (a badge, a
 *   poster, a face in the crowd) still loses to a large one.
 *
 * @category Detection
 */
export type FaceSelection = (typeof FACE_SELECTIONS)[number];

/**
 * How large a face must be, relative to the largest face in the image (ratio of the square roots of
 * the box areas: a box clipped at the image edge counts by what is left of it), to
 * compete on centrality under {@link FaceSelection} `center`. 0.6 (an area ratio of 0.36): BlazeFace's
 * box sides for one face vary by about ±10% between short- and full-range models and poses, so
 * anything above about 0.8 would let noise decide; below about 0.5 a face half the size of the main
 * one, which is rarely the subject of a photo, could win by being central.
 *
 * @category Detection
 */
export const COMPARABLE_FACE_SIDE = 0.6;

/**
 * The index, in `faces`, of the face a policy picks, or -1 when `faces` is empty. Pure.
 *
 * @param faces - the faces of one image (any order)
 * @param policy - `largest` or `center`
 * @param imageWidth - image width in the faces' pixel units
 * @param imageHeight - image height in the faces' pixel units
 * @throws FaceMatchError `INVALID_INPUT` (field `faceSelection`) for an unknown policy
 * @category Detection
 */
export function selectFace(faces: readonly DetectedFace[], policy: FaceSelection, imageWidth: number, imageHeight: number): number {
  if (!FACE_SELECTIONS.includes(policy)) throw invalidInput('faceSelection', `one of ${FACE_SELECTIONS.join(', ')}`, policy);
  if (faces.length === 0) return -1;
  // Size is the square root of the box area: the largest face is the one with the largest area
  // (on a tie, the first), as the detector's order and Didit's rule have it.
  const side = (f: DetectedFace): number => Math.sqrt(Math.max(0, f.box.width) * Math.max(0, f.box.height));
  let largest = 0;
  faces.forEach((f, i) => {
    if (side(f) > side(faces[largest]!)) largest = i;
  });
  if (policy === 'largest' || faces.length === 1) return largest;
  const minSide = COMPARABLE_FACE_SIDE * side(faces[largest]!);
  // Distance from the image centre, in units of the image's own width and height, so that a wide
  // and a tall photo weigh horizontal and vertical offsets alike.
  const offCentre = (f: DetectedFace): number =>
    Math.hypot((f.box.x + f.box.width / 2) / imageWidth - 0.5, (f.box.y + f.box.height / 2) / imageHeight - 0.5);
  let best = largest;
  faces.forEach((f, i) => {
    if (side(f) >= minSide && offCentre(f) < offCentre(faces[best]!)) best = i;
  });
  return best;
}
