/**
 * The inference pool on its own: real workers with real models, deadlines while queued and while
 * running, and the kill-and-replace of a worker whose job overran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJpeg, naturalImage } from './fixtures/images.js';
import { autoBackend, built, waitFor } from './fixtures/serve.js';

type PoolModule = typeof import('../src/serve/pool.js');
type PoolEvent = import('../src/serve/pool.js').PoolEvent;

let m: PoolModule;
let pool: InstanceType<PoolModule['WorkerPool']>;
const events: PoolEvent[] = [];
let big: Buffer;

beforeAll(async () => {
  m = await built<PoolModule>('serve/pool.js');
  big = await encodeJpeg(naturalImage(3000, 3000, 3));
  pool = new m.WorkerPool({ size: 1, maxWaiting: 1, deadlineMs: 40, init: { matcher: {} }, onEvent: (e) => events.push(e) });
  await pool.start();
});
afterAll(async () => {
  await pool?.close(true);
});

describe('WorkerPool', () => {
  it('fails a job still queued at its deadline, and refuses at once when the queue is full', async () => {
    pool.pauseForTest(true);
    const t0 = performance.now();
    const queued = pool.run({ kind: 'didit', user: new Uint8Array(big), ref: new Uint8Array(big) });
    expect(() => pool.run({ kind: 'didit', user: new Uint8Array(1), ref: new Uint8Array(1) })).toThrow(m.QueueFullError);
    await expect(queued).rejects.toBeInstanceOf(m.DeadlineError);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(pool.stats().waiting).toBe(0);
    pool.pauseForTest(false);
  });

  it('answers a running job at its deadline, then kills and replaces the worker when it overruns twice over', async () => {
    const restarts = pool.stats().restarts;
    const user = new Uint8Array(big);
    const running = pool.run({ kind: 'didit', user, ref: new Uint8Array(big) });
    // Transferred, not copied: the caller's view is detached.
    expect(user.byteLength).toBe(0);
    await expect(running).rejects.toBeInstanceOf(m.DeadlineError);
    await waitFor(() => pool.stats().restarts === restarts + 1 && pool.stats().ready === 1, 60_000, 'the replacement worker');
    expect(events.some((e) => e.type === 'worker-killed')).toBe(true);
  });

  it('reports the memory of each worker from inside it, and close() waits for the running job, not for any message', async () => {
    const own = new m.WorkerPool({ size: 1, maxWaiting: 1, deadlineMs: 60_000, init: { matcher: {} } });
    await own.start();
    try {
      const idle = await own.memory(5_000);
      expect(idle).toHaveLength(1);
      expect(idle[0]!.worker).toBe(0);
      expect(idle[0]!.tensors).toBeGreaterThan(100);
      // Only the wasm backend has a wasm heap.
      const onWasm = (await autoBackend()) === 'wasm';
      if (onWasm) expect(idle[0]!.wasmHeap).toBeGreaterThan(16 * 1024 * 1024);
      else expect(idle[0]!.wasmHeap).toBe(0);
      expect(idle[0]!.heapUsed).toBeGreaterThan(1024 * 1024);
      expect(idle[0]!.external).toBeGreaterThanOrEqual(idle[0]!.arrayBuffers);
      const outcome = own.run({ kind: 'didit', user: new Uint8Array(big), ref: new Uint8Array(big) }).then(
        () => 'answered',
        (err: Error) => err,
      );
      // A memory reply arriving while close() waits is not the job's answer.
      const during = own.memory(60_000);
      await own.close();
      expect(await outcome).not.toBeInstanceOf(m.WorkerCrashError);
      const mid = await during;
      expect(mid.length).toBeLessThanOrEqual(1);
      for (const x of mid) expect(x.tensors).toBeGreaterThanOrEqual(idle[0]!.tensors);
    } finally {
      await own.close(true);
    }
  }, 120_000);
});
