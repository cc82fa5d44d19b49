/**
 * Image dimensions and EXIF orientation read from the file's header, without decoding pixels:
 * JPEG (markers walked to the SOFn frame header), PNG (IHDR) and WebP (VP8, VP8L, VP8X).
 * @module
 */
import { describeField, FaceMatchError } from '../errors.js';
import { ascii, need, TruncatedError, u16be, u16le, u24le, u32be, u32le, u8 } from './bytes.js';
import { readExifOrientation } from './exif.js';
import { orientedSize } from './orient.js';
import { FORMAT_LABELS, sniffFormat } from './sniff.js';
import type { ImageFormat, Orientation } from './types.js';

/**
 * What an image's header says, read without decoding it.
 *
 * @category Image
 */
export interface ImageHeader {
  /** The format. */
  format: ImageFormat;
  /** Width as displayed: after EXIF orientation. */
  width: number;
  /** Height as displayed: after EXIF orientation. */
  height: number;
  /** Width of the pixels as stored in the file. */
  storedWidth: number;
  /** Height of the pixels as stored in the file. */
  storedHeight: number;
  /** EXIF orientation (JPEG APP1, PNG `eXIf`, WebP `EXIF`); 1 when absent or unreadable. */
  orientation: Orientation;
}

/** Width, height and orientation as stored, before the displayed size is worked out. */
interface RawHeader {
  width: number;
  height: number;
  orientation: Orientation;
}

/** Thrown inside the parsers for a structural fault; turned into `CORRUPT_IMAGE` with the field. */
class HeaderFault extends Error {}

const EOI = Buffer.from([0xff, 0xd9]);
/** PNG and WebP dimensions are at most 2^31 − 1 and 2^24 respectively; JPEG 65535. */
const PNG_MAX_DIMENSION = 0x7fffffff;

/**
 * Reads the dimensions and EXIF orientation of a JPEG, PNG or WebP from its header. Stops safely
 * on truncated or malformed data. For JPEG it also checks that the end-of-image marker follows the
 * image data, so a file cut short is refused here rather than half-decoded.
 *
 * @param bytes - the whole file
 * @param field - the input's name for error messages
 * @throws FaceMatchError `UNSUPPORTED_FORMAT` when the bytes are not JPEG, PNG or WebP or are an
 *   animated WebP; `CORRUPT_IMAGE` when the header is unreadable, truncated or impossible
 * @category Image
 */
export function readImageHeader(bytes: Uint8Array, field?: string): ImageHeader {
  const format = sniffFormat(bytes);
  if (format !== 'jpeg' && format !== 'png' && format !== 'webp') {
    throw new FaceMatchError('UNSUPPORTED_FORMAT', `Expected JPEG, PNG or WebP for ${describeField(field)} but received ${FORMAT_LABELS[format]}`, {
      field,
      details: { format },
    });
  }
  let raw: RawHeader;
  try {
    raw = format === 'jpeg' ? readJpeg(bytes) : format === 'png' ? readPng(bytes) : readWebp(bytes, field);
  } catch (err) {
    if (err instanceof TruncatedError) {
      throw new FaceMatchError(
        'CORRUPT_IMAGE',
        `Expected a complete ${FORMAT_LABELS[format]} for ${describeField(field)} but the data ends early (truncated at ${bytes.length} bytes)`,
        { field, details: { format, bytes: bytes.length }, cause: err },
      );
    }
    if (err instanceof HeaderFault) {
      throw new FaceMatchError('CORRUPT_IMAGE', `Expected a valid ${FORMAT_LABELS[format]} for ${describeField(field)} but ${err.message}`, {
        field,
        details: { format },
      });
    }
    throw err;
  }
  const displayed = orientedSize(raw.width, raw.height, raw.orientation);
  return { format, ...displayed, storedWidth: raw.width, storedHeight: raw.height, orientation: raw.orientation };
}

function checkDimensions(width: number, height: number, max: number): void {
  if (width < 1 || height < 1 || width > max || height > max) {
    throw new HeaderFault(`its header gives an impossible size of ${width}x${height}`);
  }
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpeg(bytes: Uint8Array): RawHeader {
  let pos = 2;
  let size: { width: number; height: number } | undefined;
  let orientation: Orientation | undefined;
  for (;;) {
    if (u8(bytes, pos) !== 0xff) throw new HeaderFault(`byte ${pos} should start a marker (0xFF) but is 0x${u8(bytes, pos).toString(16)}`);
    while (u8(bytes, pos) === 0xff) pos++; // fill bytes
    const marker = u8(bytes, pos);
    pos++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // TEM and RSTn stand alone
    if (marker === 0x00 || marker === 0xd8 || marker === 0xd9) {
      throw new HeaderFault(`marker 0x${marker.toString(16)} at byte ${pos - 1} comes before any image data`);
    }
    const length = u16be(bytes, pos);
    if (length < 2) throw new HeaderFault(`segment 0x${marker.toString(16)} at byte ${pos - 1} has an impossible length ${length}`);
    need(bytes, pos, length);
    const payload = pos + 2;
    if (isStartOfFrame(marker)) {
      size = { height: u16be(bytes, payload + 1), width: u16be(bytes, payload + 3) };
      if (size.height === 0) throw new HeaderFault('its frame header defers the height to a DNL marker, which is not supported');
      checkDimensions(size.width, size.height, 0xffff);
    } else if (marker === 0xe1 && orientation === undefined && length >= 8 && ascii(bytes, payload, 6) === 'Exif\0\0') {
      orientation = readExifOrientation(bytes.subarray(payload, pos + length));
    } else if (marker === 0xda) {
      if (size === undefined) throw new HeaderFault('its image data starts before any frame header (SOFn)');
      const dataStart = pos + length;
      if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(EOI, dataStart) < 0) {
        throw new HeaderFault('its data ends before the end-of-image marker (the file is truncated)');
      }
      return { ...size, orientation: orientation ?? 1 };
    }
    pos += length;
  }
}

function readPng(bytes: Uint8Array): RawHeader {
  if (u32be(bytes, 8) !== 13 || ascii(bytes, 12, 4) !== 'IHDR') throw new HeaderFault('its first chunk is not a 13-byte IHDR');
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  checkDimensions(width, height, PNG_MAX_DIMENSION);
  let orientation: Orientation = 1;
  let sawImageData = false;
  // Walk the chunks to IEND: a file cut short fails here, and an eXIf chunk before IDAT is read.
  for (let pos = 8; ; ) {
    const length = u32be(bytes, pos);
    const type = ascii(bytes, pos + 4, 4);
    if (length > PNG_MAX_DIMENSION) throw new HeaderFault(`chunk ${JSON.stringify(type)} at byte ${pos} has an impossible length ${length}`);
    need(bytes, pos, 12 + length);
    if (type === 'eXIf' && !sawImageData) orientation = readExifOrientation(bytes.subarray(pos + 8, pos + 8 + length));
    if (type === 'IDAT') sawImageData = true;
    if (type === 'IEND') break;
    pos += 12 + length;
  }
  if (!sawImageData) throw new HeaderFault('it has no IDAT (image data) chunk');
  return { width, height, orientation };
}

function readWebp(bytes: Uint8Array, field: string | undefined): RawHeader {
  const end = u32le(bytes, 4) + 8;
  need(bytes, 0, end); // the RIFF size says how long the file must be
  const fourcc = ascii(bytes, 12, 4);
  const data = 20;
  if (fourcc === 'VP8 ') {
    if (u8(bytes, data + 3) !== 0x9d || u8(bytes, data + 4) !== 0x01 || u8(bytes, data + 5) !== 0x2a) {
      throw new HeaderFault('its VP8 key frame start code is missing');
    }
    const width = u16le(bytes, data + 6) & 0x3fff;
    const height = u16le(bytes, data + 8) & 0x3fff;
    checkDimensions(width, height, 0x3fff);
    return { width, height, orientation: 1 };
  }
  if (fourcc === 'VP8L') {
    if (u8(bytes, data) !== 0x2f) throw new HeaderFault('its VP8L signature byte is missing');
    const bits = u32le(bytes, data + 1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, orientation: 1 };
  }
  if (fourcc === 'VP8X') {
    const flags = u8(bytes, data);
    if ((flags & 0x02) !== 0) {
      throw new FaceMatchError('UNSUPPORTED_FORMAT', `Expected a still image for ${describeField(field)} but received an animated WebP`, {
        field,
        details: { format: 'webp', animated: true },
      });
    }
    const width = u24le(bytes, data + 4) + 1;
    const height = u24le(bytes, data + 7) + 1;
    return { width, height, orientation: (flags & 0x08) !== 0 ? webpExifOrientation(bytes, end) : 1 };
  }
  throw new HeaderFault(`its first chunk is ${JSON.stringify(fourcc)}, not VP8, VP8L or VP8X`);
}

function webpExifOrientation(bytes: Uint8Array, end: number): Orientation {
  for (let pos = 12; pos + 8 <= end; ) {
    const size = u32le(bytes, pos + 4);
    need(bytes, pos + 8, size);
    if (ascii(bytes, pos, 4) === 'EXIF') return readExifOrientation(bytes.subarray(pos + 8, pos + 8 + size));
    pos += 8 + size + (size & 1); // chunks are padded to an even size
  }
  return 1;
}
