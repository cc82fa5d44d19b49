import { describe, expect, it } from 'vitest';
import {
  accuracyAtThreshold,
  crossValidate,
  equalErrorRate,
  evaluateProtocol,
  ratesAtThreshold,
  rocAuc,
  rocCurve,
  selectThreshold,
  tarAtFar,
} from '../bench/lfw/metrics.js';
import { parsePairs } from '../bench/lfw/pairs.js';
import type { PairLabel, PairScore } from '../bench/lfw/types.js';
import { rng } from './fixtures/numeric.js';

/** Labels in the layout of a pairs file: per fold, `n` same then `n` different. */
function labels(folds: number, n: number): PairLabel[] {
  const out: PairLabel[] = [];
  for (let f = 0; f < folds; f++) for (let i = 0; i < 2 * n; i++) out.push({ fold: f, same: i < n });
  return out;
}

describe('hand-computed 2-fold file', () => {
  // Fold 1 (index 0): same A 1 2 → 9, B 1 2 → 6; different → 1, 7.
  // Fold 2 (index 1): same C 1 2 → 8, D 1 2 → 3; different → 2, 4.
  const text = ['2\t2', 'A\t1\t2', 'B 1 2', 'A 1 B 1', 'A 2  B 2', 'C\t1\t2', 'D\t1\t2', 'C 1 D 1', 'C 2 D 2', ''].join('\n');
  const { pairs } = parsePairs(text);
  const scores = [9, 6, 1, 7, 8, 3, 2, 4];

  it('chooses each threshold on the other fold and scores the held-out fold', () => {
    // Threshold for fold 1, chosen on fold 2. Distinct scores 2(d) 3(s) 4(d) 8(s). Cuts (accept ≥):
    //   all → 2 correct; ≥3 → 2 same + 1 diff = 3; ≥4 → 1 + 1 = 2; ≥8 → 1 + 2 = 3; none → 2.
    //   Best 3 on two plateaus: (2, 3] (width 1) and (4, 8] (width 4); the wider wins → 6.
    //   Fold 1 at 6: 9 ✓, 6 ✓ (6 ≥ 6), 1 ✓, 7 ✗ → 3/4 = 0.75.
    // Threshold for fold 2, chosen on fold 1. Distinct scores 1(d) 6(s) 7(d) 9(s).
    //   all → 2; ≥6 → 2 + 1 = 3; ≥7 → 1 + 1 = 2; ≥9 → 1 + 2 = 3; none → 2.
    //   Plateaus (1, 6] (width 5) and (7, 9] (width 2) → middle of (1, 6] = 3.5.
    //   Fold 2 at 3.5: 8 ✓, 3 ✗, 2 ✓, 4 ✗ → 2/4 = 0.5.
    const cv = crossValidate(pairs, scores);
    expect(cv.folds).toBe(2);
    expect(cv.selection).toBe('cross-validation');
    expect(cv.thresholds).toEqual([6, 3.5]);
    expect(cv.accuracy.perFold).toEqual([0.75, 0.5]);
    expect(cv.accuracy.mean).toBe(0.625);
    // Sample std: sqrt(((0.125)² + (0.125)²) / (2 − 1)) = 0.125·√2; stderr = std / √2 = 0.125.
    expect(cv.accuracy.std).toBe(0.125 * Math.SQRT2);
    expect(cv.accuracy.stderr).toBeCloseTo(0.125, 15);
  });

  it('computes ROC AUC, EER and TAR@FAR exactly', () => {
    // Same {9, 6, 8, 3} vs different {1, 7, 2, 4}: same wins 4 + 3 + 4 + 2 = 13 of 16 → AUC 13/16.
    // Thresholds from the top: ∞ (FAR 0, FRR 1), 9 (0, 3/4), 8 (0, 1/2), 7 (1/4, 1/2), 6 (1/4, 1/4):
    //   FAR = FRR at threshold 6 → EER 1/4. TAR at FAR ≤ 1e-2 (and 1e-3): best is at 8 → 1/2.
    const curve = rocCurve(pairs, scores);
    expect(curve.points.map((p) => p.threshold)).toEqual([Infinity, 9, 8, 7, 6, 4, 3, 2, 1]);
    expect(rocAuc(curve)).toBe(13 / 16);
    expect(equalErrorRate(curve)).toEqual({ rate: 0.25, threshold: 6 });
    expect(tarAtFar(curve, 1e-2)).toBe(0.5);
    expect(tarAtFar(curve, 1e-3)).toBe(0.5);
    expect(tarAtFar(curve, 0.25)).toBe(0.75);
  });

  it('reports FAR, FRR and accuracy of a provider threshold', () => {
    // Threshold 5: same 9, 6, 8 accepted, 3 rejected → FRR 1/4; different 7 accepted → FAR 1/4; 6/8 right.
    const metrics = evaluateProtocol(pairs, scores, { providerThresholds: [{ provider: 'didit', threshold: 5 }] });
    expect(metrics.providerThresholds).toEqual([{ provider: 'didit', threshold: 5, far: 0.25, frr: 0.25, accuracy: 0.75 }]);
    expect(metrics).toMatchObject({ pairs: 8, folds: 2, auc: 13 / 16, eer: 0.25, eerThreshold: 6, noFacePairs: 0 });
    expect(metrics.tarAtFar).toEqual({ '1e-2': 0.5, '1e-3': 0.5 });
  });
});

describe('threshold choice', () => {
  it('takes the middle of a plateau that spans a tie', () => {
    // Distinct 1(d) 2(d) 5(s+d) 10(s) 11(s). Cuts: all 3, ≥2 4, ≥5 5, ≥10 5, ≥11 4, none 3.
    // Best plateau: cuts ≥5 and ≥10, thresholds (2, 10] → middle 6.
    const pairs: PairLabel[] = [true, true, true, false, false, false].map((same) => ({ fold: 0, same }));
    expect(selectThreshold(pairs, [10, 11, 5, 1, 2, 5])).toEqual({ threshold: 6, accuracy: 5 / 6 });
  });

  it('breaks a tie between equally wide plateaus towards the lower one', () => {
    // Distinct 4(d) 6(s) 7(d) 9(s): cuts ≥6 and ≥9 both give 3/4, on (4, 6] and (7, 9], width 2 each.
    const pairs: PairLabel[] = [true, true, false, false].map((same) => ({ fold: 0, same }));
    expect(selectThreshold(pairs, [9, 6, 4, 7])).toEqual({ threshold: 5, accuracy: 0.75 });
  });

  it('closes an open plateau one mean gap beyond the extreme score', () => {
    // All same pairs: only accepting everything is right, thresholds (−∞, 1]; the mean gap between
    // distinct scores is (3 − 1) / 2 = 1, so the plateau is closed to (0, 1] → middle 0.5.
    const pairs: PairLabel[] = [true, true, true].map((same) => ({ fold: 0, same }));
    expect(selectThreshold(pairs, [1, 2, 3])).toEqual({ threshold: 0.5, accuracy: 1 });
    // All different pairs: only rejecting everything is right, (3, +∞) → (3, 4] → 3.5.
    const diff: PairLabel[] = [false, false, false].map((same) => ({ fold: 0, same }));
    expect(selectThreshold(diff, [1, 2, 3])).toEqual({ threshold: 3.5, accuracy: 1 });
  });

  it('is in-sample for a single fold and says so', () => {
    const pairs = labels(1, 3);
    const cv = crossValidate(pairs, [0.9, 0.8, 0.7, 0.1, 0.2, 0.3]);
    expect(cv.selection).toBe('in-sample');
    expect(cv.accuracy).toEqual({ mean: 1, std: null, stderr: null, perFold: [1] });
  });
});

describe('perfectly separable scores', () => {
  const r = rng(7);
  const pairs = labels(10, 300);
  const scores = pairs.map((p) => (p.same ? 0.6 + 0.4 * r() : 0.4 * r()));

  it('gives accuracy 1 on every fold, AUC 1, EER 0 and TAR 1', () => {
    const m = evaluateProtocol(pairs, scores);
    expect(m.accuracy.perFold).toEqual(new Array(10).fill(1));
    expect(m.accuracy.mean).toBe(1);
    expect(m.accuracy.std).toBe(0);
    expect(m.auc).toBe(1);
    expect(m.eer).toBe(0);
    expect(m.tarAtFar).toEqual({ '1e-2': 1, '1e-3': 1 });
    for (const t of m.thresholds) expect(t > 0.4 && t < 0.6).toBe(true);
  });
});

describe('random scores', () => {
  it('give AUC, accuracy and EER near one half', () => {
    const r = rng(12345);
    const pairs = labels(10, 300);
    const scores = pairs.map(() => r());
    const m = evaluateProtocol(pairs, scores);
    // AUC standard error here is about sqrt((3000 + 3000 + 1) / (12 · 3000²)) ≈ 0.0075.
    expect(Math.abs(m.auc - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(m.eer - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(m.accuracy.mean - 0.5)).toBeLessThan(0.03);
    expect(m.accuracy.std).toBeGreaterThan(0);
    expect(m.accuracy.stderr).toBeCloseTo(m.accuracy.std! / Math.sqrt(10), 15);
  });
});

describe('ties', () => {
  it('count one half in the AUC and put the EER in the middle of the tie', () => {
    const pairs = labels(1, 2);
    const curve = rocCurve(pairs, [1, 1, 1, 1]);
    expect(rocAuc(curve)).toBe(0.5);
    expect(equalErrorRate(curve).rate).toBe(0.5);
    // Everything tied at 1: accepted together at threshold 1, rejected together above it.
    expect(ratesAtThreshold(pairs, [1, 1, 1, 1], 1)).toEqual({ far: 1, frr: 0, accuracy: 0.5 });
  });
});

describe('pairs without a face', () => {
  // Fold 0: same 0.9, null; different 0.1, null. Fold 1: same 0.8, 0.7; different 0.2, 0.3.
  const pairs = labels(2, 2);
  const scores: PairScore[] = [0.9, null, 0.1, null, 0.8, 0.7, 0.2, 0.3];

  it('are wrong at every threshold, for same and for different pairs', () => {
    // Any threshold in (0.1, 0.9] gets the two scored pairs of fold 0 right and the two no-face pairs wrong.
    const cv = crossValidate(pairs, scores);
    expect(cv.accuracy.perFold).toEqual([0.5, 1]);
    // Accept all: the 3 scored same pairs are right, the 3 scored different pairs and both no-face pairs wrong.
    expect(accuracyAtThreshold(pairs, scores, -1e9)).toBe(3 / 8);
    // Reject all: the 3 scored different pairs are right; the no-face different pair is still wrong.
    expect(accuracyAtThreshold(pairs, scores, 1e9)).toBe(3 / 8);
    // FAR counts the no-face different pair as accepted, FRR the no-face same pair as rejected.
    expect(ratesAtThreshold(pairs, scores, 0.5)).toEqual({ far: 1 / 4, frr: 1 / 4, accuracy: 6 / 8 });
  });

  it('start the ROC above FAR 0, end it below TAR 1, and lose in the AUC', () => {
    const curve = rocCurve(pairs, scores);
    expect(curve.points[0]).toMatchObject({ threshold: Infinity, far: 0.25, tar: 0 });
    expect(curve.points.at(-1)).toMatchObject({ far: 1, tar: 0.75 });
    // Same {0.9, −∞, 0.8, 0.7} vs different {0.1, +∞, 0.2, 0.3}: 3 scored same pairs beat 3 scored
    // different pairs each → 9 of 16.
    expect(rocAuc(curve)).toBe(9 / 16);
    expect(tarAtFar(curve, 1e-2)).toBe(0);
    const m = evaluateProtocol(pairs, scores);
    expect(m.noFacePairs).toBe(2);
  });
});

describe('input checks', () => {
  it('rejects mismatched lengths, non-finite scores and one-class sets with INVALID_INPUT', () => {
    const pairs = labels(1, 1);
    expect(() => evaluateProtocol(pairs, [1])).toThrow(/one score per pair \(2\), received 1/);
    expect(() => evaluateProtocol(pairs, [1, Number.NaN])).toThrow(/finite score or null for pair 1/);
    expect(() => rocCurve([{ fold: 0, same: true }], [1])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => crossValidate([], [])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

/** Straightforward implementations, quadratic, sharing no code with the module. */
const brute = {
  predicted(score: PairScore, same: boolean, t: number): boolean {
    if (score === null) return !same;
    return score >= t;
  },
  accuracy(items: { same: boolean; score: PairScore }[], t: number): number {
    return items.filter((s) => brute.predicted(s.score, s.same, t) === s.same).length / items.length;
  },
  candidates(items: { score: PairScore }[]): number[] {
    const v = [...new Set(items.flatMap((s) => (s.score === null ? [] : [s.score])))].sort((a, b) => a - b);
    const out = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (let i = 0; i < v.length; i++) {
      out.push(v[i]!);
      if (i + 1 < v.length) out.push((v[i]! + v[i + 1]!) / 2);
    }
    return out;
  },
  auc(items: { same: boolean; score: PairScore }[]): number {
    const s = items.filter((x) => x.same).map((x) => x.score ?? Number.NEGATIVE_INFINITY);
    const d = items.filter((x) => !x.same).map((x) => x.score ?? Number.POSITIVE_INFINITY);
    let twice = 0;
    for (const a of s) for (const b of d) twice += a > b ? 2 : a === b ? 1 : 0;
    return twice / (2 * s.length * d.length);
  },
  rates(items: { same: boolean; score: PairScore }[], t: number): { far: number; frr: number; tar: number } {
    const s = items.filter((x) => x.same);
    const d = items.filter((x) => !x.same);
    return {
      far: d.filter((x) => brute.predicted(x.score, false, t)).length / d.length,
      frr: s.filter((x) => !brute.predicted(x.score, true, t)).length / s.length,
      tar: s.filter((x) => brute.predicted(x.score, true, t)).length / s.length,
    };
  },
};

describe('cross-check against a brute-force implementation', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`agrees on a random set with ties and no-face pairs (seed ${seed})`, () => {
      const r = rng(seed);
      const pairs = labels(4, 25);
      // Scores on a coarse grid (many ties), same pairs shifted up; 5% without a face.
      const scores: PairScore[] = pairs.map((p) => (r() < 0.05 ? null : Math.round((r() + (p.same ? 0.3 : 0)) * 10) / 10));
      const items = pairs.map((p, i) => ({ ...p, score: scores[i]! }));

      const cv = crossValidate(pairs, scores);
      for (let f = 0; f < 4; f++) {
        const train = items.filter((s) => s.fold !== f);
        const test = items.filter((s) => s.fold === f);
        const bestTrain = Math.max(...brute.candidates(train).map((t) => brute.accuracy(train, t)));
        expect(brute.accuracy(train, cv.thresholds[f]!)).toBe(bestTrain);
        expect(cv.accuracy.perFold[f]).toBe(brute.accuracy(test, cv.thresholds[f]!));
      }

      const curve = rocCurve(pairs, scores);
      expect(rocAuc(curve)).toBe(brute.auc(items));
      for (const target of [0, 0.01, 0.1, 0.3]) {
        const tar = Math.max(0, ...brute.candidates(items).map((t) => brute.rates(items, t)).filter((x) => x.far <= target).map((x) => x.tar));
        expect(tarAtFar(curve, target)).toBe(tar);
      }
      // The EER lies between the best "worse of the two errors" and the best "better of the two".
      const all = brute.candidates(items).map((t) => brute.rates(items, t));
      const eer = equalErrorRate(curve).rate;
      expect(eer).toBeLessThanOrEqual(Math.min(...all.map((x) => Math.max(x.far, x.frr))) + 1e-12);
      expect(eer).toBeGreaterThanOrEqual(Math.max(...all.map((x) => Math.min(x.far, x.frr))) - 1e-12);
    });
  }
});
