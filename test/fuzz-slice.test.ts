/**
 * A short slice of the hostile-input fuzz (`npm run fuzz`) inside `npm test`: about 2,000 cases
 * across the families for each decoder, each case in a long-lived child with the default limits
 * (2 s CPU, 512 MiB RSS above baseline) and the canary checked after every abnormal case.
 *
 * Every family must end in FaceMatchErrors or decoded images only: no other error, crash, hang,
 * limit breach or canary change, and the two decoders must give the same outcome code. Every
 * family runs, the pixel bombs included: the decode budget refuses them from the header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, selectFamilies } from './fuzz/generator.js';
import { DEFAULT_LIMITS } from './fuzz/pool.js';
import { agreement, buildCorpus, runCases, type DecoderRun, type FuzzCorpus } from './fuzz/runner.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';

const LFW = lfwDirOrSkip('fuzz-slice (synthetic seeds and canary only)');
const SEED = 9;
const TARGET_CASES = 2000;
const DECODERS = ['builtin', 'sharp'] as const;

function sliceFamilies(): { name: string; count: number }[] {
  const families = selectFamilies(undefined);
  const total = families.reduce((s, f) => s + f.weight, 0);
  return families.map((f) => ({ name: f.name, count: Math.max(8, Math.round((TARGET_CASES * f.weight) / total)) }));
}

describe('fuzz slice', () => {
  const plan = sliceFamilies();
  const runs = new Map<string, DecoderRun>();
  let corpus: FuzzCorpus;

  beforeAll(async () => {
    corpus = await buildCorpus(LFW);
    // One generator per family: case i of family f is `npm run fuzz -- --seed 9 --families f --case i`.
    const cases = plan.flatMap(({ name, count }) => {
      const g = createGenerator(SEED, corpus.seeds, selectFamilies([name]));
      return Array.from({ length: count }, (_, i) => () => g.caseAt(i));
    });
    const results = await Promise.all(
      DECODERS.map((decoder) => runCases(decoder, cases.length, (slot) => cases[slot]!(), { workers: 1, limits: DEFAULT_LIMITS, embedEvery: 50, flip: false, corpus })),
    );
    for (const r of results) runs.set(r.decoder, r);
  }, 1_800_000); // about a minute of CPU per decoder; generous for a busy machine

  afterAll(() => {
    for (const run of runs.values()) {
      const embeds = run.records.filter((r) => r.embed !== undefined).length;
      console.log(`fuzz slice, ${run.decoder}: ${run.records.length} cases, ${embeds} embeds, ${(run.cpuMs / 1000).toFixed(1)} s case CPU, ${(run.wallMs / 1000).toFixed(1)} s wall, ${run.childrenStarted} children`);
    }
  });

  it('runs about 2,000 cases per decoder, every planned family', () => {
    const total = plan.reduce((s, f) => s + f.count, 0);
    expect(total).toBeGreaterThan(1800);
    expect(total).toBeLessThan(2300);
    for (const d of DECODERS) {
      const families = new Set(runs.get(d)!.records.map((r) => r.family));
      expect([...families].sort()).toEqual(plan.map((f) => f.name).sort());
    }
  });

  it('the two decoders give the same outcome code for nearly every case', () => {
    const a = agreement(runs.get('builtin')!, runs.get('sharp')!);
    const rate = a.agreed / a.total;
    console.log(`fuzz slice: builtin and sharp agree on ${a.agreed} of ${a.total} cases (${(100 * rate).toFixed(1)}%)`);
    for (const d of a.disagreements.slice(0, 20)) console.log(`  #${d.index} ${d.family} ${d.note}: builtin ${d.a}, sharp ${d.b}`);
    expect(rate).toBeGreaterThan(0.97);
  });

  for (const decoder of DECODERS) {
    describe(decoder, () => {
      const unexplained = (family: string): string[] =>
        runs
          .get(decoder)!
          .records.filter((r) => r.family === family && r.failed)
          .map((r) => `#${r.index} [${r.outcome}] ${r.wrap} ${r.note}: ${r.reasons.join(' | ').slice(0, 400)}`);

      for (const { name } of plan) {
        it(`${name}: only FaceMatchErrors and decoded images, no crash, hang, limit breach or canary change`, () => {
          expect(unexplained(name)).toEqual([]);
        });
      }

      it('the canary gave the same embedding and pixels every time it ran', () => {
        const records = runs.get(decoder)!.records;
        expect(records.filter((r) => r.canary !== undefined).length).toBeGreaterThan(50);
        expect(records.filter((r) => r.canary !== undefined && r.canary !== 'same').map((r) => `#${r.index} ${r.family}`)).toEqual([]);
      });

      it('the full pipeline ran on hostile pixels: embeddings and NO_FACE both occur', () => {
        const records = runs.get(decoder)!.records;
        expect(records.filter((r) => r.embed === 'embedded').length).toBeGreaterThan(100);
        expect(records.filter((r) => r.embed === 'NO_FACE').length).toBeGreaterThan(10);
      });
    });
  }
});
