/**
 * face-api's side of bench/scripts/embed-parity.ts, run by it in a child process:
 *
 *   vite-node bench/scripts/embed-parity-faceapi.ts <chips.bin> <count> <out.bin> <modelDir> <backend>
 *
 * Reads `count` raw 150×150 RGB chips, runs face-api's FaceRecognitionNet (weights from
 * `modelDir`) on each, and writes the 128-float descriptors back to back. It lives in its own
 * process because face-api's CommonJS build loads the CommonJS tfjs, and two tfjs copies in one
 * process share (and fight over) the global kernel registry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface Tensor3D {
  dispose(): void;
}
interface FaceApi {
  tf: {
    setWasmPaths(dir: string): void;
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): Tensor3D;
  };
  nets: {
    faceRecognitionNet: { loadFromDisk(dir: string): Promise<void>; computeFaceDescriptor(input: Tensor3D): Promise<Float32Array> };
  };
}

const [chipsFile, countArg, outFile, modelDir, backend = 'wasm'] = process.argv.slice(2);
if (!chipsFile || !countArg || !outFile || !modelDir) throw new Error('usage: embed-parity-faceapi.ts <chips.bin> <count> <out.bin> <modelDir> [backend]');

const require = createRequire(import.meta.url);
const specifier = process.env.FACEMATCH_FACEAPI_MODULE ?? '@vladmandic/face-api/dist/face-api.node-wasm.js';
const faceapi = require(specifier) as FaceApi;
const wasmPkg = createRequire(require.resolve(specifier)).resolve('@tensorflow/tfjs-backend-wasm/package.json');
faceapi.tf.setWasmPaths(path.join(path.dirname(wasmPkg), 'dist') + path.sep);
if (!(await faceapi.tf.setBackend(backend))) throw new Error(`face-api could not start the ${backend} backend`);
await faceapi.tf.ready();
await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);

const size = 150 * 150 * 3;
const count = Number(countArg);
const bytes = readFileSync(chipsFile);
const out = new Float32Array(count * 128);
for (let i = 0; i < count; i++) {
  const input = faceapi.tf.tensor3d(Int32Array.from(bytes.subarray(i * size, (i + 1) * size)), [150, 150, 3], 'int32');
  out.set(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input), i * 128);
  input.dispose();
}
writeFileSync(outFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
console.log(`face-api ${faceapi.tf.getBackend()}: ${count} descriptors`);
