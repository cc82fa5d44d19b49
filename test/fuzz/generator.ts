/**
 * The case generator: case `i` of a run with seed `S` is a pure function of `S`, `i`, the family
 * list and the seed corpus, so any case can be rebuilt alone with `--seed S --case I`.
 */
import { HAND_MADE_FAMILIES, type CaseOptions, type Family, type FamilyContext } from './families.js';
import { MUTATION_FAMILIES } from './mutate.js';
import { caseSeed, createRng, type Rng } from './rng.js';
import type { Seed } from './seeds.js';

/** Every family, hand-made first. */
export const ALL_FAMILIES: readonly Family[] = [...HAND_MADE_FAMILIES, ...MUTATION_FAMILIES];

/**
 * How a case's bytes reach the API. `uint8`: a Uint8Array with an ArrayBuffer of exactly the
 * file. `buffer`: `Buffer.from(bytes)` (under 4 KB Node puts it in its shared 8 KB pool).
 * `subarray`: a view in the middle of a larger ArrayBuffer whose other bytes are another image.
 * `file`: written to a temporary file and passed as its path.
 */
export type Wrap = 'uint8' | 'buffer' | 'subarray' | 'file';

/** One generated case. */
export interface FuzzCase {
  /** Its index in the run. */
  index: number;
  /** The run seed. */
  seed: number;
  /** Its family. */
  family: string;
  /** What exactly it is. */
  note: string;
  /** The file. */
  bytes: Uint8Array;
  /** How the bytes are handed over. */
  wrap: Wrap;
  /** Options for loadImage and the matcher. */
  options: CaseOptions;
}

/** A generator over a fixed seed corpus. */
export interface Generator {
  /** The families it draws from. */
  families: readonly Family[];
  /** Builds case `index`. */
  caseAt(index: number): FuzzCase;
}

function pickWeighted(rng: Rng, families: readonly Family[], total: number): Family {
  let x = rng.next() * total;
  for (const f of families) {
    x -= f.weight;
    if (x < 0) return f;
  }
  return families[families.length - 1]!;
}

function pickWrap(rng: Rng): Wrap {
  const x = rng.next();
  return x < 0.4 ? 'uint8' : x < 0.65 ? 'buffer' : x < 0.9 ? 'subarray' : 'file';
}

/**
 * A generator for run seed `seed` over `seeds`, drawing from `families` (default all) in
 * proportion to their weights.
 */
export function createGenerator(seed: number, seeds: readonly Seed[], families: readonly Family[] = ALL_FAMILIES): Generator {
  if (families.length === 0) throw new Error('no families to generate from');
  if (seeds.length === 0) throw new Error('an empty seed corpus');
  const total = families.reduce((s, f) => s + f.weight, 0);
  return {
    families,
    caseAt(index: number): FuzzCase {
      const rng = createRng(caseSeed(seed, index));
      const family = pickWeighted(rng, families, total);
      const wrap = pickWrap(rng);
      const ctx: FamilyContext = {
        rng,
        seeds,
        seed(format, face) {
          let pool = seeds.filter((s) => (format === undefined || s.format === format) && (face === undefined || s.face === face));
          if (pool.length === 0) pool = seeds.filter((s) => format === undefined || s.format === format);
          if (pool.length === 0) pool = [...seeds];
          return rng.pick(pool);
        },
      };
      const input = family.make(ctx);
      const constraints = input.options?.constraints ?? (rng.chance(0.1) ? rng.pick(['didit', 'attestr'] as const) : undefined);
      return { index, seed, family: family.name, note: input.note, bytes: input.bytes, wrap, options: constraints ? { constraints } : {} };
    },
  };
}

/** The families named (exact names, or a prefix ending in `*`), failing on a name that matches none. */
export function selectFamilies(names: readonly string[] | undefined): readonly Family[] {
  if (!names || names.length === 0) return ALL_FAMILIES;
  const chosen = new Set<Family>();
  for (const name of names) {
    const match = ALL_FAMILIES.filter((f) => (name.endsWith('*') ? f.name.startsWith(name.slice(0, -1)) : f.name === name));
    if (match.length === 0) throw new Error(`no family named ${JSON.stringify(name)}; known: ${ALL_FAMILIES.map((f) => f.name).join(', ')}`);
    for (const f of match) chosen.add(f);
  }
  return ALL_FAMILIES.filter((f) => chosen.has(f));
}
