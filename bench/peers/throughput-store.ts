/**
 * Remembers the throughput of the last cold run of each configuration, next to the embedding
 * cache, so that a comparison rerun from a warm cache (seconds) still shows how fast each library
 * embeds, measured when it actually did.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatchError } from '../../src/errors.js';
import type { LfwReport, Throughput } from '../lfw/types.js';

/**
 * A recorded throughput and the run it comes from.
 *
 * @category Benchmark
 */
export interface ThroughputRecord {
  /** The configuration it was measured with: the report's embedder, detector, backend, dataset, pair count, facematch version and machine. */
  configuration: string;
  /** The throughput. */
  throughput: Throughput;
  /** When the run finished (ISO 8601). */
  createdAt: string;
}

/** Everything that changes how fast a run embeds, as one string. */
function configurationOf(report: LfwReport): string {
  const { embedder, detector, backend, dataset, pairs, version, machine } = report;
  return JSON.stringify({ embedder, detector, backend, dataset, pairs, version, cpu: machine.cpu, cores: machine.cores });
}

function fileOf(dir: string, library: string): string {
  if (!/^[a-z0-9-]+$/.test(library)) {
    throw new FaceMatchError('INVALID_INPUT', `expected a library name of lowercase letters, digits and dashes, received "${library}"`, { field: 'library' });
  }
  return path.resolve(dir, 'compare', `${library}-throughput.json`);
}

/**
 * Stores a report's throughput for its configuration (nothing when it has none).
 *
 * @category Benchmark
 */
export async function rememberThroughput(dir: string, library: string, report: LfwReport): Promise<void> {
  if (report.throughput === null) return;
  const file = fileOf(dir, library);
  const record: ThroughputRecord = { configuration: configurationOf(report), throughput: report.throughput, createdAt: report.createdAt };
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, file);
}

/**
 * The stored throughput of a report's configuration, or `undefined` when none was stored for
 * exactly that configuration (or the file is unreadable).
 *
 * @category Benchmark
 */
export async function recallThroughput(dir: string, library: string, report: LfwReport): Promise<ThroughputRecord | undefined> {
  let record: ThroughputRecord;
  try {
    record = JSON.parse(await readFile(fileOf(dir, library), 'utf8')) as ThroughputRecord;
  } catch {
    return undefined;
  }
  return record.configuration === configurationOf(report) && typeof record.throughput?.imagesPerSecond === 'number' ? record : undefined;
}
