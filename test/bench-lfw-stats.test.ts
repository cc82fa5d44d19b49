import { describe, expect, it } from 'vitest';
import { LatencyRecorder, mean, percentile, percentiles, sampleStd, summarizeLatencies } from '../bench/lfw/stats.js';

describe('stats', () => {
  it('computes mean and the sample standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // Σ(x − 2.5)² = 5, / (4 − 1) → √(5/3).
    expect(sampleStd([1, 2, 3, 4])).toBe(Math.sqrt(5 / 3));
    expect(sampleStd([7])).toBeNull();
    expect(() => mean([])).toThrow(/at least one value/);
    expect(() => mean([1, Number.NaN])).toThrow(/finite numbers, received NaN at index 1/);
  });

  it('interpolates percentiles between ranks like numpy (linear)', () => {
    const v = [15, 20, 35, 40, 50];
    // rank = p/100 · 4: p40 → 1.6 → 20 + 0.6·15 = 29; p95 → 3.8 → 40 + 0.8·10 = 48.
    expect(percentiles(v, [0, 40, 50, 95, 100])).toEqual([15, 29, 35, 48, 50]);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([5], 95)).toBe(5);
    expect(() => percentile([1], 101)).toThrow(/p in 0–100, received 101/);
  });

  it('summarises latencies and records them per stage', () => {
    const samples = Array.from({ length: 101 }, (_, i) => i);
    expect(summarizeLatencies(samples)).toEqual({ count: 101, mean: 50, p50: 50, p95: 95 });
    const rec = new LatencyRecorder();
    for (const ms of samples) rec.record('embed', ms);
    rec.record('decode', 4);
    expect(rec.count('embed')).toBe(101);
    expect(Object.keys(rec.summary())).toEqual(['decode', 'embed']);
    expect(rec.summary().embed).toEqual({ count: 101, mean: 50, p50: 50, p95: 95 });
    expect(() => rec.record('detect', -1)).toThrow(/finite, non-negative number of ms, received -1/);
  });
});
