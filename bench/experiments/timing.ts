/**
 * Per-image cost of alignment recipes, one thread: decode → detect → (landmarks) → chips → embedding,
 * on the first N distinct LFW View 2 images, after a warm-up.
 *
 * ```sh
 * FACEMATCH_LFW_DIR=/work/shared/datasets/lfw nice -n 5 npx vite-node bench/experiments/timing.ts -- 200 kp4 lm51 dlib68-flip
 * ```
 * @module
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFaceDetector } from '../../src/detect/detector.js';
import { createDlibResNetEmbedder } from '../../src/embed/dlib-resnet.js';
import type { Embedder } from '../../src/embed/types.js';
import { loadImage } from '../../src/image/load.js';
import { createLandmarker } from '../../src/landmarks/landmarker.js';
import { initBackend } from '../../src/runtime/backend.js';
import { findLfw, loadPairs } from '../lfw/pairs.js';
import { buildChips, recipeByName, type FaceRecord } from './recipes.js';

/** Milliseconds per stage, summed over the images. */
interface StageTotals {
  decode: number;
  detect: number;
  landmarks: number;
  align: number;
  embed: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const count = Number(argv[0] ?? 200);
  const names = argv.slice(1);
  const backend = await initBackend('auto');
  const loaded = await loadPairs(await findLfw(undefined));
  const files = loaded.images.slice(0, count).map((p) => path.join(loaded.location.dir, p));
  const detector = await createFaceDetector({ model: 'auto' });
  const landmarker = await createLandmarker();
  const embedders = new Map<boolean, Embedder>([
    [false, await createDlibResNetEmbedder({ flip: false })],
    [true, await createDlibResNetEmbedder({ flip: true })],
  ]);
  console.log(`backend ${backend.name}, ${files.length} images, one thread\n`);
  console.log('| recipe | decode | detect | landmarks | align | embed | total ms/image |\n|---|---|---|---|---|---|---|');
  for (const name of names) {
    const recipe = recipeByName(name);
    const needsLandmarks = recipe.chips.some((c) => c.anchors.some((a) => a.from === 'lm'));
    const embedder = embedders.get(recipe.flip)!;
    const totals: StageTotals = { decode: 0, detect: 0, landmarks: 0, align: 0, embed: 0 };
    const warmup = Math.min(10, files.length);
    for (let i = -warmup; i < files.length; i += 1) {
      const file = files[(i + files.length) % files.length]!;
      const t0 = performance.now();
      const { image } = await loadImage(file, { constraints: 'none', maxSide: 1600 });
      const t1 = performance.now();
      const face = (await detector.detect(image))[0];
      const t2 = performance.now();
      if (!face) continue;
      const record: FaceRecord = { keypoints: face.keypoints, landmarks: {} };
      if (needsLandmarks) record.landmarks['default'] = await landmarker.landmarks(image, face.box);
      const t3 = performance.now();
      const chips = buildChips(recipe, image, record);
      const t4 = performance.now();
      await embedder.embed(chips);
      const t5 = performance.now();
      if (i < 0) continue;
      totals.decode += t1 - t0;
      totals.detect += t2 - t1;
      totals.landmarks += t3 - t2;
      totals.align += t4 - t3;
      totals.embed += t5 - t4;
    }
    const per = (v: number): string => (v / files.length).toFixed(1);
    const total = Object.values(totals).reduce((s, v) => s + v, 0);
    console.log(`| ${name} | ${per(totals.decode)} | ${per(totals.detect)} | ${per(totals.landmarks)} | ${per(totals.align)} | ${per(totals.embed)} | ${per(total)} |`);
  }
  detector.dispose();
  landmarker.dispose();
  for (const e of embedders.values()) e.dispose();
}

await main();
