import { cp, mkdtemp, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { initBackend } from '../src/runtime/backend.js';
import { loadManifestGraphModel, loadManifestWeights, modelEnv, readModelManifest } from '../src/runtime/models.js';

describe('backend', () => {
  it('starts wasm with SIMD from the installed package', async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
  });

  it('auto falls back to wasm when tfjs-node is not installed', async () => {
    const info = await initBackend('auto');
    expect(['node', 'wasm']).toContain(info.name);
  });

  it('rejects an unknown backend name with INVALID_INPUT', async () => {
    await expect(initBackend('gpu' as never)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'backend' });
  });
});

describe('vendored models', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('lists every model with provenance and a sha256 per file', async () => {
    const manifest = await readModelManifest();
    for (const id of ['blazeface-short', 'blazeface-full', 'dlib-resnet', 'landmarks-68']) {
      const entry = manifest.models[id]!;
      expect(entry.source.package).toMatch(/^@vladmandic\//);
      expect(entry.source.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(entry.licence.length).toBeGreaterThan(0);
      for (const f of entry.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('loads the BlazeFace graph model from disk and runs it without leaking tensors', async () => {
    const model = await loadManifestGraphModel('blazeface-short');
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => model.predict(tf.zeros([1, 128, 128, 3])) as tf.Tensor);
    expect(out.shape).toEqual([1, 896, 17]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('loads the dlib ResNet weights dequantised to float32', async () => {
    const weights = await loadManifestWeights('dlib-resnet');
    const conv = weights['conv32_down/conv/filters']!;
    expect(conv.shape).toEqual([7, 7, 3, 32]);
    expect(conv.dtype).toBe('float32');
    tf.dispose(Object.values(weights));
  });

  describe('in a copied models folder', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'facematch-models-'));
      await cp(modelEnv.modelsDir, dir, { recursive: true });
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses an altered weight file with MODEL_ERROR naming it', async () => {
      const file = path.join(dir, 'blazeface-short', 'facemesh-detection-short.bin');
      await writeFile(file, Buffer.alloc(201268, 1));
      const err = await loadManifestGraphModel('blazeface-short', dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FaceMatchError);
      expect((err as FaceMatchError).code).toBe('MODEL_ERROR');
      expect((err as FaceMatchError).message).toContain('facemesh-detection-short.bin');
      expect((err as FaceMatchError).message).toMatch(/sha256/);
    });

    it('refuses a missing weight file with MODEL_ERROR naming it', async () => {
      await unlink(path.join(dir, 'dlib-resnet', 'face_recognition_model.bin'));
      const err = await loadManifestWeights('dlib-resnet', dir).catch((e: unknown) => e);
      expect((err as FaceMatchError).code).toBe('MODEL_ERROR');
      expect((err as FaceMatchError).message).toContain('face_recognition_model.bin');
    });

    it('names an unknown model id', async () => {
      await expect(loadManifestWeights('facenet', dir)).rejects.toMatchObject({ code: 'MODEL_ERROR' });
    });
  });
});
