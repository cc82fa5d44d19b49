/**
 * Score calibration fitting for the bench: from labelled (similarity, same) pairs to a
 * {@link Calibration} and the false-accept / false-reject rates it gives at score thresholds.
 * The caller supplies the pairs (for example LFW View 2 similarities from one embedder).
 * @module
 */
import { fitLogistic, scoreFromSimilarity, similarityForScore, type Calibration, type LogisticFit } from '../../src/compare/calibration.js';
import { roundScore } from '../../src/compare/decision.js';
import { FaceMatchError } from '../../src/errors.js';
import type { ApproveThresholdReport, ApproveThresholdStatus } from './types.js';

/** One labelled pair: the cosine similarity of its two embeddings and whether they show the same person. */
export interface CalibrationPair {
  /** Cosine similarity of the pair's embeddings. */
  similarity: number;
  /** True when both images show the same person. */
  same: boolean;
}

/** Error rates when pairs scoring at or above `threshold` are accepted. */
export interface ThresholdRow {
  /** Score threshold, 0–100. */
  threshold: number;
  /** The cosine similarity that scores exactly `threshold`. */
  similarity: number;
  /** False-accept rate: share of different-person pairs accepted. */
  far: number;
  /** False-reject rate: share of same-person pairs rejected. */
  frr: number;
  /** Different-person pairs accepted. */
  falseAccepts: number;
  /** Same-person pairs rejected. */
  falseRejects: number;
}

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /** What the pairs are, stored in the calibration: for example `LFW View 2, 6000 pairs`. */
  fittedOn: string;
  /** Score thresholds of the table. Default 10, 20, …, 90. */
  thresholds?: readonly number[];
  /** L2 ridge of the fit; default that of `fitLogistic`. */
  ridge?: number;
}

/** What {@link calibrate} returns. */
export interface CalibrationReport {
  /** The fitted calibration, ready for `models/manifest.json`. */
  calibration: Calibration;
  /** Fit diagnostics: iterations, convergence, mean log-loss. */
  fit: LogisticFit;
  /** Same-person pairs. */
  genuinePairs: number;
  /** Different-person pairs. */
  impostorPairs: number;
  /** FAR and FRR at each threshold. */
  table: ThresholdRow[];
}

/** Score thresholds of the default table. */
export const DEFAULT_TABLE_THRESHOLDS: readonly number[] = Object.freeze([10, 20, 30, 40, 50, 60, 70, 80, 90]);

/**
 * Scores of the pairs under a calibration, rounded to two decimals as the providers report and
 * decide on them.
 */
function scorePairs(pairs: readonly CalibrationPair[], calibration: Calibration): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (const p of pairs) (p.same ? genuine : impostor).push(roundScore(scoreFromSimilarity(p.similarity, calibration)));
  return { genuine, impostor };
}

function requireBothClasses(genuine: number, impostor: number): void {
  if (genuine === 0 || impostor === 0) {
    throw new FaceMatchError('INVALID_INPUT', `Error rates need same and different pairs; received ${genuine} same and ${impostor} different.`, {
      field: 'pairs',
    });
  }
}

/**
 * FAR and FRR at each score threshold: a pair is accepted when its rounded score is at or above
 * the threshold (the rule of `decide` and the providers).
 *
 * @throws FaceMatchError `INVALID_INPUT` when either class is empty or a threshold is not 0–100.
 */
export function errorRates(
  pairs: readonly CalibrationPair[],
  calibration: Calibration,
  thresholds: readonly number[] = DEFAULT_TABLE_THRESHOLDS,
): ThresholdRow[] {
  const { genuine, impostor } = scorePairs(pairs, calibration);
  requireBothClasses(genuine.length, impostor.length);
  return thresholds.map((threshold) => {
    const similarity = similarityForScore(threshold, calibration);
    const falseAccepts = impostor.filter((s) => s >= threshold).length;
    const falseRejects = genuine.filter((s) => s < threshold).length;
    return { threshold, similarity, far: falseAccepts / impostor.length, frr: falseRejects / genuine.length, falseAccepts, falseRejects };
  });
}

/**
 * Fits a logistic calibration to labelled pairs and tabulates FAR / FRR at score thresholds.
 *
 * @throws FaceMatchError `INVALID_INPUT` when the pairs are unusable (see `fitLogistic`).
 */
export function calibrate(pairs: readonly CalibrationPair[], options: CalibrateOptions): CalibrationReport {
  const fit = fitLogistic(
    pairs.map((p) => p.similarity),
    pairs.map((p) => p.same),
    options.ridge === undefined ? {} : { ridge: options.ridge },
  );
  const calibration: Calibration = { method: 'logistic', a: fit.a, b: fit.b, fittedOn: options.fittedOn, pairs: fit.samples, ridge: fit.ridge };
  const genuinePairs = pairs.filter((p) => p.same).length;
  return {
    calibration,
    fit,
    genuinePairs,
    impostorPairs: pairs.length - genuinePairs,
    table: errorRates(pairs, calibration, options.thresholds ?? DEFAULT_TABLE_THRESHOLDS),
  };
}

/**
 * The lowest score threshold, in steps of 0.01, at which the false-accept rate on these pairs is
 * at most `maxFar` (accepting rounded scores at or above it). Use it to set the approve threshold:
 * `minimumThresholdForFar(lfwPairs, calibration, 0.001)`. Returns `null` when even 100 accepts
 * too many different-person pairs.
 *
 * @throws FaceMatchError `INVALID_INPUT` when either class is empty or `maxFar` is not in [0, 1].
 */
export function minimumThresholdForFar(pairs: readonly CalibrationPair[], calibration: Calibration, maxFar: number): number | null {
  if (!(maxFar >= 0 && maxFar <= 1)) {
    throw new FaceMatchError('INVALID_INPUT', `maxFar must be a rate from 0 to 1; received ${maxFar}.`, { field: 'maxFar' });
  }
  const { genuine, impostor } = scorePairs(pairs, calibration);
  requireBothClasses(genuine.length, impostor.length);
  const allowed = Math.floor(maxFar * impostor.length + 1e-9);
  if (allowed >= impostor.length) return 0;
  // Accepting s >= t lets at most `allowed` impostors through iff t is above the (allowed+1)-th highest impostor score.
  const sorted = [...impostor].sort((x, y) => y - x);
  const cutoff = sorted[allowed]!;
  const threshold = roundScore(cutoff + 0.01);
  return threshold > 100 ? null : threshold;
}

/** One labelled pair with its fold, for {@link crossValidatedFarThreshold}. */
export interface FoldedCalibrationPair extends CalibrationPair {
  /** Fold index, 0-based, as in the pairs file. */
  fold: number;
}

/** The result of {@link crossValidatedFarThreshold}. */
export interface FarThresholdChoice {
  /** The FAR the thresholds were chosen for. */
  maxFar: number;
  /** Per fold: the threshold chosen on the other folds, and the FAR and FRR it gives on this fold. */
  perFold: { fold: number; threshold: number | null; far: number; frr: number }[];
  /** The largest per-fold threshold, rounded up to a whole score: the conservative default. */
  recommended: number | null;
  /** Mean held-out FAR of the per-fold thresholds. */
  heldOutFar: number;
  /** Mean held-out FRR of the per-fold thresholds. */
  heldOutFrr: number;
}

/**
 * Chooses an approve threshold for a target false-accept rate with the same cross-validation as
 * the accuracy protocol: for each fold, the lowest threshold whose FAR on the *other* folds is at
 * most `maxFar`, then that threshold's FAR and FRR on the held-out fold. The recommendation is the
 * largest per-fold threshold, rounded up, so it meets the target on every fold's training part.
 *
 * @throws FaceMatchError `INVALID_INPUT` when a fold lacks either class or `maxFar` is not in [0, 1].
 */
export function crossValidatedFarThreshold(pairs: readonly FoldedCalibrationPair[], calibration: Calibration, maxFar: number): FarThresholdChoice {
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const perFold = folds.map((fold) => {
    const threshold = minimumThresholdForFar(
      pairs.filter((p) => p.fold !== fold),
      calibration,
      maxFar,
    );
    const held = pairs.filter((p) => p.fold === fold);
    const row = errorRates(held, calibration, [threshold ?? 100])[0]!;
    return { fold, threshold, far: row.far, frr: row.frr };
  });
  const chosen = perFold.map((f) => f.threshold).filter((t): t is number => t !== null);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    maxFar,
    perFold,
    recommended: chosen.length === perFold.length ? Math.min(100, Math.ceil(Math.max(...chosen))) : null,
    heldOutFar: mean(perFold.map((f) => f.far)),
    heldOutFrr: mean(perFold.map((f) => f.frr)),
  };
}

/**
 * The approve threshold for a target FAR as the report states it: {@link crossValidatedFarThreshold}
 * plus whether the pairs can support the target at all. A fold's training part (the other folds)
 * needs at least ⌈1 / maxFar⌉ different-person pairs for one false accept to be a FAR of `maxFar`;
 * with fewer, no threshold can be shown to meet the target, and none is recommended.
 *
 * @throws FaceMatchError `INVALID_INPUT` when a fold lacks either class or `maxFar` is not in (0, 1].
 */
export function approveThresholdReport(pairs: readonly FoldedCalibrationPair[], calibration: Calibration, maxFar: number): ApproveThresholdReport {
  if (!(maxFar > 0 && maxFar <= 1)) {
    throw new FaceMatchError('INVALID_INPUT', `maxFar must be a rate above 0 and at most 1; received ${maxFar}.`, { field: 'maxFar' });
  }
  const choice = crossValidatedFarThreshold(pairs, calibration, maxFar);
  const different = pairs.filter((p) => !p.same);
  const folds = [...new Set(pairs.map((p) => p.fold))];
  const trainingDifferentPairs = Math.min(...folds.map((fold) => different.filter((p) => p.fold !== fold).length));
  const neededDifferentPairs = Math.ceil(1 / maxFar - 1e-9);
  const target = `FAR ${farLabel(maxFar)}`;
  const count = (n: number): string => n.toLocaleString('en-US');
  let status: ApproveThresholdStatus;
  let summary: string;
  if (trainingDifferentPairs < neededDifferentPairs) {
    status = 'too-few-pairs';
    summary =
      `No approve threshold can be chosen for ${target}: each fold's threshold is chosen on the other folds, which hold ` +
      `${count(trainingDifferentPairs)} different-person pairs, and ${target} needs at least ${count(neededDifferentPairs)} for one false accept ` +
      `to mean ${farLabel(maxFar)} (this run has ${count(different.length)} in all). Run more pairs (LFW View 2 without --limit has 2,700 per training part).`;
  } else if (choice.recommended === null) {
    status = 'unreachable';
    summary = `No approve threshold up to 100 meets ${target} on every fold: even a score of 100 accepts too many different-person pairs.`;
  } else {
    status = 'recommended';
    summary =
      `Recommended approve threshold for ${target}: ${choice.recommended} (the largest per-fold threshold, rounded up); held out, ` +
      `the per-fold thresholds accepted ${(choice.heldOutFar * 100).toFixed(3)}% of different-person pairs and rejected ${(choice.heldOutFrr * 100).toFixed(2)}% of same-person pairs.`;
  }
  return {
    targetFar: maxFar,
    status,
    recommended: status === 'recommended' ? choice.recommended : null,
    differentPairs: different.length,
    trainingDifferentPairs,
    neededDifferentPairs,
    heldOutFar: choice.heldOutFar,
    heldOutFrr: choice.heldOutFrr,
    perFold: choice.perFold,
    summary,
  };
}

/** A FAR as people write it: 0.001 → `1e-3`, 0.05 → `5e-2`. */
function farLabel(far: number): string {
  const exponent = Math.floor(Math.log10(far) + 1e-9);
  const mantissa = Math.round((far / 10 ** exponent) * 100) / 100;
  return `${mantissa}e${exponent}`;
}
