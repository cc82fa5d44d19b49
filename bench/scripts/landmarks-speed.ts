/**
 * Developer script: milliseconds per face of the 68-point landmarker on the wasm backend, median of
 * 50 timed calls after 5 warm-up calls, for one face per call and for batches of 8, with and without
 * mirror averaging; and the JavaScript crop alone.
 *
 *   FACEMATCH_LFW_DIR=/path/to/lfw npx vite-node bench/scripts/landmarks-speed.ts
 */
import { initBackend } from '../../src/runtime/backend.js';
import { DEFAULT_LANDMARK_CROP, sampleSquare, squareRegion } from '../../src/landmarks/crop.js';
import { createLandmarker } from '../../src/landmarks/landmarker.js';
import type { Box } from '../../src/types.js';
import { LFW_FACE_BOX, lfwSample, readLfwImage } from '../helpers/lfw-sample.js';

const RUNS = 50;
const WARMUP = 5;

const backend = await initBackend('wasm');
const [file] = await lfwSample(1);
const image = await readLfwImage(file!);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(run: () => Promise<unknown>, faces: number): Promise<number> {
  for (let i = 0; i < WARMUP; i += 1) await run();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    await run();
    ms.push((performance.now() - t0) / faces);
  }
  return median(ms);
}

console.log(`backend ${backend.name} (SIMD ${backend.simd}), tfjs ${backend.tfjsVersion}, image ${image.width}×${image.height}`);
for (const mirror of [false, true]) {
  const landmarker = await createLandmarker({ mirror });
  const boxes: Box[] = Array.from({ length: 8 }, () => LFW_FACE_BOX);
  const one = await time(() => landmarker.landmarks(image, LFW_FACE_BOX), 1);
  const eight = await time(() => landmarker.landmarksBatch(image, boxes), boxes.length);
  console.log(`mirror ${String(mirror).padEnd(5)}: ${one.toFixed(2)} ms per face one at a time, ${eight.toFixed(2)} ms per face in batches of 8 (median of ${RUNS})`);
  landmarker.dispose();
}

const crop = new Float32Array(112 * 112 * 3);
const region = squareRegion(LFW_FACE_BOX, DEFAULT_LANDMARK_CROP);
const cropMs = await time(async () => sampleSquare(image, region, 112, crop, 0), 1);
console.log(`of which the crop (JavaScript bilinear sampling of a ${region.width.toFixed(0)}-px square): ${cropMs.toFixed(2)} ms`);
