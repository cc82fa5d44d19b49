/**
 * The parts of TensorFlow.js facematch runs on, in one place: tfjs-core (tensors, ops, the engine),
 * the converter's graph-model loader, and the plain-JavaScript CPU backend, registered on import as
 * the last fallback. The wasm backend registers itself in `backend.ts`; `@tensorflow/tfjs-node`
 * and `@tensorflow/tfjs-layers` are optional peers, imported only when asked for.
 *
 * Depending on these parts rather than on the `@tensorflow/tfjs` union package keeps WebGL, layers,
 * data and their browser bundles (about 190 MB installed) out of a facematch install.
 * @internal
 * @module
 */
import '@tensorflow/tfjs-backend-cpu';
// PROD only silences tfjs's own warn()/log() (the CPU backend's "install our node backend" banner among them).
import { enableProdMode } from '@tensorflow/tfjs-core';
enableProdMode();

export * from '@tensorflow/tfjs-core';
export { GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
