export * from './align.js';
export * from './similarity.js';
export * from './templates.js';
export * from './warp.js';
export * from './framing.js';
