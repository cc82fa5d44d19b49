/**
 * Score calibration: a monotonic map from cosine similarity to a 0–100 score, and the logistic
 * regression that fits it from labelled pairs.
 * @module
 */
import { FaceMatchError, invalidInput } from '../errors.js';

/**
 * A logistic calibration of one embedder's cosine similarities:
 * `score = 100 / (1 + exp(-(a × similarity + b)))`. With parameters fitted by
 * {@link fitLogistic} on labelled pairs, the score is about 100 × P(same person) on the data it
 * was fitted on. Stored per embedder under `calibration` in `models/manifest.json`.
 *
 * @category Compare
 */
export interface Calibration {
  /** Always `logistic`. */
  method: 'logistic';
  /** Slope on cosine similarity; positive, so a higher similarity always gives a higher score. */
  a: number;
  /** Intercept. */
  b: number;
  /** What the parameters were fitted on, for example `LFW View 2, 6000 pairs`. */
  fittedOn: string;
  /** Number of labelled pairs used in the fit, when known. */
  pairs?: number;
  /** The L2 ridge penalty used in the fit, when known. */
  ridge?: number;
}

/**
 * Options for {@link fitLogistic}.
 *
 * @category Compare
 */
export interface LogisticFitOptions {
  /**
   * L2 penalty `ridge / 2 × (a² + b²)` added to the negative log-likelihood (a sum over samples).
   * Keeps the parameters finite when the classes are perfectly separable. Default
   * {@link DEFAULT_RIDGE}.
   */
  ridge?: number;
  /** Newton iterations before giving up. Default 200. */
  maxIterations?: number;
  /**
   * Stop when half the squared Newton decrement (an estimate of how far the objective is above its
   * minimum) falls below `tolerance × samples`. Default 1e-10.
   */
  tolerance?: number;
}

/**
 * The result of {@link fitLogistic}.
 *
 * @category Compare
 */
export interface LogisticFit {
  /** Fitted slope. */
  a: number;
  /** Fitted intercept. */
  b: number;
  /** Newton iterations taken. */
  iterations: number;
  /** Whether the stopping tolerance was reached within `maxIterations`. */
  converged: boolean;
  /** Mean negative log-likelihood per sample at the fitted parameters (natural log, without the penalty). */
  logLoss: number;
  /** The ridge penalty used. */
  ridge: number;
  /** Number of samples. */
  samples: number;
}

/**
 * Default L2 ridge of {@link fitLogistic}: tiny next to the log-likelihood of a few hundred pairs
 * or more, yet enough to keep a perfectly separable fit finite.
 *
 * @category Compare
 */
export const DEFAULT_RIDGE = 1e-3;



/**
 * Checks that `value` is a usable {@link Calibration} (for example one read from
 * `models/manifest.json`) and returns it typed.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `calibration`) when it is not an object
 * with `method: 'logistic'`, a finite positive `a`, a finite `b` and a `fittedOn` string.
 * @category Compare
 */
export function parseCalibration(value: unknown): Calibration {
  if (typeof value !== 'object' || value === null) {
    throw invalidInput('calibration', 'a calibration object { method, a, b, fittedOn }', value);
  }
  const v = value as Record<string, unknown>;
  if (v.method !== 'logistic') {
    throw invalidInput('calibration', "method 'logistic'", v.method, { key: 'method' });
  }
  if (typeof v.a !== 'number' || !Number.isFinite(v.a) || v.a <= 0) {
    throw invalidInput('calibration', 'a slope a above 0 (a monotonic map)', v.a, { key: 'a' });
  }
  if (typeof v.b !== 'number' || !Number.isFinite(v.b)) {
    throw invalidInput('calibration', 'a finite intercept b', v.b, { key: 'b' });
  }
  if (typeof v.fittedOn !== 'string') {
    throw invalidInput('calibration', 'a fittedOn string', v.fittedOn, { key: 'fittedOn' });
  }
  const out: Calibration = { method: 'logistic', a: v.a, b: v.b, fittedOn: v.fittedOn };
  if (typeof v.pairs === 'number') out.pairs = v.pairs;
  if (typeof v.ridge === 'number') out.ridge = v.ridge;
  return out;
}

/**
 * Calibrated score 0–100 for a cosine similarity: `100 / (1 + exp(-(a × similarity + b)))`.
 * Strictly increasing in `similarity`.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `similarity`) when `similarity` is not a
 * finite number, or (field `calibration`) when the calibration is unusable.
 * @category Compare
 */
export function scoreFromSimilarity(similarity: number, calibration: Calibration): number {
  if (!Number.isFinite(similarity)) {
    throw invalidInput('similarity', 'a finite number', similarity);
  }
  const { a, b } = parseCalibration(calibration);
  return 100 * sigmoid(a * similarity + b);
}

/**
 * The cosine similarity at which {@link scoreFromSimilarity} gives `score`: the inverse map, used
 * to show a score threshold as a similarity. A score of 0 gives `-Infinity` and 100 gives
 * `Infinity`; a finite result may lie outside [−1, 1], meaning no pair of embeddings can reach
 * (or fall below) that score.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `score`) when `score` is not a number in
 * [0, 100], or (field `calibration`) when the calibration is unusable.
 * @category Compare
 */
export function similarityForScore(score: number, calibration: Calibration): number {
  if (typeof score !== 'number' || !(score >= 0 && score <= 100)) {
    throw invalidInput('score', 'a number from 0 to 100', score);
  }
  const { a, b } = parseCalibration(calibration);
  const p = score / 100;
  // logit(p) = ln(p) - ln(1 - p): exact at both ends (-Infinity, Infinity).
  const logit = Math.log(p) - Math.log1p(-p);
  return (logit - b) / a;
}

/** Numerically stable logistic function. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Numerically stable `ln(1 + e^z)`. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Penalised negative log-likelihood. */
function objective(x: readonly number[], y: Uint8Array, a: number, b: number, ridge: number): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const z = a * x[i]! + b;
    sum += softplus(z) - (y[i] === 1 ? z : 0);
  }
  return sum + 0.5 * ridge * (a * a + b * b);
}

function checkFitInput(similarities: readonly number[], labels: readonly boolean[]): Uint8Array {
  if (!Array.isArray(similarities) || !Array.isArray(labels)) {
    throw invalidInput(Array.isArray(similarities) ? 'labels' : 'similarities', 'an array', Array.isArray(similarities) ? labels : similarities);
  }
  if (similarities.length !== labels.length) {
    throw new FaceMatchError('INVALID_INPUT', `Expected one label per similarity (${similarities.length}) for labels but received ${labels.length}`, {
      field: 'labels',
      details: { similarities: similarities.length, labels: labels.length },
    });
  }
  const y = new Uint8Array(labels.length);
  let positives = 0;
  for (let i = 0; i < similarities.length; i++) {
    const s = similarities[i];
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw invalidInput(`similarities[${i}]`, 'a finite number', s, { index: i });
    }
    const label = labels[i];
    if (typeof label !== 'boolean') {
      throw invalidInput(`labels[${i}]`, 'a boolean (true: same person)', label, { index: i });
    }
    if (label) {
      y[i] = 1;
      positives++;
    }
  }
  if (positives === 0 || positives === labels.length) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected both same and different pairs for labels but received ${positives} same and ${labels.length - positives} different`,
      { field: 'labels', details: { same: positives, different: labels.length - positives } },
    );
  }
  return y;
}

/**
 * Fits `P(same) = 1 / (1 + exp(-(a × similarity + b)))` by maximum likelihood: Newton's method
 * (iteratively reweighted least squares in one dimension) with a backtracking line search and a
 * small L2 ridge on `a` and `b`. Deterministic: the same input always gives the same output. The
 * ridge keeps the fit finite when the classes are perfectly separable (plain maximum likelihood
 * would send `a` to infinity).
 *
 * @param similarities - cosine similarity of each pair
 * @param labels - for each pair, true when both images show the same person
 * @param options - ridge, iteration limit and tolerance
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the arrays differ in length, a similarity is
 * not finite, a label is not a boolean, only one class is present, or an option is invalid.
 * @category Compare
 */
export function fitLogistic(similarities: readonly number[], labels: readonly boolean[], options: LogisticFitOptions = {}): LogisticFit {
  const y = checkFitInput(similarities, labels);
  const ridge = options.ridge ?? DEFAULT_RIDGE;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-10;
  if (!Number.isFinite(ridge) || ridge < 0) throw invalidInput('ridge', 'a finite number ≥ 0', ridge);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw invalidInput('maxIterations', 'a positive integer', maxIterations);
  }
  if (!(tolerance > 0)) throw invalidInput('tolerance', 'a number above 0', tolerance);

  const x = similarities;
  const n = x.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  // Start from the intercept-only model: a = 0, b = logit(prevalence).
  let a = 0;
  let b = Math.log(positives / (n - positives));
  let f = objective(x, y, a, b, ridge);
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    let ga = ridge * a;
    let gb = ridge * b;
    let haa = ridge;
    let hab = 0;
    let hbb = ridge;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const p = sigmoid(a * xi + b);
      const r = p - y[i]!;
      const w = p * (1 - p);
      ga += r * xi;
      gb += r;
      haa += w * xi * xi;
      hab += w * xi;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break; // Hessian lost positive definiteness numerically (ridge 0 and saturated fit).
    // Newton direction: -H^-1 g.
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    const decrement = -(ga * da + gb * db); // g^T H^-1 g ≥ 0
    if (decrement / 2 <= tolerance * n) {
      converged = true;
      break;
    }
    // Backtracking (Armijo) line search keeps every step a descent step.
    let t = 1;
    let next = objective(x, y, a + t * da, b + t * db, ridge);
    while (!(next <= f - 1e-4 * t * decrement) && t > 1e-12) {
      t /= 2;
      next = objective(x, y, a + t * da, b + t * db, ridge);
    }
    if (!(next <= f)) break; // No further descent possible in floating point.
    a += t * da;
    b += t * db;
    f = next;
  }

  const logLoss = (f - 0.5 * ridge * (a * a + b * b)) / n;
  return { a, b, iterations, converged, logLoss, ridge, samples: n };
}
