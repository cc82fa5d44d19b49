/**
 * facematch: face verification for Node.js. Decode and check two images, detect and align the
 * faces, embed them, and say whether they show the same person.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './runtime/index.js';
export * from './types.js';
export * from './result.js';
export * from './align/index.js';
export * from './compare/index.js';
export * from './providers/index.js';
export * from './datasets/index.js';
export * from './detect/index.js';
export * from './embed/index.js';
export * from './image/index.js';
export * from './landmarks/index.js';
export * from './matcher.js';
export * from './matcher-options.js';
export * from './serve/index.js';
