/**
 * The image intake: format sniffing, header reading, constraints, decoding and orientation.
 * @module
 */
export { DEFAULT_MAX_DECODE_BYTES, MAX_DECODE_CPU_MS, MAX_IMAGE_SIDE } from './budget.js';
export {
  CONSTRAINT_PRESETS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PIXELS,
  checkFileSize,
  checkImageFormat,
  checkMinimumSize,
  checkPixelCount,
  resolveConstraints,
  type ResolvedConstraints,
} from './constraints.js';
export { isOrientation } from './exif.js';
export { readImageHeader, type ImageHeader } from './header.js';
export { MAX_FILE_BYTES } from './input.js';
export { MAX_JPEG_SCANS } from './jpeg-structure.js';
export { loadImage } from './load.js';
export { applyOrientation, orientedSize, swapsAxes, type ImageSize } from './orient.js';
export { downscaleArea, fitInside } from './resize.js';
export { isSharpAvailable } from './decode.js';
export { FORMAT_LABELS, IMAGE_FORMATS, isImageFormat, sniffFormat } from './sniff.js';
export type {
  ConstraintPreset,
  DecoderChoice,
  DecoderName,
  ImageConstraints,
  ImageFormat,
  ImageInput,
  LoadedImage,
  LoadImageOptions,
  Orientation,
  SniffedFormat,
} from './types.js';
