/**
 * Reading an {@link ImageInput}: a private copy of the bytes given, or a regular file read from
 * disk, refused early when it is not usable or larger than allowed.
 *
 * Bytes are recognised through the intrinsic `%TypedArray%.prototype` getters, which read the
 * internal slots of a real typed array and cannot be spoofed by a Proxy, a subclass with lying
 * getters or an object made from `Uint8Array.prototype`. The bytes are copied at once, so a caller
 * that changes its buffer while the decode runs cannot change what is decoded after the checks.
 *
 * A path is opened without blocking (`O_NONBLOCK`, so a FIFO with no writer cannot hang the open)
 * and checked with `fstat` on the opened descriptor before anything is read: only a regular file
 * is read, and at most the byte limit plus one byte, so a file that grows after the check is
 * still bounded.
 * @module
 */
import { constants as fsConstants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { clip, describeField, describeReceived, echo, FaceMatchError, MAX_ECHO_CHARS } from '../errors.js';
import { fileTooLarge, type ResolvedConstraints } from './constraints.js';
import type { ImageInput } from './types.js';

/**
 * The largest file facematch reads, whatever `maxBytes` allows: 2 GiB. Node's `readFile` cannot
 * read more (`ERR_FS_FILE_TOO_LARGE`), and no image facematch decodes is anywhere near it.
 *
 * @category Image
 */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;

/** The intrinsic getters of `%TypedArray%.prototype`: they read internal slots, never user code. */
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
function intrinsicGetter(name: PropertyKey): (this: unknown) => unknown {
  const getter = Object.getOwnPropertyDescriptor(typedArrayPrototype, name)?.get;
  if (getter === undefined) throw new Error(`%TypedArray%.prototype has no ${String(name)} getter`);
  return getter as (this: unknown) => unknown;
}
const typedArrayTag = intrinsicGetter(Symbol.toStringTag);
const typedArrayBuffer = intrinsicGetter('buffer');
const typedArrayByteOffset = intrinsicGetter('byteOffset');
const typedArrayByteLength = intrinsicGetter('byteLength');

/**
 * The true buffer, offset and length of a real `Uint8Array` (a `Buffer` is one), or undefined for
 * anything else. Never runs caller code and never throws.
 */
function uint8View(value: unknown): { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } | undefined {
  // The tag getter returns undefined, without throwing, for anything but a real typed array.
  if (typedArrayTag.call(value) !== 'Uint8Array') return undefined;
  return {
    buffer: typedArrayBuffer.call(value) as ArrayBufferLike,
    byteOffset: typedArrayByteOffset.call(value) as number,
    byteLength: typedArrayByteLength.call(value) as number,
  };
}

function errnoCode(err: unknown): string | undefined {
  try {
    return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  } catch {
    return undefined;
  }
}

/** What kind of file system object a non-regular file is, for the message. */
function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of an image input, always a private copy the caller cannot change. A path is checked
 * with `fstat` before it is read, so a file over the size limit, a directory, a FIFO or a device
 * is refused without reading it.
 *
 * @param input - bytes (a Buffer or Uint8Array), or the path of a file
 * @param constraints - for the size limit
 * @param field - the input's name for error messages
 * @throws FaceMatchError `INVALID_INPUT` for a value that is neither bytes nor a path, a missing or
 *   unreadable file, or a path that is not a regular file; `FILE_TOO_LARGE` for more bytes than
 *   `maxBytes` (or than {@link MAX_FILE_BYTES} for any file)
 */
export async function readImageInput(input: ImageInput, constraints: ResolvedConstraints, field: string): Promise<Uint8Array> {
  const view = uint8View(input);
  if (view !== undefined) {
    if (view.byteLength > constraints.maxBytes) throw fileTooLarge(view.byteLength, constraints.maxBytes, constraints, field);
    const copy = new Uint8Array(view.byteLength);
    copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    return copy;
  }
  if (typeof input !== 'string' || input.length === 0) {
    const received = describeReceived(input);
    throw new FaceMatchError('INVALID_INPUT', `Expected a Buffer, Uint8Array or file path for ${describeField(field)} but received ${received}`, {
      field,
      details: { received },
    });
  }
  return readImageFile(input, constraints, field);
}

async function readImageFile(path: string, constraints: ResolvedConstraints, field: string): Promise<Uint8Array> {
  const limit = Math.min(constraints.maxBytes, MAX_FILE_BYTES);
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new FaceMatchError('INVALID_INPUT', `Expected a regular file for ${describeField(field)} but ${echo(path)} is ${kindOf(info)}`, {
        field,
        details: { path: clip(path) },
      });
    }
    if (info.size > limit) throw fileTooLarge(info.size, limit, constraints, field, path);
    // Read at most limit + 1 bytes: one more than allowed proves a file that grew after fstat.
    let buffer = new Uint8Array(Math.min(info.size, limit) + 1);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        if (buffer.length > limit) break;
        const grown = new Uint8Array(Math.min(limit + 1, buffer.length * 2));
        grown.set(buffer);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > limit) throw fileTooLarge(filled, limit, constraints, field, path);
    return buffer.subarray(0, filled);
  } catch (err) {
    if (err instanceof FaceMatchError) throw err;
    const code = errnoCode(err);
    const problem =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? clip(err instanceof Error ? err.message : String(err))})`;
    throw new FaceMatchError('INVALID_INPUT', `Expected a readable image file for ${describeField(field)} but ${echo(path)} ${problem}`, {
      field,
      details: { path: clip(path), code },
      // The file system's own error repeats the path: keep it only when the path is short.
      cause: path.length <= MAX_ECHO_CHARS ? err : undefined,
    });
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
