/**
 * The ONNX embedder on tiny models built in code (test/fixtures/onnx-models.ts), on both ONNX
 * runtimes: channel order, layout, normalisation, flip, batching, names, sizes and errors.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arcfaceFraming, boxFraming } from '../src/align/framing.js';
import { createOnnxEmbedder, type OnnxEmbedderOptions } from '../src/embed/onnx/index.js';
import { FaceMatchError } from '../src/errors.js';
import { createOnnxSession, liveOnnxSessions } from '../src/runtime/onnx.js';
import type { RgbImage } from '../src/types.js';
import {
  channelProbeModel,
  dynamicSizeModel,
  expectedEmbedding,
  uint8InputModel,
  unit,
  vectorModel,
  type ReferencePreprocessing,
} from './fixtures/onnx-models.js';
import { maxAbsDiff, norm, rng } from './fixtures/numeric.js';

/** Noise with a strong colour cast (red high, blue low) and a left-to-right, top-to-bottom slope. */
function castChip(width: number, height: number, seed: number): RgbImage {
  const rand = rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.min(255, Math.round(150 + 80 * (x / width) + rand() * 25));
      data[i + 1] = Math.round(90 + 40 * (y / height) + rand() * 25);
      data[i + 2] = Math.round(20 + 30 * rand() + 20 * (1 - x / width));
    }
  }
  return { width, height, data };
}

const FIXED: ReferencePreprocessing = { order: 'bgr', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] };
const RUNTIMES = ['node', 'web'] as const;

async function error(promise: Promise<unknown>): Promise<FaceMatchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FaceMatchError);
  return err as FaceMatchError;
}

let dir: string;
let startSessions: number;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facematch-onnx-'));
  startSessions = liveOnnxSessions();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(RUNTIMES)('ONNX embedder on onnxruntime-%s', (runtime) => {
  const chips = [castChip(112, 112, 1), castChip(112, 112, 2), castChip(112, 112, 3)];
  const embedder = (options: Omit<OnnxEmbedderOptions, 'runtime'>) => createOnnxEmbedder({ ...options, runtime });

  it('runs on the runtime asked for', async () => {
    const e = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }) });
    expect(e.runtime).toMatchObject({ requested: runtime, name: runtime, package: `onnxruntime-${runtime}`, threads: 1 });
    expect(e.runtime.version).toMatch(/^\d+\.\d+\.\d+/);
    e.dispose();
  });

  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const batch of ['N', 1, 2] as const) {
      it(`gives the reference vectors for a ${layout} model with batch ${batch}, in BGR and RGB, with and without flip`, async () => {
        const model = channelProbeModel({ layout, size: 112, batch });
        for (const channelOrder of ['bgr', 'rgb'] as const) {
          for (const flip of [false, true]) {
            const e = await embedder({ model, channelOrder, flip });
            expect(e.settings).toMatchObject({ layout, layoutFrom: 'model', channelOrder, flip, fixedBatch: batch !== 'N' });
            expect(e.settings.batch).toBe(batch === 'N' ? 8 : batch);
            expect(e.dimension).toBe(9);
            const out = await e.embed(chips);
            e.dispose();
            expect(out).toHaveLength(chips.length);
            chips.forEach((chip, i) => {
              const want = expectedEmbedding(chip, { ...FIXED, order: channelOrder }, flip);
              expect(norm(out[i]!)).toBeCloseTo(1, 5);
              expect(maxAbsDiff(out[i]!, want)).toBeLessThan(1e-5);
            });
          }
        }
      });
    }
  }

  it('tells BGR from RGB and a mirror image from the chip (the probe is sensitive to both)', async () => {
    const chip = chips[0]!;
    const bgr = expectedEmbedding(chip, FIXED, false);
    const rgb = expectedEmbedding(chip, { ...FIXED, order: 'rgb' }, false);
    const mirrored = unit(
      expectedEmbedding({ ...chip, data: mirrorData(chip) }, FIXED, false),
    );
    expect(maxAbsDiff(bgr, rgb)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(bgr, mirrored)).toBeGreaterThan(0.05);
    const e = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }), flip: false });
    const [fromEmbedder] = await e.embed([chip]);
    e.dispose();
    expect(maxAbsDiff(fromEmbedder!, rgb)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(fromEmbedder!, mirrored)).toBeGreaterThan(0.05);
  });

  it('applies a per-channel mean and std in the model\'s channel order', async () => {
    const mean: [number, number, number] = [104, 117, 123];
    const std: [number, number, number] = [57, 58, 59];
    const e = await embedder({ model: channelProbeModel({ layout: 'NHWC', size: 112 }), mean, std, flip: false });
    const out = await e.embed(chips);
    e.dispose();
    chips.forEach((chip, i) => expect(maxAbsDiff(out[i]!, expectedEmbedding(chip, { order: 'bgr', mean, std }, false))).toBeLessThan(1e-5));
  });

  it('splits a dynamic batch at maxBatch and pads a fixed one, with the same results', async () => {
    const many = Array.from({ length: 11 }, (_, i) => castChip(112, 112, 10 + i));
    const want = many.map((chip) => expectedEmbedding(chip, FIXED, true));
    for (const options of [{ maxBatch: 4 }, { maxBatch: 1 }, { maxBatch: 64 }]) {
      const e = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }), ...options });
      const out = await e.embed(many);
      e.dispose();
      out.forEach((v, i) => expect(maxAbsDiff(v, want[i]!)).toBeLessThan(1e-5));
    }
    const fixed = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112, batch: 3 }) });
    expect(fixed.settings.batch).toBe(3);
    const out = await fixed.embed(many.slice(0, 5));
    expect(await fixed.embed([])).toEqual([]);
    fixed.dispose();
    out.forEach((v, i) => expect(maxAbsDiff(v, want[i]!)).toBeLessThan(1e-5));
  });

  it('takes the size, layout and defaults of the presets, and the framing asked for', async () => {
    const arc = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }) });
    expect(arc.framing).toEqual(arcfaceFraming(112));
    expect(arc.inputSize).toEqual({ width: 112, height: 112 });
    expect(arc.settings).toMatchObject({ preset: 'arcface', channelOrder: 'bgr', flip: true, mean: [127.5, 127.5, 127.5], std: [128, 128, 128] });
    arc.dispose();
    const facenet = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 160 }), preset: 'facenet' });
    expect(facenet.framing).toEqual(boxFraming(160, 0.125));
    expect(facenet.settings).toMatchObject({ preset: 'facenet', channelOrder: 'rgb', flip: true });
    facenet.dispose();
    const aligned = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 160 }), preset: 'facenet', framing: 'five-point' });
    expect(aligned.framing).toEqual(arcfaceFraming(160));
    aligned.dispose();
    const margin = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 160 }), preset: 'facenet', margin: 0.2 });
    expect(margin.framing).toEqual(boxFraming(160, 0.2));
    margin.dispose();
    const custom = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }), framing: boxFraming(112, 0.3) });
    expect(custom.framing.name).toBe('box-0.3@112');
    custom.dispose();
  });

  it('reads the size from the option, the framing or the preset when the model leaves it dynamic', async () => {
    const model = dynamicSizeModel();
    const byPreset = await embedder({ model });
    expect(byPreset.inputSize).toEqual({ width: 112, height: 112 });
    expect(byPreset.dimension).toBe(3);
    byPreset.dispose();
    const facenet = await embedder({ model, preset: 'facenet' });
    expect(facenet.inputSize).toEqual({ width: 160, height: 160 });
    facenet.dispose();
    const byOption = await embedder({ model, inputSize: 48, flip: false });
    expect(byOption.inputSize).toEqual({ width: 48, height: 48 });
    const chip = castChip(48, 48, 5);
    const [v] = await byOption.embed([chip]);
    byOption.dispose();
    expect(maxAbsDiff(v!, unit(expectedEmbedding(chip, FIXED, false).slice(0, 3)))).toBeLessThan(1e-5);
    const byFraming = await embedder({ model, framing: arcfaceFraming(64) });
    expect(byFraming.inputSize).toEqual({ width: 64, height: 64 });
    byFraming.dispose();
  });

  it('uses the layout option when the model does not tell, and refuses one that contradicts it', async () => {
    const e = await embedder({ model: channelProbeModel({ layout: 'NHWC', size: 112 }), layout: 'NHWC' });
    expect(e.settings.layoutFrom).toBe('option');
    e.dispose();
    const err = await error(embedder({ model: channelProbeModel({ layout: 'NHWC', size: 112 }), layout: 'NCHW' }));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'layout' });
    expect(err.message).toMatch(/layout NCHW/);
  });

  it('refuses an input size that contradicts the model, naming the option, and chips of another size', async () => {
    const model = channelProbeModel({ layout: 'NCHW', size: 112 });
    const bySize = await error(embedder({ model, inputSize: 160 }));
    expect(bySize).toMatchObject({ code: 'INVALID_INPUT', field: 'inputSize' });
    expect(bySize.message).toMatch(/inputSize 160×160.*112×112/);
    const byFraming = await error(embedder({ model, framing: arcfaceFraming(96) }));
    expect(byFraming).toMatchObject({ code: 'INVALID_INPUT', field: 'framing' });
    const both = await error(embedder({ model, inputSize: 112, framing: arcfaceFraming(96) }));
    expect(both).toMatchObject({ code: 'INVALID_INPUT', field: 'framing' });
    const e = await embedder({ model });
    const chip = await error(e.embed([castChip(112, 112, 1), castChip(96, 96, 1)]));
    e.dispose();
    expect(chip).toMatchObject({ code: 'INVALID_INPUT', field: 'chips[1]' });
  });

  it('reads the named input and output, and refuses names the model lacks', async () => {
    const model = channelProbeModel({ layout: 'NCHW', size: 112, inputName: 'data', outputName: 'fc1' });
    const first = await embedder({ model });
    expect(first.settings).toMatchObject({ inputName: 'data', outputName: 'fc1' });
    expect(first.dimension).toBe(9);
    first.dispose();
    const second = await embedder({ model, outputName: 'means', flip: false });
    expect(second.dimension).toBe(3);
    const [v] = await second.embed([chips[0]!]);
    second.dispose();
    expect(maxAbsDiff(v!, unit(expectedEmbedding(chips[0]!, FIXED, false).slice(0, 3)))).toBeLessThan(1e-5);
    const badOut = await error(embedder({ model, outputName: 'embedding' }));
    expect(badOut).toMatchObject({ code: 'INVALID_INPUT', field: 'outputName' });
    expect(badOut.message).toMatch(/"fc1", "means"/);
    expect(await error(embedder({ model, inputName: 'input' }))).toMatchObject({ code: 'INVALID_INPUT', field: 'inputName' });
  });

  it('refuses a model whose input is not a float32 image batch', async () => {
    const rank = await error(embedder({ model: vectorModel() }));
    expect(rank).toMatchObject({ code: 'MODEL_ERROR' });
    expect(rank.message).toMatch(/rank 4/);
    const uint8 = await error(embedder({ model: uint8InputModel() }));
    expect(uint8).toMatchObject({ code: 'MODEL_ERROR' });
    expect(uint8.message).toMatch(/float32 but it is uint8/);
  });

  it('refuses a corrupt, truncated or missing file and a sha256 mismatch with MODEL_ERROR', async () => {
    const model = channelProbeModel({ layout: 'NCHW', size: 112 });
    const file = path.join(dir, `probe-${runtime}.onnx`);
    await writeFile(file, model);
    const random = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 251));
    const corrupt = path.join(dir, `corrupt-${runtime}.onnx`);
    await writeFile(corrupt, random);
    expect(await error(embedder({ model: corrupt }))).toMatchObject({ code: 'MODEL_ERROR', field: 'model' });
    expect(await error(embedder({ model: model.subarray(0, model.length - 200) }))).toMatchObject({ code: 'MODEL_ERROR' });
    const missing = await error(embedder({ model: path.join(dir, 'nope.onnx') }));
    expect(missing).toMatchObject({ code: 'MODEL_ERROR', details: { code: 'ENOENT' } });
    const digest = createHash('sha256').update(model).digest('hex');
    const wrong = await error(embedder({ model: file, sha256: 'ab'.repeat(32) }));
    expect(wrong).toMatchObject({ code: 'MODEL_ERROR', details: { expected: 'ab'.repeat(32), actual: digest } });
    const right = await embedder({ model: file, sha256: digest.toUpperCase() });
    expect(right.modelSha256).toBe(digest);
    expect(right.name).toBe(`onnx:probe-${runtime}`);
    right.dispose();
  });

  it('names itself after the file stem, the digest of bytes, or the name given', async () => {
    const model = channelProbeModel({ layout: 'NCHW', size: 112 });
    const digest = createHash('sha256').update(model).digest('hex');
    const fromBytes = await embedder({ model });
    expect(fromBytes.name).toBe(`onnx:${digest.slice(0, 12)}`);
    expect(fromBytes.modelSha256).toBe(digest);
    fromBytes.dispose();
    const named = await embedder({ model, name: 'my-arcface' });
    expect(named.name).toBe('my-arcface');
    named.dispose();
  });

  it('releases its session on dispose and refuses to embed afterwards', async () => {
    const before = liveOnnxSessions();
    const e = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }) });
    expect(liveOnnxSessions()).toBe(before + 1);
    e.dispose();
    e.dispose();
    expect(liveOnnxSessions()).toBe(before);
    expect(await error(e.embed([chips[0]!]))).toMatchObject({ code: 'MODEL_ERROR' });
  });

  it('runs concurrent embeds on one session correctly', async () => {
    const e = await embedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }) });
    const results = await Promise.all(chips.map((chip) => e.embed([chip])));
    e.dispose();
    results.forEach(([v], i) => expect(maxAbsDiff(v!, expectedEmbedding(chips[i]!, FIXED, true))).toBeLessThan(1e-5));
  });
});

function mirrorData(chip: RgbImage): Uint8Array {
  const out = new Uint8Array(chip.data.length);
  for (let y = 0; y < chip.height; y++) {
    for (let x = 0; x < chip.width; x++) {
      for (let c = 0; c < 3; c++) out[(y * chip.width + (chip.width - 1 - x)) * 3 + c] = chip.data[(y * chip.width + x) * 3 + c]!;
    }
  }
  return out;
}

describe('ONNX runtimes agree', () => {
  it('gives the same vectors on onnxruntime-node and onnxruntime-web within 1e-5', async () => {
    const chips = Array.from({ length: 6 }, (_, i) => castChip(112, 112, 40 + i));
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const model = channelProbeModel({ layout, size: 112 });
      const [node, web] = await Promise.all(RUNTIMES.map((runtime) => createOnnxEmbedder({ model, runtime, flip: false })));
      const a = await node!.embed(chips);
      const b = await web!.embed(chips);
      node!.dispose();
      web!.dispose();
      a.forEach((v, i) => expect(maxAbsDiff(v, b[i]!)).toBeLessThan(1e-5));
    }
  });

  it('picks onnxruntime-node under auto when it is installed', async () => {
    const e = await createOnnxEmbedder({ model: channelProbeModel({ layout: 'NCHW', size: 112 }) });
    expect(e.runtime).toMatchObject({ requested: 'auto', name: 'node' });
    e.dispose();
  });

  it('refuses a second thread count for onnxruntime-web in one process', async () => {
    const model = channelProbeModel({ layout: 'NCHW', size: 112 });
    const err = await error(createOnnxEmbedder({ model, runtime: 'web', threads: 2 }));
    expect(err).toMatchObject({ code: 'BACKEND_ERROR', field: 'threads', details: { requested: 2, current: 1 } });
    const node = await createOnnxEmbedder({ model, runtime: 'node', threads: 2 });
    expect(node.runtime.threads).toBe(2);
    node.dispose();
  });

  it('leaves no session open after all the tests above', () => {
    expect(liveOnnxSessions()).toBe(startSessions);
  });
});

describe('ONNX embedder options', () => {
  const model = channelProbeModel({ layout: 'NCHW', size: 112 });
  const bad: [string, Record<string, unknown>][] = [
    ['model', { model: 42 }],
    ['model', { model: '' }],
    ['preset', { preset: 'insightface' }],
    ['sha256', { sha256: 'abc' }],
    ['inputSize', { inputSize: 8 }],
    ['inputSize', { inputSize: 112.5 }],
    ['inputSize.height', { inputSize: { width: 112, height: '112' } }],
    ['channelOrder', { channelOrder: 'RGB' }],
    ['layout', { layout: 'nchw' }],
    ['mean', { mean: [1, 2] }],
    ['mean', { mean: Number.NaN }],
    ['std', { std: 0 }],
    ['std', { std: [1, 1, -1] }],
    ['flip', { flip: 'yes' }],
    ['framing', { framing: 'aligned' }],
    ['framing', { framing: { kind: 'box' } }],
    ['margin', { margin: -0.1 }],
    ['inputName', { inputName: '' }],
    ['outputName', { outputName: 7 }],
    ['maxBatch', { maxBatch: 0 }],
    ['name', { name: '' }],
    ['runtime', { runtime: 'wasm' }],
    ['threads', { threads: 0 }],
  ];
  for (const [field, options] of bad) {
    it(`refuses ${field} = ${JSON.stringify(Object.values(options)[0]) ?? String(Object.values(options)[0])} with INVALID_INPUT`, async () => {
      const err = await error(createOnnxEmbedder({ model, ...options } as unknown as OnnxEmbedderOptions));
      expect(err).toMatchObject({ code: 'INVALID_INPUT', field });
      expect(err.message).toMatch(/^Expected /);
    });
  }

  it('refuses a missing options object and non-bytes given to createOnnxSession', async () => {
    expect(await error(createOnnxEmbedder(undefined as unknown as OnnxEmbedderOptions))).toMatchObject({ code: 'INVALID_INPUT', field: 'options' });
    expect(await error(createOnnxSession('model.onnx' as unknown as Uint8Array))).toMatchObject({ code: 'INVALID_INPUT', field: 'model' });
  });

  it('refuses a name-based framing for a non-square input', async () => {
    const err = await error(createOnnxEmbedder({ model: dynamicSizeModel(), inputSize: { width: 96, height: 112 } }));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'inputSize' });
  });
});
