/**
 * Face image quality: measured per face, folded into one overall score, and turned into warnings.
 * @module
 */
export * from './measure.js';
export * from './pose.js';
export * from './types.js';
export * from './findings.js';
