import { describe, expect, it } from 'vitest';
import { approveThresholdReport, calibrate, errorRates, minimumThresholdForFar, type CalibrationPair } from '../bench/lfw/calibrate.js';
import { scoreFromSimilarity, type Calibration } from '../src/compare/calibration.js';
import { FaceMatchError } from '../src/errors.js';
import { rng } from './fixtures/numeric.js';

/** LFW-like synthetic pairs: same ~ N(0.75, 0.08²), different ~ N(0.25, 0.1²), 3000 of each. */
function syntheticPairs(): CalibrationPair[] {
  const next = rng(11);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const pairs: CalibrationPair[] = [];
  for (let i = 0; i < 6000; i++) {
    const same = i % 2 === 0;
    pairs.push({ similarity: same ? 0.75 + 0.08 * gaussian() : 0.25 + 0.1 * gaussian(), same });
  }
  return pairs;
}

describe('bench calibrate', () => {
  const pairs = syntheticPairs();
  const report = calibrate(pairs, { fittedOn: 'synthetic, 6000 pairs' });

  it('fits a calibration that records its provenance', () => {
    expect(report.calibration).toMatchObject({ method: 'logistic', fittedOn: 'synthetic, 6000 pairs', pairs: 6000 });
    expect(report.calibration.a).toBeGreaterThan(0);
    expect(report.fit.converged).toBe(true);
    expect(report.genuinePairs).toBe(3000);
    expect(report.impostorPairs).toBe(3000);
  });

  it('tabulates FAR and FRR at 10..90 that match a direct count', () => {
    expect(report.table.map((r) => r.threshold)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    for (const row of report.table) {
      const scores = pairs.map((p) => ({ same: p.same, score: Math.round(scoreFromSimilarity(p.similarity, report.calibration) * 100) / 100 }));
      const fa = scores.filter((s) => !s.same && s.score >= row.threshold).length;
      const fr = scores.filter((s) => s.same && s.score < row.threshold).length;
      expect(row.falseAccepts).toBe(fa);
      expect(row.falseRejects).toBe(fr);
      expect(row.far).toBeCloseTo(fa / 3000, 12);
      expect(row.frr).toBeCloseTo(fr / 3000, 12);
      expect(scoreFromSimilarity(row.similarity, report.calibration)).toBeCloseTo(row.threshold, 8);
    }
    // Raising the threshold never accepts more impostors nor rejects fewer genuine pairs.
    for (let i = 1; i < report.table.length; i++) {
      expect(report.table[i]!.far).toBeLessThanOrEqual(report.table[i - 1]!.far);
      expect(report.table[i]!.frr).toBeGreaterThanOrEqual(report.table[i - 1]!.frr);
    }
  });

  it('finds the lowest threshold with FAR at most 0.1%', () => {
    const threshold = minimumThresholdForFar(pairs, report.calibration, 0.001);
    expect(threshold).not.toBeNull();
    const t = threshold!;
    const [at] = errorRates(pairs, report.calibration, [t]);
    const [below] = errorRates(pairs, report.calibration, [Math.round((t - 0.01) * 100) / 100]);
    expect(at!.far).toBeLessThanOrEqual(0.001);
    expect(below!.far).toBeGreaterThan(0.001);
  });

  it('returns null when no threshold reaches the FAR, and rejects a bad rate', () => {
    const steep: Calibration = { method: 'logistic', a: 1000, b: 0, fittedOn: 'saturating' };
    const saturated: CalibrationPair[] = [
      { similarity: 0.9, same: false },
      { similarity: 0.9, same: true },
    ];
    expect(minimumThresholdForFar(saturated, steep, 0)).toBeNull();
    expect(() => minimumThresholdForFar(pairs, report.calibration, 2)).toThrow(FaceMatchError);
    expect(() => errorRates(pairs.filter((p) => p.same), report.calibration)).toThrow(/same and different/);
  });
});

describe('approveThresholdReport', () => {
  const pairs = syntheticPairs();
  const { calibration } = calibrate(pairs, { fittedOn: 'synthetic, 6000 pairs' });
  /** The pairs in 10 folds of equal parts, keeping `perFold` of each kind per fold. */
  const folded = (perFold: number) =>
    Array.from({ length: 10 }, (_, fold) => [
      ...pairs.filter((p) => p.same).slice(fold * 300, fold * 300 + perFold).map((p) => ({ ...p, fold })),
      ...pairs.filter((p) => !p.same).slice(fold * 300, fold * 300 + perFold).map((p) => ({ ...p, fold })),
    ]).flat();

  it('recommends a threshold when every training part holds at least 1,000 different-person pairs', () => {
    const r = approveThresholdReport(folded(300), calibration, 0.001);
    expect(r).toMatchObject({ targetFar: 0.001, status: 'recommended', differentPairs: 3000, trainingDifferentPairs: 2700, neededDifferentPairs: 1000 });
    expect(r.recommended).toBe(Math.min(100, Math.ceil(Math.max(...r.perFold.map((f) => f.threshold!)))));
    expect(r.summary).toMatch(/^Recommended approve threshold for FAR 1e-3: \d+ /);
  });

  it('recommends nothing, and says why, when the pairs cannot support FAR 1e-3 (--limit 10: 100 different-person pairs)', () => {
    const r = approveThresholdReport(folded(10), calibration, 0.001);
    expect(r).toMatchObject({ status: 'too-few-pairs', recommended: null, differentPairs: 100, trainingDifferentPairs: 90, neededDifferentPairs: 1000 });
    expect(r.summary).toContain('which hold 90 different-person pairs, and FAR 1e-3 needs at least 1,000 for one false accept to mean 1e-3 (this run has 100 in all)');
  });

  it('says when no threshold up to 100 meets the target', () => {
    const steep: Calibration = { method: 'logistic', a: 1000, b: 0, fittedOn: 'saturating' };
    const saturated = folded(300).map((p) => (p.same ? p : { ...p, similarity: 0.9 }));
    const r = approveThresholdReport(saturated, steep, 0.001);
    expect(r).toMatchObject({ status: 'unreachable', recommended: null });
    expect(() => approveThresholdReport(saturated, steep, 0)).toThrow(FaceMatchError);
  });
});
