export * from './types.js';
export * from './dlib-resnet.js';
export * from './facenet.js';
