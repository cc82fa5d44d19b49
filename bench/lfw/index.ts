/**
 * The LFW benchmark's pure parts: pairs files, metrics, reports, the embedding cache and progress.
 * The pipeline that produces the scores lives elsewhere and calls these.
 * @module
 */
export * from './types.js';
export * from './pairs.js';
export * from './metrics.js';
export * from './stats.js';
export * from './charts.js';
export * from './report.js';
export * from './cache.js';
export * from './progress.js';
export * from './machine.js';
export * from './markdown.js';
export * from './lfw-dir.js';
