export * from './types.js';
export * from './dlib-resnet.js';
export * from './facenet.js';
export * from './create.js';
export * from './fusion.js';
export * from './spec.js';
