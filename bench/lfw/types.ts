/**
 * The data shapes of the LFW benchmark: the pairs it reads, the metrics it computes and the report
 * it writes. `LfwReport` is the JSON contract of `lfw-report.json`.
 * @module
 */

/**
 * One pair of a pairs file: two images, whether they show the same person, and the fold it
 * belongs to.
 *
 * @category Benchmark
 */
export interface LfwPair {
  /** Fold index, 0-based, in file order. */
  fold: number;
  /** True for a matched pair (same person), false for a mismatched pair. */
  same: boolean;
  /** First image, relative to the data folder (`lfw-deepfunneled/Name/Name_0001.jpg`). */
  a: string;
  /** Second image, relative to the data folder. */
  b: string;
  /** 1-based line number of the pair in its file. */
  line: number;
}

/**
 * What the metrics need to know about a pair: its fold and its label. {@link LfwPair} is one.
 *
 * @category Benchmark
 */
export interface PairLabel {
  /** Fold index, 0-based. */
  fold: number;
  /** True when both images show the same person. */
  same: boolean;
}

/**
 * The similarity score of one pair, higher meaning more alike, or `null` when either image
 * yielded no face. A `null` pair is always counted as a wrong answer.
 *
 * @category Benchmark
 */
export type PairScore = number | null;

/**
 * Mean accuracy of the 10-fold protocol with its spread.
 *
 * @category Benchmark
 */
export interface AccuracySummary {
  /** Mean of the per-fold accuracies (0–1). */
  mean: number;
  /**
   * Sample standard deviation σ of the per-fold accuracies (divides by `folds − 1`), as the LFW
   * protocol and most papers report it. `null` with a single fold.
   */
  std: number | null;
  /** Standard error of the mean, `σ / √folds` (the LFW protocol's S_E). `null` with a single fold. */
  stderr: number | null;
  /** Accuracy on each held-out fold, in fold order. */
  perFold: number[];
}

/**
 * The accuracy and error rates a fixed threshold gives on all pairs. A pair is predicted "same"
 * when its score is at least the threshold; a pair without a face is always an error.
 *
 * @category Benchmark
 */
export interface ThresholdRates {
  /** False accept rate: different-person pairs predicted "same", over all different-person pairs. */
  far: number;
  /** False reject rate: same-person pairs predicted "different", over all same-person pairs. */
  frr: number;
  /** Fraction of all pairs answered correctly. */
  accuracy: number;
}

/**
 * A threshold of a provider's API to evaluate, on the same scale as the scores.
 *
 * @category Benchmark
 */
export interface ProviderThresholdInput {
  /** Label, such as `didit (default decline threshold)`. */
  provider: string;
  /** The threshold: a pair is a match when its score is at least this. */
  threshold: number;
}

/**
 * A provider threshold with the rates it gives on the benchmark pairs.
 *
 * @category Benchmark
 */
export interface ProviderThresholdResult extends ThresholdRates {
  /** Label of the provider setting. */
  provider: string;
  /** The threshold evaluated. */
  threshold: number;
}

/**
 * True accept rates at fixed false accept rates: the largest TAR whose FAR does not exceed the
 * target (0 when no threshold reaches that FAR).
 *
 * @category Benchmark
 */
export interface TarAtFar {
  /** TAR at FAR ≤ 1e-2. */
  '1e-2': number;
  /** TAR at FAR ≤ 1e-3. */
  '1e-3': number;
}

/**
 * How the per-fold thresholds were chosen.
 *
 * - `cross-validation`: on the other folds (the LFW protocol; two or more folds).
 * - `in-sample`: on the fold itself, because the file has a single fold (optimistic; say so).
 *
 * @category Benchmark
 */
export type ThresholdSelection = 'cross-validation' | 'in-sample';

/**
 * Everything {@link evaluateProtocol} measures from labelled scores: the accuracy part of an
 * {@link LfwReport}.
 *
 * @category Benchmark
 */
export interface LfwMetrics {
  /** Number of pairs scored (including pairs without a face). */
  pairs: number;
  /** Same-person pairs among them. */
  samePairs: number;
  /**
   * Different-person pairs among them: a FAR below 1 / differentPairs cannot be measured (TAR at
   * FAR 1e-3 needs at least 1,000 for one false accept to mean 1e-3).
   */
  differentPairs: number;
  /** Number of folds. */
  folds: number;
  /** Accuracy on held-out folds: mean, spread and per fold. */
  accuracy: AccuracySummary;
  /** Threshold used on each held-out fold, in fold order. */
  thresholds: number[];
  /** How the thresholds were chosen. */
  thresholdSelection: ThresholdSelection;
  /** Area under the ROC curve (exact: trapezoids through every operating point; ties count half). */
  auc: number;
  /** Equal error rate: where FAR = FRR, linearly interpolated between operating points. */
  eer: number;
  /** The score threshold at the equal error rate (interpolated). */
  eerThreshold: number;
  /** TAR at FAR 1e-2 and 1e-3. */
  tarAtFar: TarAtFar;
  /** Pairs where either image yielded no face; each is counted as a wrong answer. */
  noFacePairs: number;
  /** Rates at each provider threshold asked for. */
  providerThresholds: ProviderThresholdResult[];
}

/**
 * Latency of one pipeline stage over many images, in milliseconds.
 *
 * @category Benchmark
 */
export interface StageSummary {
  /** Number of measurements. */
  count: number;
  /** Mean, ms. */
  mean: number;
  /** Median, ms. */
  p50: number;
  /** 95th percentile, ms. */
  p95: number;
}

/**
 * Per-image latency of each pipeline stage. A stage a pipeline does not have is left out.
 *
 * @category Benchmark
 */
export interface StageTimings {
  /** Reading and decoding the image file. */
  decode?: StageSummary;
  /** Face detection. */
  detect?: StageSummary;
  /** Alignment to the embedder's chip. */
  align?: StageSummary;
  /** Embedding the chip. */
  embed?: StageSummary;
  /** The whole pipeline for one image. */
  total?: StageSummary;
}

/**
 * How fast the pipeline embedded the benchmark images. When every embedding of a run came from
 * the cache, the run measured nothing; its report then carries the throughput of the earlier run
 * of the same configuration that computed them, marked `cached`, with the date it was measured.
 *
 * @category Benchmark
 */
export interface Throughput {
  /** False when measured by this run; true when it is an earlier run's measurement (every embedding of this run came from the cache). */
  cached: boolean;
  /** When the measurement was made (ISO 8601): this run's time, or the earlier run's. */
  measuredAt: string;
  /** Images embedded per second of wall-clock time, all workers together. */
  imagesPerSecond: number;
  /** Number of worker threads. */
  workers: number;
  /** Images embedded (cache hits excluded). */
  images: number;
  /** Wall-clock seconds spent embedding them. */
  seconds: number;
  /** Per-image latency of each stage. */
  stages: StageTimings;
}

/**
 * The machine a benchmark ran on.
 *
 * @category Benchmark
 */
export interface MachineInfo {
  /** CPU model string. */
  cpu: string;
  /** Logical cores. */
  cores: number;
  /** Total memory in GiB. */
  memoryGiB: number;
  /** Node.js version, such as `v20.11.0`. */
  node: string;
  /** Operating system and architecture, such as `linux x64`. */
  os: string;
}

/**
 * The result of one LFW benchmark run: the contract of `lfw-report.json`.
 *
 * @category Benchmark
 */
export interface LfwReport extends LfwMetrics {
  /** Name of the pairs file, such as `pairs.txt`. */
  dataset: string;
  /**
   * Embedding throughput: this run's, or when every embedding came from the cache the earlier
   * run's that computed them (`cached: true`); `null` only when no such run was recorded.
   */
  throughput: Throughput | null;
  /** The embedder, such as `dlib-resnet`. */
  embedder: string;
  /** The face detector, such as `blazeface-short`. */
  detector: string;
  /** The tfjs backend that ran the models (`wasm`, `node`, `cpu`). */
  backend: string;
  /** facematch version. */
  version: string;
  /** The machine it ran on. */
  machine: MachineInfo;
  /** Images in which no face was found, when known. */
  noFaceImages?: number;
  /** The approve threshold chosen for a target FAR, when the run has a calibrated score (facematch). */
  approveThreshold?: ApproveThresholdReport;
  /** Which face of a multi-face image was compared (facematch): `largest` or `center`. */
  faceSelection?: string;
  /** The weights' digest (facematch: `Embedder.modelSha256`; a fusion's digest of its parts). */
  modelSha256?: string;
  /** A fusion's part weights, when the embedder is one. */
  fusionWeights?: { parts: string[]; weights: number[]; fittedOn: string };
  /** Error-versus-discard curves of the face quality (`--quality`). */
  quality?: QualityReport;
  /** ISO 8601 time the run finished. */
  createdAt: string;
}

import type { QualityReport } from './quality-report.js';

/**
 * Whether an approve threshold could be chosen for the target FAR:
 *
 * - `recommended`: every fold's training part (the other folds) holds enough different-person
 *   pairs, and a threshold of at most 100 meets the target on each;
 * - `too-few-pairs`: some training part holds fewer than `neededDifferentPairs`, so the target
 *   can be neither met nor checked (one false accept would already be a larger FAR);
 * - `unreachable`: enough pairs, but on some fold even 100 accepts too many.
 *
 * @category Benchmark
 */
export type ApproveThresholdStatus = 'recommended' | 'too-few-pairs' | 'unreachable';

/**
 * The approve threshold for a target false accept rate, chosen with the protocol's own
 * cross-validation: for each fold, the lowest threshold whose FAR on the other folds is at most
 * the target; the recommendation is the largest of these, rounded up to a whole score.
 *
 * @category Benchmark
 */
export interface ApproveThresholdReport {
  /** The target FAR, such as 0.001. */
  targetFar: number;
  /** What the answer is; see {@link ApproveThresholdStatus}. */
  status: ApproveThresholdStatus;
  /** The recommended approve threshold; null unless `status` is `recommended`. */
  recommended: number | null;
  /** Different-person pairs with a score in all folds. */
  differentPairs: number;
  /** The fewest different-person pairs with a score in any fold's training part. */
  trainingDifferentPairs: number;
  /** Different-person pairs a training part needs for one false accept to mean a FAR of `targetFar`: ⌈1 / targetFar⌉. */
  neededDifferentPairs: number;
  /** Mean FAR of the per-fold thresholds on their held-out folds. */
  heldOutFar: number;
  /** Mean FRR of the per-fold thresholds on their held-out folds. */
  heldOutFrr: number;
  /** Per fold (0-based): the threshold chosen on the other folds (null: none at most 100), and its FAR and FRR on this fold. */
  perFold: { fold: number; threshold: number | null; far: number; frr: number }[];
  /** The answer in one sentence, for people. */
  summary: string;
}
