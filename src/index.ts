/**
 * facematch: face verification for Node.js. Decode and check two images, detect and align the
 * faces, embed them, and say whether they show the same person.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './runtime/index.js';
