/**
 * The side-by-side comparison document (`docs/benchmarks.md`) and its ROC picture: facematch and the
 * peer libraries, each run through the same LFW harness.
 * @module
 */
import { renderRocSvg, type RocSeries } from '../lfw/charts.js';
import { int, ms, pct, table } from '../lfw/markdown.js';
import { rocCurve, type RocCurve } from '../lfw/metrics.js';
import type { LfwMetrics, LfwReport, MachineInfo, Throughput } from '../lfw/types.js';
import type { EngineBenchResult } from './run.js';

/**
 * Another way of scoring the same embeddings, with its metrics.
 *
 * @category Benchmark
 */
export interface AlternativeScoring {
  /** What it computes. */
  label: string;
  /** Its metrics. */
  metrics: LfwMetrics;
}

/**
 * One library's row of the comparison.
 *
 * @category Benchmark
 */
export interface ComparisonEntry {
  /** Library and version, such as `face-api 1.7.15`. */
  library: string;
  /** The pipeline in a few words. */
  pipeline: string;
  /** How a pair is scored, such as `negated Euclidean distance`. */
  scoring: string;
  /** The library's report (the documented scoring). */
  report: LfwReport;
  /** Throughput to show: this run's, or (`cached`) the earlier run's that computed every embedding this one took from the cache. */
  throughput: Throughput | null;
  /** The ROC curve, for the picture. */
  curve?: RocCurve;
  /** Other scorings of the same embeddings. */
  alternatives?: AlternativeScoring[];
  /** The metrics on only the pairs where both faces were found, when some pairs lack a face. */
  facesFound?: FacesFoundSummary;
}

/**
 * Metrics on the pairs where both faces were found.
 *
 * @category Benchmark
 */
export interface FacesFoundSummary {
  /** Number of such pairs. */
  pairs: number;
  /** Their metrics. */
  metrics: LfwMetrics;
}

/**
 * What {@link renderComparisonMarkdown} writes.
 *
 * @category Benchmark
 */
export interface ComparisonDocument {
  /** The rows, in table order. */
  entries: readonly ComparisonEntry[];
  /** The dataset, such as `LFW lfw-deepfunneled, pairs.txt`. */
  dataset: string;
  /** The machine the runs used. */
  machine: MachineInfo;
  /** When the comparison was produced (ISO 8601). */
  date: string;
  /** Relative path of the ROC picture, linked from the document. */
  rocFile: string;
  /** How each library was set up, one Markdown paragraph or list item each. */
  setup: readonly string[];
  /** Shell commands that reproduce the document. */
  commands: readonly string[];
}

/**
 * A library's row of the comparison, from its run: the one row builder for facematch and the
 * peers alike.
 *
 * @category Benchmark
 */
export function comparisonEntry(run: EngineBenchResult): ComparisonEntry {
  const [primary, ...others] = run.comparisons;
  return {
    library: `${run.library} ${run.version}`,
    pipeline: run.pipeline,
    scoring: primary!.label,
    report: run.report,
    throughput: run.report.throughput,
    curve: rocCurve(run.pairs, run.scores),
    ...(others.length > 0 ? { alternatives: others.map((o) => ({ label: o.label, metrics: o.metrics })) } : {}),
    ...(run.facesFound ? { facesFound: run.facesFound } : {}),
  };
}

/** Milliseconds, or a dash for a stage the library does not time separately. */
function msCell(v: number | undefined): string {
  return v === undefined ? '–' : ms(v);
}

function accuracyCell(m: LfwMetrics): string {
  return `**${pct(m.accuracy.mean)}** ± ${pct(m.accuracy.std)}`;
}

function throughputCell(e: ComparisonEntry): string {
  if (e.throughput === null) return 'cached¹';
  const rate = e.throughput.imagesPerSecond.toFixed(1);
  return e.throughput.cached ? `${rate}²` : rate;
}

/**
 * The comparison document in Markdown: the side-by-side table, the ROC picture, the other
 * scorings, the pairs-with-faces figures, per-stage latency, set-up, machine and commands.
 *
 * @category Benchmark
 */
export function renderComparisonMarkdown(doc: ComparisonDocument): string {
  const out: string[] = [];
  const first = doc.entries[0]?.report;
  const pairs = first ? `${int(first.pairs)} pairs in ${first.folds} folds` : 'no runs';
  // Front matter: the docs site lists this page among the guides.
  out.push('---', 'title: Benchmarks', 'group: Guides', 'category: Guides', '---', '');
  out.push('# Benchmarks: facematch, face-api and human on LFW', '');
  out.push(
    `Every library below ran through facematch's LFW harness on the same machine, the same LFW pairs (\`${doc.dataset}\`, ${pairs}) ` +
      'and the same decoded pixels, with the same protocol and the same report code. Measured ' +
      `${doc.date.slice(0, 10)}.`,
    '',
  );

  out.push('## Side by side', '');
  out.push(
    table(
      ['library', 'model / pipeline', 'accuracy (mean ± std)', 'AUC', 'EER', 'TAR @ FAR 1e-2', 'TAR @ FAR 1e-3', 'no-face pairs (images)', 'images/s', 'workers', 'backend'],
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      doc.entries.map((e) => [
        e.library,
        `${e.pipeline}; ${e.scoring}`,
        accuracyCell(e.report),
        e.report.auc.toFixed(4),
        pct(e.report.eer),
        pct(e.report.tarAtFar['1e-2']),
        pct(e.report.tarAtFar['1e-3']),
        e.report.noFaceImages === undefined
          ? int(e.report.noFacePairs)
          : `${int(e.report.noFacePairs)} (${int(e.report.noFaceImages)} image${e.report.noFaceImages === 1 ? '' : 's'})`,
        throughputCell(e),
        e.throughput === null ? '–' : String(e.throughput.workers),
        e.report.backend,
      ]),
    ),
    '',
  );
  const notes = [
    `Accuracy: ${first?.folds ?? 10}-fold cross-validation in file order, each fold scored with the threshold that maximises accuracy on the other folds; ` +
      'std is the sample standard deviation of the fold accuracies. A pair with an image in which the library found no face counts as a wrong answer, ' +
      'at every threshold (it also caps the ROC: a no-face different-person pair is a false accept everywhere, so TAR at a FAR below its share is 0).',
    'images/s: end to end (file read, decode, detection, landmarks, embedding) over all workers, wall clock; each worker is a thread with its own tfjs.',
  ];
  if (doc.entries.some((e) => e.throughput === null)) notes.push('¹ every embedding came from the cache, and no earlier run of the same configuration recorded its throughput: rerun with `--cold <library>`.');
  const recalled = doc.entries.filter((e) => e.throughput?.cached === true);
  if (recalled.length > 0) {
    notes.push(
      '² every embedding came from the cache: the rate is the one measured by the earlier run of the same configuration on this machine that computed them (' +
        `${recalled.map((e) => `${e.library}: measured ${e.throughput!.measuredAt.slice(0, 10)}`).join('; ')}).`,
    );
  }
  out.push(...notes.map((n) => `- ${n}`), '');
  out.push(`![ROC curves of every library](${doc.rocFile})`, '');

  const alternatives = doc.entries.flatMap((e) => (e.alternatives ?? []).map((a) => ({ e, a })));
  if (alternatives.length > 0) {
    out.push('## The same embeddings, scored other ways', '');
    out.push(
      'The table above scores each library the way its documentation says. For reference, the same embeddings scored otherwise:',
      '',
      table(
        ['library', 'scoring', 'accuracy (mean ± std)', 'AUC', 'EER', 'TAR @ FAR 1e-2', 'TAR @ FAR 1e-3'],
        ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
        alternatives.map(({ e, a }) => [
          e.library,
          a.label,
          accuracyCell(a.metrics),
          a.metrics.auc.toFixed(4),
          pct(a.metrics.eer),
          pct(a.metrics.tarAtFar['1e-2']),
          pct(a.metrics.tarAtFar['1e-3']),
        ]),
      ),
      '',
    );
  }

  const found = doc.entries.filter((e) => e.facesFound !== undefined);
  if (found.length > 0) {
    out.push('## Only the pairs where the library found both faces', '');
    out.push(
      'Dropping the pairs a library could not read flatters it and is not the protocol; it shows how good its embeddings are when its detector works.',
      '',
      table(
        ['library', 'pairs kept', 'accuracy (mean ± std)', 'AUC', 'EER'],
        ['l', 'r', 'r', 'r', 'r'],
        found.map((e) => [e.library, `${int(e.facesFound!.pairs)} of ${int(e.report.pairs)}`, accuracyCell(e.facesFound!.metrics), e.facesFound!.metrics.auc.toFixed(4), pct(e.facesFound!.metrics.eer)]),
      ),
      '',
    );
  }

  const timed = doc.entries.filter((e) => e.throughput !== null);
  if (timed.length > 0) {
    out.push('## Per-image latency (ms, within one worker)', '');
    out.push(
      table(
        ['library', 'decode p50', 'detect p50', 'align p50', 'embed p50', 'total p50', 'total p95', 'images timed'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        timed.map((e) => {
          const s = e.throughput!.stages;
          return [e.library, msCell(s.decode?.p50), msCell(s.detect?.p50), msCell(s.align?.p50), msCell(s.embed?.p50), msCell(s.total?.p50), msCell(s.total?.p95), int(s.total?.count ?? 0)];
        }),
      ),
      '',
      'A dash: the library runs that stage inside a larger call, which is timed as a whole (face-api: landmarks and alignment are part of `embed`; human: one `detect` call).',
      '',
    );
  }

  if (doc.setup.length > 0) out.push('## How each library was run', '', ...doc.setup.map((s) => `- ${s}`), '');

  const m = doc.machine;
  out.push('## Machine', '');
  out.push(
    table(['CPU', 'cores', 'memory', 'Node.js', 'OS'], ['l', 'r', 'r', 'l', 'l'], [[m.cpu, String(m.cores), `${m.memoryGiB} GiB`, m.node, m.os]]),
    '',
    'The machine was shared with other work while the benchmarks ran; throughput is indicative.',
    '',
  );
  out.push('## Reproduce', '', '```sh', ...doc.commands, '```', '');
  return out.join('\n');
}

/**
 * The ROC curves of every entry that has one, on one chart.
 *
 * @category Benchmark
 */
export function renderComparisonRoc(entries: readonly ComparisonEntry[], dataset: string): string {
  const series: RocSeries[] = entries.flatMap((e) => (e.curve === undefined ? [] : [{ label: e.library, curve: e.curve }]));
  return renderRocSvg(series, { title: 'ROC curves · facematch and peers', subtitle: `${dataset} · same pairs, same protocol` });
}
