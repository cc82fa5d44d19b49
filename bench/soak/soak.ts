/**
 * `npm run soak -- [--decoder builtin|sharp|both]`: one FaceMatcher, 1,000 matches and 1,000 embeds
 * of good and hostile inputs mixed, in 10 rounds of 100 + 100. After each round it prints the live
 * tfjs tensors and the RSS (after a full GC). Rounds 1 and 2 are the warm-up: every input has then
 * been seen at least twice, and measured here the external (wasm, Buffer) memory still rose in
 * round 2 (+20 MB with the decoder of the time) and was flat from then on. The run fails when, after the warm-up, the
 * tensor count changes at all or the RSS rises more than --max-growth-mb (20) above its level at
 * the end of the warm-up, or when a call
 * fails with anything but a FaceMatchError, or a good input stops embedding.
 *
 * Good inputs: LFW faces when FACEMATCH_LFW_DIR (or --data) is set, else synthetic faces, each
 * checked to be found by BlazeFace first. Hostile inputs: 50 cases of the fuzz generator's cheap
 * families. `both` runs each decoder in a fresh process (run with --expose-gc).
 *
 * Flags: --rounds N (10), --warmup-rounds N (2), --per-round N (100), --max-growth-mb MB (20),
 * --data DIR, --seed S (1).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FaceMatcher, FaceMatchError, type DecoderChoice, type ImageInput } from '../../src/index.js';
import * as tf from '../../src/runtime/tf.js';
import { rgbToJpeg, syntheticFace } from '../../test/fuzz/faces.js';
import { createGenerator, selectFamilies } from '../../test/fuzz/generator.js';
import { buildSeeds } from '../../test/fuzz/seeds.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { lfwDirFromEnv } from '../lfw/lfw-dir.js';

/** Families whose cases cost seconds and hundreds of MB until the decode budget exists (issue 9 #2, #3): not soak material. */
const COSTLY = new Set(['png-16bit-large', 'png-interlaced-bomb', 'png-extreme-aspect', 'jpeg-pixel-bomb']);

const { values } = parseArgs({
  options: {
    decoder: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '10' },
    'warmup-rounds': { type: 'string', default: '2' },
    'per-round': { type: 'string', default: '100' },
    'max-growth-mb': { type: 'string', default: '20' },
    data: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(`soak: ${message}`);
  process.exit(1);
}

const rounds = Number(values.rounds);
const perRound = Number(values['per-round']);
const maxGrowthMb = Number(values['max-growth-mb']);
const warmupRounds = Number(values['warmup-rounds']);
if (![rounds, perRound, maxGrowthMb, warmupRounds].every((n) => Number.isFinite(n) && n > 0) || rounds <= warmupRounds) {
  fail('--rounds (more than --warmup-rounds), --warmup-rounds, --per-round and --max-growth-mb must be positive numbers');
}

if (values.decoder === 'both') {
  // Each decoder in its own process, so that one's memory does not count against the other.
  const self = fileURLToPath(import.meta.url);
  let failed = false;
  for (const decoder of ['builtin', 'sharp']) {
    const args = ['--expose-gc', self, '--decoder', decoder, '--rounds', String(rounds), '--warmup-rounds', String(warmupRounds), '--per-round', String(perRound), '--max-growth-mb', String(maxGrowthMb), '--seed', values.seed];
    if (values.data) args.push('--data', values.data);
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) fail('run with node --expose-gc (npm run soak does)');

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

async function goodInputs(matcher: FaceMatcher, lfwDir: string | undefined): Promise<{ name: string; input: ImageInput }[]> {
  let inputs: { name: string; input: ImageInput }[];
  if (lfwDir) {
    const lines = readFileSync(path.join(lfwDir, 'pairs.txt'), 'utf8').trim().split('\n').slice(1, 11).map((l) => l.trim().split(/\s+/));
    const files = lines.flatMap((f) => [`${f[0]}/${f[0]}_${f[1]!.padStart(4, '0')}.jpg`, `${f[0]}/${f[0]}_${f[2]!.padStart(4, '0')}.jpg`]);
    // Half as paths, half as bytes: both ways in.
    inputs = files.map((rel, i) => {
      const file = path.join(lfwDir, 'lfw-deepfunneled', rel);
      return { name: `lfw:${rel}`, input: i % 2 ? file : readFileSync(file) };
    });
  } else {
    inputs = await Promise.all(Array.from({ length: 20 }, async (_, i) => ({ name: `synthetic-${i}`, input: await rgbToJpeg(await syntheticFace(200 + 8 * (i % 5), 200, 1000 + i)) })));
  }
  for (const g of inputs) {
    const d = await matcher.detect(g.input);
    if (d.faces.length === 0) fail(`BlazeFace finds no face in the good input ${g.name}`);
  }
  return inputs;
}

async function main(): Promise<void> {
  const decoder = values.decoder as DecoderChoice;
  const lfwDir = values.data ?? lfwDirFromEnv();
  const matcher = await FaceMatcher.create({ backend: 'wasm', decoder });
  const good = await goodInputs(matcher, lfwDir);
  const families = selectFamilies(undefined).filter((f) => !COSTLY.has(f.name));
  const generator = createGenerator(Number(values.seed), await buildSeeds({ lfwDir }), families);
  const bad = Array.from({ length: perRound / 2 }, (_, i) => generator.caseAt(i));
  console.log(`soak ${decoder}: ${rounds} rounds of ${perRound} matches + ${perRound} embeds (${perRound / 2} good, ${perRound / 2} hostile); ${good.length} good inputs (${lfwDir ? 'LFW' : 'synthetic, all found by BlazeFace'}), ${bad.length} hostile cases from ${new Set(bad.map((b) => b.family)).size} families`);
  console.log('round  matches  embeds  tensors  rss MiB  heap MiB  external MiB  s');
  let baseline: { tensors: number; rss: number } | undefined;
  const problems: string[] = [];
  let maxRss = 0;
  const t0 = Date.now();
  let matches = 0;
  let embeds = 0;
  for (let round = 1; round <= rounds; round++) {
    for (let i = 0; i < perRound; i++) {
      const a = good[(round * 7 + i) % good.length]!;
      const b = good[(round * 3 + i * 5 + 1) % good.length]!;
      await matcher.match(a.input, b.input).catch((err: unknown) => problems.push(`match ${a.name} / ${b.name}: ${String(err)}`));
      matches++;
    }
    for (let i = 0; i < perRound; i++) {
      if (i % 2 === 0) {
        const g = good[(round + i) % good.length]!;
        await matcher.embed(g.input).catch((err: unknown) => problems.push(`embed of good ${g.name}: ${String(err)}`));
      } else {
        const c = bad[(i - 1) / 2]!;
        await matcher.embed(new Uint8Array(c.bytes)).catch((err: unknown) => {
          if (!(err instanceof FaceMatchError)) problems.push(`embed of hostile ${c.family} #${c.index}: not a FaceMatchError: ${String(err)}`);
        });
      }
      embeds++;
    }
    gc!();
    await sleep(50);
    gc!();
    const tensors = tf.memory().numTensors;
    const rss = rssMb();
    const mem = process.memoryUsage();
    console.log(
      `${String(round).padStart(5)}  ${String(matches).padStart(7)}  ${String(embeds).padStart(6)}  ${String(tensors).padStart(7)}  ${rss.toFixed(1).padStart(7)}  ${(mem.heapUsed / 2 ** 20).toFixed(1).padStart(8)}  ${(mem.external / 2 ** 20).toFixed(1).padStart(12)}  ${((Date.now() - t0) / 1000).toFixed(0)}${round < warmupRounds ? '  (warm-up)' : round === warmupRounds ? '  (end of warm-up: baseline)' : ''}`,
    );
    if (round < warmupRounds) continue;
    if (!baseline) baseline = { tensors, rss };
    else {
      maxRss = Math.max(maxRss, rss);
      if (tensors !== baseline.tensors) problems.push(`round ${round}: ${tensors} live tensors, ${baseline.tensors} after the warm-up`);
      if (rss - baseline.rss > maxGrowthMb) problems.push(`round ${round}: RSS ${rss.toFixed(1)} MiB, ${(rss - baseline.rss).toFixed(1)} MiB above the ${baseline.rss.toFixed(1)} MiB after the warm-up (limit ${maxGrowthMb})`);
    }
  }
  matcher.dispose();
  const growth = baseline ? Math.max(0, maxRss - baseline.rss) : 0;
  console.log(`soak ${decoder}: ${matches} matches, ${embeds} embeds in ${((Date.now() - t0) / 1000).toFixed(0)} s; tensors ${baseline?.tensors} throughout: ${problems.some((p) => p.includes('tensors')) ? 'NO' : 'yes'}; RSS growth after warm-up at most ${growth.toFixed(1)} MiB (limit ${maxGrowthMb})`);
  if (problems.length) fail(`${problems.length} problem(s):\n  ${problems.slice(0, 30).join('\n  ')}`);
  console.log(`soak ${decoder}: passed`);
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
