/**
 * How well face quality predicts errors, measured the way ISO/IEC 29794-1 does: an
 * error-versus-discard curve for the overall quality and for each component, next to random
 * discard, at the threshold that gives FMR 1e-3 on all pairs.
 * @module
 */
import { QUALITY_CHECKS, QUALITY_SEVERITY, qualityFindings, type QualityCheck, type QualitySeverity } from '../../src/quality/findings.js';
import type { CachedEmbedding } from './cache.js';
import { errorVersusDiscard, randomDiscardEdc, type EdcPair, type EdcPoint } from './edc.js';
import { pct, table } from './markdown.js';
import { QUALITY_VECTOR, qualityFromVector } from './quality-vector.js';
import type { LfwPair } from './types.js';

/**
 * The EDC of one quality measure.
 *
 * @category Benchmark
 */
export interface QualityEdc {
  /** The measure: `overall`, a component, or `random`. */
  measure: string;
  /** The curve, from 0 to 20% discarded in steps of 1%. */
  points: EdcPoint[];
  /** FNMR after discarding 5% of the genuine pairs. */
  fnmrAt5: number;
  /** How much discarding 5% cut the FNMR: `1 − fnmrAt5 / fnmr0`. */
  cutAt5: number;
}

/**
 * How often the genuine pairs one quality check fires on fail, against the rest: the evidence a
 * check's limit and severity stand on.
 *
 * @category Benchmark
 */
export interface QualityCheckRow {
  /** The check. */
  check: QualityCheck;
  /** Its severity with the default limits. */
  severity: QualitySeverity;
  /** Genuine pairs where it fires on at least one face. */
  pairs: number;
  /** False non-match rate of those pairs, at the report's threshold. */
  fnmr: number;
  /** False non-match rate of the other genuine pairs. */
  restFnmr: number;
  /** `fnmr / restFnmr` (Infinity when the rest never fail; 0 when the check never fires). */
  ratio: number;
}

/**
 * What `facematch bench lfw --quality` measures.
 *
 * @category Benchmark
 */
export interface QualityReport {
  /** The false-match rate the threshold was set for. */
  targetFmr: number;
  /** The similarity threshold, set on all pairs before discarding. */
  threshold: number;
  /** The FMR it gives. */
  fmr: number;
  /** FNMR before discarding. */
  fnmr0: number;
  /** Genuine pairs with a quality for both faces (the EDC's population). */
  genuinePairs: number;
  /** Pairs left out: a face missing, or (genuine pairs) no quality recorded for a face. A measure's curve also leaves out the genuine pairs it could not measure. */
  leftOut: number;
  /** The overall quality first, then each component, then random discard. */
  curves: QualityEdc[];
  /** Each quality check with the default limits, in {@link QUALITY_CHECKS} order. */
  checks: QualityCheckRow[];
}

function summary(measure: string, points: EdcPoint[]): QualityEdc {
  const fnmr0 = points[0]?.fnmr ?? 0;
  const at5 = points.find((p) => Math.abs(p.discarded - 0.05) < 0.005) ?? points[Math.min(5, points.length - 1)]!;
  return { measure, points, fnmrAt5: at5.fnmr, cutAt5: fnmr0 > 0 ? 1 - at5.fnmr / fnmr0 : 0 };
}

/**
 * The EDCs of every quality measure over the pairs: a pair's quality is the worse of its two
 * faces' (for components where higher is worse, the larger value).
 *
 * @param pairs - the pairs, in file order
 * @param similarities - cosine similarity per pair, null where a face was missing
 * @param embeddings - per image, the cached result with its quality vector
 * @param targetFmr - default 1e-3
 * @category Benchmark
 */
export function qualityReport(
  pairs: readonly LfwPair[],
  similarities: readonly (number | null)[],
  embeddings: ReadonlyMap<string, CachedEmbedding | null>,
  targetFmr = 1e-3,
): QualityReport {
  // Impostor pairs only set the threshold, so every one with a similarity counts; a genuine pair
  // takes part when both faces carry a quality, and in a measure's curve when it has that measure.
  const impostors: EdcPair[] = [];
  const genuine: { similarity: number; a: Float32Array; b: Float32Array }[] = [];
  pairs.forEach((p, i) => {
    const s = similarities[i];
    if (s === null || s === undefined) return;
    if (!p.same) {
      impostors.push({ similarity: s, same: false, quality: 0 });
      return;
    }
    const a = embeddings.get(p.a)?.quality;
    const b = embeddings.get(p.b)?.quality;
    if (a && b) genuine.push({ similarity: s, a, b });
  });
  const curves: QualityEdc[] = [];
  QUALITY_VECTOR.forEach((entry, k) => {
    const sign = entry.higherIsBetter ? 1 : -1;
    const rank = entry.rank ?? ((v: number) => v);
    const measured: EdcPair[] = genuine.flatMap((g) => {
      const qa = g.a[k]!;
      const qb = g.b[k]!;
      return Number.isNaN(qa) || Number.isNaN(qb) ? [] : [{ similarity: g.similarity, same: true, quality: Math.min(sign * rank(qa), sign * rank(qb)) }];
    });
    if (measured.length === 0) return;
    curves.push(summary(entry.name, errorVersusDiscard([...measured, ...impostors], { targetFmr }).points));
  });
  const random = randomDiscardEdc([...genuine.map((g) => ({ similarity: g.similarity, same: true, quality: 0 })), ...impostors], { targetFmr });
  curves.push(summary('random', random.points));
  return {
    targetFmr,
    threshold: random.threshold,
    fmr: random.fmr,
    fnmr0: random.points[0]?.fnmr ?? 0,
    genuinePairs: genuine.length,
    leftOut: pairs.length - genuine.length - impostors.length,
    curves,
    checks: checkRows(genuine, random.threshold),
  };
}

function checkRows(genuine: readonly { similarity: number; a: ArrayLike<number>; b: ArrayLike<number> }[], threshold: number): QualityCheckRow[] {
  const fired = genuine.map((g) => {
    const found = new Set<QualityCheck>();
    for (const f of [...qualityFindings(qualityFromVector(g.a)), ...qualityFindings(qualityFromVector(g.b))]) found.add(f.check);
    return { fail: g.similarity < threshold, found };
  });
  const rate = (xs: readonly { fail: boolean }[]): number => (xs.length === 0 ? 0 : xs.filter((x) => x.fail).length / xs.length);
  return QUALITY_CHECKS.map((check) => {
    const hit = fired.filter((f) => f.found.has(check));
    const rest = fired.filter((f) => !f.found.has(check));
    const fnmr = rate(hit);
    const restFnmr = rate(rest);
    return { check, severity: QUALITY_SEVERITY[check], pairs: hit.length, fnmr, restFnmr, ratio: hit.length === 0 ? 0 : restFnmr === 0 ? Infinity : fnmr / restFnmr };
  });
}

/**
 * The quality report as a Markdown table: FNMR at 0, 1, 2, 5, 10 and 20% discarded, and the cut at 5%.
 *
 * @category Benchmark
 */
export function qualityMarkdown(report: QualityReport): string {
  const at = (c: QualityEdc, share: number): string => {
    const p = c.points.find((x) => Math.abs(x.discarded - share) < 0.005);
    return p ? pct(p.fnmr) : '–';
  };
  const rows = report.curves.map((c) => [c.measure === 'overall' ? '**overall**' : c.measure, ...[0, 0.01, 0.02, 0.05, 0.1, 0.2].map((s) => at(c, s)), pct(c.cutAt5, 1)]);
  return [
    `Error versus discard (ISO/IEC 29794-1): the threshold is set on all pairs for FMR ${report.targetFmr} (similarity ${report.threshold.toFixed(4)}, FMR ${pct(report.fmr, 3)}),`,
    `then the genuine pairs whose worse face scores worst are discarded; ${report.genuinePairs.toLocaleString('en-US')} genuine pairs, ${report.leftOut} pairs left out (a face or its quality missing).`,
    '',
    table(['measure', 'FNMR 0%', '1%', '2%', '5%', '10%', '20%', 'cut at 5%'], ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'], rows),
    '',
    'The quality checks with their default limits, at the same threshold: genuine pairs where a check fires on either face, their FNMR, the FNMR of the rest, and the ratio.',
    '',
    table(
      ['check', 'severity', 'pairs', 'FNMR', 'rest', 'ratio'],
      ['l', 'l', 'r', 'r', 'r', 'r'],
      report.checks.map((c) => [c.check, c.severity, c.pairs.toLocaleString('en-US'), c.pairs ? pct(c.fnmr) : '–', pct(c.restFnmr), c.pairs ? (Number.isFinite(c.ratio) ? `×${c.ratio.toFixed(1)}` : '∞') : '–']),
    ),
  ].join('\n');
}
