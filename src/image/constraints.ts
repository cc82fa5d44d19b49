/**
 * Input limits: the provider presets, custom limits, and the checks that refuse an image before
 * it is decoded (file size, format, pixel count) or right after its header is read (minimum size).
 * @module
 */
import { clip, describeField, describeReceived, echo, FaceMatchError, invalidInput } from '../errors.js';
import { FORMAT_LABELS, IMAGE_FORMATS, isImageFormat } from './sniff.js';
import type { ConstraintPreset, ImageConstraints, ImageFormat, SniffedFormat } from './types.js';

const MEBIBYTE = 1024 * 1024;

/**
 * The pixel limit applied when none is given: 50 megapixels (width × height), checked on the
 * header before any pixel buffer exists.
 *
 * @category Image
 */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * The byte limit of the `none` preset: 25 MiB (26,214,400 bytes), several times the largest JPEG
 * a phone writes (a 48 MP photo is 8 to 20 MB). Custom constraints without `maxBytes` have no
 * limit of their own, but no file over 2 GiB is ever read.
 *
 * @category Image
 */
export const DEFAULT_MAX_BYTES = 25 * MEBIBYTE;

/**
 * The built-in constraint sets, from the providers' published documents.
 *
 * - `didit`: "Images must be in JPEG, PNG, or WebP format; Minimum resolution: 480x480 pixels;
 *   Maximum file size: 5MB per image". The document does not define MB; the binary megabyte is
 *   used (5 × 1024 × 1024 = 5,242,880 bytes).
 * - `attestr`: "Only JPEG, PNG images are supported; Minimum image size is 200x200; Maximum
 *   allowed image size is 10 MB" (10 × 1024 × 1024 bytes).
 * - `none`: JPEG, PNG or WebP, at most {@link DEFAULT_MAX_BYTES} (25 MiB), any size up to the
 *   pixel and decode limits.
 *
 * @category Image
 */
export const CONSTRAINT_PRESETS: Readonly<Record<ConstraintPreset, Readonly<ImageConstraints>>> = Object.freeze({
  didit: preset({ name: 'didit', formats: ['jpeg', 'png', 'webp'], minWidth: 480, minHeight: 480, maxBytes: 5 * MEBIBYTE }),
  attestr: preset({ name: 'attestr', formats: ['jpeg', 'png'], minWidth: 200, minHeight: 200, maxBytes: 10 * MEBIBYTE }),
  none: preset({ name: 'none', formats: IMAGE_FORMATS, maxBytes: DEFAULT_MAX_BYTES }),
});

function preset(constraints: ImageConstraints): Readonly<ImageConstraints> {
  return Object.freeze({ ...constraints, formats: Object.freeze([...(constraints.formats ?? IMAGE_FORMATS)]) });
}

/**
 * Constraints with every field present (absent limits become `Infinity` or 0).
 *
 * @category Image
 */
export interface ResolvedConstraints {
  /** Name for messages: the preset's, or the one given, or `custom`. */
  name: string;
  /** Accepted formats. */
  formats: readonly ImageFormat[];
  /** Minimum width in pixels (0: none). */
  minWidth: number;
  /** Minimum height in pixels (0: none). */
  minHeight: number;
  /** Maximum file size in bytes (`Infinity`: none). */
  maxBytes: number;
  /** Maximum width × height: the smaller of the constraints' and the option's limit. */
  maxPixels: number;
}

/**
 * The caller's constraints object read once into a plain object (the formats array copied), so
 * a getter or Proxy trap that throws becomes `INVALID_INPUT` and nothing changes after the checks.
 */
function snapshot(constraints: object): ImageConstraints {
  try {
    const c = constraints as ImageConstraints;
    const formats: unknown = c.formats;
    return {
      name: c.name,
      formats: Array.isArray(formats) ? Array.from(formats as unknown[]) as ImageFormat[] : (formats as readonly ImageFormat[] | undefined),
      minWidth: c.minWidth,
      minHeight: c.minHeight,
      maxBytes: c.maxBytes,
      maxPixels: c.maxPixels,
    };
  } catch (err) {
    throw new FaceMatchError('INVALID_INPUT', `Expected constraints to be an object whose fields can be read but reading them threw`, {
      field: 'constraints',
      details: { received: describeReceived(constraints) },
      cause: err,
    });
  }
}

function limit(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw invalidInput(`constraints.${name}`, 'a finite number >= 0', value);
  }
  return value;
}

/**
 * Turns a preset name or a constraints object into {@link ResolvedConstraints}, checking every
 * value.
 *
 * @param constraints - preset name or object; default `none`
 * @param maxPixels - the pixel limit option; default {@link DEFAULT_MAX_PIXELS}
 * @throws FaceMatchError `INVALID_INPUT` (field `constraints` or `maxPixels`) for an unknown
 *   preset, an unknown format or a limit that is not a finite number >= 0
 * @category Image
 */
export function resolveConstraints(constraints: ConstraintPreset | ImageConstraints = 'none', maxPixels = DEFAULT_MAX_PIXELS): ResolvedConstraints {
  if (typeof maxPixels !== 'number' || !(maxPixels > 0) || !Number.isFinite(maxPixels)) {
    throw new FaceMatchError('INVALID_INPUT', `Expected maxPixels to be a finite number > 0 but received ${describeReceived(maxPixels)}`, { field: 'maxPixels' });
  }
  let spec: Readonly<ImageConstraints>;
  if (typeof constraints === 'string') {
    const preset = Object.hasOwn(CONSTRAINT_PRESETS, constraints) ? CONSTRAINT_PRESETS[constraints] : undefined;
    if (!preset) throw invalidInput('constraints', 'didit, attestr, none or an object', constraints);
    spec = preset;
  } else if (typeof constraints === 'object' && constraints !== null) {
    spec = snapshot(constraints);
  } else {
    throw invalidInput('constraints', 'didit, attestr, none or an object', constraints);
  }
  const formats: unknown = spec.formats ?? IMAGE_FORMATS;
  if (!Array.isArray(formats) || Object.getPrototypeOf(formats) !== Array.prototype || formats.length === 0 || !formats.every((f) => typeof f === 'string' && isImageFormat(f as SniffedFormat))) {
    throw invalidInput('constraints.formats', 'a list of some of jpeg, png, webp', formats);
  }
  return {
    name: typeof spec.name === 'string' ? clip(spec.name) : 'custom',
    formats: formats as ImageFormat[],
    minWidth: limit(spec.minWidth, 'minWidth', 0),
    minHeight: limit(spec.minHeight, 'minHeight', 0),
    maxBytes: limit(spec.maxBytes, 'maxBytes', Infinity),
    maxPixels: Math.min(maxPixels, limit(spec.maxPixels, 'maxPixels', Infinity)),
  };
}

/** `5 MB`, `6.25 MB`, `812 KB`, `17 bytes`: sizes in binary units, as the presets define them. */
export function formatBytes(bytes: number): string {
  const trim = (n: number): string => String(Number(n.toFixed(2)));
  if (bytes >= 1024 * MEBIBYTE) return `${trim(bytes / (1024 * MEBIBYTE))} GB`;
  if (bytes >= MEBIBYTE) return `${trim(bytes / MEBIBYTE)} MB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** `JPEG, PNG or WebP`. */
export function listFormats(formats: readonly ImageFormat[]): string {
  const labels = formats.map((f) => FORMAT_LABELS[f]);
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

/**
 * Refuses a file larger than the constraints allow.
 *
 * @throws FaceMatchError `FILE_TOO_LARGE`
 * @category Image
 */
export function checkFileSize(bytes: number, constraints: ResolvedConstraints, field?: string): void {
  if (bytes <= constraints.maxBytes) return;
  throw fileTooLarge(bytes, constraints.maxBytes, constraints, field);
}

/**
 * The `FILE_TOO_LARGE` error for `bytes` over `limit` (the constraints' `maxBytes`, or the 2 GiB
 * cap on any file read from disk, which the message then names).
 *
 * @internal
 */
export function fileTooLarge(bytes: number, limit: number, constraints: ResolvedConstraints, field?: string, path?: string): FaceMatchError {
  const cap = limit < constraints.maxBytes ? ' (no file over 2 GiB is read, whatever maxBytes allows)' : '';
  const where = path === undefined ? describeField(field) : `${describeField(field)} (${echo(path)})`;
  return new FaceMatchError(
    'FILE_TOO_LARGE',
    `Expected at most ${formatBytes(limit)} (${limit} bytes) for ${where} but received ${formatBytes(bytes)} (${bytes} bytes)${cap}`,
    { field, details: { bytes, maxBytes: limit, constraints: clip(constraints.name), ...(path === undefined ? {} : { path: clip(path) }) } },
  );
}

/**
 * Refuses a format the constraints do not accept, naming what was received.
 *
 * @throws FaceMatchError `UNSUPPORTED_FORMAT`
 * @category Image
 */
export function checkImageFormat(format: SniffedFormat, constraints: ResolvedConstraints, field?: string): ImageFormat {
  if (isImageFormat(format) && constraints.formats.includes(format)) return format;
  throw new FaceMatchError('UNSUPPORTED_FORMAT', `Expected ${listFormats(constraints.formats)} for ${describeField(field)} but received ${FORMAT_LABELS[format]}`, {
    field,
    details: { format, accepted: [...constraints.formats], constraints: constraints.name },
  });
}

/**
 * Refuses an image with more pixels than allowed, from its header's dimensions: called before
 * any pixel buffer is allocated.
 *
 * @throws FaceMatchError `IMAGE_TOO_LARGE`
 * @category Image
 */
export function checkPixelCount(width: number, height: number, constraints: ResolvedConstraints, field?: string): void {
  const pixels = width * height;
  if (pixels <= constraints.maxPixels) return;
  const megapixels = (n: number): string => `${Number((n / 1e6).toFixed(1))} MP`;
  throw new FaceMatchError(
    'IMAGE_TOO_LARGE',
    `Expected at most ${constraints.maxPixels} pixels (${megapixels(constraints.maxPixels)}) for ${describeField(field)} but received ${width}x${height} (${megapixels(pixels)})`,
    { field, details: { width, height, pixels, maxPixels: constraints.maxPixels } },
  );
}

/**
 * Refuses an image narrower or shorter than the constraints' minimum (sizes as displayed, after
 * EXIF orientation).
 *
 * @throws FaceMatchError `IMAGE_TOO_SMALL`
 * @category Image
 */
export function checkMinimumSize(width: number, height: number, constraints: ResolvedConstraints, field?: string): void {
  if (width >= constraints.minWidth && height >= constraints.minHeight) return;
  throw new FaceMatchError(
    'IMAGE_TOO_SMALL',
    `Expected at least ${constraints.minWidth}x${constraints.minHeight} pixels for ${describeField(field)} but received ${width}x${height}`,
    { field, details: { width, height, minWidth: constraints.minWidth, minHeight: constraints.minHeight, constraints: constraints.name } },
  );
}
