/**
 * Error-versus-discard curves (EDC), the way ISO/IEC 29794-1 evaluates a quality measure: fix the
 * decision threshold for a target false-match rate on all pairs, then discard the genuine pairs
 * whose lower quality is worst, a step at a time, and watch the false non-match rate of the rest.
 * A measure that predicts errors makes the curve fall fast; random discard keeps it flat.
 * @module
 */
import { rng } from './rng.js';

/** One pair for an EDC: its similarity, its label, and the quality of its worse image. */
export interface EdcPair {
  /** Cosine similarity (or any score where higher means more alike). */
  similarity: number;
  /** True for a same-person pair. */
  same: boolean;
  /** The pair's quality: the lower of its two images' (higher is better). */
  quality: number;
}

/** One point of an EDC. */
export interface EdcPoint {
  /** Share of the genuine pairs discarded, 0–1. */
  discarded: number;
  /** False non-match rate of the genuine pairs kept, at the fixed threshold. */
  fnmr: number;
  /** Genuine pairs kept. */
  kept: number;
  /** False non-matches among them. */
  errors: number;
}

/** An EDC and the threshold it was drawn at. */
export interface Edc {
  /** The similarity threshold, fixed before discarding. */
  threshold: number;
  /** The false-match rate that threshold gives on all impostor pairs. */
  fmr: number;
  /** The curve, one point per step, starting at 0 discarded. */
  points: EdcPoint[];
}

/**
 * The lowest similarity threshold whose false-match rate on `impostors` is at most `targetFmr`
 * (accept when similarity ≥ threshold): just above the ⌊targetFmr × n⌋ + 1-th highest impostor.
 */
export function thresholdForFmr(impostors: readonly number[], targetFmr: number): { threshold: number; fmr: number } {
  const sorted = [...impostors].sort((a, b) => b - a);
  const allowed = Math.floor(targetFmr * sorted.length);
  const boundary = sorted[allowed];
  const threshold = boundary === undefined ? -Infinity : boundary + 1e-12;
  const accepted = sorted.filter((s) => s >= threshold).length;
  return { threshold, fmr: sorted.length === 0 ? 0 : accepted / sorted.length };
}

/**
 * The EDC of a quality measure: the threshold for `targetFmr` is set on all pairs; then the
 * genuine pairs are ordered by quality (ties in a seeded random order, so that a measure that
 * cannot tell pairs apart behaves like random discard) and the worst are dropped in steps.
 *
 * @param pairs - every pair, genuine and impostor
 * @param options - target FMR (default 1e-3), step (default 0.01), last share (default 0.2), seed
 */
export function errorVersusDiscard(
  pairs: readonly EdcPair[],
  options: { targetFmr?: number; step?: number; until?: number; seed?: number } = {},
): Edc {
  const { targetFmr = 1e-3, step = 0.01, until = 0.2, seed = 1 } = options;
  const { threshold, fmr } = thresholdForFmr(
    pairs.filter((p) => !p.same).map((p) => p.similarity),
    targetFmr,
  );
  const random = rng(seed);
  const genuine = pairs
    .filter((p) => p.same)
    .map((p) => ({ ...p, tie: random() }))
    .sort((a, b) => a.quality - b.quality || a.tie - b.tie);
  const n = genuine.length;
  // errorsFrom[i]: false non-matches among genuine[i..].
  const errorsFrom = new Int32Array(n + 1);
  for (let i = n - 1; i >= 0; i--) errorsFrom[i] = errorsFrom[i + 1]! + (genuine[i]!.similarity < threshold ? 1 : 0);
  const points: EdcPoint[] = [];
  const steps = Math.round(until / step);
  for (let k = 0; k <= steps; k++) {
    const drop = Math.min(n, Math.round(k * step * n));
    const kept = n - drop;
    const errors = errorsFrom[drop]!;
    points.push({ discarded: drop / n, fnmr: kept === 0 ? 0 : errors / kept, kept, errors });
  }
  return { threshold, fmr, points };
}

/**
 * The EDC of random discard, averaged over `runs` seeded permutations: the baseline a quality
 * measure must beat.
 */
export function randomDiscardEdc(pairs: readonly EdcPair[], options: { targetFmr?: number; step?: number; until?: number; runs?: number } = {}): Edc {
  const runs = options.runs ?? 200;
  const curves = Array.from({ length: runs }, (_, r) => {
    const random = rng(1000 + r);
    return errorVersusDiscard(
      pairs.map((p) => ({ ...p, quality: random() })),
      { ...options, seed: r + 1 },
    );
  });
  const first = curves[0]!;
  return {
    threshold: first.threshold,
    fmr: first.fmr,
    points: first.points.map((p, i) => {
      const fnmr = curves.reduce((s, c) => s + c.points[i]!.fnmr, 0) / runs;
      const errors = curves.reduce((s, c) => s + c.points[i]!.errors, 0) / runs;
      return { discarded: p.discarded, fnmr, kept: p.kept, errors };
    }),
  };
}
