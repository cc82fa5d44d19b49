/**
 * A real ONNX face embedder on real LFW faces: the MobileFaceNet in FACEMATCH_TEST_MODELS_DIR
 * (never vendored: its weights' licence is unknown) with the arcface preset, on chips cut the way
 * the matcher cuts them (BlazeFace, 68 landmarks, cutChip with the embedder's framing), on 48 View 2
 * pairs (three same-person and three different-person pairs from each of the first eight folds).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLfwImage } from '../bench/helpers/lfw-sample.js';
import { cutChip, type ChipFraming } from '../src/align/framing.js';
import { createFaceDetector, type FaceDetector } from '../src/detect/index.js';
import { createOnnxEmbedder, type OnnxEmbedder, type OnnxEmbedderOptions } from '../src/embed/onnx/index.js';
import { createLandmarker, type Landmarker } from '../src/landmarks/index.js';
import { initBackend } from '../src/runtime/backend.js';
import { liveOnnxSessions } from '../src/runtime/onnx.js';
import type { RgbImage } from '../src/types.js';
import { lfwDirOrSkip, lfwImage } from './fixtures/lfw.js';
import { maxAbsDiff } from './fixtures/numeric.js';
import { setTimeout as sleep } from 'node:timers/promises';

const MODEL_FILE = 'mobilefacenet-faceplugin.onnx';
const MODEL_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';

/** The test model's path, or undefined (and a notice) when FACEMATCH_TEST_MODELS_DIR is unset; throws when it is set but wrong. */
function testModelOrSkip(): string | undefined {
  const dir = process.env.FACEMATCH_TEST_MODELS_DIR;
  if (!dir) {
    console.warn('embed-onnx-lfw: FACEMATCH_TEST_MODELS_DIR is not set; the MobileFaceNet ONNX tests are skipped.');
    return undefined;
  }
  const file = path.join(dir, MODEL_FILE);
  if (!existsSync(file)) throw new Error(`FACEMATCH_TEST_MODELS_DIR=${dir} is set but does not hold ${MODEL_FILE}`);
  return file;
}

const MODEL = testModelOrSkip();
const LFW = MODEL ? lfwDirOrSkip('embed-onnx-lfw') : undefined;

interface Pair {
  a: string;
  b: string;
  same: boolean;
}

/** Three same-person and three different-person pairs from each of View 2's first eight folds. */
function samplePairs(dir: string): Pair[] {
  const lines = readFileSync(path.join(dir, 'pairs.txt'), 'utf8').trim().split('\n').slice(1);
  const pairs: Pair[] = [];
  for (let fold = 0; fold < 8; fold++) {
    for (const offset of [0, 300]) {
      for (let k = 0; k < 3; k++) {
        const f = lines[fold * 600 + offset + k * 97]!.trim().split(/\s+/);
        pairs.push(
          f.length === 3
            ? { a: lfwImage(dir, f[0]!, Number(f[1])), b: lfwImage(dir, f[0]!, Number(f[2])), same: true }
            : { a: lfwImage(dir, f[0]!, Number(f[1])), b: lfwImage(dir, f[2]!, Number(f[3])), same: false },
        );
      }
    }
  }
  return pairs;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** ROC AUC: the share of (same, different) pair combinations ranked the right way round (ties count half). */
function auc(same: number[], different: number[]): number {
  let wins = 0;
  for (const s of same) for (const d of different) wins += s > d ? 1 : s === d ? 0.5 : 0;
  return wins / (same.length * different.length);
}

/** Separation of the two score distributions: (mean same − mean different) / pooled std. */
function dPrime(same: number[], different: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const variance = (v: number[]) => v.reduce((s, x) => s + (x - mean(v)) ** 2, 0) / (v.length - 1);
  return (mean(same) - mean(different)) / Math.sqrt((variance(same) + variance(different)) / 2);
}

describe.skipIf(!MODEL || !LFW)('MobileFaceNet (ONNX, arcface preset) on LFW View 2 pairs', () => {
  let detector: FaceDetector;
  let landmarker: Landmarker;
  let pairs: Pair[];
  const faces = new Map<string, { image: RgbImage; geometry: Parameters<typeof cutChip>[1] }>();
  const embedders: OnnxEmbedder[] = [];

  async function embedder(options: Omit<OnnxEmbedderOptions, 'model'> = {}): Promise<OnnxEmbedder> {
    const e = await createOnnxEmbedder({ model: MODEL!, preset: 'arcface', sha256: MODEL_SHA256, ...options });
    embedders.push(e);
    return e;
  }

  function chips(framing: ChipFraming): Map<string, RgbImage> {
    const out = new Map<string, RgbImage>();
    for (const [file, face] of faces) out.set(file, cutChip(face.image, face.geometry, framing).chip);
    return out;
  }

  type Scores = { same: number[]; different: number[]; vectors: Map<string, Float32Array> };
  const scored = new Map<string, Promise<Scores>>();

  /** Pair scores for an embedder with these options (each set embedded once per run of this file). */
  function scoresWith(options: Omit<OnnxEmbedderOptions, 'model'> = {}): Promise<Scores> {
    const key = JSON.stringify(options);
    if (!scored.has(key)) scored.set(key, embedder(options).then(scores));
    return scored.get(key)!;
  }

  async function scores(e: OnnxEmbedder): Promise<Scores> {
    const byFile = chips(e.framing);
    const files = [...byFile.keys()];
    const vectors = new Map<string, Float32Array>();
    const out = await e.embed(files.map((f) => byFile.get(f)!));
    files.forEach((f, i) => vectors.set(f, out[i]!));
    const same: number[] = [];
    const different: number[] = [];
    for (const p of pairs) (p.same ? same : different).push(cosine(vectors.get(p.a)!, vectors.get(p.b)!));
    return { same, different, vectors };
  }

  beforeAll(async () => {
    await initBackend('wasm');
    detector = await createFaceDetector();
    landmarker = await createLandmarker({ mirror: false });
    pairs = samplePairs(LFW!);
    for (const file of new Set(pairs.flatMap((p) => [p.a, p.b]))) {
      const image = await readLfwImage(file);
      const [face] = await detector.detect(image);
      if (!face) throw new Error(`BlazeFace found no face in ${file}`);
      const landmarks = await landmarker.landmarks(image, face.box);
      faces.set(file, { image, geometry: { box: face.box, keypoints: face.keypoints, landmarks } });
    }
  });

  afterAll(() => {
    detector?.dispose();
    landmarker?.dispose();
    for (const e of embedders) e.dispose();
  });

  it('loads with the preset: 112×112 five-point chips, BGR, NCHW read from the model, 512-D, sha256 checked', async () => {
    const e = await embedder();
    expect(pairs).toHaveLength(48);
    expect(e.name).toBe('onnx:mobilefacenet-faceplugin');
    expect(e.modelSha256).toBe(MODEL_SHA256);
    expect(e.dimension).toBe(512);
    expect(e.framing.name).toBe('arcface-5@112');
    expect(e.settings).toMatchObject({ channelOrder: 'bgr', layout: 'NCHW', layoutFrom: 'model', fixedBatch: true, batch: 1, flip: true });
  });

  it('scores same-person pairs above different-person pairs, and BGR at least as well as RGB', async () => {
    const bgr = await scoresWith();
    const rgb = await scoresWith({ channelOrder: 'rgb' });
    const figures = {
      bgr: { auc: auc(bgr.same, bgr.different), dPrime: dPrime(bgr.same, bgr.different) },
      rgb: { auc: auc(rgb.same, rgb.different), dPrime: dPrime(rgb.same, rgb.different) },
    };
    console.info(`embed-onnx-lfw: 24 same / 24 different pairs: ${JSON.stringify(figures)}`);
    expect(figures.bgr.auc).toBeGreaterThanOrEqual(0.98);
    expect(Math.min(...bgr.same)).toBeGreaterThan(0.2);
    expect(figures.bgr.auc).toBeGreaterThanOrEqual(figures.rgb.auc);
    expect(figures.bgr.dPrime).toBeGreaterThan(figures.rgb.dPrime);
  });

  it('works with flip averaging on and off, and flip changes the vectors', async () => {
    const on = await scoresWith();
    const off = await scoresWith({ flip: false });
    expect(auc(off.same, off.different)).toBeGreaterThanOrEqual(0.95);
    expect(auc(on.same, on.different)).toBeGreaterThanOrEqual(0.98);
    for (const [file, v] of on.vectors) {
      const w = off.vectors.get(file)!;
      const c = cosine(v, w);
      expect(c).toBeGreaterThan(0.85);
      expect(c).toBeLessThan(0.99999);
    }
  });

  it('gives the same vectors on onnxruntime-node and onnxruntime-web', async () => {
    const node = await embedder({ runtime: 'node' });
    const web = await embedder({ runtime: 'web' });
    expect(node.runtime.name).toBe('node');
    expect(web.runtime.name).toBe('web');
    const sample = [...chips(node.framing).values()].slice(0, 12);
    const a = await node.embed(sample);
    const b = await web.embed(sample);
    let worst = 0;
    a.forEach((v, i) => {
      worst = Math.max(worst, maxAbsDiff(v, b[i]!));
      expect(cosine(v, b[i]!)).toBeGreaterThan(0.99999);
    });
    console.info(`embed-onnx-lfw: largest node/web difference of one element over 12 chips: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('leaks no session and no memory over 50 embeds and 10 load/dispose cycles', async () => {
    const e = await embedder();
    const sample = [...chips(e.framing).values()].slice(0, 4);
    const sessions = liveOnnxSessions();
    const rss = () => {
      global.gc?.();
      return process.memoryUsage().rss / 2 ** 20;
    };
    const cycle = async () => {
      const extra = await createOnnxEmbedder({ model: MODEL!, runtime: 'node' });
      await extra.embed([sample[0]!]);
      extra.dispose();
    };
    // Warm up first: the allocator and the runtime's arenas grow to a plateau over the first runs.
    for (let i = 0; i < 5; i++) await e.embed(sample);
    for (let i = 0; i < 5; i++) await cycle();
    const rss0 = rss();
    for (let i = 0; i < 50; i++) await e.embed([sample[i % sample.length]!]);
    const rss1 = rss();
    for (let i = 0; i < 10; i++) await cycle();
    await sleep(50);
    const rss2 = rss();
    console.info(`embed-onnx-lfw: RSS change over 50 embeds ${(rss1 - rss0).toFixed(1)} MB, over 10 more load/dispose cycles ${(rss2 - rss1).toFixed(1)} MB`);
    expect(liveOnnxSessions()).toBe(sessions);
    expect(rss1 - rss0).toBeLessThan(20);
    expect(rss2 - rss1).toBeLessThan(30);
  });
});
