export * from './backend.js';
export * from './models.js';
