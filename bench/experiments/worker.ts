/**
 * Worker thread of the alignment experiments (bundled to plain JS by {@link ./bundle.ts}, since
 * worker threads cannot run TypeScript under vite-node). One tfjs per worker. Three jobs:
 * `faces` (detect + default landmarks), `landmarks` (another landmarker variant on cached boxes)
 * and `embed` (cut a recipe's chips and embed them).
 * @module
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { createFaceDetector } from '../../src/detect/detector.js';
import { createDlibResNetEmbedder } from '../../src/embed/dlib-resnet.js';
import { loadImage } from '../../src/image/load.js';
import { createLandmarker, type LandmarkerOptions } from '../../src/landmarks/landmarker.js';
import { initBackend } from '../../src/runtime/backend.js';
import type { Box, Point, RgbImage } from '../../src/types.js';
import type { WorkerReply, WorkerTask } from '../lfw/pool.js';
import { buildChips, type FaceRecord, type Recipe } from './recipes.js';

/** What a worker is started with. */
export type ExperimentWorkerData =
  | { job: 'faces'; dataDir: string; modelsDir: string }
  | { job: 'landmarks'; dataDir: string; modelsDir: string; landmarker: LandmarkerOptions }
  | { job: 'embed'; dataDir: string; modelsDir: string; recipe: Recipe };

/** One image to process. */
export interface ExperimentItem {
  /** Path relative to the data folder. */
  path: string;
  /** The cached face (landmarks and embed jobs). */
  face?: FaceRecord & { box: Box };
}

/** The answer for one image. */
export type ExperimentResult =
  | { job: 'faces'; box: Box; score: number; faceCount: number; keypoints: Point[]; landmarks: Point[] }
  | { job: 'landmarks'; landmarks: Point[] }
  | { job: 'embed'; embedding: Float32Array }
  | { job: 'none'; reason: string };

const data = workerData as ExperimentWorkerData;
const port = parentPort!;

async function decode(rel: string): Promise<RgbImage> {
  const loaded = await loadImage(path.join(data.dataDir, rel), { field: rel, constraints: 'none', maxSide: 1600 });
  if (loaded.scale !== 1) throw new Error(`${rel} was downscaled; the experiments assume original pixels`);
  return loaded.image;
}

function average(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i += 1) out[i]! += v[i]!;
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm);
  for (let i = 0; i < out.length; i += 1) out[i] = out[i]! / norm;
  return out;
}

async function makeProcessor(): Promise<(items: ExperimentItem[]) => Promise<ExperimentResult[]>> {
  await initBackend('auto');
  if (data.job === 'faces') {
    const detector = await createFaceDetector({ model: 'auto', modelsDir: data.modelsDir });
    const landmarker = await createLandmarker({ modelsDir: data.modelsDir });
    return async (items) => {
      const out: ExperimentResult[] = [];
      for (const item of items) {
        const image = await decode(item.path);
        const faces = await detector.detect(image, item.path);
        const face = faces[0];
        if (!face) {
          out.push({ job: 'none', reason: 'no face' });
          continue;
        }
        const landmarks = await landmarker.landmarks(image, face.box);
        out.push({ job: 'faces', box: face.box, score: face.score, faceCount: faces.length, keypoints: face.keypoints, landmarks });
      }
      return out;
    };
  }
  if (data.job === 'landmarks') {
    const landmarker = await createLandmarker({ ...data.landmarker, modelsDir: data.modelsDir });
    return async (items) => {
      const out: ExperimentResult[] = [];
      for (const item of items) {
        if (!item.face) {
          out.push({ job: 'none', reason: 'no face' });
          continue;
        }
        out.push({ job: 'landmarks', landmarks: await landmarker.landmarks(await decode(item.path), item.face.box) });
      }
      return out;
    };
  }
  const recipe = data.recipe;
  const embedder = await createDlibResNetEmbedder({ modelsDir: data.modelsDir, flip: recipe.flip, maxBatch: 8 });
  return async (items) => {
    const chips: RgbImage[] = [];
    const owners: number[] = [];
    for (const [i, item] of items.entries()) {
      if (!item.face) continue;
      for (const chip of buildChips(recipe, await decode(item.path), item.face)) {
        chips.push(chip);
        owners.push(i);
      }
    }
    const embeddings = await embedder.embed(chips);
    return items.map((item, i) => {
      if (!item.face) return { job: 'none', reason: 'no face' };
      return { job: 'embed', embedding: average(embeddings.filter((_, k) => owners[k] === i)) };
    });
  };
}

async function main(): Promise<void> {
  let run: (items: ExperimentItem[]) => Promise<ExperimentResult[]>;
  try {
    run = await makeProcessor();
  } catch (err) {
    port.postMessage({ type: 'fatal', message: (err as Error).stack ?? String(err) } satisfies WorkerReply<ExperimentResult>);
    return;
  }
  port.on('message', (task: WorkerTask<ExperimentItem>) => {
    run(task.items).then(
      (results) => port.postMessage({ type: 'done', id: task.id, results } satisfies WorkerReply<ExperimentResult>),
      (err: unknown) => port.postMessage({ type: 'failed', id: task.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply<ExperimentResult>),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply<ExperimentResult>);
}

void main();
