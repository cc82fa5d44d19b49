/**
 * Face quality: the measured components, their units and ranges, and the overall score.
 * @module
 */
import type { HeadPose } from './pose.js';

/**
 * The measured quality components of one face. Every value is a physical measurement with a unit,
 * not a judgement; {@link FaceQuality.overall} and the warnings judge them.
 *
 * @category Quality
 */
export interface QualityComponents {
  /**
   * Distance between the eye centres in pixels of the decoded image the pipeline worked on: the
   * original's pixels, or fewer after the `maxSide` downscale, which is all the embedder sees.
   */
  interEyeDistance: number;
  /** The face box's larger side over the image's shorter side, 0–1 (Didit asks a face to fill 20% of the image). */
  faceSize: number;
  /** The face box's area over the image's area, 0–1. */
  boxShare: number;
  /**
   * Sharpness on the aligned chip (dlib framing, 150 px): the variance of the 4-neighbour
   * Laplacian of the luminance over its variance, on the face region. Unitless, 0 and up: about
   * 0.05–0.5 for sharp faces, below 0.02 for visibly blurred or heavily upscaled ones. Low
   * resolution counts as blur here, as it does for the embedder.
   */
  sharpness: number;
  /** Mean luminance of the face region of the chip, 0–255. */
  brightness: number;
  /** Share of face-region pixels at luminance ≤ 8 or ≥ 247 (crushed or blown), 0–1. */
  clipped: number;
  /** Mean luminance of the darker half of the face over the brighter half, 0–1 (1: evenly lit). */
  uniformity: number;
  /**
   * Luminance spread (median absolute deviation) in the two eye areas of the chip over that of the
   * face region, for the eye with less, 0 and up: well above 0.3 when the eyes are visible, near 0
   * when something uniform (a bar, a hand, dark glasses) covers them.
   */
  eyeContrast: number;
  /** Head pose in degrees, from the 68 landmarks; `undefined` without landmarks (keypoints alignment). */
  pose: HeadPose | undefined;
  /** In-plane tilt of the eye line in degrees, −180 to 180 (from the landmarks, else the detector's eye keypoints). */
  roll: number;
  /**
   * Eye aspect ratio (the eyelids' mean opening over the eye's width, averaged over both eyes), 0
   * to about 0.5: open eyes measure about 0.25–0.35, closed ones below about 0.15; `undefined`
   * without landmarks.
   */
  eyeOpenness: number | undefined;
  /**
   * How far the 68 landmarks are from dlib's mean face after the best rotation, scale and shift:
   * the RMS distance of landmarks 27–67 in units of the mean face's inter-eye distance, 0 and up
   * (about 0.03–0.06 for frontal faces). Strong expressions, turned heads and landmarks pulled
   * astray by an occlusion read high. `undefined` without landmarks.
   */
  shapeResidual: number | undefined;
  /** The detector's confidence in the face, 0–1. */
  detectorScore: number;
}

/**
 * Quality of one face, measured by {@link measureFaceQuality}.
 *
 * @category Quality
 */
export interface FaceQuality {
  /**
   * Overall quality, 0–100: 100 × the weakest of the factors in {@link QUALITY_FACTORS} (each 1
   * within the range faces are recognised well in, falling linearly to 0 at a limit). 100 means
   * nothing measured stands in the way; below 50 at least one component is past its warning
   * limit; on LFW View 2, genuine pairs with a face below 25 failed at a strict threshold about
   * nine times as often as the rest (×8.7) (docs/quality.md).
   */
  overall: number;
  /** The measured components. */
  components: QualityComponents;
}
