/**
 * `facematch bench lfw` through the built CLI, facematch's own engine, on a small pairs file made
 * from the real pairs.txt: the Markdown and JSON reports, the approve threshold and what they say
 * when too few pairs are present, and a rerun from the cache reporting the earlier run's throughput.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LfwReport } from '../bench/lfw/types.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';
import { makeLfwSubset, type LfwSubset } from './fixtures/lfw-subset.js';

const LFW_DIR = lfwDirOrSkip('bench-lfw-cli');
const CLI = path.join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const run = promisify(execFile);

describe.skipIf(!LFW_DIR)('facematch bench lfw (built CLI, FACEMATCH_LFW_DIR)', () => {
  let fixture: LfwSubset;
  let tmp: string;
  beforeAll(async () => {
    fixture = await makeLfwSubset(LFW_DIR!, { folds: 2, perFold: 10 });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'facematch-bench-cli-'));
  });
  afterAll(async () => {
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const bench = (json: string) =>
    run(process.execPath, [CLI, 'bench', 'lfw', '--data', fixture.dir, '--workers', '1', '--cache', path.join(tmp, 'cache'), '--json', json], {
      maxBuffer: 16 << 20,
    });

  it('reports the approve threshold, or why none can be chosen, and a cached rerun gives the earlier throughput as such', async () => {
    const first = await bench(path.join(tmp, 'first.json'));
    const firstReport = JSON.parse(await readFile(path.join(tmp, 'first.json'), 'utf8')) as LfwReport;
    expect(firstReport.pairs).toBe(40);
    expect(firstReport.differentPairs).toBe(20);
    // 20 different-person pairs, 10 per training part: FAR 1e-3 can be neither met nor checked.
    expect(firstReport.approveThreshold).toMatchObject({ targetFar: 0.001, status: 'too-few-pairs', recommended: null, trainingDifferentPairs: 10, neededDifferentPairs: 1000 });
    expect(first.stdout).toContain('## Approve threshold for FAR ≤ 0.001\n\nNo approve threshold can be chosen for FAR 1e-3:');
    expect(first.stdout).toContain('needs at least 1,000 for one false accept to mean 1e-3 (this run has 20 in all)');
    expect(firstReport.throughput).toMatchObject({ cached: false, workers: 1 });
    expect(firstReport.throughput!.images).toBeGreaterThan(30);

    const second = await bench(path.join(tmp, 'second.json'));
    const secondReport = JSON.parse(await readFile(path.join(tmp, 'second.json'), 'utf8')) as LfwReport;
    expect(second.stderr).toMatch(/^embedding: all \d+ images from the cache, none to compute$/m);
    expect(second.stderr).not.toMatch(/0\/0/);
    expect(secondReport.accuracy).toEqual(firstReport.accuracy);
    expect(secondReport.throughput).toEqual({ ...firstReport.throughput, cached: true });
    expect(secondReport.throughput!.measuredAt).toBe(firstReport.createdAt);
    expect(second.stdout).toContain(
      `Every embedding of this run came from the cache; these are the figures of the earlier run of the same configuration that computed them, measured ${firstReport.createdAt}:`,
    );
  });
});
