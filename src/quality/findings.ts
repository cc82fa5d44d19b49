/**
 * Quality findings: the named, documented problems a face's measured quality shows, with the
 * measured value and the limit it crossed. Provider formats turn them into their warnings.
 * @module
 */
import { invalidInput } from '../errors.js';
import type { FaceQuality } from './types.js';

/**
 * The quality checks, in a fixed order.
 *
 * @category Quality
 */
export const QUALITY_CHECKS = Object.freeze([
  'LOW_FACE_QUALITY',
  'FACE_NOT_CLEAR',
  'FACE_TOO_SMALL',
  'BLURRY_FACE',
  'POOR_LIGHTING',
  'UNEVEN_LIGHTING',
  'FACE_NOT_FRONTAL',
  'FACE_TILTED',
  'EYES_CLOSED',
  'EYES_COVERED',
] as const);

/**
 * One quality check; see {@link DEFAULT_QUALITY_LIMITS} for when each fires.
 *
 * @category Quality
 */
export type QualityCheck = (typeof QUALITY_CHECKS)[number];

/**
 * How much a finding matters: `warning` when genuine pairs with such a face failed at least three
 * times as often as the rest on LFW View 2 (docs/quality.md), `information` when LFW shows a weaker
 * effect or none.
 *
 * @category Quality
 */
export type QualitySeverity = 'information' | 'warning';

/**
 * The severity of each check: `warning` for the checks whose genuine pairs failed at least three
 * times as often as the rest on LFW View 2, `information` for the others.
 *
 * @category Quality
 */
export const QUALITY_SEVERITY: Readonly<Record<QualityCheck, QualitySeverity>> = Object.freeze({
  LOW_FACE_QUALITY: 'warning',
  FACE_NOT_CLEAR: 'warning',
  FACE_TOO_SMALL: 'warning',
  BLURRY_FACE: 'warning',
  POOR_LIGHTING: 'warning',
  UNEVEN_LIGHTING: 'information',
  FACE_NOT_FRONTAL: 'information',
  FACE_TILTED: 'warning',
  EYES_CLOSED: 'information',
  EYES_COVERED: 'warning',
});

/**
 * One problem found in a face's quality.
 *
 * @category Quality
 */
export interface QualityFinding {
  /** Which check. */
  check: QualityCheck;
  /** The component measured (`sharpness`, `pose.yaw`, `overall`, …). */
  component: string;
  /** Its value (rounded to 3 significant digits). */
  value: number;
  /** The limit it crossed. */
  limit: number;
  /** How much it matters. */
  severity: QualitySeverity;
}

/**
 * The limits of the quality checks. Each check fires when its component is beyond the limit.
 *
 * @category Quality
 */
export interface QualityLimits {
  /** `LOW_FACE_QUALITY` (warning): overall quality below this, 0–100. */
  overall: number;
  /** `FACE_NOT_CLEAR` (warning): the detector's confidence below this, 0–1 (occluded, unusual or barely visible faces). */
  detectorScore: number;
  /** `FACE_TOO_SMALL` (warning): inter-eye distance below this many pixels. */
  interEyeDistance: number;
  /** `BLURRY_FACE` (warning): sharpness below this. */
  sharpness: number;
  /** `POOR_LIGHTING` (warning): face brightness below this (0–255). */
  minBrightness: number;
  /** `POOR_LIGHTING` (warning): face brightness above this (0–255). */
  maxBrightness: number;
  /** `POOR_LIGHTING` (warning): share of clipped face pixels above this (0–1). */
  clipped: number;
  /** `UNEVEN_LIGHTING` (information): darker half over brighter half below this (0–1). */
  uniformity: number;
  /** `FACE_NOT_FRONTAL` (information): absolute yaw above this many degrees. */
  yaw: number;
  /** `FACE_NOT_FRONTAL` (information): absolute pitch above this many degrees. */
  pitch: number;
  /** `FACE_TILTED` (warning): absolute roll above this many degrees. */
  roll: number;
  /** `EYES_CLOSED` (information): eye aspect ratio below this. */
  eyeOpenness: number;
  /** `EYES_COVERED` (warning): eye contrast below this. */
  eyeContrast: number;
}

/**
 * The default limits. How each was chosen (from the error-versus-discard data on LFW View 2 and
 * from inputs degraded on purpose) is in docs/quality.md.
 *
 * @category Quality
 */
export const DEFAULT_QUALITY_LIMITS: Readonly<QualityLimits> = Object.freeze({
  overall: 25,
  detectorScore: 0.8,
  interEyeDistance: 30,
  sharpness: 0.012,
  minBrightness: 70,
  maxBrightness: 225,
  clipped: 0.1,
  uniformity: 0.5,
  yaw: 45,
  pitch: 40,
  roll: 15,
  eyeOpenness: 0.12,
  eyeContrast: 0.25,
});

const round3 = (v: number): number => Number(v.toPrecision(3));

function checkLimits(limits: Partial<QualityLimits>): QualityLimits {
  if (typeof limits !== 'object' || limits === null) throw invalidInput('qualityLimits', 'an object of limits', limits);
  const merged = { ...DEFAULT_QUALITY_LIMITS, ...limits };
  for (const [key, value] of Object.entries(merged)) {
    if (!(key in DEFAULT_QUALITY_LIMITS)) throw invalidInput(`qualityLimits.${key}`, `one of ${Object.keys(DEFAULT_QUALITY_LIMITS).join(', ')}`, key);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidInput(`qualityLimits.${key}`, 'a finite number', value);
  }
  return merged;
}

/**
 * The findings of one face's quality, in {@link QUALITY_CHECKS} order; empty for a good face.
 *
 * @param quality - from {@link measureFaceQuality}
 * @param limits - overrides of {@link DEFAULT_QUALITY_LIMITS}
 * @throws FaceMatchError `INVALID_INPUT` for an unknown or non-numeric limit
 * @category Quality
 */
export function qualityFindings(quality: FaceQuality, limits: Partial<QualityLimits> = {}): QualityFinding[] {
  const l = checkLimits(limits);
  const c = quality.components;
  const found: QualityFinding[] = [];
  const add = (check: QualityCheck, component: string, value: number, limit: number): void => {
    found.push({ check, component, value: round3(value), limit, severity: QUALITY_SEVERITY[check] });
  };
  if (quality.overall < l.overall) add('LOW_FACE_QUALITY', 'overall', quality.overall, l.overall);
  if (c.detectorScore < l.detectorScore) add('FACE_NOT_CLEAR', 'detectorScore', c.detectorScore, l.detectorScore);
  if (c.interEyeDistance < l.interEyeDistance) add('FACE_TOO_SMALL', 'interEyeDistance', c.interEyeDistance, l.interEyeDistance);
  if (c.sharpness < l.sharpness) add('BLURRY_FACE', 'sharpness', c.sharpness, l.sharpness);
  if (c.brightness < l.minBrightness) add('POOR_LIGHTING', 'brightness', c.brightness, l.minBrightness);
  else if (c.brightness > l.maxBrightness) add('POOR_LIGHTING', 'brightness', c.brightness, l.maxBrightness);
  else if (c.clipped > l.clipped) add('POOR_LIGHTING', 'clipped', c.clipped, l.clipped);
  if (c.uniformity < l.uniformity) add('UNEVEN_LIGHTING', 'uniformity', c.uniformity, l.uniformity);
  if (c.pose && Math.abs(c.pose.yaw) > l.yaw) add('FACE_NOT_FRONTAL', 'pose.yaw', c.pose.yaw, l.yaw);
  else if (c.pose && Math.abs(c.pose.pitch) > l.pitch) add('FACE_NOT_FRONTAL', 'pose.pitch', c.pose.pitch, l.pitch);
  if (Math.abs(c.roll) > l.roll) add('FACE_TILTED', 'roll', c.roll, l.roll);
  if (c.eyeOpenness !== undefined && c.eyeOpenness < l.eyeOpenness) add('EYES_CLOSED', 'eyeOpenness', c.eyeOpenness, l.eyeOpenness);
  if (c.eyeContrast < l.eyeContrast) add('EYES_COVERED', 'eyeContrast', c.eyeContrast, l.eyeContrast);
  return found;
}
