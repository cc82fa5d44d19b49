import path from 'node:path';
import { scoreFromSimilarity, type Calibration } from '../../src/compare/calibration.js';
import { cosineSimilarity } from '../../src/compare/distance.js';
import { DEFAULT_APPROVE_THRESHOLD, DEFAULT_DECLINE_THRESHOLD } from '../../src/compare/decision.js';
import type { FaceMatcherOptions } from '../../src/matcher-options.js';
import { describePipeline } from '../../src/matcher.js';
import { initBackend } from '../../src/runtime/backend.js';
import { readModelManifest } from '../../src/runtime/models.js';
import { packageVersion } from '../../src/runtime/package.js';
import { parseCalibration } from '../../src/compare/calibration.js';
import { calibrate, crossValidatedFarThreshold, type CalibrationReport, type FarThresholdChoice } from './calibrate.js';
import { embedImages, type EmbeddedImages } from './embed-images.js';
import { machineInfo } from './machine.js';
import { evaluateProtocol } from './metrics.js';
import { findLfw, firstPairsOfEachFold, loadPairs } from './pairs.js';
import { writeReports, type ReportFiles } from './report.js';
import type { LfwPair, LfwReport, PairScore } from './types.js';
import { throughputOf } from './stats.js';

/** Options of {@link runLfwBench}. */
export interface LfwBenchOptions {
  /** LFW folder; default FACEMATCH_LFW_DIR. */
  data?: string;
  /** Pairs file; default `<data>/pairs.txt`. */
  pairs?: string;
  /** Worker threads; default one per core. */
  workers?: number;
  /** Use only the first N pairs of each fold, keeping the fold structure. */
  limit?: number;
  /** FaceMatcher options (embedder name, detector, backend, alignment, flip). */
  matcher?: FaceMatcherOptions;
  /** Folder for the reports; none written when absent. */
  out?: string;
  /** Write the JSON report here too. */
  json?: string;
  /** Embedding cache folder, or false for none. Default `.cache/facematch`. */
  cache?: string | false;
  /** Fit the score calibration on these pairs instead of using the stored one. */
  fitCalibration?: boolean;
  /** Print progress. Default true. */
  progress?: boolean;
}

/** What {@link runLfwBench} returns. */
export interface LfwBenchResult {
  /** The report (JSON contract of `--json`). */
  report: LfwReport;
  /** The pairs evaluated, in file order (after `limit`). */
  pairs: LfwPair[];
  /** Cosine similarity per pair, null where a face was missing. */
  similarities: (number | null)[];
  /** The embedding run. */
  embedded: EmbeddedImages;
  /** The calibration fitted on these pairs, when asked for. */
  fitted?: CalibrationReport;
  /** The approve threshold for FAR <= 0.1%, chosen by cross-validation over the folds (with the calibration in use). */
  approveThreshold?: FarThresholdChoice;
  /** The report files, when written. */
  files?: ReportFiles;
}

/**
 * Runs the LFW protocol end to end: embeds every distinct image once (worker pool, cache), scores
 * every pair, and evaluates the 10-fold protocol and the provider thresholds.
 */
export async function runLfwBench(options: LfwBenchOptions = {}): Promise<LfwBenchResult> {
  const location = await findLfw(options.data, options.pairs === undefined ? {} : { pairs: options.pairs });
  const loaded = await loadPairs(location);
  const pairs = firstPairsOfEachFold(loaded.pairs, options.limit);
  const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const matcher: FaceMatcherOptions = { embedder: 'dlib-resnet', detector: 'auto', alignment: 'landmarks', ...(options.matcher ?? {}) };
  const version = packageVersion();
  const pipeline = describePipeline(matcher);
  const embedded = await embedImages(images, {
    dataDir: location.dir,
    matcher,
    workers: options.workers,
    cacheDir: options.cache ?? undefined,
    cacheSalt: { version, pipeline },
    progress: options.progress,
  });

  const similarities = pairs.map((p) => {
    const a = embedded.embeddings.get(p.a);
    const b = embedded.embeddings.get(p.b);
    return a && b ? cosineSimilarity(a.embedding, b.embedding) : null;
  });

  let fitted: CalibrationReport | undefined;
  let calibration: Calibration | undefined;
  if (options.fitCalibration) {
    const labelled = pairs.flatMap((p, i) => (similarities[i] === null ? [] : [{ similarity: similarities[i]!, same: p.same }]));
    fitted = calibrate(labelled, { fittedOn: `LFW ${path.basename(location.pairsPath)}, ${labelled.length} pairs` });
    calibration = fitted.calibration;
  } else {
    const stored = (await readModelManifest(matcher.modelsDir)).models[String(matcher.embedder)]?.calibration;
    calibration = matcher.calibration ?? (stored ? parseCalibration(stored) : undefined);
  }
  let approveThreshold: FarThresholdChoice | undefined;
  if (calibration) {
    const folded = pairs.flatMap((p, i) => (similarities[i] === null ? [] : [{ similarity: similarities[i]!, same: p.same, fold: p.fold }]));
    approveThreshold = crossValidatedFarThreshold(folded, calibration, 0.001);
  }
  const scores: PairScore[] = similarities.map((s) => (s === null ? null : calibration ? scoreFromSimilarity(s, calibration) : Math.max(0, s) * 100));

  const metrics = evaluateProtocol(pairs, scores, {
    providerThresholds: [
      { provider: 'didit decline', threshold: DEFAULT_DECLINE_THRESHOLD },
      { provider: 'didit approve', threshold: DEFAULT_APPROVE_THRESHOLD },
      { provider: 'attestr', threshold: 50 },
      { provider: 'attestr', threshold: 70 },
      { provider: 'attestr', threshold: 85 },
    ],
  });
  const backend = await initBackend(matcher.backend ?? 'auto');
  const report: LfwReport = {
    ...metrics,
    dataset: `${location.imageDir}, ${path.basename(location.pairsPath)}`,
    throughput: throughputOf(embedded),
    embedder: `${pipeline.embedder}${pipeline.flip ? ' + flip' : ''}, ${pipeline.alignment} alignment (${pipeline.framing})`,
    detector: `blazeface-${pipeline.detector} (min confidence ${pipeline.minConfidence})`,
    backend: backend.name,
    version,
    machine: machineInfo(),
    noFaceImages: embedded.failures.length,
    createdAt: new Date().toISOString(),
  };
  const result: LfwBenchResult = { report, pairs, similarities, embedded, ...(fitted ? { fitted } : {}), ...(approveThreshold ? { approveThreshold } : {}) };
  if (options.out) result.files = await writeReports(report, options.out, { pairs, scores });
  if (options.json) {
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(path.resolve(options.json)), { recursive: true });
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  return result;
}
