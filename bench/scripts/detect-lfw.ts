/**
 * Face-found rate and detection time of the BlazeFace detector on every distinct image of an LFW
 * pairs file (View 2: 7,701 images), at the detector's default options unless given.
 *
 * Run: FACEMATCH_LFW_DIR=... npx vite-node bench/scripts/detect-lfw.ts [short|full|auto]
 * (wasm backend; one thread)
 * @module
 */
import { currentBackend } from '../../src/runtime/backend.js';
import { createFaceDetector, type BlazeFaceModelId, type DetectorModel } from '../../src/detect/index.js';
import { decodeRgb, lfwDir, pairImages } from '../helpers/lfw-pair-images.js';

const model = (process.argv[2] ?? 'auto') as DetectorModel;
const files = await pairImages(lfwDir());
const detector = await createFaceDetector({ model, backend: 'wasm' });
const backend = `${currentBackend()?.name ?? '?'}${currentBackend()?.simd ? ' (SIMD)' : ''}`;

const ms: number[] = [];
const byModel: Partial<Record<BlazeFaceModelId, number>> = {};
const missed: string[] = [];
let multiple = 0;
let lowScore = 0;
for (const [i, file] of files.entries()) {
  const image = await decodeRgb(file);
  const t0 = performance.now();
  const result = await detector.detectWithInfo(image);
  ms.push(performance.now() - t0);
  const best = result.faces[0];
  if (!best) missed.push(file);
  else {
    byModel[result.model] = (byModel[result.model] ?? 0) + 1;
    if (result.faces.length > 1) multiple++;
    if (result.faces.some((f) => f.score < 0.6)) lowScore++;
  }
  if ((i + 1) % 1000 === 0) console.error(`${i + 1}/${files.length}`);
}
detector.dispose();

ms.sort((a, b) => a - b);
const pct = (p: number): number => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
const found = files.length - missed.length;
console.log(`model=${model} backend=${backend} minConfidence=${detector.options.minConfidence} images=${files.length}`);
console.log(`faces found: ${found}/${files.length} (${((100 * found) / files.length).toFixed(2)}%), by model ${JSON.stringify(byModel)}`);
console.log(`images with more than one face: ${multiple}; images with a face scoring below 0.6: ${lowScore}`);
console.log(`detect ms per image (decode excluded): median ${pct(0.5).toFixed(2)}, p95 ${pct(0.95).toFixed(2)}, max ${ms[ms.length - 1]!.toFixed(2)}`);
if (missed.length > 0) console.log(`no face: ${missed.slice(0, 20).join(', ')}${missed.length > 20 ? ', …' : ''}`);
