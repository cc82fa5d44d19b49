/**
 * A worker thread of the LFW bench: one FaceMatcher (its own tfjs) that embeds the images it is sent.
 * Started by {@link embedImages}; not a public entry point.
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { FaceMatchError } from '../../src/errors.js';
import { FaceMatcher } from '../../src/matcher.js';
import { fatalReply, type WorkerReply, type WorkerTask } from './pool.js';
import type { EmbedJob, EmbedOutcome, EmbedWorkerData } from './embed-images.js';

const data = workerData as EmbedWorkerData;
const port = parentPort!;

async function embedOne(matcher: FaceMatcher, job: EmbedJob): Promise<EmbedOutcome> {
  const bytes = await readFile(path.join(data.dataDir, job.path));
  try {
    const r = await matcher.embed(bytes, { field: job.path });
    return {
      embedding: r.embedding,
      box: r.face.box,
      score: r.face.score,
      faceCount: r.faceCount,
      timings: { decode: r.timings.decode, detect: r.timings.detect, align: r.timings.align, embed: r.timings.embed, total: r.timings.total },
    };
  } catch (err) {
    if (err instanceof FaceMatchError) return { error: { code: err.code, message: err.message } };
    throw err;
  }
}

async function main(): Promise<void> {
  let matcher: FaceMatcher;
  try {
    matcher = await FaceMatcher.create(data.matcher);
  } catch (err) {
    port.postMessage(fatalReply(err));
    return;
  }
  port.on('message', (task: WorkerTask<EmbedJob>) => {
    void (async () => {
      try {
        const results: EmbedOutcome[] = [];
        for (const job of task.items) results.push(await embedOne(matcher, job));
        port.postMessage({ type: 'done', id: task.id, results } satisfies WorkerReply<EmbedOutcome>);
      } catch (err) {
        port.postMessage({ type: 'failed', id: task.id, message: (err as Error).stack ?? String(err) } satisfies WorkerReply<EmbedOutcome>);
      }
    })();
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply<EmbedOutcome>);
}

void main();
