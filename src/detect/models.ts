/**
 * The two vendored BlazeFace models: their manifest ids, anchors and output tensor.
 * @module
 */
import { FULL_RANGE_ANCHORS, SHORT_RANGE_ANCHORS, type AnchorOptions } from './anchors.js';

/**
 * Manifest id of a vendored BlazeFace model (see `models/manifest.json`).
 *
 * - `blazeface-short`: MediaPipe short-range, 128×128 input, faces filling a good part of the frame
 *   (selfies, portraits, LFW).
 * - `blazeface-full`: MediaPipe full-range, 192×192 input, also small and distant faces (ID
 *   documents, group photos).
 *
 * @category Detection
 */
export type BlazeFaceModelId = 'blazeface-short' | 'blazeface-full';

/**
 * How to run and decode one BlazeFace model.
 *
 * @category Detection
 */
export interface BlazeFaceModelSpec {
  /** Manifest id. */
  id: BlazeFaceModelId;
  /** Anchor grid; its `inputSize` is the side of the square input tensor. */
  anchors: Readonly<AnchorOptions>;
  /**
   * Graph node holding the face rows `[1, anchors, 17]`. The full-range graph has two heads:
   * `Identity` is its `face/concat` head, `Identity_1` a `person` head that is not used.
   */
  outputNode: string;
}

/**
 * The specs of both vendored BlazeFace models, by manifest id.
 *
 * @category Detection
 */
export const BLAZEFACE_MODELS: Readonly<Record<BlazeFaceModelId, Readonly<BlazeFaceModelSpec>>> = Object.freeze({
  'blazeface-short': Object.freeze({ id: 'blazeface-short', anchors: SHORT_RANGE_ANCHORS, outputNode: 'Identity:0' }),
  'blazeface-full': Object.freeze({ id: 'blazeface-full', anchors: FULL_RANGE_ANCHORS, outputNode: 'Identity:0' }),
});
