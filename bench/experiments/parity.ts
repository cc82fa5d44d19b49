/**
 * Checks that the experiment harness reproduces the matcher: embeds the first N View 2 images with
 * `FaceMatcher` (alignment `landmarks` and `keypoints`) and prints the cosine between each and the
 * harness's cached `lm51` / `kp4` embeddings (1.0 means identical pipelines).
 *
 * ```sh
 * FACEMATCH_LFW_DIR=/work/shared/datasets/lfw npx vite-node bench/experiments/parity.ts -- 20
 * ```
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatcher } from '../../src/matcher.js';
import { findLfw, loadPairs } from '../lfw/pairs.js';

async function main(): Promise<void> {
  const count = Number(process.argv.slice(2).find((a) => a !== '--') ?? 20);
  const loaded = await loadPairs(await findLfw(undefined));
  for (const [alignment, recipe] of [['landmarks', 'lm51'], ['keypoints', 'kp4']] as const) {
    const buf = await readFile(path.join('/tmp/fm-exp/emb', `${recipe}.f32`));
    const cached = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const matcher = await FaceMatcher.create({ alignment });
    const cosines: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const { embedding } = await matcher.embed(path.join(loaded.location.dir, loaded.images[i]!));
      let dot = 0;
      for (let k = 0; k < 128; k += 1) dot += embedding[k]! * cached[i * 128 + k]!;
      cosines.push(dot);
    }
    matcher.dispose();
    console.log(`${alignment} vs ${recipe}: min cosine ${Math.min(...cosines).toFixed(6)}, mean ${(cosines.reduce((s, v) => s + v, 0) / count).toFixed(6)}`);
  }
}

await main();
