export * from './attestr.js';
export * from './chip-url.js';
export * from './didit.js';
