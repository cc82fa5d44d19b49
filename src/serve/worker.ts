/**
 * An inference worker thread of `facematch serve`: one FaceMatcher, one job at a time. Started by
 * {@link WorkerPool}; not a public entry point.
 * @internal
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isFaceMatchError } from '../errors.js';
import { FaceMatcher } from '../matcher.js';
import { type AttestrImageOutcome, type AttestrTarget } from '../providers/attestr.js';
import { encodeChip } from '../providers/chip-url.js';
import { DIDIT_FIELDS } from '../providers/didit.js';
import type { FaceReport, MatchResult } from '../result.js';
import type { RgbImage } from '../types.js';
import * as tf from '../runtime/tf.js';
import { matchAttestr } from './attestr-match.js';
import { serializeError, type FromWorker, type SerializedError, type SerializedOutcome, type ToWorker, type WorkerInit, type WorkerJob, type WorkerJobResult, type WireFaceReport, type WorkerMemory } from './jobs.js';

const port = parentPort!;
const init = workerData as WorkerInit;

/**
 * A report without the embedding (FaceEmbedding extends FaceReport) and without the chip's pixels:
 * the main thread never needs them (Didit's crops travel as JPEG files, Attestr shows none), and
 * 2 × 67 KB per answer copied across threads only to be dropped there is CPU and allocator churn.
 */
function report(r: FaceReport): WireFaceReport {
  return {
    face: r.face,
    faceCount: r.faceCount,
    imageWidth: r.imageWidth,
    imageHeight: r.imageHeight,
    format: r.format,
    chipSize: { width: r.chip.width, height: r.chip.height },
    quality: r.quality,
  };
}

function outcome(o: AttestrImageOutcome): SerializedOutcome {
  return isFaceMatchError(o) ? { error: serializeError(o) } : { report: report(o) };
}

function side(t: AttestrTarget): { outcome: SerializedOutcome; score?: number } {
  return { outcome: outcome(t.outcome), ...(t.score === undefined ? {} : { score: t.score }) };
}

/**
 * A face chip as a JPEG file (quality 90), with the library's encoder (sharp when installed), in a
 * buffer of its own: it is transferred to the main thread, and a small Buffer may sit in Node's
 * shared pool.
 */
async function chipJpeg(chip: RgbImage): Promise<Uint8Array> {
  return new Uint8Array(await encodeChip(chip, 'jpeg'));
}

async function run(matcher: FaceMatcher, job: WorkerJob, transfer: ArrayBuffer[]): Promise<WorkerJobResult> {
  if (job.kind === 'didit') {
    const result: MatchResult = await matcher.match(job.user, job.ref, { fields: [DIDIT_FIELDS.source, DIDIT_FIELDS.target], constraints: 'didit' });
    const [source, target] = await Promise.all([chipJpeg(result.source.chip), chipJpeg(result.target.chip)]);
    transfer.push(source.buffer as ArrayBuffer, target.buffer as ArrayBuffer);
    return { kind: 'didit', result: { ...result, source: report(result.source), target: report(result.target) }, chips: { source, target } };
  }
  const input = await matchAttestr(
    matcher,
    { src: job.src, targetFront: job.targetFront, ...(job.targetBack ? { targetBack: job.targetBack } : {}) },
    { documents: job.documents, constraints: 'attestr' },
  );
  return {
    kind: 'attestr',
    src: outcome(input.src),
    targetFront: side(input.targetFront),
    ...(input.targetBack ? { targetBack: side(input.targetBack) } : {}),
  };
}

/** This thread's memory, for the service's metrics. */
function memory(): WorkerMemory {
  const m = process.memoryUsage();
  const t = tf.memory();
  const wasm = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } } | undefined)?.wasm?.HEAPU8?.byteLength ?? 0;
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, wasmHeap: wasm, tensors: t.numTensors, tensorBytes: t.numBytes };
}

function errorOf(err: unknown): SerializedError | { message: string } {
  return isFaceMatchError(err) ? serializeError(err) : { message: err instanceof Error ? err.message : String(err) };
}

async function main(): Promise<void> {
  let matcher: FaceMatcher;
  try {
    matcher = await FaceMatcher.create(init.matcher);
  } catch (err) {
    port.postMessage({ type: 'fatal', error: errorOf(err) } satisfies FromWorker);
    return;
  }
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'memory') {
      port.postMessage({ type: 'memory', id: msg.id, memory: memory() } satisfies FromWorker);
      return;
    }
    if (msg.crash) {
      // Test hook, set only through WorkerPool.crashNextJobForTest: start on the job, then die of
      // an uncaught exception, the way a real fault would end this thread mid-request.
      void run(matcher, msg.job, []).catch(() => undefined);
      throw new Error('worker crashed on purpose (test hook)');
    }
    void (async () => {
      const transfer: ArrayBuffer[] = [];
      try {
        const value = await run(matcher, msg.job, transfer);
        port.postMessage({ type: 'done', id: msg.id, value } satisfies FromWorker, transfer);
      } catch (err) {
        port.postMessage({ type: 'failed', id: msg.id, error: errorOf(err) } satisfies FromWorker);
      }
    })();
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

void main();
