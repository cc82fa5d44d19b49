/**
 * The calibrations facematch ships for third-party models (models/calibrations.json, keyed by the
 * weights' sha256, no weights) reach a matcher created through the public API with the very same
 * model file and an empty user registry: the ONNX model alone, and fused with dlib-resnet (whose
 * stored weights must be the ones the fusion uses). Needs FACEMATCH_TEST_MODELS_DIR.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatcher, type FusedEmbedder } from '../src/index.js';

const MODEL_FILE = 'mobilefacenet-faceplugin.onnx';

function modelOrSkip(): string | undefined {
  const dir = process.env.FACEMATCH_TEST_MODELS_DIR;
  if (!dir) {
    console.warn('stored-calibrations: FACEMATCH_TEST_MODELS_DIR is not set; the shipped-calibration tests are skipped.');
    return undefined;
  }
  const file = path.join(dir, MODEL_FILE);
  if (!existsSync(file)) throw new Error(`FACEMATCH_TEST_MODELS_DIR=${dir} is set but does not hold ${MODEL_FILE}`);
  return file;
}

interface ShippedEntry {
  key: { embedder: string; modelSha256: string };
  calibration: { a: number; b: number; weights?: number[] };
}

const shipped = Object.values(
  (JSON.parse(readFileSync(new URL('../models/calibrations.json', import.meta.url), 'utf8')) as { calibrations: Record<string, ShippedEntry> }).calibrations,
);

const MODEL = modelOrSkip();

describe.skipIf(!MODEL)('calibrations shipped for the test ONNX model (FACEMATCH_TEST_MODELS_DIR)', () => {
  let home: string;
  const saved = process.env.FACEMATCH_MODELS_HOME;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'facematch-stored-'));
    process.env.FACEMATCH_MODELS_HOME = home; // an empty user registry: only the shipped file can answer
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.FACEMATCH_MODELS_HOME;
    else process.env.FACEMATCH_MODELS_HOME = saved;
    await rm(home, { recursive: true, force: true });
  });

  it('holds no weights, only fits keyed by sha256', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(2);
    for (const e of shipped) {
      expect(e.key.modelSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isFinite(e.calibration.a) && Number.isFinite(e.calibration.b)).toBe(true);
    }
  });

  it('calibrates the ONNX model named by text', async () => {
    const entry = shipped.find((e) => e.key.embedder === 'onnx:mobilefacenet-faceplugin')!;
    const matcher = await FaceMatcher.create({ embedder: `onnx:${MODEL!}:arcface`, faceSelection: 'center' });
    try {
      expect(matcher.calibration).toMatchObject({ method: 'logistic', a: entry.calibration.a, b: entry.calibration.b });
    } finally {
      matcher.dispose();
    }
  });

  it('calibrates the fusion with dlib-resnet, with the weights it was fitted with', async () => {
    const entry = shipped.find((e) => e.key.embedder.startsWith('dlib-resnet+'))!;
    expect(entry.calibration.weights).toHaveLength(2);
    const matcher = await FaceMatcher.create({ embedder: `dlib-resnet+onnx:${MODEL!}:arcface`, faceSelection: 'center' });
    try {
      expect(matcher.calibration).toMatchObject({ a: entry.calibration.a, b: entry.calibration.b });
      // Other weights make the stored fit inapplicable: no calibration rather than a wrong one.
      expect((matcher.embedder as FusedEmbedder).weights).toEqual(entry.calibration.weights);
      const other = await FaceMatcher.create({ embedder: `dlib-resnet+onnx:${MODEL!}:arcface`, fusionWeights: [0.5, 0.5] });
      expect(other.calibration).toBeUndefined();
      other.dispose();
      // A caller's own calibration never runs with weights that happen to be stored here.
      const own = { method: 'logistic' as const, a: 20, b: -12, fittedOn: 'a test' };
      const mine = await FaceMatcher.create({ embedder: `dlib-resnet+onnx:${MODEL!}:arcface`, calibration: own });
      expect((mine.embedder as FusedEmbedder).weights).toEqual([0.5, 0.5]);
      expect(mine.calibration).toMatchObject({ a: 20, b: -12 });
      mine.dispose();
    } finally {
      matcher.dispose();
    }
  });
});
