/**
 * Downloads one file over HTTP(S) with redirects, resume of a partial download (`<file>.part` and
 * an HTTP `Range` request), bounded retries, progress reports and checksum verification.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaceMatchError } from '../errors.js';

/**
 * A progress report of {@link downloadFile}.
 *
 * @category Datasets
 */
export interface DownloadProgress {
  /** File name being downloaded. */
  file: string;
  /** Bytes on disk so far, including bytes of a resumed partial download. */
  received: number;
  /** Total size, when the server says or the manifest knows. */
  total: number | null;
  /** Bytes that were already on disk when this request started (0 for a fresh download). */
  resumedFrom: number;
}

/**
 * Options of {@link downloadFile}.
 *
 * @category Datasets
 */
export interface DownloadOptions {
  /** Expected hex md5; checked when given. */
  md5?: string | null;
  /** Expected hex sha256; checked when given. */
  sha256?: string | null;
  /** Expected size in bytes; checked when given. */
  bytes?: number | null;
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Redirects to follow per request. Default 5. */
  maxRedirects?: number;
  /** Further attempts after a dropped connection or a server error, each resuming where the last stopped. Default 3. */
  retries?: number;
  /** Pause before a retry, multiplied by the attempt number. Default 1000 ms. */
  retryDelayMs?: number;
  /** Idle time after which a request is abandoned (and retried). Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * The file {@link downloadFile} produced.
 *
 * @category Datasets
 */
export interface DownloadResult {
  /** Absolute path of the file. */
  path: string;
  /** The URL it came from (before redirects). */
  url: string;
  /** Size in bytes. */
  bytes: number;
  /** Hex md5 of the file. */
  md5: string;
  /** Hex sha256 of the file. */
  sha256: string;
  /** True when the file was already there with the right checksums: nothing was downloaded. */
  skipped: boolean;
  /** True when a partial download was resumed rather than restarted. */
  resumed: boolean;
}

/** An error worth another attempt (dropped connection, timeout, server error). */
class Retryable extends Error {}

/** Hex md5 and sha256 of a file, read once. */
async function hashFile(file: string): Promise<{ md5: string; sha256: string; bytes: number }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    md5.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex'), bytes };
}

/** Why a file does not match what is expected, or undefined when it does. */
function mismatch(got: { md5: string; sha256: string; bytes: number }, want: DownloadOptions): string | undefined {
  if (want.bytes != null && got.bytes !== want.bytes) return `size: expected ${want.bytes} bytes, received ${got.bytes}`;
  if (want.sha256 != null && got.sha256 !== want.sha256) return `sha256: expected ${want.sha256}, received ${got.sha256}`;
  if (want.md5 != null && got.md5 !== want.md5) return `md5: expected ${want.md5}, received ${got.md5}`;
  return undefined;
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

/** Sends one GET, following redirects; resolves with the final response. */
function get(url: URL, headers: Record<string, string>, options: DownloadOptions, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (client === undefined) {
      reject(new FaceMatchError('INVALID_INPUT', `expected an http or https URL, received ${url.href}`, { field: 'url' }));
      return;
    }
    const req = client.get(url, { headers: { 'user-agent': 'facematch-datasets', ...headers } }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        if (redirects >= (options.maxRedirects ?? 5)) {
          reject(new FaceMatchError('INVALID_INPUT', `too many redirects (more than ${options.maxRedirects ?? 5}) from ${url.href}`, { field: 'url' }));
          return;
        }
        get(new URL(location, url), headers, options, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new Retryable(`no data from ${url.href} for ${options.timeoutMs ?? 60_000} ms`)));
    req.on('error', (err) => reject(err instanceof FaceMatchError ? err : new Retryable(`${url.href}: ${err.message}`)));
  });
}

/** One attempt: appends to (or restarts) the part file until the response ends. */
async function attempt(url: URL, part: string, name: string, options: DownloadOptions): Promise<{ resumed: boolean }> {
  const offset = (await sizeOf(part)) ?? 0;
  const res = await get(url, offset > 0 ? { range: `bytes=${offset}-` } : {}, options);
  const status = res.statusCode ?? 0;
  if (status === 416) {
    // The part file is at least as long as the resource: keep it and let the checksum decide.
    res.resume();
    const total = /\/(\d+)$/.exec(res.headers['content-range'] ?? '')?.[1];
    if (total !== undefined && Number(total) === offset) return { resumed: true };
    await rm(part, { force: true });
    throw new Retryable(`${url.href}: the partial download does not fit the file (HTTP 416); starting again`);
  }
  if (status >= 500 || status === 408 || status === 429) {
    res.resume();
    throw new Retryable(`${url.href}: HTTP ${status}`);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new FaceMatchError('INVALID_INPUT', `download of ${name} failed: expected HTTP 200 from ${url.href}, received HTTP ${status}`, {
      field: 'url',
      details: { url: url.href, status },
    });
  }
  let start = 0;
  if (status === 206) {
    start = Number(/^bytes (\d+)-/.exec(res.headers['content-range'] ?? '')?.[1] ?? Number.NaN);
    if (start !== offset) {
      res.resume();
      await rm(part, { force: true });
      throw new Retryable(`${url.href}: the server resumed at byte ${start}, not ${offset}; starting again`);
    }
  }
  const length = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length']);
  const total = length === null ? (options.bytes ?? null) : start + length;
  let received = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      options.onProgress?.({ file: name, received, total, resumedFrom: start });
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }));
  } catch (err) {
    throw new Retryable(`${url.href}: connection lost after ${received} bytes (${(err as Error).message})`);
  }
  if (length !== null && received < start + length) throw new Retryable(`${url.href}: connection closed after ${received} of ${start + length} bytes`);
  return { resumed: start > 0 };
}

/**
 * Downloads `url` to `dest`. Bytes go to `dest + ".part"` first; a later call (or a retry after a
 * dropped connection) resumes from the part file's size with an HTTP `Range` request, or restarts
 * when the server ignores it. When complete, the size and checksums are verified and the part file
 * is renamed to `dest`. A `dest` that already exists with the expected checksums is not downloaded
 * again (`skipped`).
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT`: a checksum or size mismatch (the part file is
 *   deleted so the next attempt starts clean), an HTTP error status, too many redirects, or a
 *   connection still failing after all retries (the part file is kept for the next call).
 * @category Datasets
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const name = dest.split(/[/\\]/).pop() ?? dest;
  if ((await sizeOf(dest)) !== undefined) {
    const got = await hashFile(dest);
    if (mismatch(got, options) === undefined) return { path: dest, url, ...got, skipped: true, resumed: false };
    await rm(dest, { force: true });
  }
  const part = `${dest}.part`;
  const target = new URL(url);
  const retries = options.retries ?? 3;
  let resumed = false;
  for (let i = 0; ; i++) {
    try {
      resumed = (await attempt(target, part, name, options)).resumed || resumed;
      break;
    } catch (err) {
      if (!(err instanceof Retryable)) throw err;
      if (i >= retries) {
        throw new FaceMatchError(
          'INVALID_INPUT',
          `download of ${name} failed after ${i + 1} attempt${i === 0 ? '' : 's'}: ${err.message}; run again to resume from ${part}`,
          { field: 'url', details: { url, part }, cause: err },
        );
      }
      await sleep((options.retryDelayMs ?? 1000) * (i + 1));
    }
  }
  const got = await hashFile(part);
  const problem = mismatch(got, options);
  if (problem !== undefined) {
    await rm(part, { force: true });
    throw new FaceMatchError('INVALID_INPUT', `downloaded ${name} from ${url} is not the expected file: ${problem}; the download was deleted`, {
      field: name,
      details: { url, ...got },
    });
  }
  await rename(part, dest);
  return { path: dest, url, ...got, skipped: false, resumed };
}
