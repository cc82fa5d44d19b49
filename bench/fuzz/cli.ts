/**
 * `npm run fuzz -- --cases N [--seed S] [--decoder builtin|sharp|both] [--workers K] [--out DIR]`
 *
 * Generates hostile inputs (test/fuzz/), runs each through loadImage and FaceMatcher.embed in a
 * pool of long-lived child processes with CPU and memory limits, prints the report and writes it
 * to --out. Exits 1 on any failure, crash, hang or limit breach; 2 on a usage error.
 *
 * Other flags: --case I[,J...] (rerun exactly these cases), --start I (cases I..I+N-1), --families a,b,prefix*,
 * --cpu-ms MS (2000), --memory-mb MB (512), --heap-mb MB (1024), --embed-every N (50), --flip,
 * --data DIR (LFW; default FACEMATCH_LFW_DIR), --top N (10), --parallel (both decoders at once),
 * --list-families. Records are appended to DIR/cases.partial.jsonl as they come in.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_FAMILIES } from '../../test/fuzz/generator.js';
import { buildCorpus, formatReport, generatorFor, reproduceCommand, runFuzz, writeReport } from '../../test/fuzz/runner.js';
import { lfwDirFromEnv } from '../lfw/lfw-dir.js';

function usage(message: string): never {
  console.error(`fuzz: ${message}\nusage: npm run fuzz -- --cases N [--seed S] [--decoder builtin|sharp|both] [--workers K] [--out DIR] [--case I] [--families a,b]`);
  process.exit(2);
}

function int(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) usage(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' },
      seed: { type: 'string' },
      decoder: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      case: { type: 'string' },
      start: { type: 'string' },
      families: { type: 'string' },
      'cpu-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      'heap-mb': { type: 'string' },
      'embed-every': { type: 'string' },
      flip: { type: 'boolean' },
      parallel: { type: 'boolean' },
      data: { type: 'string' },
      top: { type: 'string' },
      'list-families': { type: 'boolean' },
    },
    strict: true,
  });
  if (values['list-families']) {
    for (const f of ALL_FAMILIES) console.log(`${f.name.padEnd(22)} weight ${String(f.weight).padEnd(4)} ${f.attacks}`);
    return;
  }
  const seed = int(values.seed, 'seed', 1);
  const decoderArg = values.decoder ?? 'both';
  const decoders = decoderArg === 'both' ? ['builtin', 'sharp'] : [decoderArg];
  const lfwDir = values.data ?? lfwDirFromEnv();
  if (lfwDir && !existsSync(path.join(lfwDir, 'lfw-deepfunneled'))) usage(`${lfwDir} (from --data or FACEMATCH_LFW_DIR) does not hold lfw-deepfunneled/`);
  const start = int(values.start, 'start', 0);
  const count = int(values.cases, 'cases', 1000, 1);
  const cases = values.case ? values.case.split(',').map((s) => int(s, 'case', 0)) : start > 0 ? Array.from({ length: count }, (_, i) => start + i) : count;
  const out = values.out ?? path.join(tmpdir(), `facematch-fuzz-seed${seed}`);
  const families = values.families?.split(',').filter(Boolean);
  const top = int(values.top, 'top', 10);
  const corpus = await buildCorpus(lfwDir);
  mkdirSync(out, { recursive: true });
  const partial = path.join(out, 'cases.partial.jsonl');
  writeFileSync(partial, '');
  const total = (typeof cases === 'number' ? cases : cases.length) * decoders.length;
  let finished = 0;
  let lastPrint = Date.now();
  const t0 = Date.now();
  const report = await runFuzz(
    {
      seed,
      cases,
      decoders,
      workers: int(values.workers, 'workers', 2, 1),
      lfwDir,
      families,
      embedEvery: int(values['embed-every'], 'embed-every', 50, 1),
      flip: values.flip ?? false,
      parallel: values.parallel ?? false,
      onRecord: (r) => appendFileSync(partial, `${JSON.stringify(r)}\n`),
      limits: {
        ...(values['cpu-ms'] ? { cpuMs: int(values['cpu-ms'], 'cpu-ms', 2000, 1) } : {}),
        ...(values['memory-mb'] ? { memoryMb: int(values['memory-mb'], 'memory-mb', 512, 1) } : {}),
        ...(values['heap-mb'] ? { heapMb: int(values['heap-mb'], 'heap-mb', 1024, 16) } : {}),
      },
      onProgress: (done, n, decoder) => {
        finished++;
        if (Date.now() - lastPrint > 10_000 || done === n) {
          lastPrint = Date.now();
          const rate = finished / ((Date.now() - t0) / 1000);
          console.error(`fuzz: ${decoder} ${done}/${n} (${rate.toFixed(1)} cases/s overall, ${((total - finished) / rate / 60).toFixed(1)} min left)`);
        }
      },
    },
    corpus,
  );
  writeReport(out, report, generatorFor(report, corpus), top);
  console.log(formatReport(report, top));
  if (values.case) {
    for (const run of report.runs) for (const r of run.records) console.log(`\n#${r.index} on ${r.decoder}:\n${JSON.stringify(r, null, 2)}`);
  }
  console.log(`\nreport, records and saved cases: ${out}`);
  const bad = report.runs.flatMap((r) => r.records.filter((x) => x.failed));
  if (bad.length > 0) {
    console.log(`fuzz: ${bad.length} failing case(s); reproduce one with: ${reproduceCommand(seed, bad[0]!.index, bad[0]!.decoder)}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(2);
});
