/**
 * `facematch datasets fetch <name>`: downloads every file of a dataset manifest into a folder,
 * verifies the checksums and unpacks the archives.
 * @module
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatchError } from '../errors.js';
import { downloadFile, type DownloadProgress } from './download.js';
import { extractTgz } from './extract.js';
import { readDatasetManifest, validateDatasetManifest, type DatasetFile, type DatasetManifest } from './manifest.js';

/**
 * Where datasets are downloaded when no folder is given: `datasets/data/<name>` under the working
 * directory (git-ignored in the facematch repository).
 *
 * @category Datasets
 */
export const DEFAULT_DATASETS_DIR = path.join('datasets', 'data');

/**
 * A progress report of {@link fetchDataset}.
 *
 * @category Datasets
 */
export interface FetchProgress extends DownloadProgress {
  /** What is happening: bytes arriving, or an archive being unpacked (then `received` and `total` are 0 and null). */
  phase: 'download' | 'extract';
}

/**
 * Options of {@link fetchDataset}.
 *
 * @category Datasets
 */
export interface FetchOptions {
  /** Folder to put the dataset in. Default `datasets/data/<name>` under the working directory. */
  dir?: string;
  /**
   * Download every file from `<baseUrl>/<file>` instead of the manifest's URLs (a mirror, or a
   * local server in tests).
   */
  baseUrl?: string;
  /** Keep archives after unpacking them. Default false: they are deleted to save space. */
  keepArchives?: boolean;
  /** Called as bytes arrive and when an archive is unpacked. */
  onProgress?: (progress: FetchProgress) => void;
  /** Further attempts per URL after a dropped connection (each resumes). Default 3. */
  retries?: number;
  /** Pause before a retry, multiplied by the attempt number. Default 1000 ms. */
  retryDelayMs?: number;
  /** Idle time after which a request is abandoned. Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * One file of a fetched dataset.
 *
 * @category Datasets
 */
export interface FetchedFile {
  /** File name from the manifest. */
  file: string;
  /** Absolute path: the file, or for an archive the folder it was unpacked to. */
  path: string;
  /** The URL it was downloaded from; undefined when nothing was downloaded. */
  url: string | undefined;
  /** True when it was already in place and verified (or already unpacked): nothing was downloaded. */
  skipped: boolean;
  /** Hex sha256 of the downloaded file (of the archive for archives); undefined when skipped without hashing. */
  sha256: string | undefined;
}

/**
 * What {@link fetchDataset} did.
 *
 * @category Datasets
 */
export interface FetchResult {
  /** The manifest's name. */
  name: string;
  /** Absolute path of the dataset folder. */
  dir: string;
  /** Each file of the manifest, in order. */
  files: FetchedFile[];
}

/** Marker written after an archive is unpacked: `.<archive>.extracted`, holding its checksum. */
function markerOf(dir: string, f: DatasetFile): string {
  return path.join(dir, `.${f.file}.extracted`);
}

async function alreadyExtracted(dir: string, f: DatasetFile): Promise<boolean> {
  if (f.extract === undefined) return false;
  try {
    const [marker, folder] = await Promise.all([readFile(markerOf(dir, f), 'utf8'), stat(path.join(dir, f.extract.creates))]);
    return folder.isDirectory() && marker.trim() === (f.sha256 ?? f.md5 ?? '').trim();
  } catch {
    return false;
  }
}

function urlsOf(f: DatasetFile, baseUrl: string | undefined): string[] {
  if (baseUrl === undefined) return f.urls;
  return [new URL(encodeURIComponent(f.file), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href];
}

async function fetchFile(f: DatasetFile, dir: string, options: FetchOptions): Promise<FetchedFile> {
  const urls = urlsOf(f, options.baseUrl);
  if (urls.length === 0) throw new FaceMatchError('INVALID_INPUT', `no URL to download ${f.file} from`, { field: 'dataset' });
  const dest = path.join(dir, f.file);
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const got = await downloadFile(url, dest, {
        md5: f.md5,
        sha256: f.sha256,
        bytes: f.bytes,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        timeoutMs: options.timeoutMs,
        onProgress: (p) => options.onProgress?.({ ...p, phase: 'download' }),
      });
      return { file: f.file, path: dest, url: got.skipped ? undefined : url, skipped: got.skipped, sha256: got.sha256 };
    } catch (err) {
      if (!(err instanceof FaceMatchError)) throw err;
      failures.push(err.message);
    }
  }
  throw new FaceMatchError(
    'INVALID_INPUT',
    urls.length === 1 ? failures[0]! : `could not download ${f.file} from any of ${urls.length} URLs: ${failures.join(' | ')}`,
    { field: 'dataset', details: { file: f.file, urls } },
  );
}

/**
 * Downloads a dataset: each file of its manifest (by name, such as `lfw`, or a manifest object) into
 * the folder, with resume, checksum verification and, for archives, unpacking with `tar`. Files
 * already in place with the right checksums, and archives already unpacked, are not downloaded
 * again. Network access happens only here, never at run time.
 *
 * @example
 * ```ts
 * const result = await fetchDataset('lfw', { onProgress: (p) => console.log(p.file, p.received) });
 * // then: FACEMATCH_LFW_DIR=<result.dir>
 * ```
 * @throws {@link FaceMatchError} `INVALID_INPUT` for an unknown dataset, a download that fails on
 *   every URL, a checksum mismatch, or an archive that cannot be unpacked.
 * @category Datasets
 */
export async function fetchDataset(dataset: string | DatasetManifest, options: FetchOptions = {}): Promise<FetchResult> {
  const manifest = typeof dataset === 'string' ? await readDatasetManifest(dataset) : validateDatasetManifest(dataset, dataset.name);
  const dir = path.resolve(options.dir ?? path.join(DEFAULT_DATASETS_DIR, manifest.name));
  await mkdir(dir, { recursive: true });
  const files: FetchedFile[] = [];
  for (const f of manifest.files) {
    if (f.extract !== undefined && (await alreadyExtracted(dir, f))) {
      files.push({ file: f.file, path: path.join(dir, f.extract.creates), url: undefined, skipped: true, sha256: undefined });
      continue;
    }
    const got = await fetchFile(f, dir, options);
    if (f.extract === undefined) {
      files.push(got);
      continue;
    }
    options.onProgress?.({ file: f.file, received: 0, total: null, resumedFrom: 0, phase: 'extract' });
    const folder = await extractTgz(got.path, dir, f.extract.creates);
    await writeFile(markerOf(dir, f), `${f.sha256 ?? f.md5 ?? ''}\n`);
    if (options.keepArchives !== true) await rm(got.path, { force: true });
    files.push({ ...got, path: folder });
  }
  return { name: manifest.name, dir, files };
}
