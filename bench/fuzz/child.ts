/**
 * A long-lived fuzz child: loads one FaceMatcher, embeds the canary, then runs the cases the
 * parent sends, through the public API only (`loadImage`, `FaceMatcher.embed`), and reports how
 * each ended, its CPU time and the RSS high-water mark. The parent enforces the limits (it kills
 * a child that runs too long or grows too big); this process only measures and answers.
 *
 * Started by test/fuzz/pool.ts as `node --max-old-space-size=N dist/bench/fuzz/child.js`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FACE_MATCH_ERROR_CODES, FaceMatcher, FaceMatchError, loadImage, sniffFormat, type DecoderChoice, type ImageInput } from '../../src/index.js';
import * as tf from '../../src/runtime/tf.js';
import type { CallOutcome, CaseMessage, ChildMessage, InitMessage, ParentMessage, ResultMessage, WrapMode } from './protocol.js';

/** Codes a refusal from the intake may carry. */
const IMAGE_CODES = new Set(['INVALID_INPUT', 'UNSUPPORTED_FORMAT', 'CORRUPT_IMAGE', 'FILE_TOO_LARGE', 'IMAGE_TOO_SMALL', 'IMAGE_TOO_LARGE']);
/** A message longer than this echoes too much of its input. */
const MAX_MESSAGE = 2000;
/** Every this many cases the canary runs even after a normal case. */
const CANARY_EVERY = 25;
/** A case above this much CPU or RSS rise is abnormal, and the canary runs after it. */
const ABNORMAL_CPU_MS = 100;
const ABNORMAL_RISE_KB = 8 * 1024;
/**
 * A CORRUPT_IMAGE that took at least this much CPU came from a codec that ran (a refusal from the
 * header takes microseconds): abnormal, so the canary runs after it.
 */
const CODEC_RAN_CPU_MS = 1;

const scratch = path.join(tmpdir(), `facematch-fuzz-${process.pid}`);
mkdirSync(scratch, { recursive: true });
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

let matcher: FaceMatcher;
let init: InitMessage;
let canaryRef: Uint8Array;
let canaryPixels: { png: string; webp: string };
let cases = 0;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function clipText(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

function describeError(err: unknown): CallOutcome {
  if (err instanceof FaceMatchError && (FACE_MATCH_ERROR_CODES as readonly string[]).includes(err.code)) {
    return { kind: 'error', code: err.code, field: err.field, message: err.message.length > MAX_MESSAGE ? err.message : clipText(err.message) };
  }
  const e = err as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  return {
    kind: 'failure',
    name: typeof e?.name === 'string' ? e.name : typeof err,
    message: clipText(typeof e?.message === 'string' ? e.message : String(err)),
    stack: typeof e?.stack === 'string' ? clipText(e.stack, 1500) : undefined,
  };
}

function hashPixels(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

/** The case's bytes as the chosen wrap hands them to the API. */
function wrapInput(bytes: Uint8Array, wrap: WrapMode, id: number): ImageInput {
  switch (wrap) {
    case 'uint8':
      return new Uint8Array(bytes);
    case 'buffer':
      return Buffer.from(bytes);
    case 'subarray': {
      const format = sniffFormat(bytes);
      const decoy = format === 'png' ? init.decoys.png : format === 'webp' ? init.decoys.webp : init.decoys.jpeg;
      const whole = new Uint8Array(decoy.length + bytes.length + 64);
      whole.set(decoy, 0);
      whole.set(bytes, decoy.length);
      whole.set(decoy.subarray(0, 64), decoy.length + bytes.length);
      return whole.subarray(decoy.length, decoy.length + bytes.length);
    }
    case 'file': {
      const file = path.join(scratch, `case-${id}.bin`);
      writeFileSync(file, bytes);
      return file;
    }
  }
}

async function load(input: ImageInput, constraints: CaseMessage['constraints']): Promise<CallOutcome> {
  try {
    const r = await loadImage(input, { field: 'image', constraints, decoder: init.decoder as DecoderChoice });
    return {
      kind: 'resolved',
      width: r.width,
      height: r.height,
      format: r.format,
      orientation: r.orientation,
      decoder: r.decoder,
      pixels: hashPixels(r.image.data),
      decodedWidth: r.image.width,
      decodedHeight: r.image.height,
    };
  } catch (err) {
    return describeError(err);
  }
}

async function embed(input: ImageInput, constraints: CaseMessage['constraints']): Promise<{ outcome: CallOutcome; embedding?: Float32Array }> {
  try {
    const r = await matcher.embed(input, { field: 'image', constraints });
    const b = r.face.box;
    return { outcome: { kind: 'embedded', faceCount: r.faceCount, box: [b.x, b.y, b.width, b.height] }, embedding: r.embedding };
  } catch (err) {
    return { outcome: describeError(err) };
  }
}

function sameOutcome(a: CallOutcome, b: CallOutcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'resolved' && b.kind === 'resolved') return a.pixels === b.pixels && a.width === b.width && a.height === b.height && a.orientation === b.orientation;
  if (a.kind === 'error' && b.kind === 'error') return a.code === b.code;
  return true;
}

function outcomeKey(o: CallOutcome): string {
  return o.kind === 'error' ? o.code : o.kind;
}

/** Problems visible in one outcome: wrong field, a huge message, an impossible result. */
function check(o: CallOutcome, what: string, problems: string[]): void {
  if (o.kind === 'error') {
    if (IMAGE_CODES.has(o.code) && o.field !== 'image') problems.push(`${what}: ${o.code} names field ${JSON.stringify(o.field)}, not "image"`);
    if (o.message.length > MAX_MESSAGE) problems.push(`${what}: a ${o.message.length}-character message`);
  }
  if (o.kind === 'resolved') {
    const ok = [o.width, o.height, o.decodedWidth, o.decodedHeight].every((n) => Number.isInteger(n) && n > 0) && o.orientation >= 1 && o.orientation <= 8;
    if (!ok) problems.push(`${what}: impossible result ${JSON.stringify(o)}`);
  }
}

function bytesOf(v: Float32Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function decodedHash(bytes: Uint8Array): Promise<string> {
  const o = await load(new Uint8Array(bytes), undefined);
  return o.kind === 'resolved' ? o.pixels : `not decoded: ${JSON.stringify(o)}`;
}

/** Embeds the JPEG canary (bitwise the same embedding?) and decodes its PNG and WebP (the same pixels?). */
async function checkCanary(): Promise<{ canary: 'same' | 'changed' | 'failed'; canaryMs: number; canaryDetail?: string }> {
  const t = process.cpuUsage();
  const r = await embed(new Uint8Array(init.canary), undefined);
  const png = await decodedHash(init.canaryPng);
  const webp = await decodedHash(init.canaryWebp);
  const canaryMs = cpuMs(t);
  if (!r.embedding) return { canary: 'failed', canaryMs, canaryDetail: `embed: ${JSON.stringify(r.outcome)}` };
  const changed = [
    equalBytes(bytesOf(r.embedding), canaryRef) ? '' : 'the JPEG embedding',
    png === canaryPixels.png ? '' : 'the PNG pixels',
    webp === canaryPixels.webp ? '' : 'the WebP pixels',
  ].filter(Boolean);
  return changed.length ? { canary: 'changed', canaryMs, canaryDetail: changed.join(', ') } : { canary: 'same', canaryMs };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function runCase(msg: CaseMessage): Promise<ResultMessage> {
  const problems: string[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const maxRssBeforeKb = process.resourceUsage().maxRSS;
  const t = process.cpuUsage();
  let maxCallCpuMs = 0;
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const start = process.cpuUsage();
    try {
      return await call();
    } finally {
      maxCallCpuMs = Math.max(maxCallCpuMs, cpuMs(start));
    }
  };
  const input = wrapInput(msg.bytes, msg.wrap, msg.id);
  const loaded = await timed(() => load(input, msg.constraints));
  check(loaded, 'loadImage', problems);
  let reference: CallOutcome | undefined;
  if (msg.wrap !== 'uint8') {
    reference = await timed(() => load(new Uint8Array(msg.bytes), msg.constraints));
    if (!sameOutcome(loaded, reference)) {
      problems.push(`the ${msg.wrap} input gave ${outcomeKey(loaded)} where a plain copy of the same bytes gave ${outcomeKey(reference)}${loaded.kind === 'resolved' && reference.kind === 'resolved' ? ' (different pixels)' : ''}`);
    }
  }
  let embedded: CallOutcome | undefined;
  if (loaded.kind === 'resolved' || msg.embedAlways) {
    embedded = (await timed(() => embed(input, msg.constraints))).outcome;
    check(embedded, 'embed', problems);
    // A refusal holds for embed too, with one exception: a full-size decode over the budget
    // (IMAGE_TOO_LARGE) may fit once embed downscales while decoding (its output buffer is
    // smaller), and embed then goes on to whatever the pixels give.
    const budgetOnly = loaded.kind === 'error' && loaded.code === 'IMAGE_TOO_LARGE';
    if (loaded.kind === 'error' && !budgetOnly && !(embedded.kind === 'error' && embedded.code === loaded.code)) {
      problems.push(`loadImage refused with ${loaded.code} but embed gave ${outcomeKey(embedded)}`);
    }
    // The embed downscales while decoding (maxSide 1600), which the decode budget counts: an image
    // whose full-size decode just fits can be refused there as IMAGE_TOO_LARGE, never otherwise.
    if (loaded.kind === 'resolved' && embedded.kind === 'error' && embedded.code !== 'NO_FACE' && embedded.code !== 'IMAGE_TOO_LARGE') {
      problems.push(`loadImage decoded the image but embed (downscaling to 1600) gave ${embedded.code}`);
    }
  }
  const caseCpu = cpuMs(t);
  const maxRssAfterKb = process.resourceUsage().maxRSS;
  const tensorsAfter = tf.memory().numTensors;
  if (tensorsAfter !== tensorsBefore) problems.push(`live tensors went from ${tensorsBefore} to ${tensorsAfter}`);
  if (msg.wrap === 'file') rmSync(input as string, { force: true });
  cases++;
  const failed = [loaded, reference, embedded].some((o) => o?.kind === 'failure');
  const corrupt = [loaded, embedded].some(
    (o) => o?.kind === 'error' && ((o.code === 'CORRUPT_IMAGE' && caseCpu >= CODEC_RAN_CPU_MS) || (!IMAGE_CODES.has(o.code) && o.code !== 'NO_FACE')),
  );
  const abnormal = failed || corrupt || problems.length > 0 || caseCpu > ABNORMAL_CPU_MS || maxRssAfterKb - maxRssBeforeKb > ABNORMAL_RISE_KB;
  const result: ResultMessage = {
    type: 'result',
    id: msg.id,
    load: loaded,
    reference,
    embed: embedded,
    problems,
    cpuMs: caseCpu,
    maxCallCpuMs,
    maxRssBeforeKb,
    maxRssAfterKb,
    tensorsBefore,
    tensorsAfter,
  };
  if (abnormal || msg.canary || cases % CANARY_EVERY === 0) Object.assign(result, await checkCanary());
  return result;
}

async function start(msg: InitMessage): Promise<void> {
  init = msg;
  try {
    matcher = await FaceMatcher.create({ backend: 'wasm', decoder: msg.decoder as DecoderChoice, flip: msg.flip });
    const t = process.cpuUsage();
    const first = await matcher.embed(new Uint8Array(msg.canary), { field: 'canary' });
    const canaryMs = cpuMs(t);
    canaryRef = new Uint8Array(bytesOf(first.embedding));
    canaryPixels = { png: await decodedHash(msg.canaryPng), webp: await decodedHash(msg.canaryWebp) };
    if (canaryPixels.png.startsWith('not') || canaryPixels.webp.startsWith('not')) throw new Error(`the PNG or WebP canary does not decode: ${JSON.stringify(canaryPixels)}`);
    // A second embed: the first may differ only if something is not deterministic at all.
    const again = await checkCanary();
    if (again.canary !== 'same') throw new Error(`the canary gave a different embedding on its second embed (${again.canary})`);
    const decoded = await loadImage(new Uint8Array(msg.canary), { decoder: msg.decoder as DecoderChoice });
    send({ type: 'ready', maxRssKb: process.resourceUsage().maxRSS, tensors: tf.memory().numTensors, canaryMs, decoder: decoded.decoder });
  } catch (err) {
    send({ type: 'fatal', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    process.exit(3);
  }
}

// Cases run one at a time: the parent sends the next only after the previous result.
process.on('message', (raw: unknown) => {
  const msg = raw as ParentMessage;
  if (msg.type === 'init') void start(msg);
  else if (msg.type === 'case') {
    runCase(msg).then(send, (err: unknown) => send({ type: 'fatal', message: `the harness itself failed: ${String(err)}` }));
  }
});
process.on('disconnect', () => process.exit(0));
