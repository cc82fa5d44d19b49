import type { ParseArgsConfig } from 'node:util';
import { fetchDataset } from '../datasets/fetch.js';
import { UsageError } from './usage.js';

/** @internal */
export const DATASETS_USAGE = `Usage: facematch datasets fetch lfw [--dir DIR]

Downloads the LFW deep-funneled images and the official pairs.txt, checks their checksums,
resumes a partial download and unpacks the archive. Default folder: datasets/data/lfw.
Point FACEMATCH_LFW_DIR (or --data) at the folder afterwards.`;

/** @internal */
export const DATASETS_OPTIONS: ParseArgsConfig['options'] = {
  dir: { type: 'string' },
};

/** @internal */
export async function runDatasets(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const [verb, name] = positionals;
  if (verb !== 'fetch' || name !== 'lfw' || positionals.length !== 2) {
    throw new UsageError(`expected "datasets fetch lfw", received "datasets ${positionals.join(' ')}"`);
  }
  const dir = values['dir'] as string | undefined;
  const result = await fetchDataset('lfw', {
    ...(dir ? { dir } : {}),
    onProgress: (p) => {
      const mb = (n: number) => (n / 1048576).toFixed(1);
      const size = p.total === null ? '' : ` / ${mb(p.total)} MB`;
      process.stderr.write(p.phase === 'extract' ? `\runpacking ${p.file}\x1b[K` : `\r${p.file}: ${mb(p.received)}${size}\x1b[K`);
    },
  });
  process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
