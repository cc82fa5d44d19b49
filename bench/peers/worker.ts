/**
 * The benchmark's one worker loop: a worker thread holding one {@link BenchEngine} (its own tfjs),
 * built from the {@link EngineSpec} it is started with, that reads and embeds the image files it
 * is sent, in order. facematch and the peer libraries all run through it. Started by
 * `embedWithEngine`; not a public entry point.
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { FaceMatchError } from '../../src/errors.js';
import { fatalReply, type WorkerReply, type WorkerTask } from '../lfw/pool.js';
import type { EmbedJob } from '../lfw/embed-images.js';
import { createEngine, type BenchEngine } from './engine.js';
import type { EngineOutcome, EngineWorkerData } from './embed.js';

const data = workerData as EngineWorkerData;
const port = parentPort!;

async function embedOne(engine: BenchEngine, job: EmbedJob): Promise<EngineOutcome> {
  const bytes = await readFile(path.join(data.dataDir, job.path));
  try {
    const face = await engine.embedFile(bytes, job.path);
    return { ...face, tensors: engine.numTensors(), thread: threadId };
  } catch (err) {
    if (!(err instanceof FaceMatchError)) throw err;
    return { error: { code: err.code, message: err.message }, tensors: engine.numTensors(), thread: threadId };
  }
}

async function main(): Promise<void> {
  let engine: BenchEngine;
  try {
    engine = await createEngine(data.spec);
  } catch (err) {
    port.postMessage(fatalReply(err));
    return;
  }
  port.on('message', (task: WorkerTask<EmbedJob>) => {
    void (async () => {
      try {
        const results: EngineOutcome[] = [];
        for (const job of task.items) results.push(await embedOne(engine, job));
        port.postMessage({ type: 'done', id: task.id, results } satisfies WorkerReply<EngineOutcome>);
      } catch (err) {
        port.postMessage({ type: 'failed', id: task.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply<EngineOutcome>);
      }
    })();
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply<EngineOutcome>);
}

void main();
