/**
 * `@vladmandic/face-api` as a benchmark engine, used the way its Node documentation shows: its
 * node-wasm build (which takes `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm` from the
 * installed packages), models loaded from its own `model/` folder with `loadFromDisk`, a
 * `tf.tensor3d` of RGB pixels as input, and the composed task
 * detector → `withFaceLandmarks()` → `withFaceDescriptor()`.
 *
 * The detector is SSD MobileNet v1 with the library's default options (its most accurate
 * detector). Of the faces found, the largest is described, as facematch does: the task runs on
 * that detection, exactly as `detectSingleFace` would on its own (highest-score) pick.
 * @module
 */
import { performance } from 'node:perf_hooks';
import * as tf from '../../src/runtime/tf.js';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { FaceMatchError } from '../../src/errors.js';
import { initBackend } from '../../src/runtime/backend.js';
import type { RgbImage } from '../../src/types.js';
import { largestIndex, peerBackend, type PeerEngine, type PeerEngineOptions, type PeerFace } from './engine.js';
import { peerPackage } from './packages.js';
import { FACE_API_SETTINGS } from './settings.js';

/**
 * The face-api networks the benchmark loads, by their names in `faceapi.nets`.
 *
 * @category Benchmark
 */
export const FACE_API_NETS = Object.freeze(['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet'] as const);

/**
 * Creates the face-api engine of this thread: starts the wasm backend and loads the detector,
 * landmark and recognition models from the installed package.
 *
 * @throws {@link FaceMatchError} `BACKEND_ERROR` when wasm cannot start, `MODEL_ERROR` when a model
 *   cannot be loaded.
 * @category Benchmark
 */
export async function createFaceApiEngine(options: PeerEngineOptions): Promise<PeerEngine> {
  const pkg = peerPackage('face-api');
  // face-api's build requires the installed @tensorflow/tfjs, so it shares facematch's tfjs engine:
  // starting wasm through facematch's runtime (binaries read from disk) starts it for face-api.
  if ((faceapi.tf.ENV as unknown) !== tf.ENV) {
    throw new FaceMatchError('BACKEND_ERROR', 'expected face-api to use the installed @tensorflow/tfjs, but it runs its own copy', { field: 'backend' });
  }
  await initBackend(peerBackend(options.backend));
  if (tf.getBackend() !== 'wasm') {
    throw new FaceMatchError('BACKEND_ERROR', `expected face-api's tfjs to run on wasm, but it runs on "${tf.getBackend()}"`, { field: 'backend' });
  }
  try {
    for (const net of FACE_API_NETS) await faceapi.nets[net].loadFromDisk(pkg.modelsDir);
  } catch (cause) {
    throw new FaceMatchError('MODEL_ERROR', `expected face-api's models in ${pkg.modelsDir}, but they could not be loaded: ${(cause as Error).message}`, {
      field: 'model',
      cause,
    });
  }
  // The library's defaults (minConfidence 0.5, maxResults 100), spelled out so the cache key can name them.
  const detectorOptions = new faceapi.SsdMobilenetv1Options({ minConfidence: FACE_API_SETTINGS.minConfidence, maxResults: FACE_API_SETTINGS.maxResults });

  return {
    peer: 'face-api',
    version: pkg.version,
    backend: tf.getBackend(),
    async embedLargestFace(image: RgbImage): Promise<PeerFace | null> {
      const input = faceapi.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      try {
        const t0 = performance.now();
        const detections = await faceapi.detectAllFaces(input, detectorOptions);
        const t1 = performance.now();
        const index = largestIndex(detections.map((d) => d.box));
        if (index === undefined) return null;
        const chosen = detections[index]!;
        const parent = Promise.resolve(faceapi.extendWithFaceDetection({}, chosen));
        const described = await new faceapi.DetectSingleFaceLandmarksTask(parent, input, false).withFaceDescriptor();
        const t2 = performance.now();
        if (described === undefined) return null;
        const { x, y, width, height } = chosen.box;
        return {
          embedding: Float32Array.from(described.descriptor),
          box: { x, y, width, height },
          score: chosen.score,
          faceCount: detections.length,
          timings: { detect: t1 - t0, embed: t2 - t1 },
        };
      } finally {
        input.dispose();
      }
    },
    numTensors: () => tf.memory().numTensors,
    dispose: () => {
      for (const net of FACE_API_NETS) faceapi.nets[net].dispose();
    },
  };
}
