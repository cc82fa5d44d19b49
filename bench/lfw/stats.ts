/**
 * Small descriptive statistics for the benchmark: mean, sample standard deviation, percentiles,
 * and a recorder of per-stage latencies.
 * @module
 */
import { FaceMatchError } from '../../src/errors.js';
import type { StageSummary, StageTimings, Throughput } from './types.js';

function requireValues(values: ArrayLike<number>, what: string): void {
  if (values.length === 0) throw new FaceMatchError('INVALID_INPUT', `${what}: expected at least one value, received none`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new FaceMatchError('INVALID_INPUT', `${what}: expected finite numbers, received ${values[i]} at index ${i}`);
    }
  }
}

/**
 * Arithmetic mean.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an empty list or a non-finite value.
 * @category Benchmark
 */
export function mean(values: ArrayLike<number>): number {
  requireValues(values, 'mean');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Sample standard deviation (divides by `n − 1`), or `null` for fewer than two values.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an empty list or a non-finite value.
 * @category Benchmark
 */
export function sampleStd(values: ArrayLike<number>): number | null {
  const m = mean(values);
  if (values.length < 2) return null;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/**
 * Percentiles of `values`, `ps` in 0–100, by linear interpolation between the two nearest ranks
 * (rank `p/100 · (n − 1)`: the default of numpy and of R's type 7). Sorts once.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an empty list, a non-finite value or a `p`
 *   outside 0–100.
 * @category Benchmark
 */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  requireValues(values, 'percentile');
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new FaceMatchError('INVALID_INPUT', `percentile: expected p in 0–100, received ${p}`);
    const rank = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const a = sorted[lo]!;
    return lo === hi ? a : a + (sorted[hi]! - a) * (rank - lo);
  });
}

/**
 * One percentile; see {@link percentiles}.
 *
 * @category Benchmark
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentiles(values, [p])[0]!;
}

/**
 * Count, mean, median and 95th percentile of latency samples in milliseconds.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an empty list or a non-finite value.
 * @category Benchmark
 */
export function summarizeLatencies(samples: ArrayLike<number>): StageSummary {
  const [p50, p95] = percentiles(samples, [50, 95]) as [number, number];
  return { count: samples.length, mean: mean(samples), p50, p95 };
}

/**
 * A pipeline stage timed by {@link LatencyRecorder}.
 *
 * @category Benchmark
 */
export type StageName = keyof StageTimings;

/**
 * Collects per-image stage latencies (from any number of workers) and summarises them.
 *
 * @example
 * ```ts
 * const rec = new LatencyRecorder();
 * rec.record('embed', 31.2);
 * rec.summary().embed?.p95;
 * ```
 * @category Benchmark
 */
export class LatencyRecorder {
  private readonly samples = new Map<StageName, number[]>();

  /**
   * Adds one measurement.
   *
   * @param stage - the stage measured
   * @param ms - its duration in milliseconds
   * @throws {@link FaceMatchError} `INVALID_INPUT` when `ms` is negative or not finite.
   */
  record(stage: StageName, ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new FaceMatchError('INVALID_INPUT', `${stage} latency: expected a finite, non-negative number of ms, received ${ms}`);
    }
    let list = this.samples.get(stage);
    if (list === undefined) this.samples.set(stage, (list = []));
    list.push(ms);
  }

  /** Number of measurements of `stage`. */
  count(stage: StageName): number {
    return this.samples.get(stage)?.length ?? 0;
  }

  /** A summary of every stage measured at least once, in pipeline order. */
  summary(): StageTimings {
    const out: StageTimings = {};
    for (const stage of ['decode', 'detect', 'align', 'embed', 'total'] as const) {
      const list = this.samples.get(stage);
      if (list !== undefined && list.length > 0) out[stage] = summarizeLatencies(list);
    }
    return out;
  }
}

/**
 * What an embedding run measured, for {@link throughputOf}.
 *
 * @category Benchmark
 */
export interface EmbeddingRunTiming {
  /** Images embedded now (not read from the cache). */
  computed: number;
  /** Wall time of the computed part, in seconds. */
  seconds: number;
  /** Worker threads used. */
  workers: number;
  /** Per-stage latency of the computed images. */
  stages: StageTimings;
}

/**
 * The report's throughput block of an embedding run, measured now, or null when every embedding
 * came from the cache (a rate measured on nothing would be meaningless: the caller looks up the
 * earlier run's, see `recallThroughput`).
 *
 * @param run - the embedding run
 * @param measuredAt - when (ISO 8601); default now
 * @category Benchmark
 */
export function throughputOf(run: EmbeddingRunTiming, measuredAt = new Date().toISOString()): Throughput | null {
  if (run.computed === 0) return null;
  return {
    cached: false,
    measuredAt,
    imagesPerSecond: run.computed / run.seconds,
    workers: run.workers,
    images: run.computed,
    seconds: run.seconds,
    stages: run.stages,
  };
}
