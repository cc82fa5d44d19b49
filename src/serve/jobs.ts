/**
 * What the service's main thread and its inference workers send each other: jobs with image bytes
 * (transferred, not copied), results, and errors in a form that survives `postMessage`.
 * @internal
 * @module
 */
import { FaceMatchError, FACE_MATCH_ERROR_CODES, type FaceMatchErrorCode } from '../errors.js';
import type { FaceMatcherOptions } from '../matcher-options.js';
import type { AttestrImageOutcome, AttestrInput } from '../providers/attestr.js';
import type { FaceReport, MatchResult } from '../result.js';

/** A Didit match: `user_image` against `ref_image`, with the didit constraints. */
export interface DiditJob {
  kind: 'didit';
  user: Uint8Array;
  ref: Uint8Array;
}

/** An Attestr match: `src` against the document's front and, optionally, back. */
export interface AttestrJob {
  kind: 'attestr';
  src: Uint8Array;
  targetFront: Uint8Array;
  targetBack?: Uint8Array;
  /** Attestr's `type` was given: look for the documents' small faces with the full-range detector. */
  documents: boolean;
}

/** Any job. */
export type WorkerJob = DiditJob | AttestrJob;

/** A FaceMatchError as plain data. */
export interface SerializedError {
  code: FaceMatchErrorCode;
  message: string;
  field: string | undefined;
  details: Record<string, unknown>;
}

/**
 * A face report as it crosses from a worker: everything but the chip's pixels, which stay in the
 * worker (the main thread serves Didit's crops from the JPEG files and Attestr shows none).
 */
export type WireFaceReport = Omit<FaceReport, 'chip'> & { chipSize: { width: number; height: number } };

/** A match result as it crosses from a worker: both reports without chip pixels. */
export type WireMatchResult = Omit<MatchResult, 'source' | 'target'> & { source: WireFaceReport; target: WireFaceReport };

/** A face report or the error one image raised, as plain data. */
export type SerializedOutcome = { report: WireFaceReport } | { error: SerializedError };

/** The result of a Didit job: the match and its two chips as JPEG files. */
export interface DiditJobResult {
  kind: 'didit';
  result: WireMatchResult;
  chips: { source: Uint8Array; target: Uint8Array };
}

/** The result of an Attestr job, ready for `toAttestrResponse` once deserialised. */
export interface AttestrJobResult {
  kind: 'attestr';
  src: SerializedOutcome;
  targetFront: { outcome: SerializedOutcome; score?: number };
  targetBack?: { outcome: SerializedOutcome; score?: number };
}

/** Any job's result. */
export type WorkerJobResult = DiditJobResult | AttestrJobResult;

/**
 * What one inference worker holds, from inside it: its V8 heap, the memory outside the heap that
 * its JavaScript objects own, the tfjs wasm backend's heap and the live tensors.
 */
export interface WorkerMemory {
  /** V8 heap in use, bytes. */
  heapUsed: number;
  /** V8 heap reserved, bytes. */
  heapTotal: number;
  /** Memory outside the V8 heap owned by JavaScript objects (ArrayBuffers among it), bytes. */
  external: number;
  /** ArrayBuffer and SharedArrayBuffer backing stores, bytes (part of `external`). */
  arrayBuffers: number;
  /** The tfjs wasm backend's linear memory, bytes (0 on another backend). It grows, never shrinks. */
  wasmHeap: number;
  /** Live tensors. */
  tensors: number;
  /** Bytes of the live tensors' data. */
  tensorBytes: number;
}

/** Parent to worker. */
export type ToWorker = { type: 'job'; id: number; job: WorkerJob; crash?: true } | { type: 'memory'; id: number };

/** Worker to parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; error: SerializedError | { message: string } }
  | { type: 'done'; id: number; value: WorkerJobResult }
  | { type: 'failed'; id: number; error: SerializedError | { message: string } }
  | { type: 'memory'; id: number; memory: WorkerMemory };

/** What every worker is started with. */
export interface WorkerInit {
  matcher: FaceMatcherOptions;
}

/** A FaceMatchError as plain data. */
export function serializeError(err: FaceMatchError): SerializedError {
  return { code: err.code, message: err.message, field: err.field, details: err.details };
}

/** The FaceMatchError back from plain data (an unknown code becomes MODEL_ERROR). */
export function deserializeError(e: SerializedError): FaceMatchError {
  const code = FACE_MATCH_ERROR_CODES.includes(e.code) ? e.code : 'MODEL_ERROR';
  return new FaceMatchError(code, e.message, { ...(e.field === undefined ? {} : { field: e.field }), details: e.details ?? {} });
}

/**
 * A face report back from a worker. Its chip has the right size and no pixels (`data` is empty):
 * the formatters read the chip only to make Didit's image URLs, and the service makes those from
 * the JPEG files instead.
 */
export function faceReportOf(r: WireFaceReport): FaceReport {
  const { chipSize, ...rest } = r;
  return { ...rest, chip: { width: chipSize.width, height: chipSize.height, data: new Uint8Array(0) } };
}

/** A match result back from a worker (see {@link faceReportOf} for its chips). */
export function matchResultOf(r: WireMatchResult): MatchResult {
  return { ...r, source: faceReportOf(r.source), target: faceReportOf(r.target) };
}

/** An image's outcome back from plain data. */
export function deserializeOutcome(o: SerializedOutcome): AttestrImageOutcome {
  return 'error' in o ? deserializeError(o.error) : faceReportOf(o.report);
}

/** The `AttestrInput` of an Attestr job's result. */
export function attestrInputOf(r: AttestrJobResult): AttestrInput {
  const side = (t: { outcome: SerializedOutcome; score?: number }) => ({ outcome: deserializeOutcome(t.outcome), ...(t.score === undefined ? {} : { score: t.score }) });
  const input: AttestrInput = { src: deserializeOutcome(r.src), targetFront: side(r.targetFront) };
  if (r.targetBack) input.targetBack = side(r.targetBack);
  return input;
}

/**
 * Bytes that may be put in a transfer list: `bytes` itself when it owns its whole ArrayBuffer,
 * else a copy. Transferring a view of a shared or pooled buffer (Node pools Buffers under 4 KB
 * in one 8 KB ArrayBuffer) would detach memory that belongs to others.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes;
  return new Uint8Array(bytes);
}

/** The ArrayBuffers of a job, for `postMessage`'s transfer list. */
export function jobTransfer(job: WorkerJob): ArrayBuffer[] {
  const views = job.kind === 'didit' ? [job.user, job.ref] : [job.src, job.targetFront, ...(job.targetBack ? [job.targetBack] : [])];
  return [...new Set(views.map((v) => v.buffer as ArrayBuffer))];
}
