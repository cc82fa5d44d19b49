/**
 * The mutation fuzzer: operators that damage a valid seed image, aware of its structure (PNG
 * chunks, JPEG segments, RIFF chunks) where that reaches deeper code, blind where it does not.
 */
import { concat, fixPngCrcs, fixRiffSize, jpegSpans, pngChunk, pngSpans, riffSpans, writeBe16, writeBe32, writeLe32, type Span } from './bytes.js';
import type { Family, FamilyContext, FuzzInput } from './families.js';
import type { Rng } from './rng.js';
import type { Seed } from './seeds.js';

/** The structural units of a file: chunks (PNG, WebP) or marker segments before the scan (JPEG). */
function spansOf(b: Uint8Array, format: Seed['format']): Span[] {
  if (format === 'png') return pngSpans(b);
  if (format === 'webp') return riffSpans(b);
  return jpegSpans(b).segments;
}

/** A position biased towards the headers, where one byte decides most. */
function position(rng: Rng, length: number): number {
  if (length <= 1) return 0;
  return rng.chance(0.5) ? rng.int(0, Math.min(length - 1, 512)) : rng.int(0, length - 1);
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x10, 0x40];
const INTERESTING_LENGTHS = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Op = (b: Uint8Array, seed: Seed, ctx: FamilyContext) => { bytes: Uint8Array; what: string };

const bitflip: Op = (b, _s, { rng }) => {
  const out = new Uint8Array(b);
  const n = rng.int(1, 8);
  for (let i = 0; i < n && out.length; i++) {
    const at = position(rng, out.length);
    out[at] = (out[at] as number) ^ (1 << rng.int(0, 7));
  }
  return { bytes: out, what: `${n} bit flips` };
};

const byteset: Op = (b, _s, { rng }) => {
  const out = new Uint8Array(b);
  const n = rng.int(1, 8);
  for (let i = 0; i < n && out.length; i++) out[position(rng, out.length)] = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : rng.int(0, 255);
  return { bytes: out, what: `${n} bytes set` };
};

const chunks: Op = (b, seed, { rng }) => {
  const spans = spansOf(b, seed.format);
  if (spans.length === 0) return { bytes: new Uint8Array(b), what: 'no chunks' };
  const head = b.subarray(0, spans[0]!.start);
  const tail = b.subarray(spans[spans.length - 1]!.end);
  const pieces = spans.map((s) => b.subarray(s.start, s.end));
  const kind = rng.pick(['duplicate', 'remove', 'swap', 'move', 'repeat-many'] as const);
  const i = rng.int(0, pieces.length - 1);
  const j = rng.int(0, pieces.length - 1);
  const name = spans[i]!.type;
  if (kind === 'duplicate') pieces.splice(j, 0, pieces[i]!);
  else if (kind === 'remove') pieces.splice(i, 1);
  else if (kind === 'swap') [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
  else if (kind === 'move') pieces.splice(j, 0, ...pieces.splice(i, 1));
  else for (let k = 0, n = rng.int(2, 200); k < n; k++) pieces.splice(i, 0, pieces[i]!);
  const out = concat(head, ...pieces, tail);
  if (seed.format === 'webp') fixRiffSize(out);
  return { bytes: out, what: `${kind} ${name}${kind === 'swap' || kind === 'move' ? ` with/to ${spans[j]!.type}` : ''}` };
};

const truncate: Op = (b, seed, { rng }) => {
  const spans = spansOf(b, seed.format);
  const atBoundary = spans.length > 0 && rng.chance(0.4);
  const cut = atBoundary ? rng.pick(spans)[rng.chance(0.5) ? 'start' : 'end'] : rng.int(0, Math.max(0, b.length - 1));
  let out = b.subarray(0, cut);
  let what = `cut at ${cut} of ${b.length}`;
  if (seed.format === 'jpeg' && rng.chance(0.5)) {
    out = concat(out, new Uint8Array([0xff, 0xd9]));
    what += ' + EOI';
  } else if (seed.format === 'png' && rng.chance(0.3)) {
    out = concat(out, pngChunk('IEND', new Uint8Array(0)));
    what += ' + IEND';
  } else if (seed.format === 'webp' && rng.chance(0.5)) {
    out = fixRiffSize(new Uint8Array(out));
    what += ' (RIFF size fixed)';
  }
  return { bytes: new Uint8Array(out), what };
};

const splice: Op = (b, _seed, ctx) => {
  const other = ctx.seed(ctx.rng.chance(0.5) ? undefined : _seed.format);
  const a = ctx.rng.int(0, b.length);
  const c = ctx.rng.int(0, other.bytes.length);
  return { bytes: concat(b.subarray(0, a), other.bytes.subarray(c)), what: `head ${a} + tail of ${other.name} from ${c}` };
};

const length: Op = (b, seed, { rng }) => {
  const out = new Uint8Array(b);
  const spans = spansOf(b, seed.format);
  if (seed.format === 'webp' && (spans.length === 0 || rng.chance(0.3))) {
    const v = rng.pick(INTERESTING_LENGTHS);
    writeLe32(out, 4, v);
    return { bytes: out, what: `RIFF size ${v}` };
  }
  if (spans.length === 0) return { bytes: out, what: 'no chunks' };
  const s = rng.pick(spans);
  const real = s.end - s.data - (seed.format === 'png' ? 4 : 0);
  const v = rng.chance(0.5) ? rng.pick(INTERESTING_LENGTHS) : Math.max(0, real + rng.int(-8, 8));
  if (seed.format === 'jpeg') writeBe16(out, s.lengthAt, v & 0xffff);
  else if (seed.format === 'png') writeBe32(out, s.lengthAt, v);
  else writeLe32(out, s.lengthAt, v);
  return { bytes: out, what: `${s.type} length ${seed.format === 'jpeg' ? v & 0xffff : v}` };
};

const insert: Op = (b, seed, { rng }) => {
  const at = position(rng, b.length + 1);
  const markers: Record<Seed['format'], Uint8Array[]> = {
    jpeg: [new Uint8Array([0xff, 0xd9]), new Uint8Array([0xff, 0xd8]), new Uint8Array([0xff, 0xda, 0, 2]), new Uint8Array([0xff, 0xd0]), new Uint8Array([0xff, 0xff, 0xff])],
    png: [pngChunk('IEND', new Uint8Array(0)), pngChunk('IDAT', new Uint8Array(0)), pngChunk('IHDR', new Uint8Array(13))],
    webp: [new TextEncoder().encode('VP8 '), new TextEncoder().encode('RIFF'), new Uint8Array([0x9d, 0x01, 0x2a])],
  };
  const what = rng.chance(0.5) ? rng.pick(markers[seed.format]) : rng.bytes(rng.int(1, 64));
  return { bytes: concat(b.subarray(0, at), what, b.subarray(at)), what: `${what.length} bytes inserted at ${at}` };
};

const OPS: Readonly<Record<string, Op>> = { bitflip, byteset, chunks, truncate, splice, length, insert };

/** Applies one operator (or, for `stack`, two to five) to a random seed. */
function mutate(op: string, ctx: FamilyContext): FuzzInput {
  const seed = ctx.seed();
  let bytes = seed.bytes;
  const steps: string[] = [];
  const names = op === 'stack' ? Array.from({ length: ctx.rng.int(2, 5) }, () => ctx.rng.pick(Object.keys(OPS))) : [op];
  for (const name of names) {
    const r = OPS[name]!(bytes, seed, ctx);
    bytes = r.bytes;
    steps.push(`${name}: ${r.what}`);
  }
  // Half the PNG mutants get their CRCs fixed, so the damage reaches past the CRC checks.
  if (seed.format === 'png' && ctx.rng.chance(0.5)) {
    bytes = fixPngCrcs(new Uint8Array(bytes));
    steps.push('CRCs fixed');
  }
  return { bytes: bytes === seed.bytes ? new Uint8Array(bytes) : bytes, note: `${seed.name}: ${steps.join('; ')}` };
}

/** The mutation families: one per operator, and `mutate-stack` combining several. */
export const MUTATION_FAMILIES: readonly Family[] = [
  { name: 'mutate-bitflip', attacks: '1-8 bit flips, half of them in the first 512 bytes', weight: 3, make: (c) => mutate('bitflip', c) },
  { name: 'mutate-byteset', attacks: '1-8 bytes set to 00/FF/7F/80/... or random', weight: 3, make: (c) => mutate('byteset', c) },
  { name: 'mutate-chunks', attacks: 'a chunk or segment duplicated (up to 200 times), removed, swapped or moved', weight: 3, make: (c) => mutate('chunks', c) },
  { name: 'mutate-truncate', attacks: 'cut anywhere or at a chunk boundary, then EOI/IEND appended or the RIFF size fixed', weight: 2, make: (c) => mutate('truncate', c) },
  { name: 'mutate-splice', attacks: 'the head of one seed joined to the tail of another', weight: 2, make: (c) => mutate('splice', c) },
  { name: 'mutate-length', attacks: 'a chunk/segment length or the RIFF size set to an edge value or off by a few', weight: 3, make: (c) => mutate('length', c) },
  { name: 'mutate-insert', attacks: 'markers (EOI, SOI, SOS, IEND, IDAT, VP8) or random bytes inserted', weight: 2, make: (c) => mutate('insert', c) },
  { name: 'mutate-stack', attacks: 'two to five of the operators above in a row', weight: 3, make: (c) => mutate('stack', c) },
];
