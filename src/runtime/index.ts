export * from './backend.js';
export * from './models.js';
export * from './package.js';
