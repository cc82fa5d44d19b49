/**
 * Face chips as image files and `data:` URLs, for the image fields of provider responses.
 * @module
 */
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { FaceMatchError } from '../errors.js';
import { loadSharp } from '../image/sharp-decoder.js';
import type { RgbImage } from '../types.js';

/**
 * Image format of a chip data URL.
 *
 * @category Providers
 */
export type ChipImageFormat = 'jpeg' | 'png';

/** JPEG quality of encoded chips: small files, no visible loss on a 150×150 face. */
const JPEG_QUALITY = 90;

/** jpeg-js's encoder (pure JavaScript, no dependencies), for when sharp is not installed. */
interface JpegJsEncoder {
  encode(image: { data: Uint8Array; width: number; height: number }, quality: number): { data: Buffer };
}

let jpegJs: JpegJsEncoder | undefined;

function checkChip(image: RgbImage): void {
  const { width, height, data } = (image ?? {}) as Partial<RgbImage>;
  const ok = Number.isInteger(width) && Number.isInteger(height) && width! >= 1 && height! >= 1 && data instanceof Uint8Array && data.length === width! * height! * 3;
  if (!ok) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected an RGB chip with data.length = width × height × 3 for chip but received ${String(width)}×${String(height)} with ${data instanceof Uint8Array ? data.length : 'no'} bytes`,
      { field: 'chip', details: { width, height, bytes: data instanceof Uint8Array ? data.length : undefined } },
    );
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.write(type, 4, 'latin1');
  out.set(payload, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + payload.length)), 8 + payload.length);
  return out;
}

/** An 8-bit RGB PNG: every row with filter 0, deflated by node:zlib. */
function encodePng({ width, height, data }: RgbImage): Buffer {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, adaptive filtering, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

function encodeJpegJs({ width, height, data }: RgbImage): Buffer {
  jpegJs ??= createRequire(import.meta.url)('jpeg-js') as JpegJsEncoder;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i]!;
    rgba[j + 1] = data[i + 1]!;
    rgba[j + 2] = data[i + 2]!;
    rgba[j + 3] = 255;
  }
  return jpegJs.encode({ data: rgba, width, height }, JPEG_QUALITY).data;
}

/**
 * Which encoder {@link encodeChip} uses: `auto` (sharp when installed, else `builtin`) or
 * `builtin` (jpeg-js for JPEG, facematch's own PNG writer on node:zlib).
 *
 * @category Providers
 */
export type ChipEncoder = 'auto' | 'builtin';

/**
 * Encodes an RGB image (typically the aligned face chip of a {@link FaceReport}) as a JPEG
 * (quality 90) or PNG file: with sharp when it is installed (under a millisecond for a chip), else
 * with jpeg-js for JPEG and a small encoder on node:zlib for PNG.
 *
 * @param image - tightly packed RGB pixels
 * @param format - `jpeg` (default) or `png` (lossless)
 * @param encoder - `auto` (default) or `builtin`
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `chip`) when the size or pixel buffer is inconsistent
 * @category Providers
 */
export async function encodeChip(image: RgbImage, format: ChipImageFormat = 'jpeg', encoder: ChipEncoder = 'auto'): Promise<Buffer> {
  checkChip(image);
  const sharp = encoder === 'builtin' ? undefined : await loadSharp();
  if (sharp) {
    const pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
    return format === 'png' ? pipeline.png().toBuffer() : pipeline.jpeg({ quality: JPEG_QUALITY }).toBuffer();
  }
  return format === 'png' ? encodePng(image) : encodeJpegJs(image);
}

/**
 * Encodes an RGB image as a `data:image/jpeg;base64,...` (or `data:image/png;base64,...`) URL,
 * with {@link encodeChip}.
 *
 * @param image - tightly packed RGB pixels
 * @param format - `jpeg` (default, quality 90) or `png` (lossless)
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `chip`) when the size or pixel buffer is inconsistent.
 * @category Providers
 */
export async function chipToDataUrl(image: RgbImage, format: ChipImageFormat = 'jpeg'): Promise<string> {
  const bytes = await encodeChip(image, format);
  return `data:image/${format};base64,${bytes.toString('base64')}`;
}
