/**
 * Speed probe (not a test): milliseconds per chip for an ONNX embedder on onnxruntime-node and
 * onnxruntime-web (one thread each) and for the dlib ResNet on tfjs-wasm, measured side by side in
 * one process, round-robin, so that a busy machine slows them alike. Reports the median wall time
 * and the mean process CPU time per chip (one chip per call, no flip).
 *
 *   FACEMATCH_TEST_MODELS_DIR=/path/to/models npx vite-node bench/onnx-speed.ts [-- RUNS [MODEL.onnx]]
 */
import path from 'node:path';
import { createDlibResNetEmbedder } from '../../src/embed/dlib-resnet.js';
import { createOnnxEmbedder } from '../../src/embed/onnx/index.js';
import type { Embedder } from '../../src/embed/types.js';
import { initBackend } from '../../src/runtime/backend.js';
import type { RgbImage } from '../../src/types.js';
import { syntheticChip } from '../helpers/chips.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const RUNS = Number(args[0] ?? 200);
const MODEL = args[1] ?? path.join(process.env.FACEMATCH_TEST_MODELS_DIR ?? '', 'mobilefacenet-faceplugin.onnx');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const variants: { label: string; embedder: Embedder; chips: RgbImage[] }[] = [];
  const node = await createOnnxEmbedder({ model: MODEL, runtime: 'node', threads: 1, flip: false });
  const web = await createOnnxEmbedder({ model: MODEL, runtime: 'web', threads: 1, flip: false });
  const dlib = await createDlibResNetEmbedder({ flip: false });
  const chipsFor = (e: Embedder) => Array.from({ length: 8 }, (_, i) => syntheticChip(e.inputSize.width, i + 1));
  variants.push({ label: `${node.name} on onnxruntime-node ${node.runtime.version}`, embedder: node, chips: chipsFor(node) });
  variants.push({ label: `${web.name} on onnxruntime-web ${web.runtime.version} (wasm)`, embedder: web, chips: chipsFor(web) });
  variants.push({ label: `dlib-resnet on tfjs-${backend.name}${backend.simd ? ' (SIMD)' : ''}`, embedder: dlib, chips: chipsFor(dlib) });
  for (const v of variants) for (let i = 0; i < 10; i++) await v.embedder.embed([v.chips[i % 8]!]);
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => 0);
  for (let r = 0; r < RUNS; r++) {
    for (const [k, v] of variants.entries()) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await v.embedder.embed([v.chips[r % 8]!]);
      wall[k]!.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[k]! += (c.user + c.system) / 1000;
    }
  }
  console.log(`${RUNS} chips each, one thread, one chip per call, no flip; model ${MODEL}`);
  console.log('| embedder and runtime | chip | median wall ms/chip | mean CPU ms/chip |');
  console.log('|---|---|---:|---:|');
  variants.forEach((v, k) => {
    const { width, height } = v.embedder.inputSize;
    console.log(`| ${v.label} | ${width}×${height} | ${median(wall[k]!).toFixed(1)} | ${(cpu[k]! / RUNS).toFixed(1)} |`);
  });
  for (const v of variants) v.embedder.dispose();
}

await main();
