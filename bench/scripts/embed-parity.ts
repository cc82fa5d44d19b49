/**
 * Parity of facematch's dlib ResNet with face-api's FaceRecognitionNet on the same chips and the
 * same vendored weights.
 *
 *   FACEMATCH_LFW_DIR=../shared/datasets/lfw npx vite-node bench/scripts/embed-parity.ts
 *
 * face-api runs in a child process (bench/scripts/embed-parity-faceapi.ts), loaded from
 * `@vladmandic/face-api` (a devDependency) or from the `dist/face-api.node-wasm.js` named by
 * FACEMATCH_FACEAPI_MODULE. FACEMATCH_FACEAPI_BACKEND picks its backend (default wasm; `cpu` gives
 * an independent reference). face-api divides the mean-subtracted pixels by 255 where dlib divides
 * by 256, so the comparison runs our network with `pixelDivisor` 255; the 256-vs-255 gap is
 * reported too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '../../src/runtime/tf.js';
import { createDlibResNetEmbedder } from '../../src/embed/dlib-resnet.js';
import { disposeDlibResNetParams, dlibResNetForward, foldDlibResNetWeights } from '../../src/embed/dlib-resnet-net.js';
import { initBackend } from '../../src/runtime/backend.js';
import { loadManifestWeights, modelEnv } from '../../src/runtime/models.js';
import type { RgbImage } from '../../src/types.js';
import { cosine, lfwCentreChip, lfwDir, lfwImagePath, lfwPeople, syntheticChip } from '../helpers/chips.js';

interface LabelledChip {
  label: string;
  chip: RgbImage;
}

async function loadChips(): Promise<LabelledChip[]> {
  const out: LabelledChip[] = [];
  for (let seed = 1; seed <= 4; seed++) out.push({ label: `synthetic-${seed}`, chip: syntheticChip(150, seed) });
  const dir = lfwDir();
  if (!dir) {
    console.log('FACEMATCH_LFW_DIR is unset: comparing on synthetic chips only');
    return out;
  }
  for (const { name } of lfwPeople(dir, 28, 2)) {
    for (const i of [1, 2]) out.push({ label: `${name}_${i}`, chip: await lfwCentreChip(lfwImagePath(dir, name, i)) });
  }
  return out;
}

/** Runs face-api on the chips in a child process and returns its descriptors. */
function faceApiDescriptors(chips: readonly LabelledChip[]): Float32Array[] {
  const work = mkdtempSync(path.join(tmpdir(), 'facematch-parity-'));
  try {
    const chipsFile = path.join(work, 'chips.bin');
    const outFile = path.join(work, 'out.bin');
    writeFileSync(chipsFile, Buffer.concat(chips.map((c) => c.chip.data)));
    const viteNode = createRequire(import.meta.url).resolve('vite-node/vite-node.mjs');
    const runner = path.join(path.dirname(new URL(import.meta.url).pathname), 'embed-parity-faceapi.ts');
    const backend = process.env.FACEMATCH_FACEAPI_BACKEND ?? 'wasm';
    const args = [viteNode, runner, chipsFile, String(chips.length), outFile, path.join(modelEnv.modelsDir, 'dlib-resnet'), backend];
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) throw new Error(`face-api reference run failed with status ${run.status}`);
    const bytes = readFileSync(outFile);
    const flat = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    return chips.map((_, i) => flat.slice(i * 128, (i + 1) * 128));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function rawDescriptor(run: (x: tf.Tensor4D) => tf.Tensor2D, chip: RgbImage): Float32Array {
  return tf.tidy(() => run(tf.tensor4d(Float32Array.from(chip.data), [1, 150, 150, 3])).dataSync() as Float32Array);
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

async function main(): Promise<void> {
  const chips = await loadChips();
  const reference = faceApiDescriptors(chips);

  const backend = await initBackend((process.env.FACEMATCH_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  const weights = await loadManifestWeights('dlib-resnet');
  const params = foldDlibResNetWeights(weights);
  tf.dispose(Object.values(weights));
  const embedder = await createDlibResNetEmbedder({ pixelDivisor: 255 });

  let maxAbs = 0;
  let maxRel = 0;
  let minCos = 1;
  let minCosEmbedder = 1;
  let minCos256 = 1;
  let meanNorm = 0;
  for (const [i, { label, chip }] of chips.entries()) {
    const theirs = reference[i]!;
    const ours = rawDescriptor((x) => dlibResNetForward(params, x, 255), chip);
    const ours256 = rawDescriptor((x) => dlibResNetForward(params, x, 256), chip);
    const [normalised] = await embedder.embed([chip]);
    let abs = 0;
    for (let k = 0; k < 128; k++) abs = Math.max(abs, Math.abs(ours[k]! - theirs[k]!));
    const rel = abs / Math.max(...theirs.map(Math.abs));
    maxAbs = Math.max(maxAbs, abs);
    maxRel = Math.max(maxRel, rel);
    minCos = Math.min(minCos, cosine(ours, theirs));
    minCosEmbedder = Math.min(minCosEmbedder, cosine(normalised!, theirs));
    minCos256 = Math.min(minCos256, cosine(ours256, theirs));
    meanNorm += norm(theirs) / chips.length;
    if (process.env.VERBOSE) console.log(label, abs.toExponential(2), rel.toExponential(2));
  }
  const synthetic = chips.filter((c) => c.label.startsWith('synthetic')).length;
  const lfw = chips.length - synthetic;
  console.log(`ours on ${backend.name} (simd ${backend.simd}); ${chips.length} chips (${lfw} LFW centre crops, ${synthetic} synthetic)`);
  console.log(
    `raw descriptors, ours (/255) vs face-api: max |diff| ${maxAbs.toExponential(3)}, ` +
      `max |diff| / max |component| ${maxRel.toExponential(3)}, min cosine ${minCos.toFixed(9)}`,
  );
  console.log(`mean norm of face-api's raw descriptors: ${meanNorm.toFixed(4)}`);
  console.log(`public embedder (L2-normalised, pixelDivisor 255) vs face-api: min cosine ${minCosEmbedder.toFixed(9)}`);
  console.log(`dlib preprocessing (/256) vs face-api (/255): min cosine ${minCos256.toFixed(6)}`);
  embedder.dispose();
  disposeDlibResNetParams(params);
}

await main();
