/**
 * Where the peer libraries are installed: their package folders, versions and the builds the
 * benchmark loads. Both are devDependencies of facematch: an installed copy says what to install.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FaceMatchError } from '../../src/errors.js';
import { packageRoot } from '../../src/runtime/package.js';
import type { PeerName } from './engine.js';

/**
 * An installed peer package.
 *
 * @category Benchmark
 */
export interface PeerPackage {
  /** npm name, such as `@vladmandic/face-api`. */
  name: string;
  /** Installed version. */
  version: string;
  /** Absolute path of the package folder. */
  dir: string;
  /** Absolute path of the build the benchmark loads (the node-wasm build, which needs no tfjs-node). */
  wasmBuild: string;
  /** Absolute path of the folder holding the library's models. */
  modelsDir: string;
}

const require = createRequire(import.meta.url);

/**
 * The npm packages a peer needs besides facematch's own dependencies: the library, and for
 * face-api the `@tensorflow/tfjs` union package its node-wasm build imports.
 */
const REQUIRED: Record<PeerName, readonly string[]> = { 'face-api': ['@vladmandic/face-api', '@tensorflow/tfjs'], human: ['@vladmandic/human'] };

/** `name@range` as facematch's own package.json lists it among its devDependencies (the versions the bench was run with). */
function installSpec(name: string): string {
  const range = (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }).devDependencies?.[name];
  return range === undefined ? name : `${name}@${range}`;
}

function resolves(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that a peer's packages can be loaded from here, or throws a message that names what to
 * install: they are devDependencies of facematch, so an installed copy of facematch lacks them.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `peer`).
 * @category Benchmark
 */
export function requirePeerPackages(peer: PeerName): void {
  const missing = REQUIRED[peer].filter((name) => !resolves(name));
  if (missing.length === 0) return;
  throw new FaceMatchError(
    'INVALID_INPUT',
    `Expected ${missing.join(' and ')} for --peer ${peer} but ${missing.length === 1 ? 'it is' : 'they are'} not installed ` +
      `(the peers are devDependencies of facematch, not dependencies): install with npm install ${REQUIRED[peer].map(installSpec).join(' ')}`,
    { field: 'peer', details: { peer, missing, install: `npm install ${REQUIRED[peer].map(installSpec).join(' ')}` } },
  );
}

/** The package folder of a dependency: the nearest folder above its resolved main file holding its package.json. */
function packageDir(peer: PeerName, name: string): string {
  requirePeerPackages(peer);
  // `@vladmandic/human` exports only its main entry (its subpath keys lack "./"), so resolve that.
  const entry = require.resolve(name);
  for (let dir = path.dirname(entry); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here: keep walking up
    }
  }
  throw new FaceMatchError('INVALID_INPUT', `expected a package.json named ${name} above ${entry}, found none`, { field: 'peer' });
}

const NPM_NAMES: Record<PeerName, string> = { 'face-api': '@vladmandic/face-api', human: '@vladmandic/human' };
const WASM_BUILDS: Record<PeerName, string> = { 'face-api': 'dist/face-api.node-wasm.js', human: 'dist/human.node-wasm.js' };
const MODEL_DIRS: Record<PeerName, string> = { 'face-api': 'model', human: 'models' };
const found = new Map<PeerName, PeerPackage>();

/**
 * The installed package of a peer library.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `peer`) when it is not installed.
 * @category Benchmark
 */
export function peerPackage(peer: PeerName): PeerPackage {
  let pkg = found.get(peer);
  if (pkg === undefined) {
    const name = NPM_NAMES[peer];
    const dir = packageDir(peer, name);
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    pkg = { name, version, dir, wasmBuild: path.join(dir, WASM_BUILDS[peer]), modelsDir: path.join(dir, MODEL_DIRS[peer]) };
    found.set(peer, pkg);
  }
  return pkg;
}
