/**
 * Remembers how fast a configuration embedded, next to its embedding cache, so that a rerun whose
 * embeddings all come from the cache (seconds, not minutes) can still report how fast the pipeline
 * runs: as the earlier run's measurement, marked `cached`, with the date it was made.
 *
 * One small JSON file per configuration, `<cache>/throughput-<hash>.json`. The measurement kept is
 * the one made on the most images (the newer on a tie), so that a run that computed a handful of
 * new images does not replace a full cold run's figures.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheKey } from './cache.js';
import type { MachineInfo, Throughput } from './types.js';

/**
 * Everything that changes how fast a run embeds: what embeds (the embedding cache key), which
 * images, and where.
 *
 * @category Benchmark
 */
export interface ThroughputConfiguration {
  /** The embedding cache's key-set: the engine, its version and every setting that changes an embedding. */
  embeddings: string;
  /** The dataset, such as `lfw-deepfunneled, pairs.txt`. */
  dataset: string;
  /** Number of pairs (a `--limit` run embeds other images than a full one). */
  pairs: number;
  /** The machine: its CPU model and cores. */
  machine: Pick<MachineInfo, 'cpu' | 'cores'>;
}

/**
 * A stored measurement.
 *
 * @category Benchmark
 */
export interface ThroughputRecord {
  /** The configuration, as a stable key. */
  configuration: string;
  /** The throughput as measured (`cached` false). */
  throughput: Throughput;
}

function fileOf(dir: string, configuration: string): string {
  return path.resolve(dir, `throughput-${createHash('sha256').update(configuration).digest('hex').slice(0, 16)}.json`);
}

function keyOf(configuration: ThroughputConfiguration): string {
  return cacheKey({ ...configuration, machine: { cpu: configuration.machine.cpu, cores: configuration.machine.cores } });
}

async function read(file: string, configuration: string): Promise<ThroughputRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as ThroughputRecord;
    return record.configuration === configuration && typeof record.throughput?.imagesPerSecond === 'number' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores a measured throughput for its configuration, unless a measurement on more images is
 * already stored. A cached (recalled) throughput is never stored.
 *
 * @category Benchmark
 */
export async function rememberThroughput(dir: string, configuration: ThroughputConfiguration, throughput: Throughput): Promise<void> {
  if (throughput.cached) return;
  const key = keyOf(configuration);
  const file = fileOf(dir, key);
  const stored = await read(file, key);
  if (stored !== undefined && stored.throughput.images > throughput.images) return;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ configuration: key, throughput } satisfies ThroughputRecord, null, 2)}\n`);
  await rename(tmp, file);
}

/**
 * The stored throughput of a configuration, marked `cached` (with its own `measuredAt`), or
 * `undefined` when none was stored for exactly that configuration (or the file is unreadable).
 *
 * @category Benchmark
 */
export async function recallThroughput(dir: string, configuration: ThroughputConfiguration): Promise<Throughput | undefined> {
  const key = keyOf(configuration);
  const record = await read(fileOf(dir, key), key);
  return record === undefined ? undefined : { ...record.throughput, cached: true };
}
