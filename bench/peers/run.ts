/**
 * One protocol run for every engine: `facematch bench lfw` (facematch with the matcher options it
 * is given) and `facematch bench lfw --peer face-api|human` go through the same steps: find the
 * pairs, embed every distinct image once with the engine (the one worker loop, the cache), score
 * the pairs, evaluate the 10-fold protocol, and write the same reports.
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCalibration, scoreFromSimilarity, type Calibration } from '../../src/compare/calibration.js';
import { DEFAULT_APPROVE_THRESHOLD, DEFAULT_DECLINE_THRESHOLD } from '../../src/compare/decision.js';
import { cosineSimilarity } from '../../src/compare/distance.js';
import { calibrationKeyOf, findStoredCalibration } from '../../src/compare/stored.js';
import { isFusedEmbedder } from '../../src/embed/fusion.js';
import { FaceMatcher, type PipelineDescription } from '../../src/matcher.js';
import type { FaceMatcherOptions } from '../../src/matcher-options.js';
import { initBackend, type BackendName } from '../../src/runtime/backend.js';
import { modelEnv } from '../../src/runtime/models.js';
import { calibrationKeyId, userModelsHome, writeCalibration, type CalibrationKey } from '../../src/runtime/user-models.js';
import { packageVersion } from '../../src/runtime/package.js';
import { DEFAULT_CACHE_DIR } from '../lfw/cache.js';
import { approveThresholdReport, calibrate, type CalibrationReport } from '../lfw/calibrate.js';
import { fusedCosine, partCosines, zScoreWeights } from '../lfw/fusion.js';
import { machineInfo } from '../lfw/machine.js';
import { qualityReport } from '../lfw/quality-report.js';
import { evaluateProtocol } from '../lfw/metrics.js';
import { findLfw, firstPairsOfEachFold, loadPairs, type LfwLocation } from '../lfw/pairs.js';
import { reportJson, writeReports, type ReportFiles } from '../lfw/report.js';
import { throughputOf } from '../lfw/stats.js';
import { recallThroughput, rememberThroughput } from '../lfw/throughput-store.js';
import type { ApproveThresholdReport, LfwMetrics, LfwPair, LfwReport, PairScore, ProviderThresholdInput } from '../lfw/types.js';
import { peerComparisons } from './comparisons.js';
import { embedWithEngine, facematchCacheKey, peerCacheKey, type EmbeddedByEngine } from './embed.js';
import { peerBackend, type EngineName, type EngineSpec, type PeerName } from './engine.js';
import { peerPackage, requirePeerPackages } from './packages.js';
import { PEER_DESCRIPTIONS } from './settings.js';

/**
 * The options of a run that apply to every engine: those of `facematch bench lfw`.
 *
 * @category Benchmark
 */
export interface BenchRunOptions {
  /** LFW folder; default FACEMATCH_LFW_DIR. */
  data?: string;
  /** Pairs file; default `<data>/pairs.txt`. */
  pairs?: string;
  /** Worker threads; default one per core. */
  workers?: number;
  /** Use only the first N matched and N mismatched pairs of each fold, keeping the fold structure. */
  limit?: number;
  /** Folder for the reports; none written when absent. */
  out?: string;
  /** Write the JSON report here too. */
  json?: string;
  /** Embedding cache folder, or false for none. Default `.cache/facematch`. */
  cache?: string | false;
  /** Print progress. Default true. */
  progress?: boolean;
}

/**
 * The metrics one way of scoring an engine's embeddings gives.
 *
 * @category Benchmark
 */
export interface ComparisonMetrics {
  /** The scoring's id, such as `euclidean`. */
  id: string;
  /** What it computes. */
  label: string;
  /** Its metrics on the pairs (no provider thresholds). */
  metrics: LfwMetrics;
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

/**
 * One way of scoring the pairs, with its per-pair scores.
 *
 * @category Benchmark
 */
export interface PairScoring {
  /** Short id, such as `euclidean`. */
  id: string;
  /** What it computes, for reports. */
  label: string;
  /** One score per pair, null where a face was missing. */
  scores: PairScore[];
}

/** What an engine's scoring step gives the run: the report's scoring first, then the others. */
interface Scored<X> {
  /** The scoring the report is about (the engine's documented one), then others for reference. */
  scorings: [PairScoring, ...PairScoring[]];
  /** Thresholds to evaluate on the report's scoring. */
  providerThresholds: ProviderThresholdInput[];
  /** The approve threshold for a target FAR, for engines with a calibrated score. */
  approveThreshold?: ApproveThresholdReport;
  /** Fields the engine adds to the report. */
  report?: Partial<Pick<LfwReport, 'faceSelection' | 'modelSha256' | 'fusionWeights' | 'quality'>>;
  /** Whatever else the engine's run wants to return. */
  extra: X;
}

/** What the run needs to know about an engine, in the main thread (no library is loaded here). */
interface EngineProfile<X> {
  spec: EngineSpec;
  /** Library version. */
  version: string;
  /** The pipeline in a few words. */
  pipeline: string;
  cacheKey: string;
  progressLabel: string;
  /** Report file prefix. */
  basename: string;
  score(pairs: readonly LfwPair[], embedded: EmbeddedByEngine, location: LfwLocation): Promise<Scored<X>>;
  describe(scored: Scored<X>): Promise<{ embedder: string; detector: string; backend: string }>;
}

/**
 * What every run returns.
 *
 * @category Benchmark
 */
export interface EngineBenchResult {
  /** The report (the JSON contract of `--json`), from the engine's documented scoring. */
  report: LfwReport;
  /** Which engine. */
  library: EngineName;
  /** The library's version. */
  version: string;
  /** The pipeline in a few words, for the comparison table. */
  pipeline: string;
  /** The pairs evaluated, in file order (after `limit`). */
  pairs: LfwPair[];
  /** The report's score per pair, null where a face was missing. */
  scores: PairScore[];
  /** Every scoring measured, the report's first. */
  comparisons: ComparisonMetrics[];
  /**
   * The report's scoring on only the pairs where both faces were found (folds kept), for
   * reference: optimistic, and not comparable with the protocol's figures. `null` when no pair
   * lacks a face (they would equal the report's) or too few remain.
   */
  facesFound: FacesFoundMetrics | null;
  /** The embedding run. */
  embedded: EmbeddedByEngine;
  /** The report files, when written. */
  files?: ReportFiles;
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

/** The score of every pair under a comparison of two embeddings; null where either face is missing. */
function scorePairs(pairs: readonly LfwPair[], embedded: EmbeddedByEngine, score: (a: Float32Array, b: Float32Array) => number): PairScore[] {
  return pairs.map((p) => {
    const a = embedded.embeddings.get(p.a);
    const b = embedded.embeddings.get(p.b);
    return a && b ? score(a.embedding, b.embedding) : null;
  });
}

/** The protocol run every engine goes through. */
async function runEngineBench<X>(profile: EngineProfile<X>, options: BenchRunOptions): Promise<{ result: EngineBenchResult; extra: X }> {
  const location = await findLfw(options.data, options.pairs === undefined ? {} : { pairs: options.pairs });
  const pairs = firstPairsOfEachFold((await loadPairs(location)).pairs, options.limit);
  const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const embedded = await embedWithEngine(profile.spec, images, {
    dataDir: location.dir,
    cacheKey: profile.cacheKey,
    workers: options.workers,
    cacheDir: options.cache ?? undefined,
    progress: options.progress === false ? false : profile.progressLabel,
  });

  const scored = await profile.score(pairs, embedded, location);
  const [primary] = scored.scorings;
  const metrics = evaluateProtocol(pairs, primary.scores, { providerThresholds: scored.providerThresholds });
  const described = await profile.describe(scored);
  const dataset = `${location.imageDir}, ${path.basename(location.pairsPath)}`;
  const machine = machineInfo();
  const createdAt = new Date().toISOString();
  // A run that computed embeddings records how fast; one that took them all from the cache
  // reports the run that computed them, as such.
  const cacheDir = options.cache === false ? undefined : (options.cache ?? DEFAULT_CACHE_DIR);
  const configuration = { embeddings: profile.cacheKey, dataset, pairs: pairs.length, machine };
  let throughput = throughputOf(embedded, createdAt);
  if (cacheDir !== undefined) {
    if (throughput !== null) await rememberThroughput(cacheDir, configuration, throughput);
    else throughput = (await recallThroughput(cacheDir, configuration)) ?? null;
  }
  const report: LfwReport = {
    ...metrics,
    dataset,
    throughput,
    embedder: described.embedder,
    detector: described.detector,
    backend: described.backend,
    version: packageVersion(),
    machine,
    noFaceImages: embedded.failures.length,
    ...(scored.approveThreshold ? { approveThreshold: scored.approveThreshold } : {}),
    ...(scored.report ?? {}),
    createdAt,
  };
  const result: EngineBenchResult = {
    report,
    library: profile.spec.engine,
    version: profile.version,
    pipeline: profile.pipeline,
    pairs,
    scores: primary.scores,
    comparisons: scored.scorings.map((s, i) => ({
      id: s.id,
      label: s.label,
      metrics: i === 0 ? { ...metrics, providerThresholds: [] } : evaluateProtocol(pairs, s.scores),
    })),
    facesFound: metricsWhereFacesFound(pairs, primary.scores),
    embedded,
  };
  if (options.out) result.files = await writeReports(report, options.out, { pairs, scores: primary.scores }, { basename: profile.basename });
  if (options.json) {
    await mkdir(path.dirname(path.resolve(options.json)), { recursive: true });
    await writeFile(options.json, reportJson(report));
  }
  return { result, extra: scored.extra };
}

/**
 * Options of {@link runLfwBench}.
 *
 * @category Benchmark
 */
export interface LfwBenchOptions extends BenchRunOptions {
  /** The FaceMatcher options every worker's matcher is created with (plain data). Defaults: dlib-resnet, auto detector, landmarks alignment. */
  matcher?: FaceMatcherOptions;
  /**
   * Fit the score calibration (and a fusion's weights) on these pairs instead of using the stored
   * one, and store it where the matcher looks for it: the user models folder, or
   * `calibrationsFile`.
   */
  fitCalibration?: boolean;
  /**
   * Where a fitted calibration is stored: a calibrations JSON file (such as the package's
   * `models/calibrations.json`, for models facematch does not ship). Default: the user models
   * folder (`FACEMATCH_MODELS_HOME`).
   */
  calibrationsFile?: string;
  /** Measure how well face quality predicts errors: error-versus-discard curves in the reports. */
  quality?: boolean;
}

/** What facematch's scoring step returns besides the scores. */
interface FacematchExtra {
  similarities: (number | null)[];
  fitted?: CalibrationReport;
  stored?: string;
}

/**
 * What {@link runLfwBench} returns.
 *
 * @category Benchmark
 */
export interface LfwBenchResult extends EngineBenchResult {
  /** Cosine similarity per pair, null where a face was missing. */
  similarities: (number | null)[];
  /** The calibration fitted on these pairs, when asked for. */
  fitted?: CalibrationReport;
  /** Where the fitted calibration was stored, when it was. */
  stored?: string;
}

/** The false accept rate facematch's approve threshold is chosen for. */
const APPROVE_TARGET_FAR = 0.001;

/** The provider thresholds every facematch report evaluates. */
const FACEMATCH_PROVIDER_THRESHOLDS: readonly ProviderThresholdInput[] = Object.freeze([
  { provider: 'didit decline', threshold: DEFAULT_DECLINE_THRESHOLD },
  { provider: 'didit approve', threshold: DEFAULT_APPROVE_THRESHOLD },
  { provider: 'attestr', threshold: 50 },
  { provider: 'attestr', threshold: 70 },
  { provider: 'attestr', threshold: 85 },
]);

/** What the main thread learns about the matcher the workers will run, by creating one. */
interface MatcherFacts {
  pipeline: PipelineDescription;
  calibration: Calibration | undefined;
  /** A fusion's parts: name and dimension. */
  parts: { name: string; dimension: number }[];
  /** The key the calibration is stored under. */
  key: CalibrationKey;
  /** The stored fusion weights the matcher would use, when there are some. */
  storedWeights: number[] | undefined;
}

async function matcherFacts(options: FaceMatcherOptions): Promise<MatcherFacts> {
  const matcher = await FaceMatcher.create(options);
  try {
    const e = matcher.embedder;
    const parts = isFusedEmbedder(e) ? e.parts.map((p) => ({ name: p.name, dimension: p.dimension })) : [{ name: e.name, dimension: e.dimension }];
    const key = calibrationKeyOf(e, matcher.alignment);
    const stored = parts.length > 1 ? await findStoredCalibration(key, options.modelsDir ?? modelEnv.modelsDir) : undefined;
    return { pipeline: matcher.pipeline, calibration: matcher.calibration, parts, key, storedWeights: stored?.weights };
  } finally {
    matcher.dispose();
  }
}

/** Writes a calibration into a calibrations JSON file (the shipped format), keeping its other entries. */
async function storeInFile(file: string, key: CalibrationKey, calibration: Calibration & { weights?: number[] }): Promise<void> {
  let doc: { description?: string; calibrations: Record<string, unknown> } = {
    description: 'Calibrations fitted by `facematch bench lfw --fit-calibration` for models facematch does not ship, keyed by embedder, weights sha256 and settings. No weights are kept here.',
    calibrations: {},
  };
  try {
    doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  doc.calibrations[calibrationKeyId(key)] = { key, calibration, written: new Date().toISOString() };
  const sorted = Object.fromEntries(Object.entries(doc.calibrations).sort(([a], [b]) => (a < b ? -1 : 1)));
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...doc, calibrations: sorted }, null, 2)}\n`);
}

/**
 * Runs facematch through the LFW protocol end to end: embeds every distinct image once (worker
 * pool, cache), scores every pair with the calibrated score of its cosine similarity, and
 * evaluates the 10-fold protocol, the provider thresholds and the approve threshold for
 * FAR <= 0.1%. A fusion (`embedder: 'A+B'`) is embedded with equal weights and scored with its
 * stored weights, or, when none are stored or `fitCalibration` is set, weights from the parts'
 * similarity spread on these pairs.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for a missing LFW folder or pairs file; the
 *   pool's error when a worker cannot start.
 * @category Benchmark
 */
export async function runLfwBench(options: LfwBenchOptions = {}): Promise<LfwBenchResult> {
  const given: FaceMatcherOptions = { embedder: 'dlib-resnet', detector: 'auto', alignment: 'landmarks', ...(options.matcher ?? {}) };
  const text = typeof given.embedder === 'string' ? given.embedder : undefined;
  const fusionParts = text ? text.split('+').length : 1;
  // A fusion is embedded with fixed equal weights, whatever is stored, so that its parts' cosines
  // can be read back from the cache and any weights applied afterwards.
  const matcher: FaceMatcherOptions = fusionParts > 1 && given.fusionWeights === undefined ? { ...given, fusionWeights: Array.from({ length: fusionParts }, () => 1) } : given;
  const facts = await matcherFacts(matcher);
  const pipeline = facts.pipeline;
  const embedderLabel = `${pipeline.embedder}${pipeline.flip ? ' + flip' : ''}, ${pipeline.alignment} alignment (${pipeline.framing})`;
  const profile: EngineProfile<FacematchExtra> = {
    spec: { engine: 'facematch', matcher },
    version: packageVersion(),
    pipeline: `blazeface-${pipeline.detector} (min confidence ${pipeline.minConfidence}) → ${embedderLabel}, ${pipeline.faceSelection} face`,
    cacheKey: facematchCacheKey(matcher, pipeline),
    progressLabel: 'embedding',
    basename: 'lfw',
    async score(pairs, embedded, location) {
      let similarities: (number | null)[];
      let fusion: LfwReport['fusionWeights'];
      let fusionWeights: number[] | undefined;
      if (facts.parts.length > 1) {
        const layout = { dims: facts.parts.map((p) => p.dimension), weights: facts.parts.map(() => 1 / facts.parts.length) };
        const perPart = pairs.map((p) => {
          const a = embedded.embeddings.get(p.a);
          const b = embedded.embeddings.get(p.b);
          return a && b ? partCosines(a.embedding, b.embedding, layout) : null;
        });
        const measured = perPart.filter((c): c is number[] => c !== null);
        const useStored = !options.fitCalibration && facts.storedWeights !== undefined;
        fusionWeights = useStored ? facts.storedWeights! : zScoreWeights(measured);
        fusion = {
          parts: facts.parts.map((p) => p.name),
          weights: fusionWeights,
          fittedOn: useStored ? 'the weights stored with the calibration' : `the spread of each part's cosines over these ${measured.length.toLocaleString('en-US')} pairs`,
        };
        similarities = perPart.map((c) => (c === null ? null : fusedCosine(c, fusionWeights!)));
      } else {
        similarities = scorePairs(pairs, embedded, cosineSimilarity);
      }
      let fitted: CalibrationReport | undefined;
      let stored: string | undefined;
      let calibration: Calibration | undefined;
      if (options.fitCalibration) {
        const labelled = pairs.flatMap((p, i) => (similarities[i] === null ? [] : [{ similarity: similarities[i]!, same: p.same }]));
        fitted = calibrate(labelled, { fittedOn: `LFW ${path.basename(location.pairsPath)}, ${labelled.length} pairs` });
        calibration = fitted.calibration;
        const record = { ...calibration, ...(fusionWeights ? { weights: fusionWeights } : {}) };
        if (options.calibrationsFile) {
          await storeInFile(options.calibrationsFile, facts.key, record);
          stored = path.resolve(options.calibrationsFile);
        } else {
          await writeCalibration(facts.key, record);
          stored = userModelsHome();
        }
      } else if (facts.parts.length === 1 || facts.storedWeights !== undefined) {
        // The calibration the matcher itself found (user models folder, shipped fits, manifest).
        calibration = given.calibration ?? (await findStoredCalibration(facts.key, given.modelsDir ?? modelEnv.modelsDir)) ?? facts.calibration;
        if (calibration) calibration = parseCalibration(calibration);
      }
      let approveThreshold: ApproveThresholdReport | undefined;
      if (calibration) {
        const folded = pairs.flatMap((p, i) => (similarities[i] === null ? [] : [{ similarity: similarities[i]!, same: p.same, fold: p.fold }]));
        approveThreshold = approveThresholdReport(folded, calibration, APPROVE_TARGET_FAR);
      }
      const scores = similarities.map((s) => (s === null ? null : calibration ? scoreFromSimilarity(s, calibration) : Math.max(0, s) * 100));
      return {
        scorings: [{ id: 'score', label: 'calibrated 0–100 score (a monotone map of the cosine similarity)', scores }],
        providerThresholds: [...FACEMATCH_PROVIDER_THRESHOLDS],
        ...(approveThreshold ? { approveThreshold } : {}),
        report: {
          faceSelection: pipeline.faceSelection,
          ...(pipeline.modelSha256 ? { modelSha256: pipeline.modelSha256 } : {}),
          ...(fusion ? { fusionWeights: fusion } : {}),
          ...(options.quality ? { quality: qualityReport(pairs, similarities, embedded.embeddings) } : {}),
        },
        extra: { similarities, ...(fitted ? { fitted } : {}), ...(stored ? { stored } : {}) },
      };
    },
    async describe() {
      const backend = await initBackend(matcher.backend ?? 'auto');
      return {
        embedder: embedderLabel,
        detector: `blazeface-${pipeline.detector} (min confidence ${pipeline.minConfidence})`,
        backend: backend.name,
      };
    },
  };
  const { result, extra } = await runEngineBench(profile, options);
  return { ...result, ...extra };
}

/**
 * Options of {@link runPeerBench}: those of `facematch bench lfw` that apply to a peer.
 *
 * @category Benchmark
 */
export interface PeerBenchOptions extends BenchRunOptions {
  /** Backend: `auto` or `wasm` (the peers' node-wasm builds). Default `auto`. */
  backend?: BackendName;
}

/**
 * What {@link runPeerBench} returns.
 *
 * @category Benchmark
 */
export interface PeerBenchResult extends EngineBenchResult {
  /** Which library. */
  peer: PeerName;
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
 * @throws {@link FaceMatchError} `INVALID_INPUT` when the library is not installed (naming what to
 *   install) or for a missing LFW folder or pairs file, `BACKEND_ERROR` for a backend other than
 *   `auto` or `wasm`; the pool's error when a worker cannot start.
 * @category Benchmark
 */
export async function runPeerBench(peer: PeerName, options: PeerBenchOptions = {}): Promise<PeerBenchResult> {
  const backend = peerBackend(options.backend ?? 'auto');
  requirePeerPackages(peer);
  const pkg = peerPackage(peer);
  const description = PEER_DESCRIPTIONS[peer];
  const profile: EngineProfile<undefined> = {
    spec: { engine: peer, backend },
    version: pkg.version,
    pipeline: description.pipeline,
    cacheKey: peerCacheKey(peer),
    progressLabel: `${peer} embedding`,
    basename: `lfw-${peer}`,
    async score(pairs, embedded) {
      const comparisons = await peerComparisons(peer);
      const [documented, ...others] = comparisons.map((c) => ({ id: c.id, label: c.label, scores: scorePairs(pairs, embedded, c.score) }));
      return { scorings: [documented!, ...others], providerThresholds: comparisons[0]!.threshold ? [comparisons[0]!.threshold] : [], extra: undefined };
    },
    async describe(scored) {
      return { embedder: `${pkg.name}@${pkg.version} ${description.embedder}, ${scored.scorings[0].label}`, detector: description.detector, backend };
    },
  };
  const { result } = await runEngineBench(profile, options);
  return { ...result, peer };
}
