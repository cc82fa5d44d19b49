import { fetchDataset } from '../datasets/fetch.js';
import { UsageError, type CommandOptions } from './usage.js';

/** @internal */
export const DATASETS_USAGE = `Usage: facematch datasets fetch lfw [--dir DIR] [--mirror URL]

Downloads the LFW deep-funneled images and the official pairs.txt, checks their checksums,
resumes a partial download and unpacks the archive. Default folder: datasets/data/lfw.
Point FACEMATCH_LFW_DIR (or --data) at the folder afterwards.

Options:
  --dir DIR       where to put the dataset (default datasets/data/lfw)
  --mirror URL    download every file from URL/<file> instead of the manifest's URLs
                  (the checksums are still those of the manifest)`;

/** @internal */
export const DATASETS_OPTIONS: CommandOptions = {
  dir: { type: 'string' },
  mirror: { type: 'string' },
};

/** @internal */
export async function runDatasets(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const [verb, name] = positionals;
  if (verb !== 'fetch' || name !== 'lfw' || positionals.length !== 2) {
    throw new UsageError(`expected "datasets fetch lfw", received "datasets ${positionals.join(' ')}"`);
  }
  const dir = values['dir'] as string | undefined;
  const mirror = values['mirror'] as string | undefined;
  if (mirror !== undefined && !/^https?:\/\/\S+$/.test(mirror)) throw new UsageError(`--mirror expects an http(s) URL, received "${mirror}"`);
  // On a terminal one line redrawn in place; in a log, one line per file and phase.
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  let last = '';
  const mb = (n: number) => (n / 1048576).toFixed(1);
  let result;
  try {
    result = await fetchDataset('lfw', {
      ...(dir ? { dir } : {}),
      ...(mirror ? { baseUrl: mirror } : {}),
      onProgress: (p) => {
        if (tty) {
          const size = p.total === null ? '' : ` / ${mb(p.total)} MB`;
          process.stderr.write(p.phase === 'extract' ? `\runpacking ${p.file}\x1b[K` : `\r${p.file}: ${mb(p.received)}${size}\x1b[K`);
          drawn = true;
        } else if (`${p.phase} ${p.file}` !== last) {
          last = `${p.phase} ${p.file}`;
          process.stderr.write(p.phase === 'extract' ? `unpacking ${p.file}\n` : `downloading ${p.file}${p.resumedFrom > 0 ? ` (resuming at ${mb(p.resumedFrom)} MB)` : ''}\n`);
        }
      },
    });
  } finally {
    if (drawn) process.stderr.write('\n');
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
