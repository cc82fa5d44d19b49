/**
 * Writes the results of an LFW run: `lfw-report.json` (the {@link LfwReport} contract), a Markdown
 * summary, the ROC curve and score histograms as SVG, and the per-pair scores as CSV.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderEdcSvg, renderRocSvg, renderScoreHistogramSvg } from './charts.js';
import { rocCurve } from './metrics.js';
import { int, ms, pct, table } from './markdown.js';
import { qualityMarkdown } from './quality-report.js';
import { sig } from './svg.js';
import type { LfwReport, PairLabel, PairScore, StageTimings } from './types.js';

/**
 * A pair as the report writer takes it: its label, and its image paths when known (for the CSV).
 *
 * @category Benchmark
 */
export interface ReportPair extends PairLabel {
  /** First image, relative to the data folder. */
  a?: string;
  /** Second image, relative to the data folder. */
  b?: string;
}

/**
 * The per-pair scores the report's pictures and CSV are drawn from: parallel arrays, as given to
 * {@link evaluateProtocol}.
 *
 * @category Benchmark
 */
export interface ReportData {
  /** The pairs, in file order. */
  pairs: readonly ReportPair[];
  /** One score per pair; `null` when a face was missing. */
  scores: readonly PairScore[];
}

/**
 * Options of {@link writeReports}.
 *
 * @category Benchmark
 */
export interface WriteReportsOptions {
  /** Prefix of the file names. Default `lfw`. */
  basename?: string;
}

/**
 * The files {@link writeReports} wrote, as absolute paths.
 *
 * @category Benchmark
 */
export interface ReportFiles {
  /** `<basename>-report.json`: the {@link LfwReport}. */
  json: string;
  /** `<basename>-report.md`: the summary. */
  markdown: string;
  /** `<basename>-roc.svg`: the ROC curve. */
  roc: string;
  /** `<basename>-scores.svg`: the score histograms. */
  histogram: string;
  /** `<basename>-pair-scores.csv`: fold, label, score and images of every pair. */
  csv: string;
  /** `<basename>-quality-edc.svg`: the error-versus-discard curves, for a run with `--quality`. */
  edc?: string;
}

/**
 * Names of the picture files a Markdown summary links to.
 *
 * @category Benchmark
 */
export interface MarkdownFigures {
  /** Relative path of the ROC picture. */
  roc: string;
  /** Relative path of the histogram picture. */
  histogram: string;
  /** Relative path of the error-versus-discard picture, for a run with `--quality`. */
  edc?: string;
}

/** A formatter giving every value of a column the same decimals: four significant digits of the largest. */
function sameDecimals(values: readonly number[]): (v: number) => string {
  const top = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  const decimals = top === 0 ? 4 : Math.max(0, Math.min(8, 3 - Math.floor(Math.log10(top))));
  return (v) => v.toFixed(decimals);
}

/** The label of a run in legends and titles: `embedder + detector`. */
/** The curves the EDC chart draws: the overall quality, the four components that cut the most at 5%, random discard (the table has them all). */
function edcChartCurves(report: NonNullable<LfwReport['quality']>): NonNullable<LfwReport['quality']>['curves'] {
  const overall = report.curves.filter((c) => c.measure === 'overall');
  const random = report.curves.filter((c) => c.measure === 'random');
  const components = report.curves.filter((c) => c.measure !== 'overall' && c.measure !== 'random').sort((a, b) => b.cutAt5 - a.cutAt5);
  return [...overall, ...components.slice(0, 4), ...random];
}

function runLabel(report: LfwReport): string {
  return `${report.embedder} + ${report.detector}${report.faceSelection ? ` · ${report.faceSelection} face` : ''}`;
}

function subtitle(report: LfwReport): string {
  return `${runLabel(report)} · ${report.backend} · ${report.dataset}: ${int(report.pairs)} pairs, ${report.folds} folds · facematch ${report.version}`;
}

/**
 * The JSON text of `lfw-report.json`: the report, indented, with a final newline.
 *
 * @category Benchmark
 */
export function reportJson(report: LfwReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * The per-pair scores as CSV: `fold,same,score,a,b`, folds 1-based, `same` 1 or 0, an empty score
 * for a pair without a face.
 *
 * @category Benchmark
 */
export function pairScoresCsv(data: ReportData): string {
  const quote = (s: string | undefined): string => (s === undefined ? '' : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = data.pairs.map((p, i) => {
    const s = data.scores[i];
    return [p.fold + 1, p.same ? 1 : 0, s === null || s === undefined ? '' : String(s), quote(p.a), quote(p.b)].join(',');
  });
  return `fold,same,score,a,b\n${lines.join('\n')}\n`;
}

function stagesTable(stages: StageTimings): string {
  const rows = (['decode', 'detect', 'align', 'embed', 'total'] as const).flatMap((name) => {
    const s = stages[name];
    return s === undefined ? [] : [[name, ms(s.p50), ms(s.p95), ms(s.mean), int(s.count)]];
  });
  return table(['stage', 'p50 ms', 'p95 ms', 'mean ms', 'images'], ['l', 'r', 'r', 'r', 'r'], rows);
}

/** A TAR at a FAR, saying when the run has too few different-person pairs for that FAR to mean anything. */
function tarCell(report: LfwReport, far: '1e-2' | '1e-3'): string {
  const needed = Math.round(1 / Number(far));
  const value = pct(report.tarAtFar[far]);
  if (report.differentPairs >= needed) return value;
  return `${value} (FAR ${far} needs at least ${int(needed)} different-person pairs for one false accept to mean ${far}; with ${int(report.differentPairs)} this is the TAR at no false accept)`;
}

/** The approve-threshold section: the recommendation, or why there is none. */
function approveThresholdSection(a: NonNullable<LfwReport['approveThreshold']>, folds: number): string[] {
  const out = [`## Approve threshold for FAR ≤ ${sig(a.targetFar)}`, '', a.summary, ''];
  if (a.status === 'too-few-pairs') return out;
  out.push(
    table(
      ['fold', 'threshold (chosen on the other folds)', 'FAR held out', 'FRR held out'],
      ['r', 'r', 'r', 'r'],
      a.perFold.map((f) => [String(f.fold + 1), f.threshold === null ? 'none ≤ 100' : sig(f.threshold), pct(f.far, 3), pct(f.frr)]),
    ),
    '',
    `Each fold's threshold is the lowest whose FAR on the other ${folds - 1} folds (at least ${int(a.trainingDifferentPairs)} different-person pairs) ` +
      `is at most ${sig(a.targetFar)}; the recommendation is the largest of them, rounded up. The held-out rates are the per-fold thresholds' own, ` +
      'not the recommendation\'s.',
    '',
  );
  return out;
}

/**
 * The Markdown summary: headline metrics, provider thresholds, per-fold results, the approve
 * threshold (when the run has one), throughput, machine, and links to the two pictures when
 * `figures` is given.
 *
 * @category Benchmark
 */
export function renderMarkdown(report: LfwReport, figures?: MarkdownFigures): string {
  const { accuracy: acc, folds } = report;
  const out: string[] = [];
  out.push(`# LFW benchmark: ${runLabel(report)}`, '');
  out.push(
    `facematch ${report.version} · backend \`${report.backend}\` · \`${report.dataset}\`: ${int(report.pairs)} pairs in ${folds} fold${folds === 1 ? '' : 's'} · ${report.createdAt}`,
    '',
  );

  out.push('## Accuracy', '');
  out.push(
    table(
      ['metric', 'value'],
      ['l', 'r'],
      [
        [`Accuracy, ${folds}-fold (mean ± std)`, `**${pct(acc.mean)}** ± ${pct(acc.std)}`],
        [`Standard error (std / √${folds})`, pct(acc.stderr)],
        ['ROC AUC', report.auc.toFixed(5)],
        ['Equal error rate', `${pct(report.eer)} (threshold ${sig(report.eerThreshold)})`],
        ['TAR @ FAR = 1e-2', tarCell(report, '1e-2')],
        ['TAR @ FAR = 1e-3', tarCell(report, '1e-3')],
        ['Pairs without a face (counted wrong)', `${int(report.noFacePairs)} of ${int(report.pairs)}`],
        ...(report.noFaceImages === undefined ? [] : [['Images without a face', int(report.noFaceImages)]]),
      ],
    ),
    '',
  );
  out.push(
    report.thresholdSelection === 'cross-validation'
      ? `Each fold is scored with the threshold that maximises accuracy on the other ${folds - 1} folds (LFW View 2 protocol). ` +
          `std is the sample standard deviation of the ${folds} fold accuracies; the standard error is std / √${folds}. ` +
          'A pair with an image in which no face was found counts as a wrong answer.'
      : 'This file has a single fold: the threshold was chosen on the same pairs it is scored on, so the accuracy is optimistic. ' +
          'A pair with an image in which no face was found counts as a wrong answer.',
    '',
  );

  if (report.providerThresholds.length > 0) {
    out.push('## Provider thresholds', '');
    out.push(
      table(
        ['setting', 'threshold', 'FAR', 'FRR', 'accuracy'],
        ['l', 'r', 'r', 'r', 'r'],
        report.providerThresholds.map((p) => [p.provider, sig(p.threshold), pct(p.far), pct(p.frr), pct(p.accuracy)]),
      ),
      '',
      'A pair is accepted when its score is at least the threshold, over all pairs (no cross-validation).',
      '',
    );
  }

  out.push('## Per fold', '');
  out.push(
    table(
      ['fold', 'threshold', 'accuracy'],
      ['r', 'r', 'r'],
      acc.perFold.map((a, i) => [String(i + 1), sameDecimals(report.thresholds)(report.thresholds[i] ?? Number.NaN), pct(a)]),
    ),
    '',
  );

  if (report.approveThreshold !== undefined) out.push(...approveThresholdSection(report.approveThreshold, folds));

  if (report.fusionWeights !== undefined) {
    const f = report.fusionWeights;
    out.push('## Fusion', '', `The fused cosine is ${f.parts.map((p, i) => `${f.weights[i]!.toFixed(4)} × cos(${p})`).join(' + ')}: each part weighs the inverse of its cosines' standard deviation (${f.fittedOn}; no labels used).`, '');
  }

  if (report.quality !== undefined) {
    out.push('## Face quality', '', qualityMarkdown(report.quality), '');
    if (figures?.edc !== undefined) out.push(`![Error versus discard](${figures.edc})`, '');
  }

  out.push('## Throughput', '');
  if (report.throughput === null) {
    out.push(
      'Not measured: every embedding came from the cache, and no earlier run of this configuration recorded its throughput. ' +
        'Rerun with `--no-cache` (or an empty `--cache` folder) to measure it.',
      '',
    );
  } else {
    const t = report.throughput;
    const rate = `${int(t.images)} images in ${t.seconds.toFixed(1)} s with ${t.workers} worker${t.workers === 1 ? '' : 's'}: **${t.imagesPerSecond.toFixed(1)} images/s**`;
    out.push(
      t.cached
        ? `Every embedding of this run came from the cache; these are the figures of the earlier run of the same configuration that computed them, ` +
            `measured ${t.measuredAt}: ${rate}.`
        : `${rate}.`,
      '',
      stagesTable(t.stages),
      '',
      'Stage latencies are per image, within one worker.',
      '',
    );
  }

  out.push('## Machine', '');
  const m = report.machine;
  out.push(
    table(
      ['CPU', 'cores', 'memory', 'Node.js', 'OS', 'backend'],
      ['l', 'r', 'r', 'l', 'l', 'l'],
      [[m.cpu, String(m.cores), `${m.memoryGiB} GiB`, m.node, m.os, report.backend]],
    ),
    '',
  );

  if (figures !== undefined) {
    out.push('## Figures', '', `![ROC curve](${figures.roc})`, '', `![Score distributions](${figures.histogram})`, '');
  }
  return out.join('\n');
}

/**
 * The two pictures of a run: the ROC curve and the score histograms with the mean 10-fold
 * threshold, the per-fold threshold range and the provider thresholds marked.
 *
 * @category Benchmark
 */
export function renderReportCharts(report: LfwReport, data: ReportData): MarkdownFigures {
  const meanThreshold = report.thresholds.reduce((a, b) => a + b, 0) / Math.max(1, report.thresholds.length);
  return {
    roc: renderRocSvg([{ label: runLabel(report), curve: rocCurve(data.pairs, data.scores) }], {
      title: `ROC curve · LFW ${report.dataset}`,
      subtitle: subtitle(report),
    }),
    ...(report.quality
      ? {
          edc: renderEdcSvg(
            edcChartCurves(report.quality).map((c) => ({
              label: c.measure === 'random' ? 'random discard' : c.measure === 'overall' ? 'overall quality' : c.measure,
              points: c.points,
              ...(c.measure === 'overall' ? { emphasis: true, color: '#1d4ed8' } : {}),
              ...(c.measure === 'random' ? { dashed: true, color: '#6b7280' } : {}),
            })),
            { title: `Error versus discard · LFW ${report.dataset}`, subtitle: `${subtitle(report)} · threshold for FMR ${report.quality.targetFmr}` },
          ),
        }
      : {}),
    histogram: renderScoreHistogramSvg(data.pairs, data.scores, {
      title: `Score distributions · LFW ${report.dataset}`,
      subtitle: subtitle(report),
      foldThresholds: report.thresholds,
      thresholds: [
        { label: `${report.folds}-fold threshold ${sig(meanThreshold)} (mean)`, value: meanThreshold },
        ...report.providerThresholds.map((p) => ({ label: `${p.provider} ${sig(p.threshold)}`, value: p.threshold })),
      ],
    }),
  };
}

/**
 * Writes the JSON report, the Markdown summary, the two SVG pictures and the per-pair CSV into
 * `outDir` (created when missing).
 *
 * @example
 * ```ts
 * const files = await writeReports(report, 'bench/results', { pairs, scores });
 * console.log(files.markdown);
 * ```
 * @category Benchmark
 */
export async function writeReports(report: LfwReport, outDir: string, data: ReportData, options: WriteReportsOptions = {}): Promise<ReportFiles> {
  const base = options.basename ?? 'lfw';
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  const files: ReportFiles = {
    json: path.join(dir, `${base}-report.json`),
    markdown: path.join(dir, `${base}-report.md`),
    roc: path.join(dir, `${base}-roc.svg`),
    histogram: path.join(dir, `${base}-scores.svg`),
    csv: path.join(dir, `${base}-pair-scores.csv`),
    ...(report.quality ? { edc: path.join(dir, `${base}-quality-edc.svg`) } : {}),
  };
  const charts = renderReportCharts(report, data);
  await Promise.all([
    writeFile(files.json, reportJson(report)),
    writeFile(
      files.markdown,
      renderMarkdown(report, { roc: path.basename(files.roc), histogram: path.basename(files.histogram), ...(files.edc ? { edc: path.basename(files.edc) } : {}) }),
    ),
    ...(files.edc && charts.edc ? [writeFile(files.edc, charts.edc)] : []),
    writeFile(files.roc, charts.roc),
    writeFile(files.histogram, charts.histogram),
    writeFile(files.csv, pairScoresCsv(data)),
  ]);
  return files;
}
