/**
 * Bounds-checked reads of big- and little-endian integers from a byte array. Every read past the
 * end throws {@link TruncatedError}, so the header parsers stop safely on short input.
 * @module
 */

/** Thrown by the readers below when a read would pass the end of the bytes. */
export class TruncatedError extends Error {
  /**
   * @param offset - where the read started
   * @param length - how many bytes it wanted
   */
  constructor(offset: number, length: number) {
    super(`read of ${length} byte(s) at offset ${offset} passes the end of the data`);
    this.name = 'TruncatedError';
  }
}

/** Throws {@link TruncatedError} unless `length` bytes from `offset` are inside `bytes`. */
export function need(bytes: Uint8Array, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > bytes.length) throw new TruncatedError(offset, length);
}

/** One unsigned byte. */
export function u8(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 1);
  return bytes[offset] as number;
}

/** Unsigned 16-bit big-endian. */
export function u16be(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 2);
  return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
}

/** Unsigned 16-bit little-endian. */
export function u16le(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 2);
  return (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8);
}

/** Unsigned 24-bit little-endian. */
export function u24le(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 3);
  return (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8) | ((bytes[offset + 2] as number) << 16);
}

/** Unsigned 32-bit big-endian. */
export function u32be(bytes: Uint8Array, offset: number): number {
  return u16be(bytes, offset) * 0x10000 + u16be(bytes, offset + 2);
}

/** Unsigned 32-bit little-endian. */
export function u32le(bytes: Uint8Array, offset: number): number {
  return u16le(bytes, offset) + u16le(bytes, offset + 2) * 0x10000;
}

/** The bytes at `offset` read as latin-1 text of the given length (for four-character codes). */
export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  need(bytes, offset, length);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[offset + i] as number);
  return text;
}

/** True when `bytes` holds exactly the given byte values at `offset`. */
export function startsWithAt(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  if (offset + expected.length > bytes.length) return false;
  return expected.every((value, i) => bytes[offset + i] === value);
}
