import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findLfw, loadPairs } from '../bench/lfw/pairs.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';
import { FaceMatchError } from '../src/errors.js';
import { downloadFile, extractTgz, fetchDataset, readDatasetManifest, validateDatasetManifest, type DatasetManifest, type FetchProgress } from '../src/datasets/index.js';

const run = promisify(execFile);
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** What the test server saw. */
interface Seen {
  path: string;
  range: string | undefined;
}

/**
 * A local HTTP server for the fixture files. Routes:
 * - `/files/<name>`: the file, with `Range: bytes=N-` support (206 / 416);
 * - `/drop/<name>`: like `/files`, but the first request of each file is cut off halfway;
 * - `/norange/<name>`: always the whole file with 200, ignoring `Range`;
 * - `/corrupt/<name>`: the file with one byte changed;
 * - `/old/<name>`: a 302 redirect to `/files/<name>`; `/loop`: a redirect to itself; anything else: 404.
 */
function startServer(files: Map<string, Buffer>): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const dropped = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const range = req.headers.range;
    seen.push({ path: url.pathname, range });
    const [, route, name] = url.pathname.split('/');
    if (route === 'loop') {
      res.writeHead(302, { location: '/loop' }).end();
      return;
    }
    if (route === 'old') {
      res.writeHead(302, { location: `/files/${name}` }).end();
      return;
    }
    let body = files.get(decodeURIComponent(name ?? ''));
    if (body === undefined || !['files', 'drop', 'norange', 'corrupt'].includes(route ?? '')) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route === 'corrupt') {
      body = Buffer.from(body);
      const mid = body.length >> 1;
      body[mid] = body[mid]! ^ 0xff;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    if (m !== null && route !== 'norange') {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}`, 'content-length': body.length - start });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const rest = body.subarray(start);
    if (route === 'drop' && !dropped.has(name!)) {
      dropped.add(name!);
      res.write(rest.subarray(0, rest.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(rest);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('fetching a dataset from a local server', () => {
  let root: string;
  let tgz: Buffer;
  let pairs: Buffer;
  let images: Map<string, Buffer>;
  let server: Awaited<ReturnType<typeof startServer>>;
  let manifest: DatasetManifest;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'facematch-fetch-'));
    // Three tiny generated JPEGs in the LFW layout, packed with tar like the real archive.
    const src = path.join(root, 'src');
    images = new Map();
    for (const [i, rel] of ['Ann/Ann_0001.jpg', 'Ann/Ann_0002.jpg', 'Bob/Bob_0001.jpg'].entries()) {
      const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 50 * i } } }).jpeg().toBuffer();
      images.set(rel, jpeg);
      await mkdir(path.dirname(path.join(src, 'lfw-deepfunneled', rel)), { recursive: true });
      await writeFile(path.join(src, 'lfw-deepfunneled', rel), jpeg);
    }
    // A large-ish member so that "halfway" is many TCP chunks in.
    await writeFile(path.join(src, 'lfw-deepfunneled', 'Bob', 'notes.bin'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24)));
    await run('tar', ['czf', path.join(root, 'lfw-deepfunneled.tgz'), '-C', src, 'lfw-deepfunneled']);
    tgz = await readFile(path.join(root, 'lfw-deepfunneled.tgz'));
    pairs = Buffer.from('1\t1\nAnn\t1\t2\nAnn\t1\tBob\t1\n');
    server = await startServer(
      new Map([
        ['pairs.txt', pairs],
        ['lfw-deepfunneled.tgz', tgz],
      ]),
    );
    manifest = {
      name: 'lfw-test',
      title: 'generated LFW-like fixture',
      homepage: 'http://127.0.0.1/',
      files: [
        { file: 'pairs.txt', urls: ['http://127.0.0.1:9/unused'], bytes: pairs.length, md5: md5(pairs), sha256: sha256(pairs) },
        { file: 'lfw-deepfunneled.tgz', urls: ['http://127.0.0.1:9/unused'], bytes: null, md5: md5(tgz), sha256: null, extract: { format: 'tgz', creates: 'lfw-deepfunneled' } },
      ],
    };
  });

  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    server.seen.length = 0;
  });

  it('downloads, resumes a dropped connection with a Range request, verifies, extracts, and is then usable as LFW', async () => {
    const dir = path.join(root, 'lfw');
    const progress: FetchProgress[] = [];
    const result = await fetchDataset(manifest, { dir, baseUrl: `${server.url}/drop/`, retryDelayMs: 0, onProgress: (p) => progress.push(p) });

    // pairs.txt: dropped once, then resumed; the archive likewise.
    const tgzRequests = server.seen.filter((s) => s.path === '/drop/lfw-deepfunneled.tgz');
    expect(tgzRequests).toHaveLength(2);
    expect(tgzRequests[0]!.range).toBeUndefined();
    expect(tgzRequests[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(server.seen.length).toBe(4);
    const resumed = progress.filter((p) => p.file === 'lfw-deepfunneled.tgz' && p.resumedFrom > 0);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.at(-1)!.received).toBe(tgz.length);
    expect(resumed.at(-1)!.total).toBe(tgz.length);
    expect(progress.some((p) => p.phase === 'extract')).toBe(true);

    expect(result.dir).toBe(dir);
    expect(result.files.map((f) => [f.file, f.skipped])).toEqual([
      ['pairs.txt', false],
      ['lfw-deepfunneled.tgz', false],
    ]);
    expect(result.files[1]!.path).toBe(path.join(dir, 'lfw-deepfunneled'));
    expect(await readFile(path.join(dir, 'pairs.txt'))).toEqual(pairs);
    for (const [rel, bytes] of images) expect(await readFile(path.join(dir, 'lfw-deepfunneled', rel))).toEqual(bytes);
    // The archive is removed after extraction; no temporary or partial files are left.
    expect((await readdir(dir)).sort()).toEqual(['.lfw-deepfunneled.tgz.extracted', 'lfw-deepfunneled', 'pairs.txt']);

    const loaded = await loadPairs(await findLfw(dir));
    expect(loaded.pairs).toHaveLength(2);
    expect(loaded.images).toEqual(['lfw-deepfunneled/Ann/Ann_0001.jpg', 'lfw-deepfunneled/Ann/Ann_0002.jpg', 'lfw-deepfunneled/Bob/Bob_0001.jpg']);

    // A second run finds everything in place and asks the server for nothing.
    server.seen.length = 0;
    const again = await fetchDataset(manifest, { dir, baseUrl: `${server.url}/files/` });
    expect(again.files.every((f) => f.skipped)).toBe(true);
    expect(server.seen).toHaveLength(0);
  });

  it('keeps the partial file when all attempts fail, and resumes it on the next call', async () => {
    const dest = path.join(root, 'resume', 'lfw-deepfunneled.tgz');
    await mkdir(path.dirname(dest), { recursive: true });
    // The /drop route cuts only the first request of each file, and the shared server's was used above.
    const first = await startServer(new Map([['lfw-deepfunneled.tgz', tgz]]));
    try {
      const err = await downloadFile(`${first.url}/drop/lfw-deepfunneled.tgz`, dest, { md5: md5(tgz), retries: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceMatchError);
      expect((err as FaceMatchError).message).toMatch(/download of lfw-deepfunneled\.tgz failed after 1 attempt: .*run again to resume/);
      const partSize = (await stat(`${dest}.part`)).size;
      expect(partSize).toBeGreaterThan(0);
      expect(partSize).toBeLessThan(tgz.length);

      const done = await downloadFile(`${first.url}/files/lfw-deepfunneled.tgz`, dest, { md5: md5(tgz), retries: 0 });
      expect(done).toMatchObject({ resumed: true, skipped: false, bytes: tgz.length, md5: md5(tgz), sha256: sha256(tgz) });
      expect(first.seen.at(-1)!.range).toBe(`bytes=${partSize}-`);
      expect(existsSync(`${dest}.part`)).toBe(false);
      expect(await readFile(dest)).toEqual(tgz);
    } finally {
      await first.close();
    }
  });

  it('rejects a corrupted download with a clear error and deletes it', async () => {
    const dest = path.join(root, 'corrupt', 'pairs.txt');
    await mkdir(path.dirname(dest), { recursive: true });
    const err = await downloadFile(`${server.url}/corrupt/pairs.txt`, dest, { md5: md5(pairs), retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaceMatchError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'pairs.txt' });
    expect((err as FaceMatchError).message).toMatch(
      new RegExp(`downloaded pairs\\.txt from .*/corrupt/pairs\\.txt is not the expected file: md5: expected ${md5(pairs)}, received [0-9a-f]{32}; the download was deleted`),
    );
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);

    // With sha256 known, the sha256 is what the message names.
    await expect(downloadFile(`${server.url}/corrupt/pairs.txt`, dest, { sha256: sha256(pairs), retries: 0 })).rejects.toThrow(/sha256: expected/);
  });

  it('follows redirects, but not forever', async () => {
    const dest = path.join(root, 'redirect', 'pairs.txt');
    await mkdir(path.dirname(dest), { recursive: true });
    const got = await downloadFile(`${server.url}/old/pairs.txt`, dest, { md5: md5(pairs) });
    expect(got.skipped).toBe(false);
    expect(server.seen.map((s) => s.path)).toEqual(['/old/pairs.txt', '/files/pairs.txt']);
    server.seen.length = 0;
    await expect(downloadFile(`${server.url}/loop`, path.join(root, 'redirect', 'x'), { maxRedirects: 3 })).rejects.toThrow(/too many redirects \(more than 3\)/);
    expect(server.seen).toHaveLength(4);
  });

  it('restarts from zero when the server ignores the Range header', async () => {
    const dest = path.join(root, 'norange', 'pairs.txt');
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(`${dest}.part`, pairs.subarray(0, 10));
    const got = await downloadFile(`${server.url}/norange/pairs.txt`, dest, { md5: md5(pairs), bytes: pairs.length });
    expect(got).toMatchObject({ resumed: false, bytes: pairs.length });
    expect(server.seen[0]!.range).toBe('bytes=10-');
    expect(await readFile(dest)).toEqual(pairs);
  });

  it('treats HTTP 404 as final (one request, no retries) and falls back to the next mirror', async () => {
    const dest = path.join(root, 'mirror', 'pairs.txt');
    await mkdir(path.dirname(dest), { recursive: true });
    await expect(downloadFile(`${server.url}/nothing/pairs.txt`, dest, { retries: 3, retryDelayMs: 0 })).rejects.toThrow(
      /expected HTTP 200 from .*\/nothing\/pairs\.txt, received HTTP 404/,
    );
    expect(server.seen).toHaveLength(1);

    const mirrored: DatasetManifest = {
      ...manifest,
      files: [{ ...manifest.files[0]!, urls: [`${server.url}/nothing/pairs.txt`, `${server.url}/files/pairs.txt`] }],
    };
    const result = await fetchDataset(mirrored, { dir: path.join(root, 'mirror') });
    expect(result.files[0]).toMatchObject({ url: `${server.url}/files/pairs.txt`, skipped: false, sha256: sha256(pairs) });
  });

  it('refuses an archive without the expected folder', async () => {
    await expect(extractTgz(path.join(root, 'lfw-deepfunneled.tgz'), path.join(root, 'wrong'), 'lfw')).rejects.toThrow(
      /expected lfw-deepfunneled\.tgz to contain the folder lfw\/, but it does not/,
    );
    expect(await readdir(path.join(root, 'wrong'))).toEqual([]);
    await expect(extractTgz(path.join(root, 'src', 'lfw-deepfunneled', 'Ann', 'Ann_0001.jpg'), path.join(root, 'wrong'), 'x')).rejects.toThrow(/tar .* failed with exit code/);
  });
});

describe('facematch datasets fetch lfw, the built CLI', () => {
  const CLI = path.join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

  it('finds the shipped manifest from dist/ and reaches the download step (a local mirror)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'facematch-cli-fetch-'));
    // Not the official pairs.txt: the download must be refused by its checksum, after the request.
    const server = await startServer(new Map([['pairs.txt', Buffer.from('1\t1\nAnn\t1\t2\nAnn\t1\tBob\t1\n')]]));
    try {
      const out = await run(process.execPath, [CLI, 'datasets', 'fetch', 'lfw', '--dir', dir, '--mirror', `${server.url}/files/`]).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
      expect(out.stderr).not.toMatch(/unknown dataset/);
      expect(server.seen.map((s) => s.path)).toEqual(['/files/pairs.txt']);
      expect(out.stderr).toMatch(/downloaded pairs\.txt from http:\/\/127\.0\.0\.1:\d+\/files\/pairs\.txt is not the expected file: size: expected 155335 bytes, received 24; the download was deleted/);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/^downloading pairs\.txt\nfacematch: /);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('datasets/lfw.json', () => {
  it('is a valid manifest with the official pairs.txt checksums and the archive md5', async () => {
    const m = await readDatasetManifest('lfw');
    expect(m.name).toBe('lfw');
    const pairsFile = m.files.find((f) => f.file === 'pairs.txt')!;
    expect(pairsFile.md5).toBe('9f1ba174e4e1c508ff7cdf10ac338a7d');
    expect(pairsFile.urls[0]).toBe('http://vis-www.cs.umass.edu/lfw/pairs.txt');
    const archive = m.files.find((f) => f.file === 'lfw-deepfunneled.tgz')!;
    expect(archive.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(archive.extract).toEqual({ format: 'tgz', creates: 'lfw-deepfunneled' });
  });

  it('rejects unknown names and malformed manifests', async () => {
    await expect(readDatasetManifest('nope')).rejects.toThrow(/unknown dataset "nope"/);
    await expect(readDatasetManifest('../x')).rejects.toThrow(/expected a dataset name/);
    expect(() => validateDatasetManifest({ name: 'x', title: 't', homepage: 'h', files: [{ file: 'a/b', urls: [] }] })).toThrow(/Expected a plain file name for files\[0\]\.file of dataset manifest manifest but received "a\/b"/);
    expect(() =>
      validateDatasetManifest({ name: 'x', title: 't', homepage: 'h', files: [{ file: 'a', urls: ['ftp://x'], bytes: null, md5: null, sha256: null }] }),
    ).toThrow(/Expected an array of http\(s\) URLs for files\[0\]\.urls of dataset manifest manifest but received an array of 1/);
    expect(() =>
      validateDatasetManifest({ name: 'x', title: 't', homepage: 'h', files: [{ file: 'a', urls: [], bytes: null, md5: 'ABC', sha256: null }] }),
    ).toThrow(/Expected lowercase hex or null for files\[0\]\.md5 of dataset manifest manifest but received "ABC"/);
  });

  const lfwDir = lfwDirOrSkip('datasets-fetch');
  it.skipIf(lfwDir === undefined)('matches the local pairs.txt byte for byte (FACEMATCH_LFW_DIR)', async () => {
    const m = await readDatasetManifest('lfw');
    const f = m.files.find((x) => x.file === 'pairs.txt')!;
    const bytes = await readFile(path.join(lfwDir!, 'pairs.txt'));
    expect({ bytes: bytes.length, md5: md5(bytes), sha256: sha256(bytes) }).toEqual({ bytes: f.bytes, md5: f.md5, sha256: f.sha256 });
  });
});
