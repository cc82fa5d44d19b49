/**
 * The package as a user gets it: a clean copy of the checkout (the files git would commit: no
 * dist/, no node_modules/) is packed with `npm pack` (whose prepack builds it), the tarball is
 * installed into a fresh app (dependencies from the registry, or npm's cache when it has them),
 * and the installed copy is then used with the network off (a new, empty network namespace,
 * `unshare --map-root-user --net`): `import { FaceMatcher } from 'facematch'` and a match, and
 * `npx facematch compare`. The installed size (node_modules of the app) must stay under 150 MB.
 *
 * Without `unshare` (not Linux, or user namespaces disabled) the offline steps are skipped and
 * the test says so, unless FACEMATCH_REQUIRE_OFFLINE_TEST=1 (set by .ci/run), which makes it fail.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lfwDirOrSkip, lfwImage } from './fixtures/lfw.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const LFW = lfwDirOrSkip('package-install');
/** The installed-size budget, in bytes (npm's MB: 1,000,000 bytes). */
const MAX_INSTALLED_BYTES = 150e6;

const OFFLINE = ['unshare', '--map-root-user', '--net'];
const offlineWorks = spawnSync(OFFLINE[0]!, [...OFFLINE.slice(1), 'true']).status === 0;
const requireOffline = process.env['FACEMATCH_REQUIRE_OFFLINE_TEST'] === '1';
if (!offlineWorks && !requireOffline) console.warn('package-install: `unshare --map-root-user --net` does not work here; the offline steps are skipped.');

/** Files and folders, with sizes, under a folder (symlinks not followed). */
async function du(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await du(p);
    else total += (await lstat(p)).size;
  }
  return total;
}

/** Runs a command in the app folder with the network cut off; resolves to its exit code and output. */
function offline(cwd: string, command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(OFFLINE[0]!, [...OFFLINE.slice(1), ...command], { cwd, maxBuffer: 32 << 20, env: { ...process.env, npm_config_offline: 'true' } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
}

describe('npm pack of a clean checkout, installed into a fresh app', () => {
  let tmp: string;
  let app: string;
  let tarball: string;
  let packedFiles: string[];
  let images: { a: string; b: string; lfw: boolean };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'facematch-pack-'));
    // A clean checkout: what git would commit (tracked and new files, not the ignored ones), plus
    // the development dependencies the build needs, linked.
    const checkout = path.join(tmp, 'checkout');
    const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 16 << 20 });
    for (const rel of stdout.split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f)))) {
      await mkdir(path.dirname(path.join(checkout, rel)), { recursive: true });
      await copyFile(path.join(ROOT, rel), path.join(checkout, rel));
    }
    expect(existsSync(path.join(checkout, 'dist'))).toBe(false);
    await symlink(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: checkout, maxBuffer: 64 << 20 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(tmp, info!.filename);
    packedFiles = info!.files.map((f) => f.path);

    app = path.join(tmp, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'facematch-install-check', version: '1.0.0', private: true, type: 'module' }));
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, maxBuffer: 64 << 20 });

    if (LFW) {
      images = { a: lfwImage(LFW, 'Aaron_Peirsol', 1), b: lfwImage(LFW, 'Aaron_Peirsol', 2), lfw: true };
    } else {
      // No LFW: a face-less picture still takes the installed copy through decode, models and detection.
      const blank = path.join(app, 'blank.jpg');
      await sharp({ create: { width: 320, height: 320, channels: 3, background: { r: 150, g: 140, b: 130 } } }).jpeg().toFile(blank);
      images = { a: blank, b: blank, lfw: false };
    }
    // Building, packing and installing: a hang guard, not a speed goal (about a minute here).
  }, 600_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('packs the build (prepack) with the bench entry point, and none of the development files', () => {
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli.js', 'dist/bench/cli.js', 'dist/bench/peers/worker.js', 'datasets/lfw.json', 'models/manifest.json', 'README.md', 'package.json']) {
      expect(packedFiles).toContain(f);
    }
    expect(packedFiles.filter((f) => /^(src|test|bench|scripts|docs)\//.test(f) || /^dist\/(test|bench\/(scripts|helpers|micro|experiments))\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('installs under 150 MB', async () => {
    const bytes = await du(path.join(app, 'node_modules'));
    const sizes: [string, number][] = [];
    for (const top of await readdir(path.join(app, 'node_modules'))) {
      const dir = path.join(app, 'node_modules', top);
      const names = top.startsWith('@') ? (await readdir(dir)).map((n) => path.join(top, n)) : [top];
      for (const name of names) if (!name.startsWith('.')) sizes.push([name, await du(path.join(app, 'node_modules', name))]);
    }
    const largest = sizes.sort((x, y) => y[1] - x[1]).slice(0, 6).map(([n, b]) => `${n} ${(b / 1e6).toFixed(1)}`);
    console.log(`package-install: installed size ${(bytes / 1e6).toFixed(1)} MB (node_modules of a fresh app, apparent size); largest: ${largest.join(', ')} MB`);
    expect(bytes).toBeLessThan(MAX_INSTALLED_BYTES);
  });

  it.skipIf(!offlineWorks && !requireOffline)('matches offline: import { FaceMatcher } from "facematch"', async () => {
    expect(offlineWorks, 'unshare --map-root-user --net must work when FACEMATCH_REQUIRE_OFFLINE_TEST=1').toBe(true);
    const script = `
      import { FaceMatcher, FaceMatchError } from 'facematch';
      import { lookup } from 'node:dns/promises';
      const network = await lookup('registry.npmjs.org').then(() => 'on', () => 'off');
      const matcher = await FaceMatcher.create();
      try {
        const r = await matcher.match(${JSON.stringify(images.a)}, ${JSON.stringify(images.b)});
        console.log(JSON.stringify({ network, score: r.score, similarity: r.similarity }));
      } catch (err) {
        if (!(err instanceof FaceMatchError)) throw err;
        console.log(JSON.stringify({ network, code: err.code }));
      } finally {
        matcher.dispose();
      }`;
    await writeFile(path.join(app, 'check.mjs'), script);
    const r = await offline(app, [process.execPath, 'check.mjs']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { network: string; score?: number; code?: string };
    expect(out.network).toBe('off');
    if (images.lfw) expect(out.score).toBeGreaterThan(50);
    else expect(out.code).toBe('NO_FACE');
  }, 300_000);

  it.skipIf(!offlineWorks && !requireOffline)('runs offline: npx facematch compare, and the bench names what a peer needs', async () => {
    const r = await offline(app, ['npx', '--no', 'facematch', 'compare', images.a, images.b, '--format', 'attestr', '--threshold', '70']);
    expect(r.stderr).not.toMatch(/looks like you are running TensorFlow/);
    expect(r.stdout).not.toBe('');
    if (images.lfw) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, status: 'FACE_MATCHED' });
    } else {
      expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, status: 'FACE_NOT_MATCHED' });
    }
    const peer = await offline(app, ['npx', '--no', 'facematch', 'bench', 'lfw', '--peer', 'face-api', '--data', app]);
    expect(peer.code).toBe(2);
    expect(peer.stderr).toMatch(/install with npm install @vladmandic\/face-api@\S+ @tensorflow\/tfjs@4\.22\.0/);
    const fetch = await offline(app, ['npx', '--no', 'facematch', 'datasets', 'fetch', 'lfw', '--dir', path.join(app, 'lfw'), '--mirror', 'http://127.0.0.1:9/']);
    expect(fetch.stderr).not.toMatch(/unknown dataset/);
    expect(fetch.stderr).toMatch(/download of pairs\.txt failed after \d+ attempts?: http:\/\/127\.0\.0\.1:9\/pairs\.txt/);
  }, 300_000);
});
