/**
 * A short slice of the hostile-input fuzz (`npm run fuzz`) inside `npm test`: about 2,000 cases
 * across the families for each decoder, each case in a long-lived child with the default limits
 * (2 s CPU, 512 MiB RSS above baseline) and the canary checked after every abnormal case.
 *
 * Every family must end in FaceMatchErrors or decoded images only: no other error, crash, hang,
 * limit breach or canary change. Known defects of today's intake (issue 9) are matched narrowly
 * below, kept out of the family checks, and tracked by `it.fails` tests that start failing once
 * the defect is fixed: then turn them into `it` and delete the signature. Families whose every
 * case costs seconds of CPU until a decode budget exists are left out of the slice by name, as
 * visible skipped tests; the full fuzz runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, selectFamilies } from './fuzz/generator.js';
import { DEFAULT_LIMITS } from './fuzz/pool.js';
import { buildCorpus, runCases, type CaseRecord, type DecoderRun, type FuzzCorpus } from './fuzz/runner.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';

const LFW = lfwDirOrSkip('fuzz-slice (synthetic seeds and canary only)');
const SEED = 9;
const TARGET_CASES = 2000;
const DECODERS = ['jimp', 'sharp'] as const;

/**
 * Families left out of the slice, with the defect that makes each case cost seconds today. They
 * stay in the full fuzz. Add them back once the decode budget of issue 9 lands.
 */
const EXCLUDED: Readonly<Record<string, string>> = {
  'png-16bit-large': 'issue 9 #3: 16-bit RGBA PNGs decode without a budget (jimp +1.5 GB; 2,000x2,000 already passes 2 s CPU on jimp)',
  'png-interlaced-bomb': 'issue 9 #3: interlaced PNGs skip the inflate cap, pngjs inflates 256 MB (jimp passes 512 MiB)',
  'png-extreme-aspect': 'issue 9 #2: 1x10,000,000 grey PNGs pass 2 s CPU on both decoders; 1x50,000,000 exhausts the jimp heap',
  'jpeg-pixel-bomb': 'issue 9 #3: a 1.4 KB JPEG claiming 7000x7000 passes 512 MiB on both decoders (no decode budget)',
};

/** A known defect: which failing records it explains. Keep these narrow: a new failure must not hide behind one. */
interface KnownDefect {
  issue: string;
  decoders: readonly string[];
  matches(r: CaseRecord): boolean;
}

const KNOWN: readonly KnownDefect[] = [
  {
    issue: 'issue 9 #1: the jimp path hands @jsquash/webp the whole ArrayBuffer behind a Buffer or subarray, so a WebP in Node\'s Buffer pool or inside a larger buffer decodes differently from a copy of the same bytes',
    decoders: ['jimp'],
    matches: (r) =>
      r.format === 'webp' &&
      (r.wrap === 'buffer' || r.wrap === 'subarray') &&
      r.outcome === 'failure' &&
      r.reasons.length > 0 &&
      r.reasons.every((x) => /^the (buffer|subarray) input gave \w+ where a plain copy of the same bytes gave \w+/.test(x) || /^embed: /.test(x) || /^loadImage refused with \w+ but embed gave/.test(x)),
  },
];

function sliceFamilies(): { name: string; count: number }[] {
  const families = selectFamilies(undefined).filter((f) => !(f.name in EXCLUDED));
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

  for (const family of Object.keys(EXCLUDED)) it.skip(`${family}: left out of the slice (${EXCLUDED[family]})`, () => undefined);

  for (const decoder of DECODERS) {
    describe(decoder, () => {
      const unexplained = (family: string): string[] =>
        runs
          .get(decoder)!
          .records.filter((r) => r.family === family && r.failed && !KNOWN.some((k) => k.decoders.includes(decoder) && k.matches(r)))
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

      for (const k of KNOWN.filter((d) => d.decoders.includes(decoder))) {
        it.fails(`known defect, still present (this test fails once it is fixed): ${k.issue}`, () => {
          expect(runs.get(decoder)!.records.filter((r) => k.matches(r))).toEqual([]);
        });
      }
    });
  }
});
