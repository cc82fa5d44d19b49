/**
 * Dataset manifests and the code that downloads them (`facematch datasets fetch`).
 * @module
 */
export * from './manifest.js';
export * from './download.js';
export * from './extract.js';
export * from './fetch.js';
