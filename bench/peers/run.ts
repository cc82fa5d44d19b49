/**
 * `facematch bench lfw --peer face-api|human`: a peer library through facematch's LFW harness, on
 * the same pairs, with the same protocol, metrics and reports.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BackendName } from '../../src/runtime/backend.js';
import { packageVersion } from '../../src/runtime/package.js';
import { machineInfo } from '../lfw/machine.js';
import { evaluateProtocol } from '../lfw/metrics.js';
import { findLfw, firstPairsOfEachFold, loadPairs } from '../lfw/pairs.js';
import { reportJson, writeReports, type ReportFiles } from '../lfw/report.js';
import type { LfwMetrics, LfwPair, LfwReport, PairScore } from '../lfw/types.js';
import { peerComparisons, type PeerComparison } from './comparisons.js';
import { embedPeerImages, type EmbeddedPeerImages } from './embed.js';
import { peerBackend, type PeerName } from './engine.js';
import { peerPackage, requirePeerPackages } from './packages.js';
import { PEER_DESCRIPTIONS } from './settings.js';
import { throughputOf } from '../lfw/stats.js';

/**
 * Options of {@link runPeerBench}: those of `facematch bench lfw` that apply to a peer.
 *
 * @category Benchmark
 */
export interface PeerBenchOptions {
  /** LFW folder; default FACEMATCH_LFW_DIR. */
  data?: string;
  /** Pairs file; default `<data>/pairs.txt`. */
  pairs?: string;
  /** Worker threads; default one per core. */
  workers?: number;
  /** Use only the first N matched and N mismatched pairs of each fold. */
  limit?: number;
  /** Backend: `auto` or `wasm` (the peers' node-wasm builds). Default `auto`. */
  backend?: BackendName;
  /** Folder for the reports (`lfw-<peer>-report.json`, …); none written when absent. */
  out?: string;
  /** Write the JSON report here too. */
  json?: string;
  /** Embedding cache folder, or false for none. Default `.cache/facematch`. */
  cache?: string | false;
  /** Print progress. Default true. */
  progress?: boolean;
}

/**
 * The metrics one way of comparing a peer's embeddings gives.
 *
 * @category Benchmark
 */
export interface ComparisonMetrics {
  /** The comparison's id, such as `euclidean`. */
  id: string;
  /** What it computes. */
  label: string;
  /** Its metrics on the pairs (no provider thresholds). */
  metrics: LfwMetrics;
}

/**
 * What {@link runPeerBench} returns.
 *
 * @category Benchmark
 */
export interface PeerBenchResult {
  /** The report (the JSON contract of `--json`), from the library's documented comparison. */
  report: LfwReport;
  /** Which library. */
  peer: PeerName;
  /** The pairs, in file order. */
  pairs: LfwPair[];
  /** The documented comparison's score per pair, null where a face was missing. */
  scores: PairScore[];
  /** Every comparison measured, the documented one (the report's) first. */
  comparisons: ComparisonMetrics[];
  /**
   * The documented comparison's metrics on only the pairs where the library found both faces
   * (folds kept), for reference: optimistic, and not comparable with the protocol's figures.
   * `null` when no pair lacks a face (they would equal the report's) or too few remain.
   */
  facesFound: FacesFoundMetrics | null;
  /** The embedding run. */
  embedded: EmbeddedPeerImages;
  /** The report files, when written. */
  files?: ReportFiles;
}

/**
 * Metrics on the subset of pairs where both faces were found.
 *
 * @category Benchmark
 */
export interface FacesFoundMetrics {
  /** Pairs in the subset. */
  pairs: number;
  /** The protocol's metrics on them. */
  metrics: LfwMetrics;
}

/** The protocol on only the pairs with both faces; null when that is every pair or the subset lacks a kind or a fold. */
function metricsWhereFacesFound(pairs: readonly LfwPair[], scores: readonly PairScore[]): FacesFoundMetrics | null {
  const kept = pairs.flatMap((p, i) => (scores[i] === null ? [] : [{ pair: p, score: scores[i]! }]));
  if (kept.length === pairs.length) return null;
  const folds = new Set(pairs.map((p) => p.fold));
  const keptFolds = new Set(kept.map((k) => k.pair.fold));
  if (keptFolds.size !== folds.size || !kept.some((k) => k.pair.same) || !kept.some((k) => !k.pair.same)) return null;
  return { pairs: kept.length, metrics: evaluateProtocol(kept.map((k) => k.pair), kept.map((k) => k.score)) };
}

function scorePairs(pairs: readonly LfwPair[], embedded: EmbeddedPeerImages, comparison: PeerComparison): PairScore[] {
  return pairs.map((p) => {
    const a = embedded.embeddings.get(p.a);
    const b = embedded.embeddings.get(p.b);
    return a && b ? comparison.score(a.embedding, b.embedding) : null;
  });
}

/**
 * Runs a peer library through the LFW protocol: embeds every distinct image once with the library
 * (worker pool, cache), scores every pair with the library's documented comparison (and the other
 * comparisons, for reference), and evaluates the 10-fold protocol and the library's own threshold.
 *
 * @example
 * ```ts
 * const { report, comparisons } = await runPeerBench('face-api', { workers: 2 });
 * console.log(report.accuracy.mean, comparisons.map((c) => [c.id, c.metrics.accuracy.mean]));
 * ```
 * @throws {@link FaceMatchError} `INVALID_INPUT` for a missing LFW folder or pairs file, `BACKEND_ERROR`
 *   for a backend other than `auto` or `wasm`; the pool's error when a worker cannot start.
 * @category Benchmark
 */
export async function runPeerBench(peer: PeerName, options: PeerBenchOptions = {}): Promise<PeerBenchResult> {
  const backend = peerBackend(options.backend ?? 'auto');
  requirePeerPackages(peer);
  const location = await findLfw(options.data, options.pairs === undefined ? {} : { pairs: options.pairs });
  const pairs = firstPairsOfEachFold((await loadPairs(location)).pairs, options.limit);
  const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const comparisons = await peerComparisons(peer);
  const embedded = await embedPeerImages(peer, images, {
    dataDir: location.dir,
    backend,
    workers: options.workers,
    cacheDir: options.cache,
    progress: options.progress,
  });

  const measured = comparisons.map((c) => ({ comparison: c, scores: scorePairs(pairs, embedded, c) }));
  const primary = measured[0]!;
  const metrics = evaluateProtocol(pairs, primary.scores, {
    providerThresholds: primary.comparison.threshold ? [primary.comparison.threshold] : [],
  });
  const description = PEER_DESCRIPTIONS[peer];
  const pkg = peerPackage(peer);
  const report: LfwReport = {
    ...metrics,
    dataset: `${location.imageDir}, ${path.basename(location.pairsPath)}`,
    throughput: throughputOf(embedded),
    embedder: `${pkg.name}@${embedded.peerVersion} ${description.embedder}, ${primary.comparison.label}`,
    detector: description.detector,
    backend,
    version: packageVersion(),
    machine: machineInfo(),
    noFaceImages: embedded.failures.length,
    createdAt: new Date().toISOString(),
  };
  const result: PeerBenchResult = {
    report,
    peer,
    pairs,
    scores: primary.scores,
    comparisons: measured.map((m, i) => ({
      id: m.comparison.id,
      label: m.comparison.label,
      metrics: i === 0 ? { ...metrics, providerThresholds: [] } : evaluateProtocol(pairs, m.scores),
    })),
    facesFound: metricsWhereFacesFound(pairs, primary.scores),
    embedded,
  };
  if (options.out) result.files = await writeReports(report, options.out, { pairs, scores: primary.scores }, { basename: `lfw-${peer}` });
  if (options.json) {
    await mkdir(path.dirname(path.resolve(options.json)), { recursive: true });
    await writeFile(options.json, reportJson(report));
  }
  return result;
}
