/**
 * A worker thread of the peer benchmark: one peer engine (its own tfjs) that embeds the images it
 * is sent. Images are decoded by facematch's own `loadImage`, so every library gets identical
 * pixels. Started by `embedPeerImages`; not a public entry point.
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { FaceMatchError } from '../../src/errors.js';
import { loadImage } from '../../src/image/load.js';
import { fatalReply, type WorkerReply, type WorkerTask } from '../lfw/pool.js';
import type { EmbedJob } from '../lfw/embed-images.js';
import { createPeerEngine, type PeerEngine } from './engine.js';
import type { PeerOutcome, PeerWorkerData } from './embed.js';

const data = workerData as PeerWorkerData;
const port = parentPort!;

async function embedOne(engine: PeerEngine, job: EmbedJob): Promise<PeerOutcome> {
  const start = performance.now();
  const bytes = await readFile(path.join(data.dataDir, job.path));
  const decoded = await loadImage(bytes, { field: job.path }).catch((err: unknown) => {
    if (err instanceof FaceMatchError) return { error: { code: err.code, message: err.message } };
    throw err;
  });
  if ('error' in decoded) return decoded;
  const decode = performance.now() - start;
  const face = await engine.embedLargestFace(decoded.image);
  const total = performance.now() - start;
  const tensors = engine.numTensors();
  if (face === null) return { error: { code: 'NO_FACE', message: `${engine.peer} found no face in ${job.path}` }, tensors, thread: threadId };
  return {
    embedding: face.embedding,
    box: face.box,
    score: face.score,
    faceCount: face.faceCount,
    timings: { decode, ...face.timings, total },
    tensors,
    thread: threadId,
  };
}

async function main(): Promise<void> {
  let engine: PeerEngine;
  try {
    engine = await createPeerEngine(data.peer, { backend: data.backend });
  } catch (err) {
    port.postMessage(fatalReply(err));
    return;
  }
  port.on('message', (task: WorkerTask<EmbedJob>) => {
    void (async () => {
      try {
        const results: PeerOutcome[] = [];
        for (const job of task.items) results.push(await embedOne(engine, job));
        port.postMessage({ type: 'done', id: task.id, results } satisfies WorkerReply<PeerOutcome>);
      } catch (err) {
        port.postMessage({ type: 'failed', id: task.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply<PeerOutcome>);
      }
    })();
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply<PeerOutcome>);
}

void main();
