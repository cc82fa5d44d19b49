/**
 * A guard for the pure-JavaScript PNG path. pngjs 7's synchronous inflate loses zlib errors on
 * Node 20: a damaged IDAT stream decodes "successfully" to a buffer of whatever memory it
 * allocated. Before pngjs sees a non-interlaced PNG, its image data is inflated here with Node's
 * own zlib, which throws on damage, and checked to hold every row. (Interlaced PNGs go through
 * Node's zlib inside pngjs and fail properly.)
 * @module
 */
import { inflateSync } from 'node:zlib';
import { ascii, u32be, u8 } from './bytes.js';

/** Channels per pixel of each PNG colour type: grey, RGB, palette, grey + alpha, RGBA. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Throws unless the PNG's IDAT chunks hold a complete, undamaged zlib stream with one filter byte
 * and one row of pixels per line. Expects a file whose chunk structure {@link readImageHeader}
 * has already checked.
 *
 * @throws Error describing the damage
 */
export function verifyPngImageData(bytes: Uint8Array): void {
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  const depth = u8(bytes, 24);
  const channels = CHANNELS[u8(bytes, 25)];
  if (channels === undefined) throw new Error(`unknown PNG colour type ${u8(bytes, 25)}`);
  if (u8(bytes, 28) !== 0) return; // interlaced: pngjs inflates with Node's zlib, which reports damage
  const parts: Uint8Array[] = [];
  for (let pos = 8; pos + 8 <= bytes.length; ) {
    const length = u32be(bytes, pos);
    const type = ascii(bytes, pos + 4, 4);
    if (type === 'IDAT') parts.push(bytes.subarray(pos + 8, pos + 8 + length));
    if (type === 'IEND') break;
    pos += 12 + length;
  }
  const expected = (Math.ceil((width * channels * depth) / 8) + 1) * height;
  let inflated: Buffer;
  try {
    // One byte of slack: a stream longer than the image is harmless, and stops inflating early.
    inflated = inflateSync(Buffer.concat(parts), { maxOutputLength: expected + 1 });
  } catch (err) {
    if (err instanceof RangeError) return; // more data than the rows need: the rows are all there
    throw new Error(`its image data (IDAT) is damaged: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (inflated.length < expected) {
    throw new Error(`its image data (IDAT) holds ${inflated.length} of the ${expected} bytes the image needs`);
  }
}
