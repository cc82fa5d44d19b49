import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from './tf.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { FaceMatchError, invalidInput } from '../errors.js';

/**
 * Which tfjs backend runs the models.
 *
 * - `auto` (default): `node` when `@tensorflow/tfjs-node` can be imported, else `wasm`, else `cpu`.
 * - `node`: native TensorFlow through the optional peer `@tensorflow/tfjs-node`.
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` with SIMD; its `.wasm` binaries are read from the
 *   installed package, never from the network. One thread per process: use worker threads for more.
 * - `cpu`: plain JavaScript kernels; always available, 15–25× slower than wasm.
 *
 * @category Runtime
 */
export type BackendName = 'auto' | 'node' | 'wasm' | 'cpu';

/**
 * The backend actually running after {@link initBackend}.
 *
 * @category Runtime
 */
export interface BackendInfo {
  /** What was asked for. */
  requested: BackendName;
  /** What runs: `node`, `wasm` or `cpu`. */
  name: Exclude<BackendName, 'auto'>;
  /** tfjs's own name for it (`tensorflow`, `wasm`, `cpu`). */
  tfjsName: string;
  /** Whether the wasm backend uses SIMD instructions (always false for other backends). */
  simd: boolean;
  /** The version of `@tensorflow/tfjs-core` in use. */
  tfjsVersion: string;
}

const TFJS_NAMES: Record<Exclude<BackendName, 'auto'>, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/**
 * The backend choices, in a fixed order (for CLI and option checks).
 *
 * @category Runtime
 */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['auto', 'node', 'wasm', 'cpu']);

let wasmPathsSet = false;
let nodeImport: Promise<boolean> | undefined;
let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/**
 * The folder holding the tfjs wasm binaries of the installed `@tensorflow/tfjs-backend-wasm`.
 *
 * @category Runtime
 */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

async function tryNode(): Promise<boolean> {
  nodeImport ??= (async () => {
    try {
      // A variable specifier keeps bundlers and tsc from requiring the optional peer.
      const specifier = '@tensorflow/tfjs-node';
      await import(specifier);
      return tf.findBackendFactory('tensorflow') !== null;
    } catch {
      return false;
    }
  })();
  return nodeImport;
}

async function activate(name: Exclude<BackendName, 'auto'>): Promise<boolean> {
  if (name === 'node' && !(await tryNode())) return false;
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(wasmBinaryDir());
    wasmPathsSet = true;
  }
  try {
    const ok = await tf.setBackend(TFJS_NAMES[name]);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === TFJS_NAMES[name];
  } catch {
    return false;
  }
}

/**
 * Selects and initialises the tfjs backend for this process (or worker thread). tfjs has one
 * active backend per process, so every matcher in a process shares it; calling again with the
 * backend already running is free. Never touches the network.
 *
 * @param requested - `auto` (default), `node`, `wasm` or `cpu`
 * @throws FaceMatchError `INVALID_INPUT` for an unknown name, `BACKEND_ERROR` when the named
 *   backend cannot start (for example `node` without `@tensorflow/tfjs-node` installed)
 * @category Runtime
 */
export async function initBackend(requested: BackendName = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(requested)) throw invalidInput('backend', 'auto, node, wasm or cpu', requested);
  while (pending) await pending.catch(() => undefined);
  if (current && (requested === 'auto' || current.name === requested) && tf.getBackend() === current.tfjsName) {
    return { ...current, requested };
  }
  pending = (async () => {
    const order: Exclude<BackendName, 'auto'>[] = requested === 'auto' ? ['node', 'wasm', 'cpu'] : [requested];
    for (const name of order) {
      if (await activate(name)) {
        current = {
          requested,
          name,
          tfjsName: TFJS_NAMES[name],
          simd: name === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
          tfjsVersion: tf.version_core,
        };
        return current;
      }
    }
    const hint = requested === 'node' ? ' (install the optional peer @tensorflow/tfjs-node)' : '';
    throw new FaceMatchError('BACKEND_ERROR', `Expected the ${requested} tfjs backend to start but it could not be initialised${hint}`, {
      field: 'backend',
    });
  })();
  try {
    return await pending;
  } finally {
    pending = undefined;
  }
}

/**
 * The backend running now, or undefined before {@link initBackend} has been called.
 *
 * @category Runtime
 */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
