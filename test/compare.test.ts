import { describe, expect, it } from 'vitest';
import {
  fitLogistic,
  parseCalibration,
  scoreFromSimilarity,
  similarityForScore,
  type Calibration,
} from '../src/compare/calibration.js';
import {
  DEFAULT_APPROVE_THRESHOLD,
  DEFAULT_DECLINE_THRESHOLD,
  checkMatchThreshold,
  decide,
  meetsThreshold,
  resolveDecisionThresholds,
  roundScore,
} from '../src/compare/decision.js';
import { cosineSimilarity, euclideanDistance, l2Normalize } from '../src/compare/distance.js';
import { FaceMatchError } from '../src/errors.js';
import { rng } from './fixtures/numeric.js';

/** Standard normal sample (Box–Muller). */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function expectFaceMatchError(fn: () => unknown, code: string, field?: string): FaceMatchError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FaceMatchError);
  const error = caught as FaceMatchError;
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
}

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);

describe('distance', () => {
  it('cosine similarity is 1 for the same direction, 0 for orthogonal, -1 for opposite, and ignores length', () => {
    expect(cosineSimilarity(f32(1, 2, 3), f32(2, 4, 6))).toBeCloseTo(1, 12);
    expect(cosineSimilarity(f32(1, 0), f32(0, 5))).toBe(0);
    expect(cosineSimilarity(f32(1, -2), f32(-1, 2))).toBeCloseTo(-1, 12);
    expect(cosineSimilarity(f32(3, 4), f32(4, 3))).toBeCloseTo(24 / 25, 6);
  });

  it('euclidean distance of a 3-4-5 triangle is 5, and matches sqrt(2 - 2cos) on unit vectors', () => {
    expect(euclideanDistance(f32(0, 0), f32(3, 4))).toBe(5);
    const next = rng(7);
    const a = l2Normalize(Float32Array.from({ length: 128 }, () => gaussian(next)));
    const b = l2Normalize(Float32Array.from({ length: 128 }, () => gaussian(next)));
    expect(euclideanDistance(a, b)).toBeCloseTo(Math.sqrt(2 - 2 * cosineSimilarity(a, b)), 5);
  });

  it('l2Normalize returns a new unit vector and leaves the input alone', () => {
    const v = f32(3, 4);
    const n = l2Normalize(v);
    expect(Array.from(n)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(v)).toEqual([3, 4]);
  });

  it('rejects mismatched dimensions, empty, non-finite and all-zero vectors with INVALID_INPUT', () => {
    const e = expectFaceMatchError(() => cosineSimilarity(f32(1, 2, 3), f32(1, 2)), 'INVALID_INPUT', 'embedding');
    expect(e.message).toMatch(/3 and 2/);
    expectFaceMatchError(() => euclideanDistance(f32(1), f32(1, 2)), 'INVALID_INPUT', 'embedding');
    expectFaceMatchError(() => cosineSimilarity(f32(), f32()), 'INVALID_INPUT', 'embedding');
    expectFaceMatchError(() => cosineSimilarity(f32(1, Number.NaN), f32(1, 1)), 'INVALID_INPUT', 'embedding');
    expectFaceMatchError(() => cosineSimilarity(f32(0, 0), f32(1, 1)), 'INVALID_INPUT', 'embedding');
    expectFaceMatchError(() => l2Normalize(f32(0, 0, 0)), 'INVALID_INPUT', 'embedding');
  });
});

describe('calibration map', () => {
  const cal: Calibration = { method: 'logistic', a: 20, b: -9, fittedOn: 'synthetic' };

  it('gives 50 at similarity -b/a and is strictly increasing', () => {
    expect(scoreFromSimilarity(9 / 20, cal)).toBeCloseTo(50, 10);
    let previous = -Infinity;
    for (let s = -1; s <= 1.0001; s += 0.05) {
      const score = scoreFromSimilarity(s, cal);
      expect(score).toBeGreaterThan(previous);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(100);
      previous = score;
    }
  });

  it('similarityForScore inverts scoreFromSimilarity, with infinite ends', () => {
    for (const score of [0.01, 1, 10, 30, 50, 77.7, 99, 99.99]) {
      expect(scoreFromSimilarity(similarityForScore(score, cal), cal)).toBeCloseTo(score, 9);
    }
    expect(similarityForScore(0, cal)).toBe(-Infinity);
    expect(similarityForScore(100, cal)).toBe(Infinity);
  });

  it('rejects invalid scores, similarities and calibrations', () => {
    expectFaceMatchError(() => similarityForScore(101, cal), 'INVALID_INPUT', 'score');
    expectFaceMatchError(() => similarityForScore(Number.NaN, cal), 'INVALID_INPUT', 'score');
    expectFaceMatchError(() => scoreFromSimilarity(Number.POSITIVE_INFINITY, cal), 'INVALID_INPUT', 'similarity');
    expectFaceMatchError(() => scoreFromSimilarity(0.5, { ...cal, a: -1 }), 'INVALID_INPUT', 'calibration');
    expectFaceMatchError(() => parseCalibration({ method: 'isotonic', a: 1, b: 0, fittedOn: 'x' }), 'INVALID_INPUT', 'calibration');
    expectFaceMatchError(() => parseCalibration(null), 'INVALID_INPUT', 'calibration');
  });

  it('parseCalibration keeps the known fields of a manifest entry', () => {
    const parsed = parseCalibration({ method: 'logistic', a: 12.5, b: -4, fittedOn: 'LFW View 2, 6000 pairs', pairs: 6000, extra: true });
    expect(parsed).toEqual({ method: 'logistic', a: 12.5, b: -4, fittedOn: 'LFW View 2, 6000 pairs', pairs: 6000 });
  });
});

describe('fitLogistic', () => {
  it('recovers known parameters from data drawn from a logistic model', () => {
    const next = rng(42);
    const a = 12;
    const b = -4;
    const x: number[] = [];
    const y: boolean[] = [];
    for (let i = 0; i < 40_000; i++) {
      const s = next() * 2 - 1;
      x.push(s);
      y.push(next() < 1 / (1 + Math.exp(-(a * s + b))));
    }
    const fit = fitLogistic(x, y);
    expect(fit.converged).toBe(true);
    expect(fit.samples).toBe(40_000);
    expect(Math.abs(fit.a - a)).toBeLessThan(0.6);
    expect(Math.abs(fit.b - b)).toBeLessThan(0.25);
  });

  it('recovers the linear log-odds of two equal-variance Gaussian classes', () => {
    // Same ~ N(0.6, 0.15²), different ~ N(0.2, 0.15²), equal priors: logit = a s + b with
    // a = (0.6 - 0.2) / 0.15² = 17.78, b = (0.2² - 0.6²) / (2 × 0.15²) = -7.11.
    const next = rng(3);
    const x: number[] = [];
    const y: boolean[] = [];
    for (let i = 0; i < 20_000; i++) {
      const same = i % 2 === 0;
      x.push((same ? 0.6 : 0.2) + 0.15 * gaussian(next));
      y.push(same);
    }
    const fit = fitLogistic(x, y);
    expect(fit.a).toBeGreaterThan(17.78 * 0.93);
    expect(fit.a).toBeLessThan(17.78 * 1.07);
    expect(fit.b).toBeGreaterThan(-7.11 * 1.07);
    expect(fit.b).toBeLessThan(-7.11 * 0.93);
  });

  it('is deterministic', () => {
    const x = [0.1, 0.2, 0.35, 0.4, 0.55, 0.6, 0.7, 0.9];
    const y = [false, false, true, false, true, false, true, true];
    expect(fitLogistic(x, y)).toEqual(fitLogistic(x, y));
  });

  it('stays finite on perfectly separable data and separates it', () => {
    const x = [-0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9];
    const y = x.map((s) => s > 0.4);
    const fit = fitLogistic(x, y);
    expect(Number.isFinite(fit.a) && Number.isFinite(fit.b)).toBe(true);
    expect(fit.converged).toBe(true);
    const cal: Calibration = { method: 'logistic', a: fit.a, b: fit.b, fittedOn: 'separable' };
    for (let i = 0; i < x.length; i++) {
      expect(scoreFromSimilarity(x[i]!, cal) >= 50).toBe(y[i]);
    }
    // A larger ridge shrinks the slope.
    expect(fitLogistic(x, y, { ridge: 1 }).a).toBeLessThan(fit.a);
  });

  it('rejects unusable input with INVALID_INPUT', () => {
    expectFaceMatchError(() => fitLogistic([0.1, 0.2], [true]), 'INVALID_INPUT', 'labels');
    expectFaceMatchError(() => fitLogistic([0.1, 0.2], [true, true]), 'INVALID_INPUT', 'labels');
    expectFaceMatchError(() => fitLogistic([0.1, Number.NaN], [true, false]), 'INVALID_INPUT', 'similarities[1]');
    expectFaceMatchError(() => fitLogistic([0.1, 0.2], [true, false], { ridge: -1 }), 'INVALID_INPUT', 'ridge');
  });
});

describe('decisions', () => {
  it('Didit semantics at the default decline threshold: 29.99 Declined, 30 In Review', () => {
    expect(DEFAULT_DECLINE_THRESHOLD).toBe(30);
    expect(decide(29.99)).toBe('Declined');
    expect(decide(30)).toBe('In Review');
    expect(decide(0)).toBe('Declined');
  });

  it('approves at and above the approve threshold', () => {
    expect(decide(DEFAULT_APPROVE_THRESHOLD)).toBe('Approved');
    expect(decide(DEFAULT_APPROVE_THRESHOLD - 0.01)).toBe('In Review');
    expect(decide(100)).toBe('Approved');
    expect(decide(64.99, { declineThreshold: 40, approveThreshold: 65 })).toBe('In Review');
    expect(decide(65, { declineThreshold: 40, approveThreshold: 65 })).toBe('Approved');
    expect(decide(39.99, { declineThreshold: 40, approveThreshold: 65 })).toBe('Declined');
    expect(decide(50, { declineThreshold: 50, approveThreshold: 50 })).toBe('Approved');
  });

  it('rejects thresholds that are not finite numbers from 0 to 100, naming the option', () => {
    for (const bad of [-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY, '30', null]) {
      const e = expectFaceMatchError(() => decide(50, { declineThreshold: bad as number }), 'INVALID_INPUT', 'declineThreshold');
      expect(e.message).toMatch(/from 0 to 100/);
    }
    expectFaceMatchError(() => decide(50, { approveThreshold: 101 }), 'INVALID_INPUT', 'approveThreshold');
    expectFaceMatchError(() => decide(50, { declineThreshold: 70, approveThreshold: 60 }), 'INVALID_INPUT', 'declineThreshold');
    expectFaceMatchError(
      () => resolveDecisionThresholds({ declineThreshold: 200 }, { declineThreshold: 'face_match_score_decline_threshold', approveThreshold: 'x' }),
      'INVALID_INPUT',
      'face_match_score_decline_threshold',
    );
  });

  it('raises a defaulted approve threshold to a higher decline threshold instead of failing', () => {
    expect(resolveDecisionThresholds({ declineThreshold: 95 })).toEqual({ declineThreshold: 95, approveThreshold: Math.max(95, DEFAULT_APPROVE_THRESHOLD) });
    expect(decide(94.99, { declineThreshold: 95 })).toBe('Declined');
    expect(decide(95, { declineThreshold: 95 })).toBe('Approved');
  });

  it('rejects a score outside 0-100', () => {
    expectFaceMatchError(() => decide(100.01), 'INVALID_INPUT', 'score');
    expectFaceMatchError(() => decide(Number.NaN), 'INVALID_INPUT', 'score');
  });

  it('Attestr semantics: matched at or above a required 1-100 threshold', () => {
    expect(meetsThreshold(85, 85)).toBe(true);
    expect(meetsThreshold(84.999, 85)).toBe(false);
    expect(meetsThreshold(50, 1)).toBe(true);
    expect(checkMatchThreshold(72.5)).toBe(72.5);
    expectFaceMatchError(() => checkMatchThreshold(undefined), 'INVALID_INPUT', 'threshold');
    expectFaceMatchError(() => checkMatchThreshold(0), 'INVALID_INPUT', 'threshold');
    expectFaceMatchError(() => checkMatchThreshold(101), 'INVALID_INPUT', 'threshold');
    expectFaceMatchError(() => checkMatchThreshold('85'), 'INVALID_INPUT', 'threshold');
  });

  it('roundScore keeps two decimals', () => {
    expect(roundScore(65.4321)).toBe(65.43);
    expect(roundScore(29.996)).toBe(30);
    expect(roundScore(0)).toBe(0);
  });
});
