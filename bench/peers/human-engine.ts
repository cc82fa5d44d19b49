/**
 * `@vladmandic/human` as a benchmark engine, set up the way its Node demos do, on its node-wasm
 * build (which takes `@tensorflow/tfjs-core`, `-converter` and `-backend-wasm` from the installed
 * packages): `backend: 'wasm'` with `wasmPath` pointing at the installed binaries, `modelBasePath`
 * a `file://` URL of its own `models/` folder, and `human.detect(tensor)`.
 *
 * Its default face pipeline runs: BlazeFace → FaceMesh (with iris) → FaceRes, whose 1024-D
 * `embedding` is compared. Changed from the defaults, and why:
 * - body, hand, object, gesture and segmentation are off, and so is the face's emotion model:
 *   none of them feeds the embedding;
 * - `cacheSensitivity: 0`: the defaults are for video and reuse the previous frame's results when
 *   the next input looks alike, which would hand one LFW image another image's face;
 * - `warmup: 'none'`: in Node its warm-up decodes a sample image with tfjs-node or a canvas, neither
 *   of which is here; the first image warms up instead;
 * - `face.detector.maxDetected: 10` (default 1, the highest-scoring face) so that the largest face
 *   can be chosen, the rule facematch and the face-api peer follow.
 * @module
 */
import { pathToFileURL } from 'node:url';
import type * as tfjs from '../../src/runtime/tf.js';
import type { Config, Human } from '@vladmandic/human';
import { FaceMatchError } from '../../src/errors.js';
import { wasmBinaryDir } from '../../src/runtime/backend.js';
import type { RgbImage } from '../../src/types.js';
import { largestIndex, peerBackend, type PeerEngine, type PeerEngineOptions, type PeerFace } from './engine.js';
import { registerFileModelRouter, type TfjsIo } from './file-models.js';
import { peerPackage } from './packages.js';
import { HUMAN_SETTINGS } from './settings.js';

/**
 * The models human's default face pipeline loads once the other modules are switched off.
 *
 * @category Benchmark
 */
export const HUMAN_FACE_MODELS = Object.freeze(['blazeface', 'facemesh', 'iris', 'faceres'] as const);

/** The slice of human's tfjs (typed `any` by human) the engine uses. */
interface HumanTf extends TfjsIo {
  getBackend(): string;
  memory(): { numTensors: number };
  tensor3d: typeof tfjs.tensor3d;
}

/** The module shape of human's node-wasm build. */
interface HumanModule {
  Human: new (config?: Partial<Config>) => Human;
  defaults: Config;
}

/** Human's configuration for the benchmark: its defaults with the changes the module notes list. */
function benchmarkConfig(defaults: Config, modelsDir: string): Config {
  const config = structuredClone(defaults);
  config.backend = 'wasm';
  config.wasmPath = wasmBinaryDir();
  config.wasmPlatformFetch = false;
  config.modelBasePath = `${pathToFileURL(modelsDir).href}/`;
  config.cacheModels = false;
  config.debug = false;
  config.warmup = HUMAN_SETTINGS.warmup;
  config.cacheSensitivity = HUMAN_SETTINGS.cacheSensitivity;
  config.face.detector = { ...config.face.detector!, maxDetected: HUMAN_SETTINGS.maxDetected };
  config.face.emotion = { ...config.face.emotion!, enabled: false };
  config.body.enabled = false;
  config.hand.enabled = false;
  config.object.enabled = false;
  config.gesture.enabled = false;
  config.segmentation.enabled = false;
  return config;
}

/**
 * Creates the human engine of this thread: loads the node-wasm build, starts the wasm backend
 * and loads the face models from the installed package.
 *
 * @throws {@link FaceMatchError} `BACKEND_ERROR` when wasm cannot start, `MODEL_ERROR` when a face
 *   model is not loaded.
 * @category Benchmark
 */
export async function createHumanEngine(options: PeerEngineOptions): Promise<PeerEngine> {
  peerBackend(options.backend);
  const pkg = peerPackage('human');
  // The package's "exports" only lets bare specifiers reach its tfjs-node build: load the wasm build by path.
  const mod = (await import(pathToFileURL(pkg.wasmBuild).href)) as HumanModule;
  const human = new mod.Human(benchmarkConfig(mod.defaults, pkg.modelsDir));
  const tf = human.tf as HumanTf;
  registerFileModelRouter(tf);
  await human.init();
  if (tf.getBackend() !== 'wasm') {
    throw new FaceMatchError('BACKEND_ERROR', `expected human's tfjs to run on wasm, but it runs on "${tf.getBackend()}"`, { field: 'backend' });
  }
  await human.load();
  const loaded = human.models.loaded();
  const missing = HUMAN_FACE_MODELS.filter((m) => !loaded.includes(m));
  if (missing.length > 0) {
    throw new FaceMatchError('MODEL_ERROR', `expected human to load ${HUMAN_FACE_MODELS.join(', ')} from ${pkg.modelsDir}, but ${missing.join(', ')} did not load`, {
      field: 'model',
      details: { loaded, missing },
    });
  }

  return {
    peer: 'human',
    version: human.version,
    backend: tf.getBackend(),
    async embedLargestFace(image: RgbImage): Promise<PeerFace | null> {
      const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      const result = await human.detect(input).finally(() => input.dispose());
      if (result.error) throw new FaceMatchError('MODEL_ERROR', `expected human.detect to return faces, but it failed: ${result.error}`, { field: 'model' });
      const withEmbedding = result.face.filter((f) => f.embedding !== undefined && f.embedding.length > 0);
      const index = largestIndex(withEmbedding.map((f) => ({ x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] })));
      if (index === undefined) return null;
      const chosen = withEmbedding[index]!;
      const [x, y, width, height] = chosen.box;
      return {
        embedding: Float32Array.from(chosen.embedding!),
        box: { x, y, width, height },
        score: chosen.boxScore,
        faceCount: result.face.length,
        timings: {},
      };
    },
    numTensors: () => tf.memory().numTensors,
    dispose: () => {
      for (const model of Object.values(human.models.models)) model?.dispose();
      human.models.reset();
    },
  };
}
