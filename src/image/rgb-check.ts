import { FaceMatchError } from '../errors.js';
import type { RgbImage } from '../types.js';

/**
 * Throws `INVALID_INPUT` (with `field`) unless `image` is a well-formed {@link RgbImage}: positive
 * integer size and exactly width × height × 3 bytes. Shared by the stages that take decoded images.
 *
 * @internal
 */
export function assertRgbImage(image: RgbImage, field: string): void {
  const ok =
    typeof image === 'object' &&
    image !== null &&
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width > 0 &&
    image.height > 0 &&
    image.data instanceof Uint8Array;
  if (!ok) {
    throw new FaceMatchError('INVALID_INPUT', `Expected an RGB image { width, height, data: Uint8Array } but received ${describe(image)}`, {
      field,
    });
  }
  if (image.data.length !== image.width * image.height * 3) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected ${image.width}×${image.height}×3 = ${image.width * image.height * 3} RGB bytes but received ${image.data.length}`,
      { field, details: { width: image.width, height: image.height, bytes: image.data.length } },
    );
  }
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const { width, height, data } = value as Partial<RgbImage>;
  return `{ width: ${String(width)}, height: ${String(height)}, data: ${data === undefined ? 'undefined' : Object.prototype.toString.call(data)} }`;
}
