/**
 * The always-available decoder, `builtin`: libjpeg-turbo (WebAssembly) for JPEG, a streaming
 * decoder of our own on `node:zlib` for PNG, and libwebp (WebAssembly, `@jsquash/webp`) for WebP.
 * Every result is upright (the header's EXIF orientation applied once) and at the requested size.
 * @module
 */
import type { RgbImage } from '../types.js';
import type { ImageHeader, ImageLayout } from './header.js';
import { decodeJpeg } from './jpeg-decode.js';
import { applyOrientation, type ImageSize } from './orient.js';
import { rgbaOverWhiteInPlace } from './pixels.js';
import { decodePng } from './png-decode.js';
import { downscaleArea } from './resize.js';
import { decodeWebpRgba } from './webp.js';

/**
 * Downscales (area averaging) to `target` and turns the pixels upright. With `copy`, the result
 * never shares `pixels.data` (for pixels that live in a codec's heap).
 */
function finish(pixels: RgbImage, target: ImageSize, header: ImageHeader, copy: boolean): RgbImage {
  let out = pixels;
  if (out.width !== target.width || out.height !== target.height) out = downscaleArea(out, target.width, target.height);
  if (header.orientation !== 1) out = applyOrientation(out, header.orientation);
  if (copy && out === pixels) out = { width: pixels.width, height: pixels.height, data: pixels.data.slice() };
  return out;
}

function checkSize(image: { width: number; height: number }, width: number, height: number): void {
  if (image.width !== width || image.height !== height) {
    throw new Error(`decoded ${image.width}x${image.height} where the header gives ${width}x${height}`);
  }
}

/**
 * Decodes checked bytes to upright RGB at `target` (given in stored orientation).
 *
 * @param bytes - the file up to its end marker (EOI, IEND, the end of the RIFF container)
 * @param header - its header
 * @param layout - its structure, from the header walk
 * @param target - the size to shrink to, in stored orientation (the stored size for none)
 * @throws Error when the codec fails
 */
export async function decodeBuiltin(bytes: Uint8Array, header: ImageHeader, layout: ImageLayout, target: ImageSize): Promise<RgbImage> {
  const { storedWidth: width, storedHeight: height } = header;
  const resized = target.width !== width || target.height !== height;
  if (layout.format === 'jpeg') {
    return decodeJpeg(bytes, width, height, resized ? target : undefined, (pixels) => finish(pixels, target, header, true));
  }
  if (layout.format === 'png') {
    const pixels = await decodePng(layout.png, target);
    checkSize(pixels, target.width, target.height);
    return finish(pixels, target, header, false);
  }
  const rgba = await decodeWebpRgba(bytes);
  checkSize(rgba, width, height);
  return finish(rgbaOverWhiteInPlace(rgba.data, width, height), target, header, false);
}
