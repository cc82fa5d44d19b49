/**
 * The peer benchmark's parts that need no LFW: backend choice, largest-face choice, the `file://`
 * model router, the library comparisons, the cache key, the throughput store and the comparison
 * document.
 */
import { mkdtemp, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '../src/runtime/tf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceMatchError } from '../src/errors.js';
import { renderComparisonMarkdown, renderComparisonRoc, type ComparisonEntry } from '../bench/peers/compare-report.js';
import { peerComparisons } from '../bench/peers/comparisons.js';
import { peerCacheKey } from '../bench/peers/embed.js';
import { largestIndex, peerBackend } from '../bench/peers/engine.js';
import { fileModelHandler, registerFileModelRouter } from '../bench/peers/file-models.js';
import { peerPackage } from '../bench/peers/packages.js';
import { firstPairsOfEachFold } from '../bench/lfw/pairs.js';
import { recallThroughput, rememberThroughput } from '../bench/lfw/throughput-store.js';
import { machineInfo } from '../bench/lfw/machine.js';
import { evaluateProtocol, rocCurve } from '../bench/lfw/metrics.js';
import type { LfwReport, PairLabel, Throughput } from '../bench/lfw/types.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'facematch-peer-units-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FaceMatchError ? `${err.code}:${err.field}` : `other:${(err as Error).message}`;
  }
  return undefined;
}

describe('peerBackend', () => {
  it('runs peers on wasm, for auto and wasm', () => {
    expect(peerBackend('auto')).toBe('wasm');
    expect(peerBackend('wasm')).toBe('wasm');
  });
  it('refuses the other backends with BACKEND_ERROR naming the field', () => {
    expect(codeOf(() => peerBackend('cpu'))).toBe('BACKEND_ERROR:backend');
    expect(codeOf(() => peerBackend('node'))).toBe('BACKEND_ERROR:backend');
  });
});

describe('largestIndex', () => {
  const box = (width: number, height: number) => ({ x: 0, y: 0, width, height });
  it('picks the largest area, the first on a tie, nothing from nothing', () => {
    expect(largestIndex([box(10, 10), box(30, 5), box(12, 12)])).toBe(1);
    expect(largestIndex([box(4, 9), box(6, 6), box(3, 12)])).toBe(0);
    expect(largestIndex([])).toBeUndefined();
  });
});

describe('the file:// model router', () => {
  let modelJson: string;
  let model: tfl.Sequential;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'randomNormal' })] });
    const dir = path.join(tmp, 'model');
    await mkdir(dir, { recursive: true });
    modelJson = path.join(dir, 'model.json');
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        await writeFile(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        const json = { modelTopology: artifacts.modelTopology, format: artifacts.format, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
        await writeFile(modelJson, JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  });

  it('loads a model.json and its shards from a file:// URL, with the same weights', async () => {
    registerFileModelRouter(tf);
    registerFileModelRouter(tf); // a second registration is a no-op
    const loaded = await tfl.loadLayersModel(pathToFileURL(modelJson).href);
    const x = tf.tensor2d([[0.5, -1, 2]]);
    const [want, got] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
    tf.dispose([x, want, got]);
    loaded.dispose();
  });

  it('fails with MODEL_ERROR naming the file when a shard is missing', async () => {
    const dir = path.join(tmp, 'broken');
    await mkdir(dir, { recursive: true });
    const json = path.join(dir, 'model.json');
    await writeFile(json, JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }));
    await expect(fileModelHandler(tf, json).load!()).rejects.toMatchObject({ code: 'MODEL_ERROR', field: 'model', details: { file: path.join(dir, 'gone.bin') } });
    await unlink(json);
    await expect(fileModelHandler(tf, json).load!()).rejects.toMatchObject({ code: 'MODEL_ERROR', details: { file: json } });
  });
});

describe('peerComparisons', () => {
  // Far enough apart that human's similarity (which saturates at 1 for close vectors) is inside 0–1.
  const a = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: 128 }, (_, i) => Math.cos(i));
  const euclid = Math.hypot(...a.map((v, i) => v - b[i]!));

  it('face-api: negated faceapi.euclideanDistance first, with its 0.6 threshold, then cosine', async () => {
    const [documented, ...others] = await peerComparisons('face-api');
    expect(documented!.id).toBe('euclidean');
    expect(documented!.score(a, a)).toBeCloseTo(0, 12);
    expect(documented!.score(a, b)).toBeCloseTo(-euclid, 5);
    expect(documented!.threshold).toEqual({ provider: expect.stringContaining('0.6'), threshold: -0.6 });
    expect(others.map((o) => o.id)).toEqual(['cosine']);
  });

  it('human: human.match.similarity first (1 for identical, rounded to 0.01, in 0–1), then euclidean and cosine', async () => {
    const [documented, ...others] = await peerComparisons('human');
    expect(documented!.id).toBe('similarity');
    expect(documented!.score(a, a)).toBe(1);
    const s = documented!.score(a, b);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThan(1);
    expect(Math.round(s * 100) / 100).toBe(s);
    expect(documented!.threshold?.threshold).toBe(0.505);
    expect(others.map((o) => o.id)).toEqual(['euclidean', 'cosine']);
    expect(others[0]!.score(a, b)).toBeCloseTo(-euclid, 5);
  });
});

describe('peerCacheKey and peerPackage', () => {
  it('keys each peer by its name, installed version and settings', () => {
    const fa = peerCacheKey('face-api');
    const hm = peerCacheKey('human');
    expect(fa).not.toBe(hm);
    expect(peerCacheKey('face-api')).toBe(fa);
    expect(JSON.parse(fa)).toMatchObject({ peer: 'face-api', peerVersion: peerPackage('face-api').version, settings: { minConfidence: 0.5 } });
    expect(JSON.parse(hm)).toMatchObject({ peer: 'human', settings: { cacheSensitivity: 0, maxDetected: 10 } });
    expect(peerPackage('human').wasmBuild).toMatch(/human\.node-wasm\.js$/);
    expect(peerPackage('face-api').modelsDir).toMatch(/face-api[/\\]model$/);
  });
});

describe('firstPairsOfEachFold', () => {
  it('keeps the first N matched and N mismatched pairs of every fold, in order', () => {
    const pairs = [0, 1].flatMap((fold) => [true, true, true, false, false, false].map((same, i) => ({ fold, same, id: `${fold}-${i}` })));
    expect(firstPairsOfEachFold(pairs, 2).map((p) => p.id)).toEqual(['0-0', '0-1', '0-3', '0-4', '1-0', '1-1', '1-3', '1-4']);
    expect(firstPairsOfEachFold(pairs, undefined)).toHaveLength(12);
  });
});

/** A report from generated scores: `noFace` pairs of fold 0 lose their score. */
function syntheticReport(embedder: string, separation: number, noFace = 0): { report: LfwReport; pairs: PairLabel[]; scores: (number | null)[] } {
  const pairs: PairLabel[] = [];
  const scores: (number | null)[] = [];
  for (let fold = 0; fold < 4; fold++) {
    for (let i = 0; i < 20; i++) {
      const same = i < 10;
      pairs.push({ fold, same });
      scores.push((same ? separation : 0) + ((i * 7 + fold * 3) % 10) / 10);
    }
  }
  for (let i = 0; i < noFace; i++) scores[i] = null;
  const throughput: Throughput = {
    cached: false,
    measuredAt: '2026-01-02T03:04:05.000Z',
    imagesPerSecond: 12.5,
    workers: 2,
    images: 100,
    seconds: 8,
    stages: { total: { count: 100, mean: 150, p50: 140, p95: 260 } },
  };
  const report: LfwReport = {
    ...evaluateProtocol(pairs, scores),
    dataset: 'LFW lfw-deepfunneled, synthetic.txt',
    throughput,
    embedder,
    detector: 'test-detector',
    backend: 'wasm',
    version: '0.0.0',
    machine: machineInfo(),
    createdAt: '2026-01-02T03:04:05.000Z',
  };
  return { report, pairs, scores };
}

describe('the throughput store', () => {
  const configuration = { embeddings: 'key-a', dataset: 'lfw-deepfunneled, pairs.txt', pairs: 400, machine: { cpu: 'Test CPU', cores: 2 } };
  const measured = (images: number, measuredAt: string): Throughput => ({
    cached: false,
    measuredAt,
    imagesPerSecond: images / 10,
    workers: 2,
    images,
    seconds: 10,
    stages: {},
  });

  it('recalls the throughput stored for the same configuration only, marked cached, with its date', async () => {
    const first = measured(614, '2026-01-01T00:00:00.000Z');
    await rememberThroughput(tmp, configuration, first);
    expect(await recallThroughput(tmp, configuration)).toEqual({ ...first, cached: true });
    expect(await recallThroughput(tmp, { ...configuration, embeddings: 'key-b' })).toBeUndefined();
    expect(await recallThroughput(tmp, { ...configuration, pairs: 6000 })).toBeUndefined();
    expect(await recallThroughput(tmp, { ...configuration, machine: { cpu: 'Test CPU', cores: 4 } })).toBeUndefined();
  });

  it('keeps the measurement made on the most images, and never stores a recalled one', async () => {
    const config = { ...configuration, embeddings: 'key-c' };
    await rememberThroughput(tmp, config, measured(600, '2026-01-01T00:00:00.000Z'));
    await rememberThroughput(tmp, config, measured(12, '2026-01-02T00:00:00.000Z'));
    expect((await recallThroughput(tmp, config))?.measuredAt).toBe('2026-01-01T00:00:00.000Z');
    await rememberThroughput(tmp, config, { ...measured(900, '2026-01-03T00:00:00.000Z'), cached: true });
    expect((await recallThroughput(tmp, config))?.images).toBe(600);
    await rememberThroughput(tmp, config, measured(600, '2026-01-04T00:00:00.000Z'));
    expect((await recallThroughput(tmp, config))?.measuredAt).toBe('2026-01-04T00:00:00.000Z');
  });
});

describe('the comparison document', () => {
  const good = syntheticReport('good-embedder', 1);
  const weak = syntheticReport('weak-embedder', 0.4, 3);
  const entries: ComparisonEntry[] = [
    { library: 'facematch 0.0.0', pipeline: 'det → emb', scoring: 'cosine similarity', report: good.report, throughput: good.report.throughput, curve: rocCurve(good.pairs, good.scores) },
    {
      library: 'face-api 1.7.15',
      pipeline: 'ssd → landmarks → resnet',
      scoring: 'negated distance',
      report: weak.report,
      throughput: null,
      curve: rocCurve(weak.pairs, weak.scores),
      alternatives: [{ label: 'cosine similarity', metrics: good.report }],
      facesFound: { pairs: 77, metrics: good.report },
    },
    {
      library: 'human 3.3.6',
      pipeline: 'blazeface → faceres',
      scoring: 'similarity',
      report: { ...good.report, noFaceImages: 0 },
      throughput: { ...good.report.throughput!, cached: true, measuredAt: '2026-01-01T00:00:00.000Z' },
    },
  ];
  const md = renderComparisonMarkdown({
    entries,
    dataset: good.report.dataset,
    machine: machineInfo(),
    date: '2026-01-02T03:04:05.000Z',
    rocFile: 'benchmarks-roc.svg',
    setup: ['facematch: defaults.'],
    commands: ['npm run bench:compare -- --workers 2'],
  });

  it('has one side-by-side row per library with the protocol figures', () => {
    const main = md.slice(md.indexOf('## Side by side'), md.indexOf('\n## ', md.indexOf('## Side by side') + 1));
    const rows = main.split('\n').filter((l) => /^\| (facematch|face-api|human) /.test(l));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| facematch 0.0.0', '| face-api 1.7.15', '| human 3.3.6']);
    expect(md).toContain(`| facematch 0.0.0 | det → emb; cosine similarity | **${(good.report.accuracy.mean * 100).toFixed(2)}%** ± `);
    expect(md).toContain(`| ${weak.report.noFacePairs} | cached¹ | – | wasm |`);
    expect(weak.report.noFacePairs).toBe(3);
    expect(md).toContain('| 0 (0 images) | 12.5² | 2 | wasm |');
    expect(md).toMatch(/¹ every embedding came from the cache/);
    expect(md).toMatch(/² every embedding came from the cache: .*\(human 3\.3\.6: measured 2026-01-01\)/);
    expect(md).toContain('80 pairs in 4 folds)');
    expect(md).toContain('Measured 2026-01-02.');
  });

  it('adds the other scorings, the pairs-with-faces figures, latency, set-up, machine and commands', () => {
    expect(md).toContain('## The same embeddings, scored other ways');
    expect(md).toContain('| face-api 1.7.15 | cosine similarity |');
    expect(md).toContain('| face-api 1.7.15 | 77 of 80 |');
    expect(md).toContain('## Per-image latency');
    expect(md).toContain('- facematch: defaults.');
    expect(md).toContain('```sh\nnpm run bench:compare -- --workers 2\n```');
    expect(md).toContain('![ROC curves of every library](benchmarks-roc.svg)');
  });

  it('draws every curve in one ROC picture', () => {
    const svg = renderComparisonRoc(entries, good.report.dataset);
    expect(svg).toMatch(/<svg[\s>]/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('facematch 0.0.0');
    expect(svg).toContain('face-api 1.7.15');
    expect(svg).not.toContain('human 3.3.6'); // no curve given for it
  });
});
