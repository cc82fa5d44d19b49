/**
 * A pool of long-lived fuzz children (bench/fuzz/child.ts, compiled to dist/), each with its own
 * FaceMatcher, with the limits enforced from outside: the parent samples every child's CPU time
 * and RSS from /proc while a case runs and kills the child (then starts a fresh one) when a case
 * passes the CPU limit, the RSS limit or the wall-clock limit. A child that dies on its own is a
 * crash. A child whose RSS high-water mark rose a lot is replaced after its case, so that the
 * next cases' marks mean something.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseMessage, ChildMessage, InitMessage, ReadyMessage, ResultMessage } from '../../bench/fuzz/protocol.js';

/** Limits per case. */
export interface Limits {
  /**
   * CPU time of any one call of a case (each of its loads and its embed decodes the image),
   * milliseconds. Default 2000.
   */
  cpuMs: number;
  /** RSS above the child's baseline, MiB. Default 512. */
  memoryMb: number;
  /**
   * A case whose child uses no CPU at all for this long is a hang (a promise that never settles, a
   * blocked read), milliseconds. Default 10 s. A busy loop is caught by the CPU limit instead, and a
   * child that is merely starved of CPU on a busy machine still makes some progress.
   */
  idleMs: number;
  /** Wall-clock time after which a case counts as a hang whatever it does, milliseconds. Default 10 minutes. */
  wallMs: number;
  /** V8 heap limit of a child (`--max-old-space-size`), MiB. Default 1024. */
  heapMb: number;
  /** Restart a child after a case that lifted its RSS high-water mark this far above its baseline, MiB. Default 64. */
  restartRiseMb: number;
}

/** CPU a case may use beyond three calls at the limit (the canary, the tensor checks) before the watchdog stops it. */
const CPU_SLACK_MS = 1000;

/** The default limits (2 s CPU per call, 512 MiB above baseline). */
export const DEFAULT_LIMITS: Limits = { cpuMs: 2000, memoryMb: 512, idleMs: 10_000, wallMs: 600_000, heapMb: 1024, restartRiseMb: 64 };

/** How a job ended, as seen by the parent. */
export type JobEnd = 'answered' | 'hang' | 'crash' | 'limit:cpu' | 'limit:memory';

/** One case to run, without its id. */
export type Job = Omit<CaseMessage, 'type' | 'id'>;

/** What the pool reports for one job. */
export interface JobResult {
  /** How it ended. */
  end: JobEnd;
  /** The child's own report, when it answered. */
  result?: ResultMessage;
  /** CPU milliseconds: the child's own measure when it answered, else sampled from /proc. */
  cpuMs: number;
  /** Peak RSS above the child's baseline, KiB: from the child's maxRSS when it answered, else the last sample. */
  peakRssKb: number;
  /** For crashes and kills: the signal, exit code and the end of the child's stderr. */
  detail?: string;
  /** The pid of the child that ran it. */
  pid: number;
}

/** The package root (where package.json is), found from this file in src or in dist. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'facematch') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the facematch package root');
    dir = up;
  }
}

/**
 * The compiled child. From compiled code (dist/test/fuzz/pool.js) it is the child beside it in the
 * same build (dist/bench/fuzz/child.js), so a copied build runs its own children; from the
 * TypeScript source (vitest) it is the one `npm run build` put in dist/.
 */
export function childScript(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.js') ? path.join(path.dirname(here), '..', '..', 'bench', 'fuzz', 'child.js') : path.join(packageRoot(), 'dist', 'bench', 'fuzz', 'child.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return file;
}

const CLOCK_TICK_MS = 10; // Linux USER_HZ is 100 on every mainstream build
const SAMPLE_MS = 15;

function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return undefined;
  }
}

function procRssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** One child and its state. */
class Worker {
  readonly proc: ChildProcess;
  readonly ready: Promise<ReadyMessage>;
  baselineKb = 0;
  private stderr = '';
  private pending: ((m: ChildMessage | { type: 'exit'; detail: string }) => void) | undefined;
  exited = false;

  constructor(script: string, init: InitMessage, limits: Limits) {
    this.proc = spawn(process.execPath, [`--max-old-space-size=${limits.heapMb}`, script], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.proc.on('message', (m: ChildMessage) => this.pending?.(m));
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      rmSync(path.join(tmpdir(), `facematch-fuzz-${this.proc.pid}`), { recursive: true, force: true });
      this.pending?.({ type: 'exit', detail: `exit code ${code}, signal ${signal}; stderr: ${this.stderr.trim().slice(-1500)}` });
    });
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`a fuzz child did not get ready in 180 s; stderr: ${this.stderr}`));
      }, 180_000);
      this.pending = (m) => {
        clearTimeout(timer);
        this.pending = undefined;
        if (m.type === 'ready') {
          this.baselineKb = m.maxRssKb;
          resolve(m);
        } else reject(new Error(m.type === 'fatal' ? `a fuzz child could not start: ${m.message}` : `a fuzz child died while starting: ${'detail' in m ? m.detail : ''}`));
      };
      this.proc.send(init);
    });
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }

  run(id: number, job: Job, limits: Limits): Promise<JobResult> {
    const pid = this.proc.pid ?? -1;
    return new Promise<JobResult>((resolve) => {
      const cpu0 = procCpuMs(pid) ?? 0;
      const t0 = Date.now();
      let lastRssKb = 0;
      let lastCpuMs = 0;
      let progressAt = t0;
      let killedFor: JobEnd | undefined;
      const finish = (r: JobResult): void => {
        clearInterval(timer);
        this.pending = undefined;
        resolve(r);
      };
      const timer = setInterval(() => {
        const cpu = (procCpuMs(pid) ?? cpu0) - cpu0;
        if (cpu > lastCpuMs) progressAt = Date.now();
        lastCpuMs = Math.max(lastCpuMs, cpu);
        lastRssKb = procRssKb(pid) ?? lastRssKb;
        const rise = lastRssKb - this.baselineKb;
        // A case makes up to three calls that decode (the load, a reference load of a copy, the
        // embed); the limit applies to each (checked on the child's own figures), so the watchdog
        // only stops a case that cannot be within it.
        if (cpu > 3 * limits.cpuMs + CPU_SLACK_MS) killedFor = 'limit:cpu';
        else if (rise > limits.memoryMb * 1024) killedFor = 'limit:memory';
        else if (Date.now() - progressAt > limits.idleMs || Date.now() - t0 > limits.wallMs) killedFor = 'hang';
        if (killedFor) {
          clearInterval(timer);
          this.kill();
        }
      }, SAMPLE_MS);
      this.pending = (m) => {
        if (m.type === 'result' && m.id === id) {
          finish({ end: 'answered', result: m, cpuMs: m.cpuMs, peakRssKb: Math.max(0, m.maxRssAfterKb - this.baselineKb), pid });
        } else if (m.type === 'exit') {
          finish({ end: killedFor ?? 'crash', cpuMs: lastCpuMs, peakRssKb: Math.max(0, lastRssKb - this.baselineKb), detail: m.detail, pid });
        } else if (m.type === 'fatal') {
          this.kill();
          finish({ end: 'crash', cpuMs: 0, peakRssKb: 0, detail: m.message, pid });
        }
      };
      this.proc.send({ type: 'case', id, ...job } satisfies CaseMessage);
    });
  }
}

/** A fixed-size pool of fuzz children for one decoder. */
export class FuzzPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiting: ((w: Worker) => void)[] = [];
  private nextId = 1;
  private closed = false;
  /** Children started, including replacements. */
  started = 0;
  /** The first ready message, for the report. */
  firstReady: ReadyMessage | undefined;

  private constructor(
    private readonly script: string,
    private readonly init: InitMessage,
    readonly limits: Limits,
  ) {}

  /** Starts `size` children and waits until all are ready. */
  static async create(size: number, init: InitMessage, limits: Limits = DEFAULT_LIMITS): Promise<FuzzPool> {
    const pool = new FuzzPool(childScript(), init, limits);
    const workers = await Promise.all(Array.from({ length: size }, () => pool.spawnWorker()));
    pool.idle.push(...workers);
    return pool;
  }

  private async spawnWorker(): Promise<Worker> {
    const w = new Worker(this.script, this.init, this.limits);
    this.all.add(w);
    this.started++;
    try {
      const ready = await w.ready;
      this.firstReady ??= ready;
      return w;
    } catch (err) {
      this.all.delete(w);
      w.kill();
      throw err;
    }
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
    });
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** Runs one job on the next free child; replaces the child when it died, was killed or grew. */
  async run(job: Job): Promise<JobResult> {
    if (this.closed) throw new Error('the pool is closed');
    const w = await this.acquire();
    const r = await w.run(this.nextId++, job, this.limits);
    const grew = r.end === 'answered' && r.peakRssKb > this.limits.restartRiseMb * 1024;
    if (r.end !== 'answered' || grew) {
      w.kill();
      this.all.delete(w);
      this.release(await this.spawnWorker());
    } else {
      this.release(w);
    }
    return r;
  }

  /** Stops every child. */
  close(): void {
    this.closed = true;
    for (const w of this.all) {
      if (w.proc.connected) w.proc.disconnect();
      w.kill();
    }
    this.all.clear();
  }
}
