/**
 * A tfjs load router for `file://` model URLs, for libraries that load their models by URL.
 *
 * In Node, tfjs reads `file://` URLs only when `@tensorflow/tfjs-node` is installed (it registers
 * such a router); without it a `file://` model URL falls through to `fetch`, which Node refuses for
 * files. This router does what tfjs-node's does: it reads `model.json` and its weight shards from
 * disk. It never touches the network.
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfjs from '../../src/runtime/tf.js';
import { FaceMatchError } from '../../src/errors.js';

/**
 * The part of a tfjs namespace the router needs. A library that bundles its own tfjs may expose a
 * different instance than facematch's; the router must be registered on the one the library uses.
 *
 * @category Benchmark
 */
export interface TfjsIo {
  /** `tf.io` of the library's tfjs. */
  io: TfjsIoFunctions;
}

/**
 * The two `tf.io` functions the router uses.
 *
 * @category Benchmark
 */
export interface TfjsIoFunctions {
  /** Adds a router; tfjs asks each router for a handler and skips those answering `null`. */
  registerLoadRouter(router: (url: string | string[]) => tfjs.io.IOHandler | null): void;
  /** Builds model artifacts from a parsed `model.json` and a weight loader. */
  getModelArtifactsForJSON: typeof tfjs.io.getModelArtifactsForJSON;
}

function modelError(file: string, cause: unknown): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', `expected a tfjs model at ${file}, but it could not be read: ${(cause as Error).message}`, {
    field: 'model',
    details: { file },
    cause,
  });
}

/**
 * A tfjs IOHandler that loads a graph or layers model from a `model.json` on disk and the weight
 * shards its manifest names, relative to it.
 *
 * @category Benchmark
 */
export function fileModelHandler(tf: TfjsIo, modelJsonPath: string): tfjs.io.IOHandler {
  return {
    load: async () => {
      let json: tfjs.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tfjs.io.ModelJSON;
      } catch (cause) {
        throw modelError(modelJsonPath, cause);
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tfjs.io.WeightsManifestEntry[] = [];
        const shards: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = path.join(path.dirname(modelJsonPath), p);
            try {
              shards.push(await readFile(file));
            } catch (cause) {
              throw modelError(file, cause);
            }
          }
        }
        const all = Buffer.concat(shards);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
      });
    },
  };
}

const registered = new WeakSet<object>();

/**
 * Registers, once per tfjs instance, a load router answering every `file://` URL with
 * {@link fileModelHandler}.
 *
 * @category Benchmark
 */
export function registerFileModelRouter(tf: TfjsIo): void {
  if (registered.has(tf.io)) return;
  registered.add(tf.io);
  tf.io.registerLoadRouter((url) => {
    const first = Array.isArray(url) ? url[0] : url;
    return typeof first === 'string' && first.startsWith('file://') ? fileModelHandler(tf, fileURLToPath(first)) : null;
  });
}
