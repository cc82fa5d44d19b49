/**
 * One loaded BlazeFace model: image in, decoded candidates out.
 * @module
 */
import * as tf from '../runtime/tf.js';
import { loadManifestGraphModel } from '../runtime/models.js';
import type { Point, RgbImage } from '../types.js';
import { generateAnchors } from './anchors.js';
import { decodeDetections, type RawDetection } from './decode.js';
import { computeLetterbox, type Letterbox } from './letterbox.js';
import { BLAZEFACE_MODELS, type BlazeFaceModelId, type BlazeFaceModelSpec } from './models.js';
import { letterboxTensor } from './preprocess.js';

/**
 * What one BlazeFace pass over an image produced: candidates before non-max suppression, and the
 * letterbox that maps them back to the image.
 *
 * @category Detection
 */
export interface BlazeFacePass {
  /** Candidates scoring at least the minimum, relative to the model input. */
  detections: RawDetection[];
  /** How the image was fitted into the model input. */
  letterbox: Letterbox;
}

/**
 * A vendored BlazeFace graph model with its anchors. Owns the tfjs model: call
 * {@link BlazeFaceModel.dispose} when done.
 *
 * @category Detection
 */
export class BlazeFaceModel {
  /** How this model is run and decoded. */
  readonly spec: Readonly<BlazeFaceModelSpec>;
  private readonly graph: tf.GraphModel;
  private readonly anchors: readonly Point[];

  private constructor(spec: Readonly<BlazeFaceModelSpec>, graph: tf.GraphModel) {
    this.spec = spec;
    this.graph = graph;
    this.anchors = generateAnchors(spec.anchors);
  }

  /**
   * Loads a vendored model from disk (sha256-checked, no network). A tfjs backend must be running.
   *
   * @param id - `blazeface-short` or `blazeface-full`
   * @param modelsDir - folder holding `manifest.json`; default `modelEnv.modelsDir`
   * @throws FaceMatchError `MODEL_ERROR` when a file is missing, altered or not a valid model
   */
  static async load(id: BlazeFaceModelId, modelsDir?: string): Promise<BlazeFaceModel> {
    const graph = await loadManifestGraphModel(id, modelsDir);
    return new BlazeFaceModel(BLAZEFACE_MODELS[id], graph);
  }

  /** Side of the square model input, in pixels. */
  get inputSize(): number {
    return this.spec.anchors.inputSize;
  }

  /**
   * Runs the model on an image and decodes every anchor scoring at least `minScore`. Every tensor
   * it creates is disposed before it returns.
   *
   * @param image - a valid RGB image (not checked here)
   * @param minScore - lowest score kept, 0–1
   * @throws FaceMatchError `MODEL_ERROR` when the output does not have one row per anchor
   */
  async run(image: RgbImage, minScore: number): Promise<BlazeFacePass> {
    const letterbox = computeLetterbox(image.width, image.height, this.inputSize);
    const output = tf.tidy(() => this.graph.execute(letterboxTensor(image, letterbox), this.spec.outputNode) as tf.Tensor);
    let raw: Float32Array;
    try {
      raw = (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
    return { detections: decodeDetections(raw, this.anchors, this.inputSize, minScore), letterbox };
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.graph.dispose();
  }
}
