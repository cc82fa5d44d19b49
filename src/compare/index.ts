export * from './calibration.js';
export * from './decision.js';
export * from './distance.js';
