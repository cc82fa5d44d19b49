/**
 * Face detection with MediaPipe BlazeFace (short-range and full-range): anchors, letterbox,
 * decoding, non-max suppression and the {@link FaceDetector} that wires them.
 * @module
 */
export * from './anchors.js';
export * from './blazeface.js';
export * from './decode.js';
export * from './detector.js';
export * from './faces.js';
export * from './letterbox.js';
export * from './models.js';
export * from './nms.js';
export * from './options.js';
export * from './preprocess.js';
export * from './select.js';
