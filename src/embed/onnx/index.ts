/**
 * ONNX face embedders: bring your own ArcFace, MobileFaceNet or FaceNet export.
 * @module
 */
export { createOnnxEmbedder, type OnnxEmbedder, type OnnxEmbedderSettings } from './embedder.js';
export { ONNX_PRESET_DEFAULTS, type OnnxEmbedderOptions, type OnnxPresetDefaults } from './options.js';
export { createUserModelEmbedder } from './user-model.js';
