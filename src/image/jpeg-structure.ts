/**
 * The marker structure of a JPEG, walked from SOI to EOI once for both decoders: the frame header
 * (kind, precision, size, components and their sampling factors), every scan with the number of
 * entropy-coded bytes it holds, the EXIF orientation, and where the image ends.
 *
 * This is where the decoder policy for JPEG is enforced before either decoder runs (see the
 * Errors guide): kinds that no camera or phone writes (lossless, hierarchical, arithmetic-coded,
 * 12-bit, DNL-deferred height, CMYK/YCCK or other component counts than 1 and 3) are refused as
 * `UNSUPPORTED_FORMAT`; a file that ends before EOI, a scan before the frame, a component without
 * its first DC scan, or entropy-coded data too short for the claimed size are `CORRUPT_IMAGE`.
 * Anything after EOI is ignored.
 * @module
 */
import { ascii, need, u16be, u8 } from './bytes.js';
import { readExifOrientation } from './exif.js';
import type { Orientation } from './types.js';

/** A structural fault: `CORRUPT_IMAGE`. */
export class JpegFault extends Error {}

/** A valid JPEG of a kind facematch does not decode: `UNSUPPORTED_FORMAT`. */
export class JpegUnsupported extends Error {}

/**
 * The most scans a JPEG may have. A progressive photo has about 10 (libjpeg's default script has
 * 10, mozjpeg's up to 12); every scan makes the decoder walk the image's coefficients again, so a
 * file with thousands of tiny scans costs CPU out of all proportion to its size. libjpeg-turbo
 * suggests 500 as a limit for untrusted input (`-maxscans`, TJPARAM_SCANLIMIT); facematch allows
 * 100.
 *
 * @category Image
 */
export const MAX_JPEG_SCANS = 100;

/** One component of the frame. */
export interface JpegComponent {
  /** Component identifier. */
  id: number;
  /** Horizontal sampling factor, 1–4. */
  h: number;
  /** Vertical sampling factor, 1–4. */
  v: number;
}

/** One scan (SOS segment and the entropy-coded data after it). */
export interface JpegScan {
  /** Indices into the frame's components. */
  components: number[];
  /** Spectral selection start. */
  ss: number;
  /** Spectral selection end. */
  se: number;
  /** Successive approximation high bit (0 for a first scan). */
  ah: number;
  /** Entropy-coded bytes of the scan (stuffing and restart markers included). */
  bytes: number;
}

/** What {@link readJpegStructure} finds. */
export interface JpegStructure {
  /** The SOF marker: 0xC0 baseline, 0xC1 extended sequential, 0xC2 progressive. */
  sof: number;
  /** True for progressive (SOF2). */
  progressive: boolean;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The frame's components. */
  components: JpegComponent[];
  /** The scans in file order. */
  scans: JpegScan[];
  /** EXIF orientation (APP1); 1 when absent or unreadable. */
  orientation: Orientation;
  /** Offset just past the EOI marker: what follows is ignored. */
  end: number;
}

const SOF_NAMES: Readonly<Record<number, string>> = {
  0xc3: 'lossless',
  0xc5: 'hierarchical (differential sequential)',
  0xc6: 'hierarchical (differential progressive)',
  0xc7: 'hierarchical (differential lossless)',
  0xc9: 'arithmetic-coded (extended sequential)',
  0xca: 'arithmetic-coded (progressive)',
  0xcb: 'arithmetic-coded (lossless)',
  0xcd: 'hierarchical arithmetic-coded (differential sequential)',
  0xce: 'hierarchical arithmetic-coded (differential progressive)',
  0xcf: 'hierarchical arithmetic-coded (differential lossless)',
};

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * The offset of the marker that ends the entropy-coded data starting at `from`: the first 0xFF
 * not followed by a stuffed 0x00, a restart marker RST0–7 or a fill byte. -1 when the data runs
 * to the end of the file.
 */
function endOfEntropyData(bytes: Uint8Array, from: number): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = from; ; ) {
    const ff = view.indexOf(0xff, pos);
    if (ff < 0 || ff + 1 >= bytes.length) return -1;
    const next = bytes[ff + 1] as number;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      pos = ff + 2;
    } else if (next === 0xff) {
      pos = ff + 1; // a fill byte: the marker starts at the last 0xFF
    } else {
      return ff;
    }
  }
}

/**
 * Walks a JPEG from SOI to EOI (the SOI itself already checked by the sniffer).
 *
 * @throws JpegUnsupported for a kind facematch does not decode; JpegFault for a structural fault;
 *   TruncatedError when a segment runs past the end of the file
 */
export function readJpegStructure(bytes: Uint8Array): JpegStructure {
  let frame: Omit<JpegStructure, 'scans' | 'orientation' | 'end'> | undefined;
  let orientation: Orientation | undefined;
  const scans: JpegScan[] = [];
  for (let pos = 2; ; ) {
    if (u8(bytes, pos) !== 0xff) throw new JpegFault(`byte ${pos} should start a marker (0xFF) but is 0x${u8(bytes, pos).toString(16)}`);
    while (u8(bytes, pos) === 0xff) pos++; // fill bytes
    const marker = u8(bytes, pos);
    pos++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // TEM and RSTn stand alone
    if (marker === 0xd9) {
      if (scans.length === 0) throw new JpegFault(`its end-of-image marker at byte ${pos - 2} comes before any image data`);
      return { ...frame!, scans, orientation: orientation ?? 1, end: pos };
    }
    if (marker === 0x00 || marker === 0xd8) throw new JpegFault(`marker 0x${marker.toString(16)} at byte ${pos - 1} is out of place`);
    const length = u16be(bytes, pos);
    if (length < 2) throw new JpegFault(`segment 0x${marker.toString(16)} at byte ${pos - 1} has an impossible length ${length}`);
    need(bytes, pos, length);
    const payload = pos + 2;
    if (isStartOfFrame(marker)) {
      if (frame !== undefined) throw new JpegUnsupported('it has more than one frame (a hierarchical JPEG)');
      frame = readFrame(bytes, marker, payload, length - 2);
    } else if (marker === 0xde || marker === 0xdf) {
      throw new JpegUnsupported('it is a hierarchical JPEG (DHP/EXP markers)');
    } else if (marker === 0xdc) {
      throw new JpegUnsupported('its height is given by a DNL marker after the image data');
    } else if (marker === 0xe1 && orientation === undefined && length >= 8 && ascii(bytes, payload, 6) === 'Exif\0\0') {
      orientation = readExifOrientation(bytes.subarray(payload, pos + length));
    } else if (marker === 0xda) {
      if (frame === undefined) throw new JpegFault('its image data starts before any frame header (SOFn)');
      if (scans.length >= MAX_JPEG_SCANS) throw new JpegUnsupported(`it has more than ${MAX_JPEG_SCANS} scans`);
      const scan = readScanHeader(bytes, payload, length - 2, frame.components);
      const dataStart = pos + length;
      const dataEnd = endOfEntropyData(bytes, dataStart);
      if (dataEnd < 0) throw new JpegFault('its data ends before the end-of-image marker (the file is truncated)');
      scans.push({ ...scan, bytes: dataEnd - dataStart });
      pos = dataEnd;
      continue;
    }
    pos += length;
  }
}

function readFrame(bytes: Uint8Array, marker: number, at: number, length: number): Omit<JpegStructure, 'scans' | 'orientation' | 'end'> {
  const kind = SOF_NAMES[marker];
  if (kind !== undefined) throw new JpegUnsupported(`it is a ${kind} JPEG (SOF${marker - 0xc0})`);
  const precision = u8(bytes, at);
  const height = u16be(bytes, at + 1);
  const width = u16be(bytes, at + 3);
  const count = u8(bytes, at + 5);
  if (length < 6 + 3 * count) throw new JpegFault(`its frame header is ${length} bytes, too short for ${count} components`);
  if (precision !== 8) throw new JpegUnsupported(`it has ${precision}-bit samples (only 8-bit JPEG is decoded)`);
  if (height === 0) throw new JpegUnsupported('its height is given by a DNL marker after the image data');
  if (width === 0) throw new JpegFault(`its header gives an impossible size of ${width}x${height}`);
  if (count === 4) throw new JpegUnsupported('it is a CMYK or YCCK JPEG (4 components)');
  if (count !== 1 && count !== 3) throw new JpegUnsupported(`it has ${count} colour components (only greyscale and colour JPEG are decoded)`);
  const components: JpegComponent[] = [];
  for (let i = 0; i < count; i++) {
    const sampling = u8(bytes, at + 7 + i * 3);
    const h = sampling >> 4;
    const v = sampling & 0x0f;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new JpegFault(`component ${i} has impossible sampling factors ${h}x${v}`);
    components.push({ id: u8(bytes, at + 6 + i * 3), h, v });
  }
  return { sof: marker, progressive: marker === 0xc2, width, height, components };
}

function readScanHeader(bytes: Uint8Array, at: number, length: number, components: JpegComponent[]): Omit<JpegScan, 'bytes'> {
  const count = u8(bytes, at);
  if (count < 1 || count > 4 || length < 4 + 2 * count) throw new JpegFault(`a scan header names ${count} components in ${length} bytes`);
  const indices: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = u8(bytes, at + 1 + i * 2);
    const index = components.findIndex((c) => c.id === id);
    if (index < 0) throw new JpegFault(`a scan names component ${id}, which the frame does not have`);
    indices.push(index);
  }
  const tail = at + 1 + count * 2;
  const approximation = u8(bytes, tail + 2);
  return { components: indices, ss: u8(bytes, tail), se: u8(bytes, tail + 1), ah: approximation >> 4 };
}

/** The number of 8×8 blocks of component `c`, without the padding of interleaved MCUs. */
export function componentBlocks(structure: Pick<JpegStructure, 'width' | 'height' | 'components'>, c: number): number {
  const hMax = Math.max(...structure.components.map((k) => k.h));
  const vMax = Math.max(...structure.components.map((k) => k.v));
  const component = structure.components[c]!;
  const width = Math.ceil((structure.width * component.h) / hMax);
  const height = Math.ceil((structure.height * component.v) / vMax);
  return Math.ceil(width / 8) * Math.ceil(height / 8);
}

/**
 * The fewest entropy-coded bytes a complete image of this size can have. In a sequential scan
 * every block costs at least two Huffman codes of at least one bit each (its DC difference and
 * an end-of-block); in a progressive file every block needs at least its one-bit DC code in the
 * component's first DC scan. Fewer bytes than this cannot hold the image: the decoder would
 * invent the rest (libjpeg fills it with zeros and only warns).
 */
export function minimumEntropyBytes(structure: Pick<JpegStructure, 'width' | 'height' | 'components' | 'progressive'>): number {
  let blocks = 0;
  for (let c = 0; c < structure.components.length; c++) blocks += componentBlocks(structure, c);
  return Math.ceil((blocks * (structure.progressive ? 1 : 2)) / 8);
}

/**
 * Checks that every component is coded: in a sequential file by some scan, in a progressive one by
 * a first DC scan, and that the entropy-coded data is long enough for the claimed size.
 *
 * @throws JpegFault naming the missing component or the shortfall
 */
export function checkJpegCompleteness(structure: JpegStructure): void {
  structure.components.forEach((_component, c) => {
    const covered = structure.scans.some((s) => s.components.includes(c) && s.ss === 0 && (structure.progressive ? s.ah === 0 : true));
    if (!covered) throw new JpegFault(`component ${c} has no ${structure.progressive ? 'first DC scan' : 'scan'} (the image data is incomplete)`);
  });
  const have = structure.scans.reduce((sum, s) => sum + s.bytes, 0);
  const need = minimumEntropyBytes(structure);
  if (have < need) {
    throw new JpegFault(
      `its image data holds ${have} bytes, fewer than the ${need} that any ${structure.width}x${structure.height} image needs (the data is truncated or damaged)`,
    );
  }
}
