/**
 * Verification metrics on labelled pair scores: the LFW 10-fold protocol, the ROC curve with its
 * AUC, EER and TAR at fixed FAR, and the rates of a fixed threshold.
 *
 * Conventions, everywhere in this module:
 * - a higher score means more alike; a pair is predicted "same" when `score >= threshold`;
 * - a pair with a `null` score (an image without a face) is always a wrong answer: a same-person
 *   pair is never accepted and a different-person pair is always accepted, at every threshold.
 *   Equivalently, its score is −∞ when the pair is "same" and +∞ when it is "different". It is
 *   counted in every denominator, never skipped.
 * @module
 */
import { FaceMatchError } from '../../src/errors.js';
import { mean, sampleStd } from './stats.js';
import type {
  AccuracySummary,
  LfwMetrics,
  PairLabel,
  PairScore,
  ProviderThresholdInput,
  ProviderThresholdResult,
  ThresholdRates,
  ThresholdSelection,
} from './types.js';

/**
 * A threshold and the training accuracy it gives: the result of {@link selectThreshold}.
 *
 * @category Benchmark
 */
export interface ThresholdChoice {
  /** The chosen threshold (a pair is "same" when its score is at least this). */
  threshold: number;
  /** Accuracy of that threshold on the pairs it was chosen on. */
  accuracy: number;
}

/**
 * The outcome of the k-fold protocol: see {@link crossValidate}.
 *
 * @category Benchmark
 */
export interface CrossValidation {
  /** Number of folds. */
  folds: number;
  /** Held-out accuracy: mean, spread, per fold. */
  accuracy: AccuracySummary;
  /** Threshold used on each fold, in fold order. */
  thresholds: number[];
  /** Whether the thresholds come from the other folds or, with a single fold, from the fold itself. */
  selection: ThresholdSelection;
}

/**
 * One operating point of a ROC curve.
 *
 * @category Benchmark
 */
export interface RocPoint {
  /** Pairs scoring at least this are accepted. The first point of a curve has `Infinity`: only no-face different-person pairs are accepted. */
  threshold: number;
  /** False accept rate at this threshold. */
  far: number;
  /** True accept rate at this threshold. */
  tar: number;
  /** Number of different-person pairs accepted. */
  falseAccepts: number;
  /** Number of same-person pairs accepted. */
  trueAccepts: number;
}

/**
 * A ROC curve: one point per distinct score, thresholds decreasing, FAR and TAR non-decreasing.
 *
 * @category Benchmark
 */
export interface RocCurve {
  /** The operating points, strictest first. */
  points: RocPoint[];
  /** Number of same-person pairs. */
  same: number;
  /** Number of different-person pairs. */
  different: number;
}

/**
 * The equal error rate and where it is: see {@link equalErrorRate}.
 *
 * @category Benchmark
 */
export interface EqualErrorRate {
  /** The rate where FAR = FRR. */
  rate: number;
  /** The score threshold there, interpolated like the rate. */
  threshold: number;
}

/**
 * Options of {@link evaluateProtocol}.
 *
 * @category Benchmark
 */
export interface EvaluateOptions {
  /** Fixed thresholds (such as the providers' defaults) to report FAR, FRR and accuracy for. */
  providerThresholds?: readonly ProviderThresholdInput[];
}

/** A label with its score. */
interface Scored {
  fold: number;
  same: boolean;
  score: PairScore;
}

/** Scored pairs tallied by distinct finite score, ascending. */
interface Tally {
  values: number[];
  same: number[];
  different: number[];
  finiteSame: number;
  nullSame: number;
  nullDifferent: number;
  total: number;
}

function zip(pairs: readonly PairLabel[], scores: readonly PairScore[]): Scored[] {
  if (pairs.length !== scores.length) {
    throw new FaceMatchError('INVALID_INPUT', `expected one score per pair (${pairs.length}), received ${scores.length} scores`, {
      field: 'scores',
    });
  }
  return pairs.map((p, i) => {
    const score = scores[i]!;
    if (score !== null && !Number.isFinite(score)) {
      throw new FaceMatchError('INVALID_INPUT', `expected a finite score or null for pair ${i}, received ${score}`, { field: 'scores' });
    }
    if (!Number.isInteger(p.fold) || p.fold < 0) {
      throw new FaceMatchError('INVALID_INPUT', `expected a non-negative integer fold for pair ${i}, received ${p.fold}`, { field: 'pairs' });
    }
    return { fold: p.fold, same: p.same, score };
  });
}

function tally(items: readonly Scored[]): Tally {
  const finite = items.filter((s): s is Scored & { score: number } => s.score !== null).sort((x, y) => x.score - y.score);
  const t: Tally = { values: [], same: [], different: [], finiteSame: 0, nullSame: 0, nullDifferent: 0, total: items.length };
  for (const s of items) {
    if (s.score !== null) continue;
    if (s.same) t.nullSame++;
    else t.nullDifferent++;
  }
  for (const s of finite) {
    const last = t.values.length - 1;
    if (last < 0 || t.values[last] !== s.score) {
      t.values.push(s.score);
      t.same.push(0);
      t.different.push(0);
    }
    const j = t.values.length - 1;
    if (s.same) {
      t.same[j]!++;
      t.finiteSame++;
    } else t.different[j]!++;
  }
  return t;
}

function countCorrect(items: readonly Scored[], threshold: number): number {
  let correct = 0;
  for (const s of items) if (s.score !== null && (s.score >= threshold) === s.same) correct++;
  return correct;
}

/**
 * Accuracy of one threshold on the given pairs (no-face pairs count as wrong).
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the lists differ in length, a score is not
 *   finite, or there are no pairs.
 * @category Benchmark
 */
export function accuracyAtThreshold(pairs: readonly PairLabel[], scores: readonly PairScore[], threshold: number): number {
  const items = zip(pairs, scores);
  if (items.length === 0) throw new FaceMatchError('INVALID_INPUT', 'expected at least one pair, received none', { field: 'pairs' });
  return countCorrect(items, threshold) / items.length;
}

function choose(items: readonly Scored[]): ThresholdChoice {
  const t = tally(items);
  const k = t.values.length;
  if (k === 0) return { threshold: 0, accuracy: 0 };
  // Interval m accepts the distinct values u[m..k-1]: thresholds in (u[m-1], u[m]], u[-1] = −∞, u[k] = +∞.
  const correct: number[] = [];
  let sameAccepted = t.finiteSame;
  let differentRejected = 0;
  for (let m = 0; m <= k; m++) {
    correct.push(sameAccepted + differentRejected);
    if (m < k) {
      sameAccepted -= t.same[m]!;
      differentRejected += t.different[m]!;
    }
  }
  let best = 0;
  for (const c of correct) if (c > best) best = c;
  // Open ends of the score range are closed one mean gap beyond the extreme scores.
  const u = t.values;
  const gap = k > 1 ? (u[k - 1]! - u[0]!) / (k - 1) : 1;
  const lower = (m: number): number => (m === 0 ? u[0]! - gap : u[m - 1]!);
  const upper = (m: number): number => (m === k ? u[k - 1]! + gap : u[m]!);
  let chosen: { lo: number; hi: number } | undefined;
  for (let m = 0; m <= k; m++) {
    if (correct[m] !== best || (m > 0 && correct[m - 1] === best)) continue;
    let end = m;
    while (end < k && correct[end + 1] === best) end++;
    const run = { lo: lower(m), hi: upper(end) };
    if (chosen === undefined || run.hi - run.lo > chosen.hi - chosen.lo) chosen = run;
  }
  return { threshold: (chosen!.lo + chosen!.hi) / 2, accuracy: best / t.total };
}

/**
 * The threshold that maximises accuracy on the given pairs. Every cut between two neighbouring
 * distinct scores is tried (and the cuts below and above all scores). Where several neighbouring
 * cuts tie, they form a plateau of equally good thresholds; the widest plateau wins (the lowest on
 * a tie) and the threshold is its middle, so the choice is deterministic. Open plateau ends are
 * closed one mean gap between distinct scores beyond the extreme score. With no finite score at
 * all the threshold is 0.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the lists differ in length, a score is not finite,
 *   or there are no pairs.
 * @category Benchmark
 */
export function selectThreshold(pairs: readonly PairLabel[], scores: readonly PairScore[]): ThresholdChoice {
  const items = zip(pairs, scores);
  if (items.length === 0) throw new FaceMatchError('INVALID_INPUT', 'expected at least one pair, received none', { field: 'pairs' });
  return choose(items);
}

/**
 * The k-fold protocol of LFW View 2: for each fold, the threshold is chosen by
 * {@link selectThreshold} on all other folds and scored on the held-out fold. Reports the mean
 * held-out accuracy, its sample standard deviation and standard error, and per-fold accuracies
 * and thresholds. With a single fold (View 1 files) the threshold is chosen on the fold itself and
 * `selection` says `in-sample`.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the lists differ in length, a score is not finite,
 *   or there are no pairs.
 * @category Benchmark
 */
export function crossValidate(pairs: readonly PairLabel[], scores: readonly PairScore[]): CrossValidation {
  const items = zip(pairs, scores);
  if (items.length === 0) throw new FaceMatchError('INVALID_INPUT', 'expected at least one pair, received none', { field: 'pairs' });
  const foldIds = [...new Set(items.map((s) => s.fold))].sort((x, y) => x - y);
  const selection: ThresholdSelection = foldIds.length > 1 ? 'cross-validation' : 'in-sample';
  const perFold: number[] = [];
  const thresholds: number[] = [];
  for (const fold of foldIds) {
    const test = items.filter((s) => s.fold === fold);
    const train = selection === 'in-sample' ? test : items.filter((s) => s.fold !== fold);
    const { threshold } = choose(train);
    thresholds.push(threshold);
    perFold.push(countCorrect(test, threshold) / test.length);
  }
  const std = sampleStd(perFold);
  return {
    folds: foldIds.length,
    accuracy: { mean: mean(perFold), std, stderr: std === null ? null : std / Math.sqrt(perFold.length), perFold },
    thresholds,
    selection,
  };
}

/**
 * The ROC curve through every distinct score: at each threshold, FAR = accepted different-person
 * pairs / all different-person pairs and TAR = accepted same-person pairs / all same-person pairs.
 * Pairs without a face follow the module's rule, so the curve starts at FAR = (no-face
 * different-person pairs) / (all different-person pairs) and ends below TAR = 1 when same-person
 * pairs lack a face.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the lists differ in length, a score is not
 *   finite, or there is not at least one pair of each kind.
 * @category Benchmark
 */
export function rocCurve(pairs: readonly PairLabel[], scores: readonly PairScore[]): RocCurve {
  const t = tally(zip(pairs, scores));
  const same = t.finiteSame + t.nullSame;
  const different = t.total - same;
  if (same === 0 || different === 0) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `a ROC curve needs same-person and different-person pairs, received ${same} and ${different}`,
      { field: 'pairs' },
    );
  }
  const point = (threshold: number, trueAccepts: number, falseAccepts: number): RocPoint => ({
    threshold,
    far: falseAccepts / different,
    tar: trueAccepts / same,
    falseAccepts,
    trueAccepts,
  });
  const points = [point(Infinity, 0, t.nullDifferent)];
  let ta = 0;
  let fa = t.nullDifferent;
  for (let j = t.values.length - 1; j >= 0; j--) {
    ta += t.same[j]!;
    fa += t.different[j]!;
    points.push(point(t.values[j]!, ta, fa));
  }
  return { points, same, different };
}

/**
 * Area under the ROC curve by trapezoids through every operating point, computed from the exact
 * counts: it equals the probability that a random same-person pair outscores a random
 * different-person pair, ties counting one half (Mann–Whitney), with no-face pairs losing.
 *
 * @category Benchmark
 */
export function rocAuc(curve: RocCurve): number {
  let twiceArea = 0;
  for (let i = 1; i < curve.points.length; i++) {
    const p = curve.points[i - 1]!;
    const q = curve.points[i]!;
    twiceArea += (q.falseAccepts - p.falseAccepts) * (p.trueAccepts + q.trueAccepts);
  }
  // The area right of the last point (FAR already 1) is zero; integer numerator, one rounding.
  return twiceArea / (2 * curve.same * curve.different);
}

/**
 * Equal error rate: the first place along the curve where FAR reaches FRR (= 1 − TAR), linearly
 * interpolated between the two operating points around it. The threshold is interpolated the same
 * way (or is the next point's threshold when the crossing lies next to the `Infinity` point).
 *
 * @category Benchmark
 */
export function equalErrorRate(curve: RocCurve): EqualErrorRate {
  const pts = curve.points;
  const gap = (p: RocPoint): number => p.far - (1 - p.tar);
  const first = pts[0]!;
  const finiteThreshold = (p: RocPoint): number => (Number.isFinite(p.threshold) ? p.threshold : (pts[1]?.threshold ?? 0));
  if (gap(first) >= 0) return { rate: first.far, threshold: finiteThreshold(first) };
  for (let i = 1; i < pts.length; i++) {
    const p = pts[i - 1]!;
    const q = pts[i]!;
    const dp = gap(p);
    const dq = gap(q);
    if (dq < 0) continue;
    const alpha = dp / (dp - dq);
    const rate = p.far + alpha * (q.far - p.far);
    const threshold = Number.isFinite(p.threshold) ? p.threshold + alpha * (q.threshold - p.threshold) : q.threshold;
    return { rate, threshold };
  }
  // Unreachable: the last point has FAR = 1 ≥ FRR.
  const last = pts[pts.length - 1]!;
  return { rate: last.far, threshold: finiteThreshold(last) };
}

/**
 * The largest TAR among operating points whose FAR is at most `far`; 0 when none is.
 *
 * @category Benchmark
 */
export function tarAtFar(curve: RocCurve, far: number): number {
  let best = 0;
  for (const p of curve.points) if (p.far <= far && p.tar > best) best = p.tar;
  return best;
}

/**
 * FAR, FRR and accuracy of one fixed threshold over all pairs.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the lists differ in length, a score is not
 *   finite, or there is not at least one pair of each kind.
 * @category Benchmark
 */
export function ratesAtThreshold(pairs: readonly PairLabel[], scores: readonly PairScore[], threshold: number): ThresholdRates {
  const items = zip(pairs, scores);
  let same = 0;
  let falseRejects = 0;
  let falseAccepts = 0;
  for (const s of items) {
    if (s.same) {
      same++;
      if (s.score === null || s.score < threshold) falseRejects++;
    } else if (s.score === null || s.score >= threshold) falseAccepts++;
  }
  const different = items.length - same;
  if (same === 0 || different === 0) {
    throw new FaceMatchError('INVALID_INPUT', `rates need same-person and different-person pairs, received ${same} and ${different}`, {
      field: 'pairs',
    });
  }
  return { far: falseAccepts / different, frr: falseRejects / same, accuracy: (items.length - falseAccepts - falseRejects) / items.length };
}

/**
 * Every accuracy metric of the benchmark from labelled scores: the k-fold protocol
 * ({@link crossValidate}), ROC AUC, EER, TAR at FAR 1e-2 and 1e-3, the number of no-face pairs
 * and the rates of the given provider thresholds. Pairs and scores are parallel arrays.
 *
 * @example
 * ```ts
 * const { pairs } = await loadPairs(await findLfw(undefined));
 * const metrics = evaluateProtocol(pairs, scores, { providerThresholds: [{ provider: 'didit', threshold: 30 }] });
 * ```
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the lists differ in length, a score is not
 *   finite, or there is not at least one pair of each kind.
 * @category Benchmark
 */
export function evaluateProtocol(pairs: readonly PairLabel[], scores: readonly PairScore[], options: EvaluateOptions = {}): LfwMetrics {
  const curve = rocCurve(pairs, scores);
  const cv = crossValidate(pairs, scores);
  const eer = equalErrorRate(curve);
  return {
    pairs: pairs.length,
    samePairs: curve.same,
    differentPairs: curve.different,
    folds: cv.folds,
    accuracy: cv.accuracy,
    thresholds: cv.thresholds,
    thresholdSelection: cv.selection,
    auc: rocAuc(curve),
    eer: eer.rate,
    eerThreshold: eer.threshold,
    tarAtFar: { '1e-2': tarAtFar(curve, 1e-2), '1e-3': tarAtFar(curve, 1e-3) },
    noFacePairs: scores.filter((s) => s === null).length,
    providerThresholds: (options.providerThresholds ?? []).map(
      (p): ProviderThresholdResult => ({ provider: p.provider, threshold: p.threshold, ...ratesAtThreshold(pairs, scores, p.threshold) }),
    ),
  };
}
