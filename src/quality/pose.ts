/**
 * Head pose from 2-D face points: a scaled-orthographic fit of a generic 3-D face to six of the 68
 * landmarks (nose tip, chin, outer eye corners, mouth corners).
 * @module
 */
import type { Point } from '../types.js';

/**
 * Head rotation in degrees, in the subject's frame.
 *
 * @category Quality
 */
export interface HeadPose {
  /** Left–right turn, −90 to 90; positive when the subject turns to their left (nose towards the image's right). */
  yaw: number;
  /** Up–down nod, −90 to 90; positive when the subject looks up. */
  pitch: number;
  /** In-plane tilt, −180 to 180; positive when the head tilts clockwise in the image (the subject's left eye lower). */
  roll: number;
}

/** A point of the generic face model: x to the image's right, y up, z towards the camera. */
type Vec3 = readonly [number, number, number];

/**
 * The six-point generic 3-D face often used for landmark head-pose estimation (arbitrary units,
 * nose tip at the origin), with the 68-point landmark each one corresponds to.
 */
const MODEL: readonly { landmark: number; at: Vec3 }[] = [
  { landmark: 30, at: [0, 0, 0] }, // nose tip
  { landmark: 8, at: [0, -330, -65] }, // chin
  { landmark: 36, at: [-225, 170, -135] }, // outer corner of the eye on the image's left
  { landmark: 45, at: [225, 170, -135] }, // outer corner of the eye on the image's right
  { landmark: 48, at: [-150, -150, -125] }, // mouth corner on the image's left
  { landmark: 54, at: [150, -150, -125] }, // mouth corner on the image's right
];

const DEG = 180 / Math.PI;

/**
 * The generic face's own tilt: over the 7,701 images of LFW View 2 (press photos, most of them
 * facing the camera) the raw fit reads a median pitch of −4.3°. Adding it back puts a face looking
 * at the camera at 0; it is a property of the model's geometry, measured without labels.
 */
const PITCH_ZERO = 4.3;

function invert3(m: number[][]): number[][] | undefined {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (!(Math.abs(det) > 1e-12)) return undefined;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

const cross = (u: Vec3, v: Vec3): Vec3 => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
const dot = (u: Vec3, v: Vec3): number => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
const scale = (u: Vec3, s: number): Vec3 => [u[0] * s, u[1] * s, u[2] * s];

/**
 * Estimates head pose from 68 landmarks (iBUG order, image pixels): the least-squares affine
 * camera that maps the generic face's six points onto the landmarks, its two rows made
 * orthonormal (scaled orthographic projection), and the rotation read as yaw, pitch and roll.
 * Accurate to a few degrees for moderate poses; pitch is measured from where a face looking at the
 * camera sits (the generic face itself is tilted by about 4°, corrected). Returns undefined when
 * the points are degenerate (all on a line).
 *
 * @param landmarks - the 68 landmarks in image pixels (y down)
 * @category Quality
 */
export function headPoseFromLandmarks(landmarks: readonly Point[]): HeadPose | undefined {
  if (landmarks.length < 68) return undefined;
  const n = MODEL.length;
  // Image y points down; the model's y points up.
  const img = MODEL.map((m) => ({ x: landmarks[m.landmark]!.x, y: -landmarks[m.landmark]!.y }));
  const mx = img.reduce((s, p) => s + p.x, 0) / n;
  const my = img.reduce((s, p) => s + p.y, 0) / n;
  const centre: Vec3 = [0, 1, 2].map((k) => MODEL.reduce((s, m) => s + m.at[k]!, 0) / n) as unknown as Vec3;
  const X = MODEL.map((m) => [m.at[0] - centre[0], m.at[1] - centre[1], m.at[2] - centre[2]] as Vec3);
  // M (2×3) = (Σ x Xᵀ)(Σ X Xᵀ)⁻¹
  const xx: number[][] = [0, 1, 2].map((r) => [0, 1, 2].map((c) => X.reduce((s, v) => s + v[r]! * v[c]!, 0)));
  const inv = invert3(xx);
  if (!inv) return undefined;
  const bx: Vec3 = [0, 1, 2].map((c) => X.reduce((s, v, i) => s + (img[i]!.x - mx) * v[c]!, 0)) as unknown as Vec3;
  const by: Vec3 = [0, 1, 2].map((c) => X.reduce((s, v, i) => s + (img[i]!.y - my) * v[c]!, 0)) as unknown as Vec3;
  const row = (b: Vec3): Vec3 => [0, 1, 2].map((c) => b[0] * inv[0]![c]! + b[1] * inv[1]![c]! + b[2] * inv[2]![c]!) as unknown as Vec3;
  const r1 = row(bx);
  const r2 = row(by);
  const n1 = Math.hypot(...r1);
  if (!(n1 > 0)) return undefined;
  const u1 = scale(r1, 1 / n1);
  const r2o: Vec3 = [r2[0] - dot(r2, u1) * u1[0], r2[1] - dot(r2, u1) * u1[1], r2[2] - dot(r2, u1) * u1[2]];
  const n2 = Math.hypot(...r2o);
  if (!(n2 > 0)) return undefined;
  const u2 = scale(r2o, 1 / n2);
  const u3 = cross(u1, u2);
  // R (model → camera) has rows u1, u2, u3 and is read as R = Rz(roll) · Ry(yaw) · Rx(pitch).
  const yaw = Math.asin(Math.max(-1, Math.min(1, -u3[0]))) * DEG;
  const pitch = -Math.atan2(u3[1], u3[2]) * DEG + PITCH_ZERO;
  const roll = Math.atan2(u2[0], u1[0]) * DEG;
  // Signs as documented on HeadPose (checked against projections of the model in the tests).
  return { yaw, pitch, roll: -roll };
}

/**
 * The in-plane tilt of the line through two eye centres, in degrees (positive: clockwise in the
 * image, the subject's left eye lower). Works from detector keypoints as well as landmarks.
 *
 * @param rightEye - the subject's right eye (on the image's left)
 * @param leftEye - the subject's left eye
 * @category Quality
 */
export function rollFromEyes(rightEye: Point, leftEye: Point): number {
  return Math.atan2(leftEye.y - rightEye.y, leftEye.x - rightEye.x) * DEG;
}
