/**
 * Turns an RGB image into the BlazeFace input tensor: letterboxed, scaled to [-1, 1].
 * @module
 */
import * as tf from '../runtime/tf.js';
import type { RgbImage } from '../types.js';
import type { Letterbox } from './letterbox.js';

/** Value of the padding after normalisation: black, as MediaPipe pads with zero pixels. */
const PAD_VALUE = -1;

/**
 * Builds the `[1, size, size, 3]` float input of a BlazeFace model from an image and its
 * {@link Letterbox}: the image is resized to the letterbox content size, scaled from 0–255 to
 * [-1, 1] and padded with black around it.
 *
 * Resizing uses half-pixel-centred bilinear sampling, so the mapping back is exactly
 * {@link letterboxToImage}. Large images are first halved repeatedly (each halving averages 2×2
 * pixels) until they are less than twice the target size, so a strong downscale averages the
 * pixels instead of skipping most of them.
 *
 * All intermediate tensors are disposed; the caller owns (and must dispose) the result.
 *
 * @category Detection
 */
export function letterboxTensor(image: RgbImage, letterbox: Letterbox): tf.Tensor4D {
  const { size, contentWidth, contentHeight, padLeft, padTop } = letterbox;
  return tf.tidy(() => {
    // Each intermediate is disposed as soon as the next exists (the same operations in the same
    // order): a tidy scope would hold them all to its end, and on the wasm backend the heap keeps
    // its largest size for the life of the process. The full-size int32 and float32 copies of a
    // 1600×1200 photo are 23 MB each.
    const ints = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32');
    let pixels: tf.Tensor4D = tf.cast(ints, 'float32');
    ints.dispose();
    const replace = (next: tf.Tensor4D) => {
      pixels.dispose();
      pixels = next;
    };
    let [height, width] = [image.height, image.width];
    while (height >= 2 * contentHeight && width >= 2 * contentWidth) {
      height = Math.ceil(height / 2);
      width = Math.ceil(width / 2);
      replace(tf.image.resizeBilinear(pixels, [height, width], false, true));
    }
    if (height !== contentHeight || width !== contentWidth) {
      replace(tf.image.resizeBilinear(pixels, [contentHeight, contentWidth], false, true));
    }
    const scaled = tf.div(pixels, 127.5);
    pixels.dispose();
    const normalised: tf.Tensor4D = tf.sub(scaled, 1);
    scaled.dispose();
    return tf.pad<tf.Tensor4D>(
      normalised,
      [
        [0, 0],
        [padTop, size - contentHeight - padTop],
        [padLeft, size - contentWidth - padLeft],
        [0, 0],
      ],
      PAD_VALUE,
    );
  });
}
