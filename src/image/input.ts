/**
 * Reading an {@link ImageInput}: bytes as given, or a file read from disk, refused early when it
 * is not usable or larger than allowed.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { describeField, FaceMatchError } from '../errors.js';
import { checkFileSize, type ResolvedConstraints } from './constraints.js';
import type { ImageInput } from './types.js';

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return typeof value;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * The bytes of an image input. A path is checked with `stat` first, so a file over the size limit
 * is refused without being read.
 *
 * @param input - bytes, or the path of a file
 * @param constraints - for the size limit
 * @param field - the input's name for error messages
 * @throws FaceMatchError `INVALID_INPUT` for a value that is neither bytes nor a path, a missing or
 *   unreadable file, or a path that is not a file; `FILE_TOO_LARGE` for a file over the limit
 */
export async function readImageInput(input: ImageInput, constraints: ResolvedConstraints, field: string): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== 'string' || input.length === 0) {
    const received = typeof input === 'string' ? 'an empty string' : describeValue(input);
    throw new FaceMatchError('INVALID_INPUT', `Expected a Buffer, Uint8Array or file path for ${describeField(field)} but received ${received}`, {
      field,
      details: { received },
    });
  }
  try {
    const info = await stat(input);
    if (!info.isFile()) {
      throw new FaceMatchError('INVALID_INPUT', `Expected a file for ${describeField(field)} but ${JSON.stringify(input)} is not a regular file`, {
        field,
        details: { path: input },
      });
    }
    checkFileSize(info.size, constraints, field);
    return await readFile(input);
  } catch (err) {
    if (err instanceof FaceMatchError) throw err;
    const code = errnoCode(err);
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
    throw new FaceMatchError('INVALID_INPUT', `Expected a readable image file for ${describeField(field)} but ${JSON.stringify(input)} ${problem}`, {
      field,
      details: { path: input, code },
      cause: err,
    });
  }
}
