/**
 * Developer script: checks that facematch's landmark network (src/landmarks/net.ts) computes the
 * same function as @vladmandic/face-api's FaceLandmark68Net on identical 112×112 inputs, and
 * compares the two whole pipelines (crop + network + mapping back) on LFW face boxes.
 *
 * face-api is not a dependency: install it outside the project and point FACEAPI_PATH at its
 * node-wasm build (default shown below); the script exits early with a message when it is missing.
 *
 *   mkdir /tmp/lm-ref && cd /tmp/lm-ref && npm init -y && \
 *     npm i @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
 *   FACEMATCH_LFW_DIR=/path/to/lfw npx vite-node bench/scripts/landmarks-parity.ts
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '../../src/runtime/tf.js';
import { initBackend } from '../../src/runtime/backend.js';
import { loadManifestWeights, modelEnv } from '../../src/runtime/models.js';
import { createLandmarker } from '../../src/landmarks/landmarker.js';
import { sampleSquare } from '../../src/landmarks/crop.js';
import { buildLandmarkNet, LANDMARK_INPUT_SIZE } from '../../src/landmarks/net.js';
import type { Box } from '../../src/types.js';
import { LFW_FACE_BOX, lfwSample, readLfwImage } from '../helpers/lfw-sample.js';

const faceApiPath = process.env.FACEAPI_PATH ?? '/tmp/lm-ref/node_modules/@vladmandic/face-api/dist/face-api.node-wasm.js';
if (!existsSync(faceApiPath)) {
  console.log(`face-api not found at ${faceApiPath}: install it there (see the header of this file) or set FACEAPI_PATH`);
  process.exit(0);
}

/**
 * Runs in a separate Node process (two tfjs-backend-wasm copies cannot share one process): loads
 * face-api with its own tfjs, runs (1) the bare network on each 112×112 input and (2) face-api's
 * own pipeline (extractFaceTensors → detectLandmarks → shift by the box) on each image, and writes
 * the results as JSON.
 */
const CHILD = `
const fs = require('fs');
const [faceApiPath, modelDir, dir] = process.argv.slice(1);
const faceapi = require(faceApiPath);
const tf = faceapi.tf;
(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  const job = JSON.parse(fs.readFileSync(dir + '/job.json', 'utf8'));
  const inputs = new Float32Array(fs.readFileSync(dir + '/inputs.f32').buffer.slice(0));
  const raw = [];
  for (let i = 0; i < job.inputCount; i += 1) {
    const t = tf.tensor3d(inputs.subarray(i * 112 * 112 * 3, (i + 1) * 112 * 112 * 3), [112, 112, 3]);
    const out = await faceapi.nets.faceLandmark68Net.forward(t);
    raw.push(Array.from(await out.data()));
    tf.dispose([t, out]);
  }
  const pipeline = [];
  for (const img of job.images) {
    const data = fs.readFileSync(img.file);
    const image = tf.tensor3d(new Uint8Array(data), [img.height, img.width, 3], 'int32');
    const perBox = [];
    for (const box of job.boxes) {
      const [face] = await faceapi.extractFaceTensors(image, [new faceapi.Rect(box.x, box.y, box.width, box.height)]);
      const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(face);
      perBox.push(lm.positions.map((p) => [p.x + box.x, p.y + box.y]));
      face.dispose();
    }
    pipeline.push(perBox);
    image.dispose();
  }
  fs.writeFileSync(dir + '/out.json', JSON.stringify({ raw, pipeline, backend: tf.getBackend() }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface ChildOutput {
  raw: number[][];
  pipeline: [number, number][][][];
  backend: string;
}

await initBackend('wasm');
const size = LANDMARK_INPUT_SIZE;
const pixels = size * size * 3;
/** The LFW face box (taller than wide: face-api adds black side bars) and a square one. */
const boxes: Box[] = [LFW_FACE_BOX, { x: 64, y: 70, width: 120, height: 120 }];
const files = await lfwSample(20);
const images = await Promise.all(files.map((f) => readLfwImage(f)));

// Inputs for the bare network: 5 noise images and a face crop from each LFW image.
const inputCount = 5 + images.length;
const inputs = new Float32Array(inputCount * pixels);
for (let i = 0; i < 5 * pixels; i += 1) inputs[i] = Math.random() * 255;
images.forEach((image, i) => sampleSquare(image, { x: 60, y: 65, width: 130, height: 130 }, size, inputs, (5 + i) * pixels));

const dir = await mkdtemp(path.join(tmpdir(), 'lm-parity-'));
let theirs: ChildOutput;
try {
  await writeFile(path.join(dir, 'inputs.f32'), inputs);
  const jobImages = await Promise.all(
    images.map(async (image, i) => {
      const file = path.join(dir, `image${i}.rgb`);
      await writeFile(file, image.data);
      return { file, width: image.width, height: image.height };
    }),
  );
  await writeFile(path.join(dir, 'job.json'), JSON.stringify({ inputCount, images: jobImages, boxes }));
  await promisify(execFile)(process.execPath, ['-e', CHILD, faceApiPath, path.join(modelEnv.modelsDir, 'landmarks-68'), dir], {
    maxBuffer: 1 << 24,
  });
  theirs = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8')) as ChildOutput;
} finally {
  await rm(dir, { recursive: true, force: true });
}

// 1. The bare network on identical inputs.
const net = buildLandmarkNet(await loadManifestWeights('landmarks-68'));
const ours = tf.tidy(() => net.predict(tf.tensor4d(inputs, [inputCount, size, size, 3])));
const oursRaw = await ours.data();
ours.dispose();
net.dispose();
let rawMax = 0;
let lfwMax = 0;
theirs.raw.forEach((row, i) => {
  row.forEach((v, j) => {
    const d = Math.abs(v - oursRaw[i * row.length + j]!);
    rawMax = Math.max(rawMax, d);
    if (i >= 5) lfwMax = Math.max(lfwMax, d);
  });
});
console.log(`face-api backend in the child process: ${theirs.backend}`);
console.log(
  `bare network, ${inputCount} identical 112×112 inputs (5 noise, ${images.length} LFW crops): max |ours − face-api| = ${rawMax.toExponential(2)} ` +
    `(LFW crops only: ${lfwMax.toExponential(2)}; units: fraction of the 112-px input, i.e. ${(lfwMax * 112).toExponential(2)} input px)`,
);

// 2. Whole pipelines on the same face box: face-api (slice the box, pad to square with black,
//    resize to 112, map back) vs ours with the same square (crop scale 1, no shift), with one
//    network run as face-api does, and with mirror averaging (our default: it removes the
//    network's left–right bias, so it differs from face-api by about a pixel).
for (const mirror of [false, true]) {
  const landmarker = await createLandmarker({ crop: { scale: 1, shiftY: 0 }, mirror });
  for (const [b, box] of boxes.entries()) {
    let sum = 0;
    let n = 0;
    let worst = 0;
    for (const [i, image] of images.entries()) {
      const points = await landmarker.landmarks(image, box);
      points.forEach((p, j) => {
        const q = theirs.pipeline[i]![b]![j]!;
        const d = Math.hypot(p.x - q[0], p.y - q[1]);
        sum += d;
        n += 1;
        worst = Math.max(worst, d);
      });
    }
    console.log(
      `whole pipeline, mirror ${String(mirror).padEnd(5)}, ${images.length} LFW faces, box ${JSON.stringify(box)}: ` +
        `mean ${(sum / n).toFixed(3)} px, max ${worst.toFixed(3)} px`,
    );
  }
  landmarker.dispose();
}
console.log('(the pipelines differ in resampling, and face-api pads a non-square box with black side bars where ours reads the image)');
