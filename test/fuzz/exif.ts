/**
 * Hostile EXIF: TIFF blocks with loops, huge counts, offsets past the end, wrong types and every
 * orientation value, valid and not. Shared by the JPEG, PNG and WebP families.
 */
import { concat, orientationEntry, tiffBlock, type IfdEntry } from './bytes.js';
import type { Rng } from './rng.js';

/** A TIFF block and what it holds. */
export interface HostileTiff {
  /** The TIFF bytes (no `Exif\0\0` prefix). */
  tiff: Uint8Array;
  /** What kind of EXIF it is. */
  kind: string;
  /** The orientation a correct reader must find (1 for anything malformed), when known. */
  expected?: number;
}

/** A valid TIFF block with an Orientation entry among some other entries. */
export function validOrientationTiff(order: 'II' | 'MM', value: number, rng?: Rng): Uint8Array {
  const others: IfdEntry[] = rng
    ? Array.from({ length: rng.int(0, 3) }, () => ({ tag: rng.pick([0x010f, 0x0110, 0x011a, 0x0131, 0x0132]), type: 3, count: 1, value: rng.int(0, 65535) }))
    : [];
  const entries = [...others.filter((e) => e.tag < 0x0112), orientationEntry(value), ...others.filter((e) => e.tag > 0x0112)];
  return tiffBlock({ order, entries });
}

/** One hostile (or valid) TIFF block. */
export function hostileTiff(rng: Rng): HostileTiff {
  const order = rng.pick(['II', 'MM'] as const);
  const kind = rng.pick([
    'valid',
    'bad-value',
    'wrong-type',
    'zero-count',
    'huge-count',
    'huge-entry-count',
    'ifd-past-end',
    'ifd-loop',
    'next-ifd-loop',
    'exif-ifd-loop',
    'bad-magic',
    'duplicate',
    'truncated',
    'random',
  ] as const);
  const v = rng.int(1, 8);
  switch (kind) {
    case 'valid':
      return { tiff: validOrientationTiff(order, v, rng), kind: `valid-${v}`, expected: v };
    case 'bad-value': {
      const bad = rng.pick([0, 9, 10, 255, 256 + v, 0x8000, 0xffff]);
      return { tiff: tiffBlock({ order, entries: [orientationEntry(bad)] }), kind: `value-${bad}`, expected: 1 };
    }
    case 'wrong-type':
      return { tiff: tiffBlock({ order, entries: [{ tag: 0x0112, type: rng.pick([1, 2, 4, 5, 7, 9, 0, 13, 255]), count: 1, value: v }] }), kind, expected: 1 };
    case 'zero-count':
      return { tiff: tiffBlock({ order, entries: [{ tag: 0x0112, type: 3, count: 0, value: v }] }), kind, expected: 1 };
    case 'huge-count':
      // A count too big for the value field: the value is then an offset, here past the end.
      return { tiff: tiffBlock({ order, entries: [{ tag: 0x0112, type: 3, count: rng.pick([2, 0xffff, 0x7fffffff, 0xffffffff]), value: 0x7ffffff0 }] }), kind };
    case 'huge-entry-count':
      return { tiff: tiffBlock({ order, entries: [orientationEntry(v)], declaredCount: rng.pick([0xffff, 0x8000, 5000]) }), kind };
    case 'ifd-past-end':
      return { tiff: concat(tiffBlock({ order, entries: [] }).subarray(0, 4), order === 'II' ? new Uint8Array([0xf0, 0xff, 0xff, 0x7f]) : new Uint8Array([0x7f, 0xff, 0xff, 0xf0])), kind, expected: 1 };
    case 'ifd-loop':
      // IFD0 at offset 4: the offset field itself is read as the entry count.
      return { tiff: tiffBlock({ order, entries: [orientationEntry(v)], ifdOffset: rng.pick([0, 2, 4, 7]) }), kind };
    case 'next-ifd-loop':
      return { tiff: tiffBlock({ order, entries: [orientationEntry(v)], nextIfd: 8 }), kind: `next-ifd-loop-${v}`, expected: v };
    case 'exif-ifd-loop':
      // An ExifIFD (0x8769) and GPS IFD (0x8825) pointer back at IFD0: a reader that follows them loops.
      return {
        tiff: tiffBlock({ order, entries: [orientationEntry(v), { tag: 0x8769, type: 4, count: 1, value: 8 }, { tag: 0x8825, type: 4, count: 1, value: 8 }], nextIfd: 8 }),
        kind: `exif-ifd-loop-${v}`,
        expected: v,
      };
    case 'bad-magic':
      return { tiff: tiffBlock({ order, entries: [orientationEntry(v)], magic: rng.pick([0, 43, 0x2a2a, 0xffff]) }), kind, expected: 1 };
    case 'duplicate':
      return { tiff: tiffBlock({ order, entries: [orientationEntry(v), orientationEntry(rng.int(1, 8))] }), kind: `duplicate-${v}`, expected: v };
    case 'truncated': {
      const full = validOrientationTiff(order, v);
      return { tiff: full.subarray(0, rng.int(0, full.length - 1)), kind };
    }
    case 'random':
      return { tiff: concat(new TextEncoder().encode(order), rng.bytes(rng.int(0, 64))), kind };
  }
}
