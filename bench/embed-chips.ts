/**
 * Moved to `bench/helpers/chips.ts`. This re-export stays only for test/embed-dlib.test.ts and
 * test/embed-facenet.test.ts, which are being changed on another branch: once their imports point
 * at `../bench/helpers/chips.js`, delete this file.
 * @module
 */
export * from './helpers/chips.js';
