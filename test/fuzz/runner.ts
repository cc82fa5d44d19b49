/**
 * Runs generated cases through a pool of fuzz children, once per decoder, and turns what came
 * back into per-case records, per-family counts, the slowest and hungriest cases, the failures,
 * and (with two decoders) how often the decoders agree.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { CallOutcome } from '../../bench/fuzz/protocol.js';
import { createGenerator, selectFamilies, type FuzzCase, type Generator } from './generator.js';
import { DEFAULT_LIMITS, FuzzPool, type JobEnd, type Limits } from './pool.js';
import { buildSeeds, canaryImage, type Seed } from './seeds.js';

/** What to run. */
export interface FuzzOptions {
  /** The run seed. */
  seed: number;
  /** How many cases (indices 0..n-1), or the exact indices. */
  cases: number | readonly number[];
  /** Decoder names passed to the API (`builtin`, `sharp`, or the alias `jimp`). */
  decoders: readonly string[];
  /** Children per decoder. Default 2. */
  workers?: number;
  /** Limits per case. */
  limits?: Partial<Limits>;
  /** LFW folder for extra seeds and the canary, or undefined. */
  lfwDir?: string;
  /** Family names (or prefixes ending in `*`); default all. */
  families?: readonly string[];
  /** Every this many cases `embed` runs even when `loadImage` refuses. Default 50. */
  embedEvery?: number;
  /** Flip averaging in the matcher. Default false. */
  flip?: boolean;
  /** Called after every case. */
  onProgress?(done: number, total: number, decoder: string): void;
  /** Called with every record as it comes in (for partial results of long runs). */
  onRecord?(record: CaseRecord): void;
  /** Run the decoders at the same time (each with its own pool of `workers`). Default false. */
  parallel?: boolean;
}

/** One case as it ended on one decoder. */
export interface CaseRecord {
  index: number;
  family: string;
  note: string;
  wrap: FuzzCase['wrap'];
  constraints?: string;
  decoder: string;
  bytes: number;
  /** The format its first bytes claim (`jpeg`, `png`, `webp`, `other`). */
  format: 'jpeg' | 'png' | 'webp' | 'other';
  /** How the pool saw it end. */
  end: JobEnd;
  /** The label it is counted under: `resolved`, an error code, `failure`, `hang`, `crash`, `limit:cpu`, `limit:memory`. */
  outcome: string;
  /** True for any outcome that fails the run. */
  failed: boolean;
  /** Why it failed, when it did. */
  reasons: string[];
  /** `loadImage`'s outcome key (`resolved` or a code) and message. */
  load?: string;
  loadMessage?: string;
  /** `embed`'s outcome key (`embedded`, `NO_FACE`, ...), when it ran. */
  embed?: string;
  cpuMs: number;
  peakRssKb: number;
  canary?: string;
  /** CPU milliseconds of the canary check after this case, when it ran. */
  canaryMs?: number;
  detail?: string;
}

/** Everything one decoder's run produced. */
export interface DecoderRun {
  decoder: string;
  /** The decoder the API reported using for the canary. */
  reportedDecoder: string;
  records: CaseRecord[];
  wallMs: number;
  /** Sum of the cases' CPU milliseconds, canary checks included (child start-ups not). */
  cpuMs: number;
  childrenStarted: number;
  /** CPU milliseconds of one canary embed, and the child's baseline RSS, from the first child. */
  canaryMs: number;
  baselineRssKb: number;
}

/** Agreement of two decoders' `loadImage` outcomes. */
export interface Agreement {
  decoders: [string, string];
  total: number;
  agreed: number;
  perFamily: Record<string, { total: number; agreed: number }>;
  disagreements: { index: number; family: string; note: string; a: string; b: string }[];
}

/** A whole run. */
export interface FuzzReport {
  seed: number;
  cases: number;
  families: string[];
  seeds: number;
  lfw: boolean;
  canary: string;
  limits: Limits;
  runs: DecoderRun[];
  agreement?: Agreement;
}

/** The format the first bytes claim, as the intake's sniffing would see it for the three it decodes. */
export function magicFormat(b: Uint8Array): CaseRecord['format'] {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 12 && Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  return 'other';
}

/** The key of a call outcome: `resolved`, `embedded`, an error code or `failure`. */
export function outcomeKey(o: CallOutcome | undefined): string | undefined {
  if (!o) return undefined;
  return o.kind === 'error' ? o.code : o.kind;
}

function toRecord(c: FuzzCase, decoder: string, r: Awaited<ReturnType<FuzzPool['run']>>, limits: Limits): CaseRecord {
  const base = { index: c.index, family: c.family, note: c.note, wrap: c.wrap, constraints: c.options.constraints, decoder, bytes: c.bytes.length, format: magicFormat(c.bytes), end: r.end, cpuMs: Math.round(r.cpuMs * 10) / 10, peakRssKb: r.peakRssKb };
  if (r.end !== 'answered' || !r.result) {
    return { ...base, outcome: r.end, failed: true, reasons: [`${r.end}: ${r.detail ?? ''}`.slice(0, 2000)], detail: r.detail };
  }
  const m = r.result;
  const reasons = [...m.problems];
  for (const [what, o] of [['loadImage', m.load], ['reference loadImage', m.reference], ['embed', m.embed]] as const) {
    if (o?.kind === 'failure') reasons.push(`${what} threw ${o.name}: ${o.message}${o.stack ? `\n${o.stack}` : ''}`);
  }
  if (m.canary === 'changed') reasons.push(`the canary changed after this case: ${m.canaryDetail ?? ''}`);
  if (m.canary === 'failed') reasons.push(`the canary no longer embeds after this case: ${m.canaryDetail ?? ''}`);
  let outcome = outcomeKey(m.load) as string;
  if (reasons.length) outcome = 'failure';
  else if (m.maxCallCpuMs > limits.cpuMs) outcome = 'limit:cpu';
  else if (r.peakRssKb > limits.memoryMb * 1024) outcome = 'limit:memory';
  if (outcome.startsWith('limit:')) {
    reasons.push(`${outcome}: ${m.maxCallCpuMs.toFixed(0)} ms CPU in one call (${m.cpuMs.toFixed(0)} ms for the case), ${(r.peakRssKb / 1024).toFixed(0)} MiB above baseline`);
  }
  return {
    ...base,
    outcome,
    failed: reasons.length > 0,
    reasons,
    load: outcomeKey(m.load),
    loadMessage: m.load.kind === 'error' || m.load.kind === 'failure' ? m.load.message : undefined,
    embed: outcomeKey(m.embed),
    canary: m.canary,
    canaryMs: m.canaryMs === undefined ? undefined : Math.round(m.canaryMs * 10) / 10,
  };
}

/** The seeds, canary and decoys a run needs. */
export interface FuzzCorpus {
  seeds: Seed[];
  canary: { name: string; bytes: Uint8Array; png: Uint8Array; webp: Uint8Array };
  decoys: { jpeg: Uint8Array; png: Uint8Array; webp: Uint8Array };
}

/** Builds the corpus for a run (synthetic seeds, LFW seeds when given, the canary). */
export async function buildCorpus(lfwDir: string | undefined): Promise<FuzzCorpus> {
  const seeds = await buildSeeds({ lfwDir });
  const face = (format: Seed['format']): Uint8Array => (seeds.find((s) => s.face && s.format === format) ?? seeds[0]!).bytes;
  const canary = await canaryImage(lfwDir);
  const png = new Uint8Array(await sharp(canary.bytes).png().toBuffer());
  const webp = new Uint8Array(await sharp(canary.bytes).webp({ quality: 80 }).toBuffer());
  return { seeds, canary: { ...canary, png, webp }, decoys: { jpeg: face('jpeg'), png: face('png'), webp: face('webp') } };
}

/** Runs the cases on each decoder in turn and returns the report. */
export async function runFuzz(options: FuzzOptions, corpus?: FuzzCorpus): Promise<FuzzReport> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const workers = options.workers ?? 2;
  const embedEvery = options.embedEvery ?? 50;
  const families = selectFamilies(options.families);
  const c = corpus ?? (await buildCorpus(options.lfwDir));
  const generator = createGenerator(options.seed, c.seeds, families);
  const indices = typeof options.cases === 'number' ? Array.from({ length: options.cases }, (_, i) => i) : [...options.cases];
  const opts = { workers, limits, embedEvery, flip: options.flip ?? false, corpus: c, onProgress: options.onProgress, onRecord: options.onRecord };
  const one = (decoder: string): Promise<DecoderRun> => runCases(decoder, indices.length, (slot) => generator.caseAt(indices[slot]!), opts);
  const runs: DecoderRun[] = [];
  if (options.parallel) runs.push(...(await Promise.all(options.decoders.map(one))));
  else for (const decoder of options.decoders) runs.push(await one(decoder));
  const report: FuzzReport = {
    seed: options.seed,
    cases: indices.length,
    families: families.map((f) => f.name),
    seeds: c.seeds.length,
    lfw: options.lfwDir !== undefined,
    canary: c.canary.name,
    limits,
    runs,
  };
  if (runs.length === 2) report.agreement = agreement(runs[0]!, runs[1]!);
  return report;
}

/** How {@link runCases} runs. */
export interface RunCasesOptions {
  workers: number;
  limits: Limits;
  /** Every this many slots `embed` runs even when `loadImage` refuses. */
  embedEvery: number;
  flip: boolean;
  corpus: FuzzCorpus;
  onProgress?: FuzzOptions['onProgress'];
  onRecord?: FuzzOptions['onRecord'];
}

/** Runs `count` cases (`caseAt(0..count-1)`) on one decoder in a fresh pool. */
export async function runCases(decoder: string, count: number, caseAt: (slot: number) => FuzzCase, o: RunCasesOptions): Promise<DecoderRun> {
  const start = Date.now();
  const init = { type: 'init', decoder, canary: o.corpus.canary.bytes, canaryPng: o.corpus.canary.png, canaryWebp: o.corpus.canary.webp, decoys: o.corpus.decoys, flip: o.flip } as const;
  const pool = await FuzzPool.create(o.workers, init, o.limits);
  const records: CaseRecord[] = new Array(count);
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      Array.from({ length: o.workers }, async () => {
        while (next < count) {
          const slot = next++;
          const c = caseAt(slot);
          const r = await pool.run({ bytes: c.bytes, wrap: c.wrap, constraints: c.options.constraints, embedAlways: slot % o.embedEvery === 0, canary: false });
          records[slot] = toRecord(c, decoder, r, o.limits);
          o.onRecord?.(records[slot]!);
          o.onProgress?.(++done, count, decoder);
        }
      }),
    );
  } finally {
    pool.close();
  }
  return {
    decoder,
    reportedDecoder: pool.firstReady?.decoder ?? decoder,
    records,
    wallMs: Date.now() - start,
    cpuMs: records.reduce((s, r) => s + r.cpuMs + (r.canaryMs ?? 0), 0),
    childrenStarted: pool.started,
    canaryMs: pool.firstReady?.canaryMs ?? 0,
    baselineRssKb: pool.firstReady?.maxRssKb ?? 0,
  };
}

export function agreement(a: DecoderRun, b: DecoderRun): Agreement {
  const perFamily: Agreement['perFamily'] = {};
  const disagreements: Agreement['disagreements'] = [];
  let agreed = 0;
  a.records.forEach((ra, i) => {
    const rb = b.records[i]!;
    const f = (perFamily[ra.family] ??= { total: 0, agreed: 0 });
    f.total++;
    if (ra.outcome === rb.outcome) {
      f.agreed++;
      agreed++;
    } else disagreements.push({ index: ra.index, family: ra.family, note: ra.note, a: ra.outcome, b: rb.outcome });
  });
  return { decoders: [a.decoder, b.decoder], total: a.records.length, agreed, perFamily, disagreements };
}

/** Counts of outcomes per family: `{ family: { outcome: n } }`. */
export function countsByFamily(records: readonly CaseRecord[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of records) {
    const f = (out[r.family] ??= {});
    f[r.outcome] = (f[r.outcome] ?? 0) + 1;
  }
  return out;
}

/** The reproduce command of a case. */
export function reproduceCommand(seed: number, index: number, decoder: string): string {
  return `npm run fuzz -- --seed ${seed} --case ${index} --decoder ${decoder}`;
}

/** A plain-text report: per-family counts, slowest, hungriest, failures, agreement. */
export function formatReport(report: FuzzReport, top = 10): string {
  const lines: string[] = [];
  const mb = (kb: number): string => (kb / 1024).toFixed(1);
  lines.push(`fuzz: seed ${report.seed}, ${report.cases} cases per decoder, ${report.seeds} seeds (${report.lfw ? 'with' : 'without'} LFW), canary ${report.canary}`);
  lines.push(`limits: ${report.limits.cpuMs} ms CPU, ${report.limits.memoryMb} MiB RSS above baseline, hang after ${report.limits.idleMs} ms without CPU or ${report.limits.wallMs} ms wall, heap ${report.limits.heapMb} MiB`);
  for (const run of report.runs) {
    const failed = run.records.filter((r) => r.failed);
    lines.push('');
    lines.push(`== decoder ${run.decoder} (API reports ${run.reportedDecoder}): ${run.records.length} cases in ${(run.wallMs / 1000).toFixed(1)} s wall, ${(run.cpuMs / 1000).toFixed(1)} s case CPU, ${run.childrenStarted} children started, canary ${run.canaryMs.toFixed(0)} ms CPU, baseline RSS ${mb(run.baselineRssKb)} MiB`);
    const counts = countsByFamily(run.records);
    const outcomes = [...new Set(run.records.map((r) => r.outcome))].sort();
    const width = Math.max(...Object.keys(counts).map((f) => f.length), 6);
    lines.push(`${'family'.padEnd(width)}  ${outcomes.map((o) => o.padStart(Math.max(o.length, 5))).join(' ')}`);
    for (const [family, byOutcome] of Object.entries(counts)) {
      lines.push(`${family.padEnd(width)}  ${outcomes.map((o) => String(byOutcome[o] ?? 0).padStart(Math.max(o.length, 5))).join(' ')}`);
    }
    const totals = outcomes.map((o) => String(run.records.filter((r) => r.outcome === o).length).padStart(Math.max(o.length, 5)));
    lines.push(`${'total'.padEnd(width)}  ${totals.join(' ')}`);
    lines.push(`slowest (CPU):`);
    for (const r of [...run.records].sort((x, y) => y.cpuMs - x.cpuMs).slice(0, top)) lines.push(`  ${r.cpuMs.toFixed(0).padStart(6)} ms  #${r.index} ${r.family} [${r.outcome}] ${r.note.slice(0, 100)}`);
    lines.push(`most memory (peak RSS above baseline):`);
    for (const r of [...run.records].sort((x, y) => y.peakRssKb - x.peakRssKb).slice(0, top)) lines.push(`  ${mb(r.peakRssKb).padStart(7)} MiB  #${r.index} ${r.family} [${r.outcome}] ${r.note.slice(0, 100)}`);
    lines.push(`failures: ${failed.length}`);
    for (const r of failed.slice(0, 50)) {
      lines.push(`  #${r.index} ${r.family} [${r.outcome}] ${r.wrap} ${r.note.slice(0, 120)}`);
      for (const reason of r.reasons) lines.push(`      ${reason.split('\n')[0]!.slice(0, 240)}`);
    }
    if (failed.length > 50) lines.push(`  ... and ${failed.length - 50} more (see cases-${run.decoder}.jsonl)`);
  }
  if (report.agreement) {
    const a = report.agreement;
    lines.push('');
    lines.push(`== agreement of ${a.decoders[0]} and ${a.decoders[1]} on outcome: ${a.agreed}/${a.total} (${((100 * a.agreed) / a.total).toFixed(2)}%)`);
    for (const [family, f] of Object.entries(a.perFamily)) lines.push(`  ${family.padEnd(22)} ${((100 * f.agreed) / f.total).toFixed(1).padStart(6)}%  (${f.agreed}/${f.total})`);
    const kinds = new Map<string, number>();
    for (const d of a.disagreements) kinds.set(`${d.family}: ${d.a} vs ${d.b}`, (kinds.get(`${d.family}: ${d.a} vs ${d.b}`) ?? 0) + 1);
    lines.push(`  disagreements by kind (${a.decoders[0]} vs ${a.decoders[1]}):`);
    for (const [k, n] of [...kinds].sort((x, y) => y[1] - x[1]).slice(0, 40)) lines.push(`    ${String(n).padStart(6)}  ${k}`);
  }
  return lines.join('\n');
}

/**
 * Writes the report (report.json, report.txt), every record (cases-<decoder>.jsonl) and the bytes
 * of the slowest, hungriest and failing cases (cases/<decoder>-<index>.bin with a .json beside)
 * to `dir`.
 */
export function writeReport(dir: string, report: FuzzReport, generator: Generator, top = 10, maxSaved = 200): void {
  mkdirSync(path.join(dir, 'cases'), { recursive: true });
  const save = (r: CaseRecord, why: string): void => {
    const c = generator.caseAt(r.index);
    const base = path.join(dir, 'cases', `${r.decoder}-${r.index}`);
    writeFileSync(`${base}.bin`, c.bytes);
    writeFileSync(`${base}.json`, `${JSON.stringify({ why, seed: report.seed, reproduce: reproduceCommand(report.seed, r.index, r.decoder), ...r }, null, 2)}\n`);
  };
  for (const run of report.runs) {
    writeFileSync(path.join(dir, `cases-${run.decoder}.jsonl`), run.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    for (const r of [...run.records].sort((x, y) => y.cpuMs - x.cpuMs).slice(0, top)) save(r, 'slowest');
    for (const r of [...run.records].sort((x, y) => y.peakRssKb - x.peakRssKb).slice(0, top)) save(r, 'most memory');
    for (const r of run.records.filter((x) => x.failed).slice(0, maxSaved)) save(r, 'failed');
  }
  const summary = {
    ...report,
    runs: report.runs.map(({ records, ...rest }) => ({
      ...rest,
      counts: countsByFamily(records),
      failures: records.filter((r) => r.failed).length,
      slowest: [...records].sort((x, y) => y.cpuMs - x.cpuMs).slice(0, top),
      mostMemory: [...records].sort((x, y) => y.peakRssKb - x.peakRssKb).slice(0, top),
    })),
    agreement: report.agreement && { ...report.agreement, disagreements: report.agreement.disagreements.slice(0, 500) },
  };
  writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(path.join(dir, 'report.txt'), `${formatReport(report, top)}\n`);
}

/** A generator for a report's seed and families over a corpus (to rebuild cases for saving). */
export function generatorFor(report: FuzzReport, corpus: FuzzCorpus): Generator {
  return createGenerator(report.seed, corpus.seeds, selectFamilies(report.families));
}
