/**
 * The peer libraries (face-api, human) through the LFW harness, on a small pairs file made from the
 * real pairs.txt plus one pair with a generated face-less image. Runs the built workers from
 * dist/ (`npm test` builds first).
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerBenchResult, runPeerBench as RunPeerBench } from '../bench/peers/run.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';
import { BLANK_PERSON, makeLfwSubset, type LfwSubset } from './fixtures/lfw-subset.js';

const LFW_DIR = lfwDirOrSkip('bench-peers');

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT_RUN = path.join(ROOT, 'dist/bench/peers/run.js');
const PER_FOLD = 10;

/** Fails loudly when the built peer code is missing or older than its sources. */
async function builtPeerBench(): Promise<typeof RunPeerBench> {
  const sources = path.join(ROOT, 'bench/peers');
  if (!existsSync(BUILT_RUN)) throw new Error(`expected the built peer bench at ${BUILT_RUN}: run "npm run build" first`);
  const built = statSync(BUILT_RUN).mtimeMs;
  for (const f of await readdir(sources)) {
    const compiled = path.join(ROOT, 'dist/bench/peers', f.replace(/\.ts$/, '.js'));
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path.join(sources, f)).mtimeMs) {
      throw new Error(`dist/ is older than bench/peers/${f}: run "npm run build" first (built ${new Date(built).toISOString()})`);
    }
  }
  return ((await import(BUILT_RUN)) as { runPeerBench: typeof RunPeerBench }).runPeerBench;
}

describe.skipIf(!LFW_DIR)('peer libraries through the LFW harness', () => {
  let fixture: LfwSubset;
  let runPeerBench: typeof RunPeerBench;

  beforeAll(async () => {
    runPeerBench = await builtPeerBench();
    fixture = await makeLfwSubset(LFW_DIR!, { perFold: PER_FOLD, blank: true });
  });

  afterAll(async () => {
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  const expectations = [
    { peer: 'face-api', dim: 128, scoring: 'euclidean' },
    { peer: 'human', dim: 1024, scoring: 'similarity' },
  ] as const;

  for (const { peer, dim, scoring } of expectations) {
    it(`runs ${peer} on 2 folds × ${2 * PER_FOLD} pairs with the protocol, counting the no-face pair wrong`, async () => {
      const result: PeerBenchResult = await runPeerBench(peer, { data: fixture.dir, workers: 1, cache: false, progress: false });
      const { report, embedded } = result;

      expect(report.pairs).toBe(4 * PER_FOLD);
      expect(report.folds).toBe(2);
      expect(report.thresholdSelection).toBe('cross-validation');
      expect(report.accuracy.perFold).toHaveLength(2);
      expect(report.accuracy.mean).toBeGreaterThan(0.8);
      // No-face pairs lose at every threshold, which drags the AUC (face-api's detector misses
      // faces that fill the frame); on the pairs where both faces were found it must be high.
      expect(report.auc).toBeGreaterThan(0.6);
      expect(result.facesFound!.metrics.auc).toBeGreaterThan(0.95);
      expect(report.backend).toBe('wasm');
      expect(report.detector).toMatch(peer === 'face-api' ? /ssdMobilenetv1/ : /blazeface/);
      expect(report.providerThresholds).toHaveLength(1);

      // The generated canvas has no face: its pair has no score and is counted.
      const blank = `lfw-deepfunneled/${BLANK_PERSON}/${BLANK_PERSON}_0001.jpg`;
      expect(result.scores[fixture.blankPair!]).toBeNull();
      expect(embedded.embeddings.get(blank)).toBeNull();
      expect(embedded.failures).toContainEqual(expect.objectContaining({ path: blank, code: 'NO_FACE' }));
      expect(report.noFacePairs).toBe(result.scores.filter((s) => s === null).length);
      expect(report.noFacePairs).toBeGreaterThanOrEqual(1);
      expect(report.noFaceImages).toBe(embedded.failures.length);

      // Every distinct image was embedded now (no cache), by one worker, without leaking tensors.
      const distinct = new Set(result.pairs.flatMap((p) => [p.a, p.b])).size;
      expect(embedded.computed).toBe(distinct);
      expect(embedded.cached).toBe(0);
      expect(report.throughput?.workers).toBe(1);
      expect(report.throughput?.images).toBe(distinct);
      expect(report.throughput!.imagesPerSecond).toBeGreaterThan(0);
      expect(report.throughput!.stages.total?.count).toBe(distinct - embedded.failures.length);
      expect(embedded.tensorGrowth).toBe(0);
      for (const value of embedded.embeddings.values()) if (value) expect(value.embedding).toHaveLength(dim);

      // The documented scoring is the report's; the others were measured on the same pairs.
      expect(result.comparisons[0]!.id).toBe(scoring);
      expect(result.comparisons[0]!.metrics.accuracy).toEqual(report.accuracy);
      expect(result.comparisons.length).toBeGreaterThan(1);
      for (const c of result.comparisons) expect(c.metrics.noFacePairs).toBe(report.noFacePairs);
      expect(result.facesFound?.pairs).toBe(report.pairs - report.noFacePairs);
      // A hang guard, not a speed goal: face-api embeds ~3 images/s on one wasm thread, several
      // times slower when the machine is shared.
    }, 360_000);
  }
});
