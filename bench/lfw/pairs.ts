/**
 * Reads files in the LFW `pairs.txt` format and finds the LFW data folder.
 *
 * Two headers are accepted:
 * - View 2 (`pairs.txt`): `folds<TAB>n`, then for each fold `n` matched and `n` mismatched lines;
 * - View 1 (`pairsDevTrain.txt`, `pairsDevTest.txt`): a single count `n`, then `n` matched and
 *   `n` mismatched lines, read as one fold.
 *
 * A matched line is `name n1 n2`, a mismatched line `name1 n1 name2 n2`, fields separated by any
 * run of spaces or tabs. Image `k` of `name` is `<imageDir>/<name>/<name>_<k as %04d>.jpg`.
 * @module
 */
import { stat, readFile, access } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatchError } from '../../src/errors.js';
import type { LfwPair } from './types.js';
import { lfwDirFromEnv } from './lfw-dir.js';

/**
 * Image folders an LFW data folder may hold, in order of preference: the deep-funneled variant the
 * benchmark uses, then the original unaligned images.
 *
 * @category Benchmark
 */
export const LFW_IMAGE_DIRS: readonly string[] = Object.freeze(['lfw-deepfunneled', 'lfw']);

/**
 * A parsed pairs file.
 *
 * @category Benchmark
 */
export interface PairsFile {
  /** Number of folds (1 for a View 1 file). */
  folds: number;
  /** Matched pairs per fold, which is also the number of mismatched pairs per fold. */
  perFold: number;
  /** Every pair, in file order. */
  pairs: LfwPair[];
  /** Every distinct image the pairs reference, in order of first appearance. */
  images: string[];
}

/**
 * Options of {@link parsePairs}.
 *
 * @category Benchmark
 */
export interface ParsePairsOptions {
  /** Image folder the paths start with. Default `lfw-deepfunneled`. */
  imageDir?: string;
  /** Name of the file, used in error messages. Default `pairs file`. */
  source?: string;
}

/**
 * Where the LFW data is: found by {@link findLfw}.
 *
 * @category Benchmark
 */
export interface LfwLocation {
  /** Absolute path of the data folder. */
  dir: string;
  /** Absolute path of the pairs file. */
  pairsPath: string;
  /** Name of the image folder inside `dir` (`lfw-deepfunneled` or `lfw`). */
  imageDir: string;
}

/**
 * Options of {@link findLfw}.
 *
 * @category Benchmark
 */
export interface FindLfwOptions {
  /** A pairs file to use instead of `<dir>/pairs.txt`; relative paths resolve from the working directory. */
  pairs?: string;
  /** Environment to read `FACEMATCH_LFW_DIR` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * A {@link PairsFile} read from disk, with where it came from.
 *
 * @category Benchmark
 */
export interface LoadedPairs extends PairsFile {
  /** The data folder and pairs file it was read from. */
  location: LfwLocation;
}

/** One line of the file that holds something, with its 1-based line number and fields. */
interface Line {
  number: number;
  fields: string[];
}

function invalid(message: string, source: string, details: Record<string, unknown> = {}): FaceMatchError {
  return new FaceMatchError('INVALID_INPUT', `${source}: ${message}`, { field: 'pairs', details });
}

function parseCount(text: string, what: string, source: string, line: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw invalid(`line ${line}: expected ${what} as a positive integer, received "${text}"`, source, { line });
  }
  return Number(text);
}

function checkName(name: string, source: string, line: number): string {
  if (name === '.' || name === '..' || /[/\\]/.test(name)) {
    throw invalid(`line ${line}: expected a person's name without path separators, received "${name}"`, source, { line });
  }
  return name;
}

/**
 * The path of image `index` of `name`, relative to the data folder:
 * `lfw-deepfunneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg`. Always uses `/`.
 *
 * @category Benchmark
 */
export function lfwImagePath(name: string, index: number, imageDir = 'lfw-deepfunneled'): string {
  return `${imageDir}/${name}/${name}_${String(index).padStart(4, '0')}.jpg`;
}

/**
 * Parses the text of a pairs file (View 2 `pairs.txt` or View 1 `pairsDevTrain.txt` /
 * `pairsDevTest.txt`). Blank lines are ignored; Windows line endings are accepted.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `pairs`) naming the line that is not what
 *   the header announces: a bad header, a line of the wrong kind or shape, too few or too many lines.
 * @category Benchmark
 */
export function parsePairs(text: string, options: ParsePairsOptions = {}): PairsFile {
  const imageDir = options.imageDir ?? 'lfw-deepfunneled';
  const source = options.source ?? 'pairs file';
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed !== '') lines.push({ number: i + 1, fields: trimmed.split(/\s+/) });
  });

  const header = lines[0];
  if (header === undefined) throw invalid('expected a header line ("folds<TAB>n" or "n"), received an empty file', source);
  let folds: number;
  let perFold: number;
  if (header.fields.length === 2) {
    folds = parseCount(header.fields[0]!, 'the number of folds', source, header.number);
    perFold = parseCount(header.fields[1]!, 'the number of pairs of each kind per fold', source, header.number);
  } else if (header.fields.length === 1) {
    folds = 1;
    perFold = parseCount(header.fields[0]!, 'the number of pairs of each kind', source, header.number);
  } else {
    throw invalid(
      `line ${header.number}: expected a header "folds<TAB>n" or "n", received ${header.fields.length} fields "${header.fields.join(' ')}"`,
      source,
      { line: header.number },
    );
  }

  const expected = folds * perFold * 2;
  const body = lines.slice(1);
  if (body.length > expected) {
    const extra = body[expected]!;
    throw invalid(
      `line ${extra.number}: the header announces ${expected} pairs (${folds} × ${perFold} matched + ${perFold} mismatched), but the file has ${body.length}`,
      source,
      { line: extra.number, expected, received: body.length },
    );
  }
  if (body.length < expected) {
    const last = lines[lines.length - 1]!.number;
    throw invalid(
      `line ${last}: the file ends after ${body.length} pairs, but the header announces ${expected} (${folds} × ${perFold} matched + ${perFold} mismatched)`,
      source,
      { line: last, expected, received: body.length },
    );
  }

  const pairs: LfwPair[] = [];
  const images: string[] = [];
  const seen = new Set<string>();
  const image = (name: string, indexText: string, line: number): string => {
    const index = parseCount(indexText, 'an image number', source, line);
    const rel = lfwImagePath(checkName(name, source, line), index, imageDir);
    if (!seen.has(rel)) {
      seen.add(rel);
      images.push(rel);
    }
    return rel;
  };

  body.forEach((line, i) => {
    const fold = Math.floor(i / (2 * perFold));
    const same = i % (2 * perFold) < perFold;
    const f = line.fields;
    if (same) {
      if (f.length !== 3) {
        throw invalid(
          `line ${line.number}: expected a matched pair "name n1 n2" (fold ${fold + 1}), received ${f.length} fields "${f.join(' ')}"`,
          source,
          { line: line.number, fold },
        );
      }
      pairs.push({ fold, same, a: image(f[0]!, f[1]!, line.number), b: image(f[0]!, f[2]!, line.number), line: line.number });
    } else {
      if (f.length !== 4) {
        throw invalid(
          `line ${line.number}: expected a mismatched pair "name1 n1 name2 n2" (fold ${fold + 1}), received ${f.length} fields "${f.join(' ')}"`,
          source,
          { line: line.number, fold },
        );
      }
      pairs.push({ fold, same, a: image(f[0]!, f[1]!, line.number), b: image(f[2]!, f[3]!, line.number), line: line.number });
    }
  });
  return { folds, perFold, pairs, images };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the LFW data: the folder given (a `--data` flag), else `FACEMATCH_LFW_DIR`. Checks that
 * the folder, its pairs file and an image folder (`lfw-deepfunneled`, else `lfw`) exist.
 *
 * @param dataDir - the data folder, or undefined to use `FACEMATCH_LFW_DIR`
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `data`) saying what is missing and how to get it.
 * @category Benchmark
 */
export async function findLfw(dataDir: string | undefined, options: FindLfwOptions = {}): Promise<LfwLocation> {
  const env = options.env ?? process.env;
  const given = dataDir ?? lfwDirFromEnv(env);
  const fetchHint = 'download it with `facematch datasets fetch lfw`';
  if (given === undefined || given.trim() === '') {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `LFW data folder not given: expected --data DIR or the FACEMATCH_LFW_DIR environment variable, received neither (${fetchHint})`,
      { field: 'data' },
    );
  }
  const dir = path.resolve(given);
  if (!(await isDirectory(dir))) {
    throw new FaceMatchError('INVALID_INPUT', `LFW data folder ${dir} does not exist or is not a folder (${fetchHint})`, {
      field: 'data',
      details: { dir },
    });
  }
  const pairsPath = options.pairs === undefined ? path.join(dir, 'pairs.txt') : path.resolve(options.pairs);
  if (!(await isFile(pairsPath))) {
    throw new FaceMatchError('INVALID_INPUT', `expected the pairs file ${pairsPath}, but it does not exist (${fetchHint})`, {
      field: 'data',
      details: { dir, pairsPath },
    });
  }
  for (const imageDir of LFW_IMAGE_DIRS) {
    if (await isDirectory(path.join(dir, imageDir))) return { dir, pairsPath, imageDir };
  }
  throw new FaceMatchError(
    'INVALID_INPUT',
    `expected an image folder ${LFW_IMAGE_DIRS.join(' or ')} in ${dir}, found neither (${fetchHint})`,
    { field: 'data', details: { dir } },
  );
}

/**
 * Reads and parses the pairs file of a located LFW folder, then checks that every image it
 * references exists (unless `checkImages` is false).
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for a malformed file (line number in the message)
 *   or missing images (how many, and the first few).
 * @category Benchmark
 */
export async function loadPairs(location: LfwLocation, checkImages = true): Promise<LoadedPairs> {
  const text = await readFile(location.pairsPath, 'utf8');
  const parsed = parsePairs(text, { imageDir: location.imageDir, source: path.basename(location.pairsPath) });
  if (checkImages) {
    const missing: string[] = [];
    await Promise.all(
      parsed.images.map(async (rel) => {
        try {
          await access(path.join(location.dir, rel));
        } catch {
          missing.push(rel);
        }
      }),
    );
    if (missing.length > 0) {
      missing.sort();
      throw new FaceMatchError(
        'INVALID_INPUT',
        `${path.basename(location.pairsPath)} references ${parsed.images.length} images; ${missing.length} are missing from ${location.dir}, first: ${missing.slice(0, 3).join(', ')}`,
        { field: 'data', details: { missing: missing.length, first: missing.slice(0, 10) } },
      );
    }
  }
  return { ...parsed, location };
}

/**
 * The first `limit` matched and `limit` mismatched pairs of every fold, in file order (every pair
 * when `limit` is undefined): the selection `--limit` makes, for facematch's run and the peers' alike.
 *
 * @category Benchmark
 */
export function firstPairsOfEachFold<T extends { fold: number; same: boolean }>(pairs: readonly T[], limit: number | undefined): T[] {
  if (limit === undefined) return [...pairs];
  const seen = new Map<string, number>();
  return pairs.filter((p) => {
    const k = `${p.fold}:${p.same}`;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n < limit;
  });
}
