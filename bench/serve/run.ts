/**
 * `npm run bench:serve`: the service's throughput and latency on loopback, next to the library's
 * own matches/s through the same number of workers, and its RSS across a steady-load run.
 *
 * Flags: --data DIR (or FACEMATCH_LFW_DIR), --workers N (default: one per core, the service's
 * default), --seconds S per concurrency level (default 20), --steady-seconds S (default 600),
 * --concurrency 1,4,16,64, --sizes lfw,2mp, --pairs N (default 8), --repeats N (default 3: the
 * library's rate and the service's at concurrency 16 are measured N times, alternating, and the
 * ratio is the median of the N side-by-side pairs, so that a noisy neighbour moment does not land
 * on one side only), --image-ttl S (the face crops' URL lifetime in the steady run; default the
 * service's 3,600 s: a shorter one lets the store reach its steady state within the run, so that
 * what still grows is not held data), --steady-warmup S (load before the steady run's "before"
 * RSS, default 60), --redis-url URL (serve with the Redis store, so that the crops are held in
 * Redis rather than in the service's memory), --out DIR (default bench/results/serve), --smoke (3 s
 * levels, one repeat, a 20 s steady run).
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { createExampleConfig } from '../../src/serve/config.js';
import { lfwDirFromEnv } from '../lfw/lfw-dir.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(HERE, '..', '..', 'src', 'cli.js');

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    workers: { type: 'string' },
    seconds: { type: 'string' },
    'steady-seconds': { type: 'string' },
    concurrency: { type: 'string' },
    sizes: { type: 'string' },
    pairs: { type: 'string' },
    repeats: { type: 'string' },
    'image-ttl': { type: 'string' },
    'redis-url': { type: 'string' },
    'steady-warmup': { type: 'string' },
    out: { type: 'string' },
    smoke: { type: 'boolean' },
  },
});
const smoke = values.smoke === true;
const dataDir = values.data ?? lfwDirFromEnv();
if (!dataDir) throw new Error('bench:serve needs LFW: pass --data DIR or set FACEMATCH_LFW_DIR');
const workers = Number(values.workers ?? availableParallelism());
const seconds = Number(values.seconds ?? (smoke ? 3 : 20));
const steadySeconds = Number(values['steady-seconds'] ?? (smoke ? 20 : 600));
const levels = (values.concurrency ?? (smoke ? '1,16' : '1,4,16,64')).split(',').map(Number);
const sizes = (values.sizes ?? 'lfw,2mp').split(',') as ('lfw' | '2mp')[];
const pairCount = Number(values.pairs ?? (smoke ? 2 : 8));
const repeats = Number(values.repeats ?? (smoke ? 1 : 3));
const imageTtl = values['image-ttl'] === undefined ? undefined : Number(values['image-ttl']);
const redisUrl = values['redis-url'];
const steadyWarmup = Number(values['steady-warmup'] ?? (smoke ? 5 : 60));
for (const [flag, v] of [['--workers', workers], ['--seconds', seconds], ['--steady-seconds', steadySeconds], ['--pairs', pairCount], ['--repeats', repeats], ['--image-ttl', imageTtl ?? 1], ['--steady-warmup', steadyWarmup]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`Expected a positive integer for ${flag} but received ${String(v)}`);
}
/** The level whose ratio to the library is the goal (at least 90%). */
const GOAL_LEVEL = 16;
const outDir = values.out ?? path.resolve(HERE, '..', '..', '..', 'bench', 'results', 'serve');
const SIZE: Record<'lfw' | '2mp', [number, number]> = { lfw: [500, 500], '2mp': [1632, 1224] };

function log(message: string): void {
  process.stderr.write(`[bench:serve ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The first same-person pairs of pairs.txt, as image paths. */
function samePairs(n: number): [string, string][] {
  const lines = readFileSync(path.join(dataDir!, 'pairs.txt'), 'utf8').trim().split('\n').slice(1);
  const img = (name: string, i: string) => path.join(dataDir!, 'lfw-deepfunneled', name, `${name}_${i.padStart(4, '0')}.jpg`);
  return lines
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3)
    .slice(0, n)
    .map((f) => [img(f[0]!, f[1]!), img(f[0]!, f[2]!)]);
}

/** An LFW image scaled to `size` (Didit wants at least 480×480), as JPEG quality 90. */
async function scaled(file: string, [w, h]: [number, number]): Promise<Buffer> {
  return sharp(file).resize(w, h, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
}

/** A Didit multipart body, encoded by undici's FormData exactly as `fetch` would send it. */
async function multipart(user: Buffer, ref: Buffer): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('user_image', new Blob([user], { type: 'image/jpeg' }), 'user.jpg');
  form.append('ref_image', new Blob([ref], { type: 'image/jpeg' }), 'reference.jpg');
  const request = new Request('http://bench.invalid/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** MiB the service's memory store holds (media and face crops), from its /metrics; 0 without the gauge. */
async function storeMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let bytes = 0;
  for (const m of text.matchAll(/^facematch_store_bytes\{kind="\w+"\} (\d+(?:\.\d+)?)$/gm)) bytes += Number(m[1]);
  return bytes / (1024 * 1024);
}

/** Process CPU seconds (user + system) of a pid, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The element at the median of `key` (the lower middle for an even count). */
function median<T>(items: T[], key: (x: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

interface LibraryRate {
  matchesPerSecond: number;
  cpuMsPerMatch: number;
  errors: number;
}

/** The library's matches/s through `workers` threads, and its CPU ms per match. */
async function libraryRate(pairs: [Uint8Array, Uint8Array][]): Promise<LibraryRate> {
  const threads = Array.from({ length: workers }, () => new Worker(new URL('./library-worker.js', import.meta.url), { workerData: { pairs, seconds, warmup: 3 } }));
  await Promise.all(threads.map((w) => new Promise((r) => w.once('message', r))));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = threads.map((w) => new Promise<{ matches: number; errors: number }>((r) => w.once('message', r)));
  for (const w of threads) w.postMessage('go');
  const results = await Promise.all(done);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(threads.map((w) => w.terminate()));
  const matches = results.reduce((s, r) => s + r.matches, 0);
  return { matchesPerSecond: matches / elapsed, cpuMsPerMatch: (cpu.user + cpu.system) / 1000 / matches, errors: results.reduce((s, r) => s + r.errors, 0) };
}

interface LevelResult {
  size: string;
  concurrency: number;
  seconds: number;
  ok: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  /** Server CPU (main thread and workers) per answered match: 429s and all included in the CPU. */
  cpuMsPerRequest: number;
}

async function load(url: string, token: string, bodies: { body: Buffer; contentType: string }[], connections: number, duration: number, pid: number, size: string): Promise<LevelResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const cpu0 = cpuSeconds(pid);
  const result = await autocannon({
    url: `${url}/v2/face-match`,
    connections,
    duration,
    timeout: 120,
    requests: bodies.map((b) => ({ method: 'POST' as const, headers: { authorization: `Bearer ${token}`, 'content-type': b.contentType }, body: b.body })),
    setupClient(client) {
      client.on('response', (status: number, _bytes: number, time: number) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) latencies.push(time);
      });
    },
  });
  const cpu = cpuSeconds(pid) - cpu0;
  latencies.sort((a, b) => a - b);
  const ok = statuses['200'] ?? 0;
  const total = Object.values(statuses).reduce((s, n) => s + n, 0);
  const unexpected = total - ok - (statuses['429'] ?? 0);
  return {
    size,
    concurrency: connections,
    seconds: duration,
    ok,
    requestsPerSecond: ok / duration,
    p50: Math.round(percentile(latencies, 50)),
    p95: Math.round(percentile(latencies, 95)),
    p99: Math.round(percentile(latencies, 99)),
    statuses,
    errors: unexpected + result.errors + result.timeouts,
    cpuMsPerRequest: ok > 0 ? (cpu * 1000) / ok : NaN,
  };
}

/** Waits until the service has no job running or queued: requests abandoned by the last level finish first. */
async function idle(url: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const r = (await (await fetch(`${url}/readyz`)).json()) as { workers: { busy: number }; queue: { waiting: number } };
    if (r.workers.busy === 0 && r.queue.waiting === 0) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('the service did not go idle within 5 minutes');
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadBefore: loadavg(), node: process.version };
  log(`workers ${workers}, levels ${levels.join(',')} × ${seconds} s, steady ${steadySeconds} s, sizes ${sizes.join(',')}, load ${machine.loadBefore.map((l) => l.toFixed(1)).join(' ')}`);
  const pairs = samePairs(pairCount);
  const images: Record<string, [Buffer, Buffer][]> = {};
  for (const size of sizes) images[size] = await Promise.all(pairs.map(async ([a, b]) => [await scaled(a, SIZE[size]), await scaled(b, SIZE[size])] as [Buffer, Buffer]));

  const library: Record<string, LibraryRate> = {};
  const { config, credentials } = await createExampleConfig();
  delete config.$schema;
  const port = 20000 + Math.floor(Math.random() * 20000);
  Object.assign(config, { port, host: '127.0.0.1', workers, rateLimit: { burst: 1_000_000, perSecond: 1_000_000 } });
  const didit = (config.didit ??= {});
  if (imageTtl !== undefined) didit.imageTtlSeconds = imageTtl;
  const cropTtl = didit.imageTtlSeconds ?? 3_600;
  if (redisUrl !== undefined) config.store = { type: 'redis', url: redisUrl, keyPrefix: `bench-serve-${process.pid}:` };
  delete (config as { queue?: unknown }).queue;
  const configFile = path.join(tmpdir(), `facematch-bench-serve-${process.pid}.json`);
  writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  const logFd = openSync(path.join(outDir, 'server.log'), 'w');
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], { stdio: ['ignore', logFd, logFd] });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (child.exitCode !== null || i > 1200) throw new Error('the service did not become ready; see server.log');
      await new Promise((r) => setTimeout(r, 100));
    }
    const basic = Buffer.from(`${credentials.didit.clientId}:${credentials.didit.clientSecret}`).toString('base64');
    const tokenReply = await fetch(`${url}/auth/v2/token/`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    const token = ((await tokenReply.json()) as { access_token: string }).access_token;

    const results: LevelResult[] = [];
    /** Per size: the alternating library / service-at-GOAL_LEVEL windows, in the order run. */
    const sideBySide: Record<string, { library: LibraryRate; service: LevelResult; ratio: number }[]> = {};
    for (const size of sizes) {
      const bodies = await Promise.all(images[size]!.map(([a, b]) => multipart(a, b)));
      await load(url, token, bodies, workers, 3, child.pid!, size); // warm-up
      const runs: { library: LibraryRate; service: LevelResult; ratio: number }[] = [];
      const libraries: LibraryRate[] = [];
      // The library's rate just before each service window, so that both see the same machine.
      for (let r = 0; r < repeats; r++) {
        await idle(url);
        const lib = await libraryRate(images[size]!.map(([a, b]) => [new Uint8Array(a), new Uint8Array(b)]));
        libraries.push(lib);
        log(`library: ${size}, ${workers} workers, ${seconds} s: ${lib.matchesPerSecond.toFixed(2)} matches/s, ${lib.cpuMsPerMatch.toFixed(0)} CPU ms/match`);
        if (!levels.includes(GOAL_LEVEL)) continue;
        await idle(url);
        const svc = await load(url, token, bodies, GOAL_LEVEL, seconds, child.pid!, size);
        runs.push({ library: lib, service: svc, ratio: svc.requestsPerSecond / lib.matchesPerSecond });
        log(`service: ${size} c=${GOAL_LEVEL} (repeat ${r + 1} of ${repeats}): ${svc.requestsPerSecond.toFixed(2)} req/s (${((100 * svc.requestsPerSecond) / lib.matchesPerSecond).toFixed(0)}% of the library just before), statuses ${JSON.stringify(svc.statuses)}, errors ${svc.errors}`);
      }
      library[size] = median(libraries, (l) => l.matchesPerSecond);
      sideBySide[size] = runs;
      for (const c of levels) {
        let r: LevelResult;
        if (c === GOAL_LEVEL) {
          r = median(runs, (x) => x.ratio).service;
        } else {
          await idle(url);
          r = await load(url, token, bodies, c, seconds, child.pid!, size);
          log(`service: ${size} c=${c}: ${r.requestsPerSecond.toFixed(2)} req/s, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, statuses ${JSON.stringify(r.statuses)}, errors ${r.errors}`);
        }
        results.push(r);
      }
    }

    const steadyConcurrency = 2 * workers;
    const steadyBodies = await Promise.all(images[sizes[0]!]!.map(([a, b]) => multipart(a, b)));
    await idle(url);
    // The heaps (V8's, the allocator's arenas) grow to their working size over the first minute
    // of load; "before" is measured after that, and the series below starts there.
    await load(url, token, steadyBodies, steadyConcurrency, steadyWarmup, child.pid!, sizes[0]!);
    const rssBefore = rssMb(child.pid!);
    const storeBefore = await storeMb(url);
    log(`steady: ${sizes[0]} c=${steadyConcurrency} for ${steadySeconds} s, RSS before ${rssBefore.toFixed(1)} MB`);
    // RSS and what the store holds every 30 s: a leak keeps climbing, warm-up and held data level off.
    const t0 = performance.now();
    const series: { seconds: number; rssMb: number; storeMb: number }[] = [{ seconds: 0, rssMb: rssBefore, storeMb: storeBefore }];
    const sampler = setInterval(() => {
      const seconds = Math.round((performance.now() - t0) / 1000);
      const rss = rssMb(child.pid!);
      storeMb(url).then(
        (store) => series.push({ seconds, rssMb: rss, storeMb: store }),
        () => undefined,
      );
    }, 30_000);
    const steady = await load(url, token, steadyBodies, steadyConcurrency, steadySeconds, child.pid!, sizes[0]!);
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssMb(child.pid!);
    // The memory store keeps every answer's two face crops for their URLs' lifetime (60 minutes,
    // up to store.maxBytes): data the service was asked to hold, not a leak; counted apart.
    const storeGrowth = (await storeMb(url)) - storeBefore;
    log(`steady: ${steady.requestsPerSecond.toFixed(2)} req/s, errors ${steady.errors}, RSS after ${rssAfter.toFixed(1)} MB (${(rssAfter - rssBefore).toFixed(1)} MB, of which ${storeGrowth.toFixed(1)} MB more held in the store)`);

    const report = {
      date: new Date().toISOString(),
      machine: { ...machine, loadAfter: loadavg() },
      workers,
      secondsPerLevel: seconds,
      pairs: pairCount,
      library,
      service: results,
      repeats,
      imageTtlSeconds: cropTtl,
      store: redisUrl === undefined ? 'memory' : 'redis',
      steadyWarmupSeconds: steadyWarmup,
      sideBySide,
      ratioAt16: Object.fromEntries(sizes.map((s) => [s, sideBySide[s]!.length ? median(sideBySide[s]!, (x) => x.ratio).ratio : NaN])),
      steady: { concurrency: steadyConcurrency, seconds: steadySeconds, requestsPerSecond: steady.requestsPerSecond, errors: steady.errors, statuses: steady.statuses, rssBeforeMb: rssBefore, rssAfterMb: rssAfter, rssGrowthMb: rssAfter - rssBefore, storeGrowthMb: storeGrowth, growthBesidesStoreMb: rssAfter - rssBefore - storeGrowth, series },
    };
    writeFileSync(path.join(outDir, 'serve-bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    const rows = results.map((r) => {
      // The goal level is shown against the library window it was paired with.
      const lib = sideBySide[r.size]!.find((x) => x.service === r)?.library ?? library[r.size]!;
      return `| ${r.size} | ${r.concurrency} | ${r.requestsPerSecond.toFixed(2)} | ${((100 * r.requestsPerSecond) / lib.matchesPerSecond).toFixed(0)}% | ${r.p50} | ${r.p95} | ${r.p99} | ${r.statuses['429'] ?? 0} | ${r.errors} | ${r.cpuMsPerRequest.toFixed(0)} (${lib.cpuMsPerMatch.toFixed(0)}) |`;
    });
    const table = [
      `| images | concurrency | requests/s | of library | p50 ms | p95 ms | p99 ms | 429s | errors | server CPU ms per match (library) |`,
      `|---|---|---|---|---|---|---|---|---|---|`,
      ...rows,
      '',
      `Library (same ${workers} workers, no HTTP; median of ${repeats} windows): ${sizes.map((s) => `${s} ${library[s]!.matchesPerSecond.toFixed(2)} matches/s, ${library[s]!.cpuMsPerMatch.toFixed(0)} CPU ms/match`).join('; ')}.`,
      ...(levels.includes(GOAL_LEVEL)
        ? [
            `Concurrency ${GOAL_LEVEL}, side by side (library window, then service window, ${repeats} times; the row above is the median pair): ${sizes
              .map((s) => `${s} ${sideBySide[s]!.map((x) => `${x.service.requestsPerSecond.toFixed(2)}/${x.library.matchesPerSecond.toFixed(2)} = ${(100 * x.ratio).toFixed(0)}%`).join(', ')}`)
              .join('; ')}.`,
          ]
        : []),
      `Steady load: ${steadySeconds} s at concurrency ${steadyConcurrency} after ${steadyWarmup} s of warm-up (${sizes[0]}, crop URLs valid ${cropTtl} s, ${redisUrl === undefined ? 'memory store' : 'Redis store'}), ${steady.requestsPerSecond.toFixed(2)} req/s, ${steady.errors} errors; RSS ${rssBefore.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after (${(rssAfter - rssBefore).toFixed(1)} MB, of which ${storeGrowth.toFixed(1)} MB more face crops held in the memory store for their URLs; ${(rssAfter - rssBefore - storeGrowth).toFixed(1)} MB besides).`,
      `RSS during the steady run, MB (store's holding in brackets), every 30 s: ${series.map((x) => `${x.seconds} s ${x.rssMb.toFixed(0)} (${x.storeMb.toFixed(0)})`).join(', ')}.`,
      `Machine: ${machine.cpus} × ${machine.model}, Node ${machine.node}; load average ${machine.loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${report.machine.loadAfter.map((l) => l.toFixed(1)).join(' ')} after.`,
    ].join('\n');
    writeFileSync(path.join(outDir, 'serve-bench.md'), `${table}\n`);
    process.stdout.write(`${table}\n`);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(configFile, { force: true });
  }
}

await main();
