/**
 * The shape check for embedder instances a caller passes in.
 * @module
 */
import { invalidInput } from '../errors.js';

function fail(field: string, problem: string, value: unknown): never {
  throw invalidInput(field, `an Embedder (name, dimension, framing, embed(), dispose()) whose ${problem}`, value);
}

function checkSize(size: unknown, field: string, value: unknown): void {
  const s = size as { width?: unknown; height?: unknown } | null;
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 8 && n <= 4096;
  if (typeof s !== 'object' || s === null || !ok(s.width) || !ok(s.height)) fail(field, 'framing.size is { width, height } in whole pixels, 8 to 4096', value);
}

/**
 * Throws `INVALID_INPUT` (with `field`) unless `value` has the members of an {@link Embedder}:
 * a non-empty `name`, a positive whole `dimension`, a `framing` of kind `aligned` (with point
 * mappings) or `box`, and `embed` and `dispose` functions. Never calls the embedder.
 *
 * @internal
 */
export function checkEmbedder(value: unknown, field: string): void {
  if (typeof value !== 'object' || value === null) fail(field, 'members are all present', value);
  const e = value as Record<string, unknown>;
  if (typeof e.name !== 'string' || e.name === '' || e.name.length > 200) fail(field, 'name is a non-empty string', value);
  if (typeof e.embed !== 'function' || typeof e.dispose !== 'function') fail(field, 'embed and dispose are functions', value);
  if (typeof e.dimension !== 'number' || !Number.isInteger(e.dimension) || e.dimension < 1) fail(field, 'dimension is a positive whole number', value);
  const framing = e.framing as Record<string, unknown> | null | undefined;
  if (typeof framing !== 'object' || framing === null) fail(field, 'framing is a ChipFraming', value);
  checkSize(framing.size, field, value);
  if (framing.kind === 'box') {
    if (typeof framing.margin !== 'number' || !(framing.margin >= 0)) fail(field, 'box framing has a margin of 0 or more', value);
    return;
  }
  if (framing.kind !== 'aligned') fail(field, "framing.kind is 'aligned' or 'box'", value);
  for (const key of ['landmarks', 'keypoints'] as const) {
    const mapping = framing[key] as { sources?: unknown; targets?: unknown } | undefined;
    const sources = mapping?.sources;
    const targets = mapping?.targets;
    if (!Array.isArray(sources) || !Array.isArray(targets) || sources.length < 2 || sources.length !== targets.length) {
      fail(field, `framing.${key} maps at least two sources to as many targets`, value);
    }
    const limit = key === 'landmarks' ? 68 : 6;
    if (!sources.every((group) => Array.isArray(group) && group.length > 0 && group.every((i) => Number.isInteger(i) && i >= 0 && i < limit))) {
      fail(field, `framing.${key} sources are lists of point indices below ${limit}`, value);
    }
    if (!targets.every((p) => typeof p === 'object' && p !== null && Number.isFinite((p as { x: unknown }).x) && Number.isFinite((p as { y: unknown }).y))) {
      fail(field, `framing.${key} targets are finite points`, value);
    }
  }
}
