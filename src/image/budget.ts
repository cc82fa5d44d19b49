/**
 * The decode budget: how many bytes a decode will allocate and how much CPU it will take,
 * estimated from the header before any pixel exists, and the check that refuses an image whose
 * estimate is over the limit.
 *
 * The memory estimate adds up the buffers the chosen decoder really allocates (listed per
 * decoder and format below) and scales the sum by a factor, plus a constant; the CPU estimate
 * weighs the work (pixels, inflated bytes, the blocks every JPEG scan visits) by per-unit rates.
 * Both were fitted to measurements: each decoder decoded images of 250×250 to 48 MP in every mode
 * (JPEG baseline and progressive, 4:2:0, 4:4:4 and greyscale; PNG 8- and 16-bit, RGB and RGBA,
 * interlaced; WebP lossy, lossless and with alpha), with and without a downscale and an EXIF
 * rotation, once each in a fresh child process, recording the CPU time of all threads and the
 * peak RSS over the process's baseline (the kernel's high-water mark, reset just before the
 * decode). `npm run bench:decode` repeats the measurement and prints each case next to its
 * estimates; the Backends guide has the table. The factors, constants and rates are the
 * smallest round values that keep the measured peaks at or under the estimates (the CPU times
 * of the 250×250 cases aside, which are a few milliseconds either way).
 * @module
 */
import { describeField, FaceMatchError } from '../errors.js';
import type { ImageHeader, ImageLayout } from './header.js';
import { jpegScale } from './jpeg-decode.js';
import type { ImageSize } from './orient.js';
import { componentBlocks } from './jpeg-structure.js';
import { PNG_CHANNELS, pngInflatedBytes } from './png-structure.js';
import { FORMAT_LABELS } from './sniff.js';
import type { DecoderName } from './types.js';

const MEBIBYTE = 1024 * 1024;

/**
 * The default decode budget: 480 MiB (503,316,480 bytes) of estimated peak memory per decode.
 * Every photo a phone takes decodes within it on either decoder: a 48 MP JPEG, baseline or
 * progressive 4:2:0, in any EXIF orientation, is estimated at most 455 MiB on the built-in
 * decoder and 469 MiB on sharp, an 8-bit 48 MP PNG at most 383 MiB; while no accepted image pushes a
 * decode above 512 MB of peak RSS over the process baseline (the estimates are at or above the
 * measured peaks). `FaceMatcher` passes its own `maxDecodeBytes` option through.
 *
 * @category Image
 */
export const DEFAULT_MAX_DECODE_BYTES = 480 * MEBIBYTE;

/**
 * The longest side facematch decodes: 65,500 pixels, libjpeg's own limit (`JPEG_MAX_DIMENSION`),
 * applied to every format so that both decoders give the same answer. No camera comes near it;
 * sharp's PNG reader spends about a microsecond per row, so a 1 × 10,000,000 PNG (19 KB) would
 * otherwise cost it 11 s.
 *
 * @category Image
 */
export const MAX_IMAGE_SIDE = 65_500;

/**
 * The most CPU time a decode may be estimated to take: 2,000 ms. The estimate is in CPU
 * milliseconds of the 2-core machine the rates below were measured on (all threads counted, so
 * sharp's pool is included). Like the byte budget it is checked from the header, before decoding;
 * it is what refuses, for example, a 48 MP 16-bit RGBA PNG (about 3 s to decode on either
 * decoder) although its pixels would fit in memory.
 *
 * @category Image
 */
export const MAX_DECODE_CPU_MS = 2000;

/**
 * Fitted per decoder and format: `estimate = factor × (sum of the buffers) + constant` bytes.
 * See the module comment for how it was measured.
 */
const FIT: Readonly<Record<DecoderName, Readonly<Record<ImageLayout['format'], { factor: number; constant: number }>>>> = {
  builtin: {
    jpeg: { factor: 1.05, constant: 6 * MEBIBYTE },
    png: { factor: 1.1, constant: 8 * MEBIBYTE },
    webp: { factor: 1.15, constant: 8 * MEBIBYTE },
  },
  sharp: {
    jpeg: { factor: 1.05, constant: 20 * MEBIBYTE },
    png: { factor: 1.1, constant: 24 * MEBIBYTE },
    webp: { factor: 1.1, constant: 24 * MEBIBYTE },
  },
};

/**
 * CPU rates, fitted like the byte table (same runs): milliseconds per unit of work, a constant per
 * decode, and a safety factor over the fit. JPEG work is the full-size megapixels (entropy decoding
 * and dequantisation), the decoded megapixels at libjpeg's scale (IDCT, upsampling, colour), every
 * block once more for a multi-scan file (its coefficients go through memory again), the blocks
 * the scans visit, and the megabytes of entropy-coded data. PNG work is the inflated megabytes,
 * the megapixels (more for alpha, 16-bit samples and interlacing) and the rows. WebP work is the
 * megapixels. Resampling in JavaScript costs per source and per output megapixel, a rotation per
 * megapixel.
 */
const CPU = {
  factor: 1.15,
  builtin: {
    constant: 20,
    jpeg: { fullMp: 4, decodedMp: 6, multiScanBlocksM: 220, blockVisitsM: 12, entropyMb: 30 },
    png: { inflatedMb: 3, mp: 15, alphaMp: 15, alpha16Mp: 35, interlacedMp: 10, rowsM: 300 },
    webp: { constant: 30, lossyMp: 36, alphaMp: 52, losslessMp: 50 },
    resize: { sourceMp: 14, targetMp: 45, streamingSourceMp: 7 },
    rotateMp: 6,
  },
  sharp: {
    constant: 15,
    jpeg: { fullMp: 1, decodedMp: 1.5, multiScanBlocksM: 300, blockVisitsM: 10, entropyMb: 10 },
    png: { inflatedMb: 2.5, mp: 6, alphaMp: 8, sixteenBitMp: 30, interlacedMp: 3, rowsM: 1100 },
    webp: { constant: 0, lossyMp: 27, alphaMp: 42, losslessMp: 35 },
    rotateMp: 3,
  },
} as const;

/** What {@link estimateDecode} returns: the estimate and the buffers it adds up. */
export interface DecodeEstimate {
  /** Estimated peak bytes of the decode. */
  bytes: number;
  /** Estimated CPU milliseconds of the decode. */
  cpuMs: number;
  /** The buffers, by name, in bytes (before the fitted factor). */
  buffers: Record<string, number>;
}

/** libjpeg's whole-image coefficient buffer: every component's blocks (rounded up to its sampling factors) × 128 bytes. */
function jpegCoefficientBytes(layout: Extract<ImageLayout, { format: 'jpeg' }>): number {
  const { jpeg } = layout;
  const multiScan = jpeg.progressive || (jpeg.scans[0]?.components.length ?? 0) < jpeg.components.length;
  if (!multiScan) return 0;
  const hMax = Math.max(...jpeg.components.map((c) => c.h));
  const vMax = Math.max(...jpeg.components.map((c) => c.v));
  let bytes = 0;
  jpeg.components.forEach((c) => {
    const wide = Math.ceil(Math.ceil((jpeg.width * c.h) / hMax) / 8);
    const high = Math.ceil(Math.ceil((jpeg.height * c.v) / vMax) / 8);
    const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;
    bytes += roundUp(wide, c.h) * roundUp(high, c.v) * 128;
  });
  return bytes;
}

/**
 * Estimates the peak bytes a decode of this image will allocate with the given decoder.
 *
 * @param header - the image's header
 * @param layout - its structure, from the header walk
 * @param decoder - the decoder that will run
 * @param target - the output size in stored orientation (after any downscale)
 * @param inputBytes - the file's size
 * @internal
 */
export function estimateDecode(header: ImageHeader, layout: ImageLayout, decoder: DecoderName, target: ImageSize, inputBytes: number): DecodeEstimate {
  const { storedWidth: width, storedHeight: height } = header;
  const pixels = width * height;
  const rgb = (size: ImageSize): number => size.width * size.height * 3;
  const resized = target.width !== width || target.height !== height;
  const rotated = header.orientation !== 1;
  const buffers: Record<string, number> = { input: inputBytes };
  if (decoder === 'builtin') {
    if (layout.format === 'jpeg') {
      const scaled = jpegScale(width, height, resized ? target : undefined);
      buffers.wasmInput = inputBytes;
      buffers.coefficients = jpegCoefficientBytes(layout);
      buffers.decoded = rgb(scaled);
      // The result is made from the decoded pixels while they are still in the wasm heap: a copy,
      // a downscale or a rotation, and a rotation of the downscaled pixels when there are both.
      buffers.output = rgb(target);
      if (resized && rotated) buffers.rotated = rgb(target);
    } else if (layout.format === 'png') {
      const channels = PNG_CHANNELS[layout.png.colourType] as number;
      // Non-interlaced rows are area-averaged as they are decoded: one RGB row and two rows of
      // float sums instead of the full-size image.
      const streaming = resized && !layout.png.interlaced;
      buffers.decoded = streaming ? width * 3 + 2 * width * 3 * 4 : pixels * 3;
      buffers.rows = 2 * Math.ceil((width * channels * layout.png.bitDepth) / 8);
      // zlib's output chunks are garbage once unfiltered; V8 collects them about every 64 MiB.
      buffers.inflateGarbage = Math.min(pngInflatedBytes(layout.png), 64 * MEBIBYTE);
      if (resized) buffers.resized = rgb(target);
      if (rotated) buffers.rotated = rgb(target);
    } else {
      buffers.exactInput = inputBytes;
      buffers.wasmInput = inputBytes;
      buffers.wasmRgba = pixels * 4;
      if (layout.webp.lossless) buffers.wasmArgb = pixels * 4;
      else if (layout.webp.alpha) buffers.wasmAlpha = pixels;
      buffers.rgba = pixels * 4;
      if (resized) buffers.resized = rgb(target);
      if (rotated) buffers.rotated = rgb(target);
    }
  } else {
    if (layout.format === 'jpeg') {
      // libvips' coefficients while it decodes, the whole image it holds to turn it, then, with
      // sharp's output held, the shared libjpeg pass (its heap: the input and, at 1/8 scale, little
      // else for a baseline file). Freed memory is not always returned to the system (measured
      // at 12 MP: the phases add up; at 48 MP, where the buffers are mapped, they do not).
      buffers.coefficients = jpegCoefficientBytes(layout);
      if (rotated) buffers.turn = rgb(target);
      buffers.checkInput = inputBytes;
      // Measured: after a shrink-on-load libvips still holds its coefficients while the check runs.
      if (resized) buffers.checkCoefficients = jpegCoefficientBytes(layout);
    } else if (layout.format === 'png') {
      // libvips reads PNG rows sequentially; 16-bit and alpha images pass through wider formats.
      const channels = PNG_CHANNELS[layout.png.colourType] as number;
      if (layout.png.interlaced) buffers.deinterlaced = pixels * channels * (layout.png.bitDepth === 16 ? 2 : 1);
      // Measured: resampling a PNG holds about a quarter of a byte per source pixel in libvips' buffers.
      if (resized) buffers.resampling = Math.ceil(pixels / 4);
    } else {
      // libwebp decodes the whole frame to RGBA, and libvips' pipeline holds another wide copy.
      buffers.decodedRgba = pixels * 4;
      buffers.pipeline = pixels * 4;
    }
    // libvips turns the image itself, holding it whole to do so.
    if (rotated && layout.format !== 'jpeg') buffers.turn = rgb(target);
    buffers.output = rgb(target);
  }
  const sum = Object.values(buffers).reduce((a, b) => a + b, 0);
  const fit = FIT[decoder][layout.format];
  return { bytes: Math.ceil(sum * fit.factor + fit.constant), cpuMs: Math.ceil(estimateCpu(header, layout, decoder, target)), buffers };
}

/** Blocks visited by all scans of a JPEG: every scan walks every block of the components it codes. */
function jpegBlockVisits(layout: Extract<ImageLayout, { format: 'jpeg' }>): number {
  const { jpeg } = layout;
  const perComponent = jpeg.components.map((_c, i) => componentBlocks(jpeg, i));
  return jpeg.scans.reduce((sum, scan) => sum + scan.components.reduce((n, c) => n + (perComponent[c] as number), 0), 0);
}

function jpegCpu(
  rates: { fullMp: number; decodedMp: number; multiScanBlocksM: number; blockVisitsM: number; entropyMb: number },
  layout: Extract<ImageLayout, { format: 'jpeg' }>,
  decodedPixels: number,
): number {
  const { jpeg } = layout;
  const multiScan = jpeg.progressive || jpeg.scans.length > 1;
  const entropy = jpeg.scans.reduce((sum, s) => sum + s.bytes, 0);
  const blocks = jpeg.components.reduce((sum, _c, i) => sum + componentBlocks(jpeg, i), 0);
  return (
    rates.fullMp * ((jpeg.width * jpeg.height) / 1e6) +
    rates.decodedMp * (decodedPixels / 1e6) +
    (multiScan ? rates.multiScanBlocksM * (blocks / 1e6) : 0) +
    rates.blockVisitsM * (jpegBlockVisits(layout) / 1e6) +
    rates.entropyMb * (entropy / 1e6)
  );
}

/**
 * Area averaging in JavaScript: a pass over the source, and work per output pixel. Rows averaged
 * as a streaming decoder produces them cost less than a pass over a whole decoded image (measured:
 * that pass also pays for reading back, and collecting, the full-size pixels).
 */
function resizeCpu(source: ImageSize, target: ImageSize, streaming = false): number {
  const r = CPU.builtin.resize;
  return (streaming ? r.streamingSourceMp : r.sourceMp) * ((source.width * source.height) / 1e6) + r.targetMp * ((target.width * target.height) / 1e6);
}

function estimateCpu(header: ImageHeader, layout: ImageLayout, decoder: DecoderName, target: ImageSize): number {
  const { storedWidth: width, storedHeight: height } = header;
  const mp = (width * height) / 1e6;
  const resized = target.width !== width || target.height !== height;
  let ms: number;
  if (layout.format === 'jpeg') {
    if (decoder === 'builtin') {
      const scaled = jpegScale(width, height, resized ? target : undefined);
      ms = jpegCpu(CPU.builtin.jpeg, layout, scaled.width * scaled.height);
      if (resized) ms += resizeCpu(scaled, target);
    } else {
      // sharp's decode, and the shared libjpeg pass at 1/8 scale that runs first.
      ms = jpegCpu(CPU.sharp.jpeg, layout, resized ? target.width * target.height * 4 : width * height) + jpegCpu(CPU.builtin.jpeg, layout, (width * height) / 64);
    }
  } else if (layout.format === 'png') {
    const { colourType, bitDepth } = layout.png;
    const alpha = colourType === 4 || colourType === 6;
    const inflatedMb = pngInflatedBytes(layout.png) / 1e6;
    if (decoder === 'builtin') {
      const r = CPU.builtin.png;
      ms = r.inflatedMb * inflatedMb + r.mp * mp + (alpha ? (bitDepth === 16 ? r.alpha16Mp : r.alphaMp) * mp : 0) + r.rowsM * (height / 1e6);
      if (layout.png.interlaced) ms += r.interlacedMp * mp;
      if (resized) ms += resizeCpu({ width, height }, target, !layout.png.interlaced);
    } else {
      const r = CPU.sharp.png;
      ms = r.inflatedMb * inflatedMb + r.mp * mp + (alpha ? r.alphaMp * mp : 0) + (bitDepth === 16 ? r.sixteenBitMp * mp : 0) + r.rowsM * (height / 1e6);
      if (layout.png.interlaced) ms += r.interlacedMp * mp;
    }
  } else {
    const r = CPU[decoder].webp;
    ms = r.constant + (layout.webp.lossless ? r.losslessMp : layout.webp.alpha ? r.alphaMp : r.lossyMp) * mp;
    if (decoder === 'builtin' && resized) ms += resizeCpu({ width, height }, target);
  }
  if (header.orientation !== 1) ms += CPU[decoder].rotateMp * ((target.width * target.height) / 1e6);
  return (ms + CPU[decoder].constant) * CPU.factor;
}

/**
 * Refuses an image before it is decoded when a side is over {@link MAX_IMAGE_SIDE} or the
 * decode's estimated peak memory is over `maxDecodeBytes`.
 *
 * @throws FaceMatchError `IMAGE_TOO_LARGE` with the estimate and the limit in `details`
 * @internal
 */
export function checkDecodeBudget(header: ImageHeader, estimate: DecodeEstimate, decoder: DecoderName, maxDecodeBytes: number, field?: string): void {
  const { storedWidth: width, storedHeight: height, format } = header;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new FaceMatchError(
      'IMAGE_TOO_LARGE',
      `Expected at most ${MAX_IMAGE_SIDE} pixels on either side for ${describeField(field)} but received ${width}x${height}`,
      { field, details: { width, height, maxSide: MAX_IMAGE_SIDE } },
    );
  }
  if (estimate.cpuMs > MAX_DECODE_CPU_MS) {
    throw new FaceMatchError(
      'IMAGE_TOO_LARGE',
      `Expected a decode within ${MAX_DECODE_CPU_MS} ms of CPU for ${describeField(field)} but decoding this ${width}x${height} ${FORMAT_LABELS[format]} with the ${decoder} decoder is estimated at ${estimate.cpuMs} ms`,
      { field, details: { width, height, format, decoder, estimatedCpuMs: estimate.cpuMs, maxDecodeCpuMs: MAX_DECODE_CPU_MS, estimatedBytes: estimate.bytes } },
    );
  }
  if (estimate.bytes <= maxDecodeBytes) return;
  const mib = (n: number): string => `${Number((n / MEBIBYTE).toFixed(1))} MiB`;
  throw new FaceMatchError(
    'IMAGE_TOO_LARGE',
    `Expected a decode within ${mib(maxDecodeBytes)} (maxDecodeBytes ${maxDecodeBytes}) for ${describeField(field)} but decoding this ${width}x${height} ${FORMAT_LABELS[format]} with the ${decoder} decoder is estimated at ${mib(estimate.bytes)} (${estimate.bytes} bytes)`,
    { field, details: { width, height, format, decoder, estimatedBytes: estimate.bytes, maxDecodeBytes, estimatedCpuMs: estimate.cpuMs, buffers: estimate.buffers } },
  );
}
