/**
 * The inference pool: worker threads with one FaceMatcher each, one job per worker at a time,
 * behind a bounded queue with a per-job deadline. A worker that dies fails only its own job and is
 * replaced.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { FaceMatchError } from '../errors.js';
import { deserializeError, jobTransfer, ownedBytes, type FromWorker, type SerializedError, type ToWorker, type WorkerInit, type WorkerJob, type WorkerJobResult, type WorkerMemory } from './jobs.js';

/**
 * The queue is full: answer with the provider's 429 at once.
 *
 * @category Service
 */
export class QueueFullError extends Error {
  /** `QueueFullError`. */
  override name = 'QueueFullError';
  /** Seconds after which a retry is likely to be admitted. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('Expected room in the inference queue but it is full');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A job did not finish within its deadline.
 *
 * @category Service
 */
export class DeadlineError extends Error {
  /** `DeadlineError`. */
  override name = 'DeadlineError';
  /** The deadline, ms. */
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super(`Expected the face match to finish within ${deadlineMs} ms but it did not`);
    this.deadlineMs = deadlineMs;
  }
}

/**
 * The worker running a job died (or the pool closed) before answering.
 *
 * @category Service
 */
export class WorkerCrashError extends Error {
  /** `WorkerCrashError`. */
  override name = 'WorkerCrashError';
}

/**
 * Options of {@link WorkerPool}.
 *
 * @category Service
 */
export interface WorkerPoolOptions {
  /** Worker threads. */
  size: number;
  /** Jobs that may wait for a worker; beyond it {@link WorkerPool.run} throws {@link QueueFullError}. */
  maxWaiting: number;
  /** Deadline per job, ms, from submission to answer. */
  deadlineMs: number;
  /** What each worker's FaceMatcher is created with. */
  init: WorkerInit;
  /** Called on pool events (worker restarts, late results), for logs and metrics. */
  onEvent?: (event: PoolEvent) => void;
}

/**
 * Something the pool reports: a worker that died and was replaced, a worker killed because its
 * job overran the deadline twice over, a finished job with its timings.
 *
 * @category Service
 */
export type PoolEvent =
  | { type: 'worker-exit'; worker: number; reason: string }
  | { type: 'worker-restart'; worker: number }
  | { type: 'worker-killed'; worker: number; reason: string }
  | { type: 'job-done'; kind: WorkerJob['kind']; waitMs: number; runMs: number; ok: boolean };

/**
 * A snapshot of the pool.
 *
 * @category Service
 */
export interface PoolStats {
  /** Worker threads configured. */
  size: number;
  /** Workers that loaded their models and take jobs. */
  ready: number;
  /** Workers running a job. */
  busy: number;
  /** Jobs waiting for a worker. */
  waiting: number;
  /** Queue capacity. */
  maxWaiting: number;
  /** Workers replaced since start. */
  restarts: number;
}

interface Task {
  id: number;
  job: WorkerJob;
  submitted: number;
  started: number;
  resolve: (value: WorkerJobResult) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  task: Task | undefined;
  killTimer: NodeJS.Timeout | undefined;
  /** Called once the running job has ended (answered, failed or its worker gone). */
  idleWaiters: (() => void)[];
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * The worker pool. {@link WorkerPool.start} resolves when every worker has loaded its models.
 *
 * @category Service
 */
export class WorkerPool {
  private readonly options: WorkerPoolOptions;
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private restarts = 0;
  private closed = false;
  private paused = false;
  private meanRunMs = 500;
  private failuresInARow = 0;
  private crashNext = false;
  private nextMemoryId = 1;
  /** Memory questions not answered yet: the worker slot asked, and what to call with the answer (undefined: none will come). */
  private readonly memoryWaits = new Map<number, { slot: number; answer: (memory: WorkerMemory | undefined) => void }>();

  constructor(options: WorkerPoolOptions) {
    this.options = options;
  }

  /** Starts the workers; resolves once all are ready, rejects with the first one's start error. */
  async start(): Promise<void> {
    const started = Array.from({ length: this.options.size }, (_, i) => this.spawn(i));
    await Promise.all(started);
  }

  /**
   * Runs a job. Its image buffers are transferred to the worker (the caller's views become
   * empty); a view that does not own its whole ArrayBuffer (a pooled Buffer) is copied first.
   *
   * @throws {@link QueueFullError} at once when every worker is busy and the queue is full;
   *   {@link DeadlineError}; {@link WorkerCrashError}; a FaceMatchError from the matcher.
   */
  run(job: WorkerJob): Promise<WorkerJobResult> {
    if (this.closed) return Promise.reject(new WorkerCrashError('Expected a running inference pool but it is closed'));
    if (this.saturated()) throw new QueueFullError(this.retryAfterSeconds());
    const owned: WorkerJob =
      job.kind === 'didit'
        ? { ...job, user: ownedBytes(job.user), ref: ownedBytes(job.ref) }
        : { ...job, src: ownedBytes(job.src), targetFront: ownedBytes(job.targetFront), ...(job.targetBack ? { targetBack: ownedBytes(job.targetBack) } : {}) };
    return new Promise<WorkerJobResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, job: owned, submitted: performance.now(), started: 0, resolve, reject, timer: undefined, settled: false };
      task.timer = setTimeout(() => this.expire(task), this.options.deadlineMs);
      this.waiting.push(task);
      this.dispatch();
    });
  }

  /** True when a new job would be refused: no idle worker and a full queue. */
  saturated(): boolean {
    const idle = this.slots.some((s) => s.ready && !s.task) && !this.paused;
    return !idle && this.waiting.length >= this.options.maxWaiting;
  }

  /** A snapshot of workers and queue. */
  stats(): PoolStats {
    return {
      size: this.options.size,
      ready: this.slots.filter((s) => s.ready).length,
      busy: this.slots.filter((s) => s.task).length,
      waiting: this.waiting.length,
      maxWaiting: this.options.maxWaiting,
      restarts: this.restarts,
    };
  }

  /**
   * What each ready worker holds, asked of the workers themselves (a worker busy with a job
   * answers when the job yields or ends). A worker that has not answered within `timeoutMs`, or
   * that exits first, is left out.
   */
  async memory(timeoutMs = 1000): Promise<(WorkerMemory & { worker: number })[]> {
    const asks = this.slots
      .filter((s) => s?.ready)
      .map(
        (slot) =>
          new Promise<(WorkerMemory & { worker: number }) | undefined>((resolve) => {
            const id = this.nextMemoryId++;
            const timer = setTimeout(() => this.memoryWaits.get(id)?.answer(undefined), timeoutMs);
            timer.unref();
            this.memoryWaits.set(id, {
              slot: slot.index,
              answer: (memory) => {
                clearTimeout(timer);
                this.memoryWaits.delete(id);
                resolve(memory && { worker: slot.index, ...memory });
              },
            });
            slot.worker.postMessage({ type: 'memory', id } satisfies ToWorker);
          }),
      );
    return (await Promise.all(asks)).filter((m) => m !== undefined);
  }

  /** Seconds a refused client should wait: the queue's expected drain time, at least 1. */
  retryAfterSeconds(): number {
    const ahead = this.waiting.length + this.slots.filter((s) => s.task).length;
    return Math.max(1, Math.ceil((ahead * this.meanRunMs) / Math.max(1, this.options.size) / 1000));
  }

  /** Fails waiting jobs, then stops the workers once their running jobs are done (or at once with `force`). */
  async close(force = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const task of this.waiting.splice(0)) this.settle(task, new WorkerCrashError('Expected a running inference pool but it closed'));
    if (!force) {
      await Promise.all(this.slots.filter((s) => s.task).map((s) => new Promise<void>((resolve) => s.idleWaiters.push(resolve))));
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /**
   * Test hook: stops (or resumes) handing jobs to workers, so a test can fill the queue
   * deterministically. Not reachable over HTTP.
   * @internal
   */
  pauseForTest(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.dispatch();
  }

  /**
   * Test hook: the next job handed to a worker makes that worker throw an uncaught exception
   * right after it starts on the job, as a real fault would. Not reachable over HTTP.
   * @internal
   */
  crashNextJobForTest(): void {
    this.crashNext = true;
  }

  private spawn(index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: this.options.init });
      const slot: Slot = { index, worker, ready: false, task: undefined, killTimer: undefined, idleWaiters: [] };
      this.slots[index] = slot;
      let startedOnce = false;
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          slot.ready = true;
          startedOnce = true;
          this.failuresInARow = 0;
          resolve();
          this.dispatch();
        } else if (msg.type === 'fatal') {
          const err = 'code' in msg.error ? deserializeError(msg.error as SerializedError) : new FaceMatchError('MODEL_ERROR', `Expected an inference worker to start but it failed: ${msg.error.message}`);
          reject(err);
          void worker.terminate();
        } else if (msg.type === 'memory') {
          this.memoryWaits.get(msg.id)?.answer(msg.memory);
        } else {
          this.finish(slot, msg);
        }
      });
      worker.on('error', (err) => {
        this.options.onEvent?.({ type: 'worker-exit', worker: index, reason: err.message });
      });
      worker.on('exit', (code) => {
        if (!startedOnce) reject(new FaceMatchError('MODEL_ERROR', `Expected an inference worker to start but it exited with code ${code}`));
        this.lost(slot, code);
      });
    });
  }

  /** A worker thread ended: fail its job, replace it unless the pool is closing. */
  private lost(slot: Slot, code: number): void {
    // A worker that is gone answers no memory question.
    for (const wait of [...this.memoryWaits.values()]) if (wait.slot === slot.index) wait.answer(undefined);
    if (this.slots[slot.index] !== slot) return;
    clearTimeout(slot.killTimer);
    slot.ready = false;
    const task = slot.task;
    slot.task = undefined;
    for (const idle of slot.idleWaiters.splice(0)) idle();
    if (task) this.settle(task, new WorkerCrashError(`Expected the inference worker to answer but it exited with code ${code}`));
    if (this.closed) return;
    this.restarts += 1;
    this.failuresInARow += 1;
    // Back off when workers keep dying before they are ready (a broken model, no memory).
    const delay = Math.min(10_000, 50 * 2 ** Math.min(8, this.failuresInARow - 1));
    setTimeout(() => {
      if (this.closed) return;
      this.options.onEvent?.({ type: 'worker-restart', worker: slot.index });
      this.spawn(slot.index).catch((err: Error) => this.options.onEvent?.({ type: 'worker-exit', worker: slot.index, reason: err.message }));
    }, delay).unref();
  }

  private finish(slot: Slot, msg: Extract<FromWorker, { type: 'done' | 'failed' }>): void {
    const task = slot.task;
    if (!task || task.id !== msg.id) return;
    slot.task = undefined;
    for (const idle of slot.idleWaiters.splice(0)) idle();
    clearTimeout(slot.killTimer);
    const runMs = performance.now() - task.started;
    this.meanRunMs = 0.8 * this.meanRunMs + 0.2 * runMs;
    this.options.onEvent?.({ type: 'job-done', kind: task.job.kind, waitMs: task.started - task.submitted, runMs, ok: msg.type === 'done' });
    if (msg.type === 'done') this.settle(task, undefined, msg.value);
    else this.settle(task, 'code' in msg.error ? deserializeError(msg.error as SerializedError) : new WorkerCrashError(`Expected the inference worker to finish the job but it failed: ${msg.error.message}`));
    this.dispatch();
  }

  private dispatch(): void {
    if (this.paused || this.closed) return;
    for (const slot of this.slots) {
      if (!slot || !slot.ready || slot.task) continue;
      const task = this.waiting.shift();
      if (!task) return;
      slot.task = task;
      task.started = performance.now();
      const crash = this.crashNext;
      this.crashNext = false;
      slot.worker.postMessage({ type: 'job', id: task.id, job: task.job, ...(crash ? { crash } : {}) } satisfies ToWorker, jobTransfer(task.job));
    }
  }

  /** The deadline passed: answer now; a job still running keeps its worker until it ends, or is killed at twice the deadline. */
  private expire(task: Task): void {
    const queued = this.waiting.indexOf(task);
    if (queued >= 0) this.waiting.splice(queued, 1);
    this.settle(task, new DeadlineError(this.options.deadlineMs));
    const slot = this.slots.find((s) => s?.task === task);
    if (slot) {
      slot.killTimer = setTimeout(() => {
        if (slot.task !== task) return;
        this.options.onEvent?.({ type: 'worker-killed', worker: slot.index, reason: `job ran past twice its ${this.options.deadlineMs} ms deadline` });
        void slot.worker.terminate();
      }, this.options.deadlineMs);
      slot.killTimer.unref();
    }
  }

  private settle(task: Task, err: Error | undefined, value?: WorkerJobResult): void {
    if (task.settled) return;
    task.settled = true;
    clearTimeout(task.timer);
    if (err) task.reject(err);
    else task.resolve(value!);
  }
}
