/**
 * Dataset manifests: the files of a public dataset, where to download them and their checksums.
 * The manifests live in the package's `datasets/` folder (`datasets/lfw.json`).
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatchError, invalidInput } from '../errors.js';
import { packageRoot } from '../runtime/package.js';

/**
 * How a downloaded archive is unpacked.
 *
 * @category Datasets
 */
export interface DatasetExtract {
  /** Archive format; `tgz` (gzip-compressed tar) is the one supported. */
  format: 'tgz';
  /** The top-level folder the archive creates, such as `lfw-deepfunneled`. */
  creates: string;
}

/**
 * One file of a dataset.
 *
 * @category Datasets
 */
export interface DatasetFile {
  /** File name in the dataset folder, such as `pairs.txt`. */
  file: string;
  /** Where to download it, tried in order. */
  urls: string[];
  /** Size in bytes, when known. */
  bytes: number | null;
  /** Hex md5, when known. */
  md5: string | null;
  /** Hex sha256, when known. */
  sha256: string | null;
  /** Present for archives that are unpacked after download. */
  extract?: DatasetExtract;
}

/**
 * A dataset manifest such as `datasets/lfw.json`.
 *
 * @category Datasets
 */
export interface DatasetManifest {
  /** Short name, such as `lfw`; also the default folder name. */
  name: string;
  /** Human-readable title. */
  title: string;
  /** The dataset's home page. */
  homepage: string;
  /** The files to download. */
  files: DatasetFile[];
}

/**
 * The folder holding the manifests: `datasets/` at the package root. Found from the package root
 * rather than from this module's own path, which is one level deeper in a build (`dist/src/`) than
 * in the sources (`src/`).
 */
function manifestDir(): string {
  return path.join(packageRoot(), 'datasets') + path.sep;
}

/** A manifest field that is wrong: the message names the manifest and the field; `field` stays `dataset`. */
function invalid(name: string, at: string, expected: string, received: unknown): FaceMatchError {
  const error = invalidInput(`${at} of dataset manifest ${name}`, expected, received);
  return new FaceMatchError('INVALID_INPUT', error.message, { field: 'dataset', details: { ...error.details, manifestField: at } });
}

const HEX = { md5: /^[0-9a-f]{32}$/, sha256: /^[0-9a-f]{64}$/ } as const;

/**
 * Checks that a parsed JSON value is a usable manifest and returns it typed.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` naming the first field that is wrong.
 * @category Datasets
 */
export function validateDatasetManifest(value: unknown, name = 'manifest'): DatasetManifest {
  const m = value as Partial<DatasetManifest> | null;
  if (m === null || typeof m !== 'object') throw invalid(name, 'the top level', 'a JSON object', m);
  for (const key of ['name', 'title', 'homepage'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') throw invalid(name, key, 'a non-empty string', m[key]);
  }
  if (!Array.isArray(m.files) || m.files.length === 0) throw invalid(name, 'files', 'a non-empty array', m.files);
  m.files.forEach((f: Partial<DatasetFile>, i) => {
    const at = `files[${i}]`;
    if (typeof f.file !== 'string' || f.file === '' || /[/\\]/.test(f.file)) throw invalid(name, `${at}.file`, 'a plain file name', f.file);
    if (!Array.isArray(f.urls) || f.urls.some((u) => typeof u !== 'string' || !/^https?:\/\//.test(u))) {
      throw invalid(name, `${at}.urls`, 'an array of http(s) URLs', f.urls);
    }
    if (f.bytes !== null && !(Number.isInteger(f.bytes) && (f.bytes as number) > 0)) throw invalid(name, `${at}.bytes`, 'a positive integer or null', f.bytes);
    for (const algo of ['md5', 'sha256'] as const) {
      const h = f[algo];
      if (h !== null && !(typeof h === 'string' && HEX[algo].test(h))) throw invalid(name, `${at}.${algo}`, 'lowercase hex or null', h);
    }
    if (f.extract !== undefined) {
      if (f.extract.format !== 'tgz') throw invalid(name, `${at}.extract.format`, '"tgz"', f.extract.format);
      if (typeof f.extract.creates !== 'string' || f.extract.creates === '' || /[/\\]|^\.\.?$/.test(f.extract.creates)) {
        throw invalid(name, `${at}.extract.creates`, 'a plain folder name', f.extract.creates);
      }
    }
  });
  return m as DatasetManifest;
}

/**
 * Reads a manifest shipped with facematch by name (`lfw`), or from a path to a `.json` file.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an unknown dataset or a malformed manifest.
 * @category Datasets
 */
export async function readDatasetManifest(nameOrPath: string): Promise<DatasetManifest> {
  const isPath = nameOrPath.endsWith('.json');
  if (!isPath && !/^[a-z0-9][a-z0-9-]*$/.test(nameOrPath)) {
    throw new FaceMatchError('INVALID_INPUT', `expected a dataset name such as "lfw", received "${nameOrPath}"`, { field: 'dataset' });
  }
  const file = isPath ? nameOrPath : `${manifestDir()}${nameOrPath}.json`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FaceMatchError('INVALID_INPUT', `unknown dataset "${nameOrPath}": expected a manifest at ${file}, found none`, {
      field: 'dataset',
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FaceMatchError('INVALID_INPUT', `dataset manifest ${file}: expected JSON, received unparsable text`, { field: 'dataset', cause: err });
  }
  return validateDatasetManifest(parsed, file);
}
