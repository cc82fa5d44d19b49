/**
 * Decisions from a calibrated 0–100 score: Didit's three-way status and Attestr's matched /
 * not-matched threshold.
 * @module
 */
import { describeReceived, FaceMatchError, invalidInput } from '../errors.js';

/**
 * A three-way decision, as Didit reports it in `face_match.status`.
 *
 * @category Compare
 */
export type Decision = 'Approved' | 'In Review' | 'Declined';

/**
 * Default decline threshold: scores below it are `Declined`. Didit's documented default for
 * `face_match_score_decline_threshold`.
 *
 * @category Compare
 */
export const DEFAULT_DECLINE_THRESHOLD = 30;

/**
 * Default approve threshold: scores at or above it are `Approved`. Chosen on LFW View 2 with the
 * default pipeline (dlib ResNet, landmarks alignment, flip averaging) for a false-accept rate of at
 * most 0.1%, by the same cross-validation as the accuracy protocol: on each fold, the lowest
 * threshold with FAR <= 0.1% on the other nine; 95 is the largest of the ten, rounded up
 * (`facematch bench lfw` prints the choice; held out, the per-fold thresholds averaged FAR 0.13%).
 * On all of View 2 it accepts 2 of the 3,000 different-person pairs (FAR 0.07%) and leaves 6.8%
 * of same-person pairs below it, which then go to review.
 *
 * @category Compare
 */
export const DEFAULT_APPROVE_THRESHOLD = 95;

/**
 * The two thresholds of a three-way {@link Decision}, each a score from 0 to 100.
 *
 * @category Compare
 */
export interface DecisionThresholds {
  /** Scores below this are `Declined`. */
  declineThreshold: number;
  /** Scores at or above this are `Approved`; scores between the two are `In Review`. */
  approveThreshold: number;
}

/**
 * The option names to put in an error's `field` when a threshold is invalid, so a provider can
 * report its own parameter names (Didit: `face_match_score_decline_threshold`).
 *
 * @category Compare
 */
export interface ThresholdFieldNames {
  /** Field name for the decline threshold. Default `declineThreshold`. */
  declineThreshold: string;
  /** Field name for the approve threshold. Default `approveThreshold`. */
  approveThreshold: string;
}

const DEFAULT_FIELD_NAMES: ThresholdFieldNames = { declineThreshold: 'declineThreshold', approveThreshold: 'approveThreshold' };

/**
 * Checks that `value` is a finite number in [`min`, `max`] and returns it.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` with `field` when it is not.
 * @internal
 */
export function checkScoreThreshold(value: unknown, field: string, min = 0, max = 100): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new FaceMatchError('INVALID_INPUT', `Expected a number from ${min} to ${max} for ${field} but received ${describeReceived(value)}`, {
      field,
      details: { min, max },
    });
  }
  return value;
}

/**
 * Fills in and checks three-way decision thresholds. Each must be a finite number from 0 to 100
 * and the decline threshold may not exceed the approve threshold. When only the decline threshold
 * is given and it is above {@link DEFAULT_APPROVE_THRESHOLD}, the approve threshold rises to meet
 * it (so nothing is `In Review`) instead of failing: a caller who never chose an approve
 * threshold cannot have chosen a conflicting one.
 *
 * @param thresholds - either threshold may be left out
 * @param fields - option names to report in errors
 * @throws {@link FaceMatchError} `INVALID_INPUT`, `field` naming the offending option.
 * @category Compare
 */
export function resolveDecisionThresholds(
  thresholds: Partial<DecisionThresholds> = {},
  fields: ThresholdFieldNames = DEFAULT_FIELD_NAMES,
): DecisionThresholds {
  const declineThreshold =
    thresholds.declineThreshold === undefined ? DEFAULT_DECLINE_THRESHOLD : checkScoreThreshold(thresholds.declineThreshold, fields.declineThreshold);
  if (thresholds.approveThreshold === undefined) {
    return { declineThreshold, approveThreshold: Math.max(DEFAULT_APPROVE_THRESHOLD, declineThreshold) };
  }
  const approveThreshold = checkScoreThreshold(thresholds.approveThreshold, fields.approveThreshold);
  if (declineThreshold > approveThreshold) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected at most ${fields.approveThreshold} (${approveThreshold}) for ${fields.declineThreshold} but received ${declineThreshold}`,
      { field: fields.declineThreshold, details: { declineThreshold, approveThreshold } },
    );
  }
  return { declineThreshold, approveThreshold };
}

function checkScore(score: number): void {
  if (typeof score !== 'number' || !(score >= 0 && score <= 100)) {
    throw invalidInput('score', 'a number from 0 to 100', score);
  }
}

/**
 * Didit's three-way decision: `Declined` below the decline threshold, `Approved` at or above the
 * approve threshold, `In Review` in between.
 *
 * @param score - calibrated score, 0–100
 * @param thresholds - defaults {@link DEFAULT_DECLINE_THRESHOLD} and {@link DEFAULT_APPROVE_THRESHOLD}; see {@link resolveDecisionThresholds}
 * @throws {@link FaceMatchError} `INVALID_INPUT` for a score outside 0–100 (field `score`) or invalid thresholds.
 * @category Compare
 */
export function decide(score: number, thresholds: Partial<DecisionThresholds> = {}): Decision {
  checkScore(score);
  const { declineThreshold, approveThreshold } = resolveDecisionThresholds(thresholds);
  if (score < declineThreshold) return 'Declined';
  if (score >= approveThreshold) return 'Approved';
  return 'In Review';
}

/**
 * Checks an Attestr-style match threshold: required, a finite number from 1 to 100 (integer or
 * not).
 *
 * @param field - name to report in errors; default `threshold`
 * @throws {@link FaceMatchError} `INVALID_INPUT` when it is missing or out of range.
 * @category Compare
 */
export function checkMatchThreshold(threshold: unknown, field = 'threshold'): number {
  if (threshold === undefined || threshold === null) {
    throw new FaceMatchError('INVALID_INPUT', `Expected a number from 1 to 100 for ${field} (it is required) but received ${describeReceived(threshold)}`, { field });
  }
  return checkScoreThreshold(threshold, field, 1, 100);
}

/**
 * Attestr's decision: matched when the score is at or above the threshold.
 *
 * @param score - calibrated score, 0–100
 * @param threshold - 1–100 (Attestr's range)
 * @throws {@link FaceMatchError} `INVALID_INPUT` for a score outside 0–100 or an invalid threshold.
 * @category Compare
 */
export function meetsThreshold(score: number, threshold: number): boolean {
  checkScore(score);
  return score >= checkMatchThreshold(threshold);
}

/**
 * Rounds a score to two decimals, as Didit reports it. Decisions made for a Didit response use
 * the rounded score so the status always agrees with the score shown.
 *
 * @category Compare
 */
export function roundScore(score: number): number {
  return Math.round(score * 100) / 100;
}
