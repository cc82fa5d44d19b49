import { Worker } from 'node:worker_threads';
import { FaceMatchError, type FaceMatchErrorCode } from '../../src/errors.js';

/**
 * Messages a pool worker sends to the parent.
 */
export type WorkerReply<TOut> =
  | { type: 'ready' }
  | { type: 'fatal'; message: string; code?: FaceMatchErrorCode }
  | { type: 'done'; id: number; results: TOut[] }
  | { type: 'failed'; id: number; message: string };

/**
 * The `fatal` reply of a worker that could not start, keeping a FaceMatchError's code (a missing
 * model, a backend that will not start) so the parent can rethrow it as such.
 */
export function fatalReply(err: unknown): WorkerReply<never> {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof FaceMatchError ? { type: 'fatal', message, code: err.code } : { type: 'fatal', message };
}

/**
 * A chunk of work the parent sends to a pool worker.
 */
export interface WorkerTask<TIn> {
  /** Chunk id, echoed back in the reply. */
  id: number;
  /** The items to process, in order. */
  items: TIn[];
}

/**
 * Options of {@link runPool}.
 */
export interface PoolOptions {
  /** Number of worker threads. */
  workers: number;
  /** Items per message; larger chunks cost less messaging, smaller ones balance better. Default 8. */
  chunkSize?: number;
  /** Data handed to every worker at start (model options). */
  workerData?: unknown;
  /** Called after each finished chunk with the number of items done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `items` through a pool of worker threads running `workerFile`, which must answer
 * {@link WorkerTask} messages with {@link WorkerReply} messages (a `ready` first, once its models are
 * loaded). Results come back in the order of `items`. The first failure stops the pool and rejects.
 */
export async function runPool<TIn, TOut>(workerFile: URL, items: readonly TIn[], options: PoolOptions): Promise<TOut[]> {
  const chunkSize = Math.max(1, options.chunkSize ?? 8);
  const chunks: { id: number; start: number; items: TIn[] }[] = [];
  for (let start = 0; start < items.length; start += chunkSize) {
    chunks.push({ id: chunks.length, start, items: items.slice(start, start + chunkSize) });
  }
  const results = new Array<TOut>(items.length);
  // Nothing to do (every embedding came from the cache): start no worker, load no model.
  if (chunks.length === 0) return results;
  const workerCount = Math.max(1, Math.min(options.workers, chunks.length || 1));
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      let busy = 0;
      const fail = (err: Error): void => {
        if (!finished) {
          finished = true;
          reject(err);
        }
      };
      const feed = (worker: Worker): void => {
        const chunk = chunks[next];
        if (!chunk) {
          if (busy === 0 && !finished) {
            finished = true;
            resolve();
          }
          return;
        }
        next += 1;
        busy += 1;
        const task: WorkerTask<TIn> = { id: chunk.id, items: chunk.items };
        worker.postMessage(task);
      };
      for (let i = 0; i < workerCount; i += 1) {
        const worker = new Worker(workerFile, { workerData: options.workerData });
        workers.push(worker);
        worker.on('message', (msg: WorkerReply<TOut>) => {
          if (finished) return;
          if (msg.type === 'ready') return feed(worker);
          if (msg.type === 'fatal') {
            return fail(new FaceMatchError(msg.code ?? 'MODEL_ERROR', `Expected a bench worker to start but it failed: ${msg.message}`));
          }
          if (msg.type === 'failed') {
            return fail(new FaceMatchError('MODEL_ERROR', `Expected a bench worker to embed chunk ${msg.id} but it failed: ${msg.message}`));
          }
          const chunk = chunks[msg.id]!;
          msg.results.forEach((r, k) => {
            results[chunk.start + k] = r;
          });
          busy -= 1;
          done += msg.results.length;
          options.onProgress?.(done, items.length);
          feed(worker);
        });
        worker.on('error', (err) =>
          fail(new FaceMatchError('MODEL_ERROR', `Expected a bench worker to keep running but it threw: ${err.message}`, { cause: err })),
        );
        worker.on('exit', (code) => {
          if (!finished && code !== 0) fail(new FaceMatchError('MODEL_ERROR', `Expected a bench worker to keep running but it exited with code ${code}`));
        });
      }
      if (chunks.length === 0) {
        finished = true;
        resolve();
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
