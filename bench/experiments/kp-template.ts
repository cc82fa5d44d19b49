/**
 * Where BlazeFace's keypoints sit on dlib-aligned faces: maps each image's keypoints into dlib's unit
 * square with the transform that dlib's 68-point rule (landmarks 27–54, 60–64 onto the mean face)
 * gives, and prints their mean and spread over every LFW View 2 image. Label-free: uses only the
 * cached detections and landmarks (run harness.ts first).
 *
 * ```sh
 * npx vite-node bench/experiments/kp-template.ts -- [/tmp/fm-exp]
 * ```
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { applySimilarity, fitSimilarity } from '../../src/align/similarity.js';
import type { Point } from '../../src/types.js';
import type { CachedFace } from './harness.js';
import { ANCHOR_SETS } from './recipes.js';

async function main(): Promise<void> {
  const dir = process.argv.slice(2).find((a) => a !== '--') ?? '/tmp/fm-exp';
  const { faces } = JSON.parse(await readFile(path.join(dir, 'faces.json'), 'utf8')) as { faces: (CachedFace | null)[] };
  const anchors = ANCHOR_SETS['dlib68']!;
  const sums = Array.from({ length: 6 }, () => ({ x: 0, y: 0, xx: 0, yy: 0 }));
  let n = 0;
  for (const face of faces) {
    const lm = face?.landmarks['default'];
    if (!face || !lm) continue;
    const t = fitSimilarity(
      anchors.map((a) => lm[a.indices[0]!]!),
      anchors.map((a) => a.to),
    );
    face.keypoints.forEach((k: Point, i: number) => {
      const p = applySimilarity(t, k);
      const s = sums[i]!;
      s.x += p.x;
      s.y += p.y;
      s.xx += p.x * p.x;
      s.yy += p.y * p.y;
    });
    n += 1;
  }
  console.log(`${n} faces; BlazeFace keypoints in dlib's unit square (mean, sd):`);
  sums.forEach((s, i) => {
    const mx = s.x / n;
    const my = s.y / n;
    const sx = Math.sqrt(s.xx / n - mx * mx);
    const sy = Math.sqrt(s.yy / n - my * my);
    console.log(`  ${i}: { x: ${mx.toFixed(4)}, y: ${my.toFixed(4)} }  sd (${sx.toFixed(4)}, ${sy.toFixed(4)})`);
  });
}

await main();
