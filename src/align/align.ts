import { FaceMatchError } from '../errors.js';
import type { Point, RgbImage } from '../types.js';
import { fitSimilarity, type SimilarityTransform } from './similarity.js';
import { templateInChip, type FaceTemplate } from './templates.js';
import { warpSimilarity } from './warp.js';

/**
 * How to cut an aligned face chip.
 *
 * @category Alignment
 */
export interface AlignOptions {
  /** Chip side in pixels. Default 150 (dlib ResNet's input). */
  size?: number;
  /** Margin around the template's unit square, as a fraction of it. Default 0.25 (dlib's). */
  padding?: number;
}

/**
 * An aligned face chip and the transform that produced it.
 *
 * @category Alignment
 */
export interface AlignedFace {
  /** The chip, `size`×`size` RGB. */
  chip: RgbImage;
  /** Maps image pixels to chip pixels. */
  transform: SimilarityTransform;
  /** Name of the template used. */
  template: string;
}

/**
 * Aligns a face: fits the similarity transform that carries `points` onto `template` (least squares)
 * and resamples the image into a square chip. `points` are in image pixels, in the template's order.
 *
 * @throws FaceMatchError `INVALID_INPUT` when the point count does not match the template
 * @category Alignment
 */
export function alignFace(image: RgbImage, points: readonly Point[], template: FaceTemplate, options: AlignOptions = {}): AlignedFace {
  const size = options.size ?? 150;
  const padding = options.padding ?? 0.25;
  if (points.length !== template.points.length) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected ${template.points.length} points for the ${template.name} template but received ${points.length}`,
      { field: 'points' },
    );
  }
  const transform = fitSimilarity(points, templateInChip(template, size, padding), template.weights);
  return { chip: warpSimilarity(image, transform, size, size), transform, template: template.name };
}
