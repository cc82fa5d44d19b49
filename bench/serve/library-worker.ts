/**
 * A worker thread of the serve bench's baseline: one FaceMatcher running `match` on the pairs it
 * is given, back to back, for a fixed time — the library's own throughput, no HTTP in between.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FaceMatcher } from '../../src/matcher.js';
import { DIDIT_FIELDS } from '../../src/providers/didit.js';

interface Init {
  pairs: [Uint8Array, Uint8Array][];
  seconds: number;
  warmup: number;
}

const init = workerData as Init;
const matcher = await FaceMatcher.create();
for (let i = 0; i < init.warmup; i++) {
  const [a, b] = init.pairs[i % init.pairs.length]!;
  await matcher.match(a, b, { fields: [DIDIT_FIELDS.source, DIDIT_FIELDS.target], constraints: 'didit' });
}
parentPort!.postMessage({ type: 'ready' });
await new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
const until = performance.now() + init.seconds * 1000;
let matches = 0;
let errors = 0;
while (performance.now() < until) {
  const [a, b] = init.pairs[matches % init.pairs.length]!;
  try {
    await matcher.match(a, b, { fields: [DIDIT_FIELDS.source, DIDIT_FIELDS.target], constraints: 'didit' });
  } catch {
    errors += 1;
  }
  matches += 1;
}
parentPort!.postMessage({ type: 'done', matches, errors });
matcher.dispose();
