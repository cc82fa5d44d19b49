/**
 * facematch itself as a benchmark engine: one `FaceMatcher` per worker thread, created from the
 * options the bench passes (plain data), embedding each file's bytes with `matcher.embed`, exactly
 * as an application would.
 * @module
 */
import { FaceMatcher } from '../../src/matcher.js';
import type { FaceMatcherOptions } from '../../src/matcher-options.js';
import { currentBackend } from '../../src/runtime/backend.js';
import { packageVersion } from '../../src/runtime/package.js';
import * as tf from '../../src/runtime/tf.js';
import { qualityVector } from '../lfw/quality-vector.js';
import type { BenchEngine, EngineFace } from './engine.js';

/**
 * Creates the facematch engine of this thread.
 *
 * @throws FaceMatchError: whatever `FaceMatcher.create` throws for these options.
 * @category Benchmark
 */
export async function createFacematchEngine(options: FaceMatcherOptions): Promise<BenchEngine> {
  const matcher = await FaceMatcher.create(options);
  return {
    name: 'facematch',
    version: packageVersion(),
    backend: currentBackend()?.tfjsName ?? tf.getBackend(),
    async embedFile(bytes: Uint8Array, field: string): Promise<EngineFace> {
      const r = await matcher.embed(bytes, { field });
      const t = r.timings;
      return {
        embedding: r.embedding,
        box: r.face.box,
        score: r.face.score,
        faceCount: r.faceCount,
        quality: qualityVector(r.quality),
        timings: { decode: t.decode, detect: t.detect, align: t.align, embed: t.embed, total: t.total },
      };
    },
    numTensors: () => tf.memory().numTensors,
    dispose: () => matcher.dispose(),
  };
}
