/**
 * Where the peer libraries are installed: their package folders, versions and the builds the
 * benchmark loads. Both are devDependencies of facematch.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FaceMatchError } from '../../src/errors.js';
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

/** The package folder of a dependency: the nearest folder above its resolved main file holding its package.json. */
function packageDir(name: string): string {
  let entry: string;
  try {
    // `@vladmandic/human` exports only its main entry (its subpath keys lack "./"), so resolve that.
    entry = require.resolve(name);
  } catch (cause) {
    throw new FaceMatchError('INVALID_INPUT', `expected the devDependency ${name} to be installed, but it cannot be resolved (run npm install)`, {
      field: 'peer',
      cause,
    });
  }
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
    const dir = packageDir(name);
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    pkg = { name, version, dir, wasmBuild: path.join(dir, WASM_BUILDS[peer]), modelsDir: path.join(dir, MODEL_DIRS[peer]) };
    found.set(peer, pkg);
  }
  return pkg;
}
