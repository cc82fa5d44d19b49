import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRocSvg, renderScoreHistogramSvg } from '../bench/lfw/charts.js';
import { machineInfo } from '../bench/lfw/machine.js';
import { evaluateProtocol, rocCurve } from '../bench/lfw/metrics.js';
import { pairScoresCsv, renderMarkdown, renderReportCharts, writeReports } from '../bench/lfw/report.js';
import { LatencyRecorder } from '../bench/lfw/stats.js';
import type { LfwReport, PairScore } from '../bench/lfw/types.js';
import type { ReportPair } from '../bench/lfw/report.js';
import { rng } from './fixtures/numeric.js';

/**
 * A small XML well-formedness check: every tag closes in order, attributes are quoted, entities
 * are the five XML ones, and there is exactly one root element.
 */
function checkWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of body.matchAll(token)) {
    if (m[6] !== undefined) throw new Error(`malformed tag at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim() !== '') throw new Error(`text outside the root: ${m[5].slice(0, 40)}`);
      const bad = m[5].match(/&(?!amp;|lt;|gt;|quot;|apos;)/);
      if (bad) throw new Error(`bare & in text at ${m.index}`);
      continue;
    }
    const [, closing, name, attrs, selfClosing] = m;
    if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(attrs!)) throw new Error(`bare & in attributes of <${name}>`);
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (selfClosing !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
}

/** Renders an SVG with sharp (librsvg) and counts pixels close to a colour and non-white pixels. */
async function renderStats(svg: string, color: [number, number, number]): Promise<{ width: number; height: number; inked: number; colored: number }> {
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let inked = 0;
  let colored = 0;
  for (let i = 0; i < data.length; i += 3) {
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
    if (r < 245 || g < 245 || b < 245) inked++;
    if (Math.abs(r - color[0]) < 40 && Math.abs(g - color[1]) < 40 && Math.abs(b - color[2]) < 40) colored++;
  }
  return { width: info.width, height: info.height, inked, colored };
}

/** A labelled set that looks like a ~99% verifier on a 0–100 scale, with one no-face pair. */
function fixture(): { pairs: ReportPair[]; scores: PairScore[] } {
  const r = rng(11);
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const pairs: ReportPair[] = [];
  for (let f = 0; f < 10; f++) {
    for (let i = 0; i < 60; i++) pairs.push({ fold: f, same: i < 30, a: `lfw-deepfunneled/A_${f}/A_${f}_0001.jpg`, b: `lfw-deepfunneled/B,${i}/x.jpg` });
  }
  const scores = pairs.map((p, i) => (i === 5 ? null : Math.min(100, Math.max(0, p.same ? 68 + 11 * gauss() : 22 + 8 * gauss()))));
  return { pairs, scores };
}

function reportOf(pairs: ReportPair[], scores: PairScore[]): LfwReport {
  const rec = new LatencyRecorder();
  for (let i = 0; i < 20; i++) {
    rec.record('decode', 3 + i / 10);
    rec.record('embed', 30 + i);
  }
  return {
    ...evaluateProtocol(pairs, scores, {
      providerThresholds: [
        { provider: 'Didit default <decline>', threshold: 30 },
        { provider: 'Attestr & co', threshold: 70 },
      ],
    }),
    dataset: 'pairs.txt',
    throughput: { cached: false, measuredAt: '2025-01-02T03:04:05.000Z', imagesPerSecond: 58.25, workers: 2, images: 770, seconds: 13.2, stages: rec.summary() },
    embedder: 'dlib-resnet',
    detector: 'blazeface-short',
    backend: 'wasm',
    version: '0.1.0',
    machine: machineInfo(),
    noFaceImages: 1,
    createdAt: '2025-01-02T03:04:05.000Z',
  };
}

describe('the XML check used below', () => {
  it('rejects broken documents', () => {
    expect(() => checkWellFormed('<svg><g></svg>')).toThrow(/closes/);
    expect(() => checkWellFormed('<svg><text>a & b</text></svg>')).toThrow(/bare &/);
    expect(() => checkWellFormed('<svg><rect x=1/></svg>')).toThrow(/malformed tag/);
    expect(() => checkWellFormed('<svg/><svg/>')).toThrow(/one root/);
    expect(() => checkWellFormed('<svg><g>')).toThrow(/unclosed/);
    expect(() => checkWellFormed('<?xml version="1.0"?>\n<svg a="1"><g/></svg>\n')).not.toThrow();
  });
});

describe('charts', () => {
  const { pairs, scores } = fixture();
  const report = reportOf(pairs, scores);

  it('draws a well-formed ROC SVG that renders: curve in its colour, escaped labels', async () => {
    const svg = renderRocSvg(
      [
        { label: 'facematch <dlib> & co', curve: rocCurve(pairs, scores) },
        { label: 'random', curve: rocCurve(pairs, scores.map((_, i) => (i * 7919) % 600)) },
      ],
      { title: 'ROC', subtitle: 'two runs' },
    );
    checkWellFormed(svg);
    expect(svg).toContain('facematch &lt;dlib&gt; &amp; co');
    // Decade labels 10⁻⁴ … 1 on the log axis, and the 0–1 TAR axis with a chance diagonal for the weak curve.
    for (const label of ['10⁻⁴', '10⁻³', '10⁻²', '10⁻¹', '>1<']) expect(svg).toContain(label);
    expect(svg).toContain('stroke-dasharray="4 4"');
    const stats = await renderStats(svg, [0x25, 0x63, 0xeb]);
    // 760 wide; as tall as the title, the 388-px plot and the legend under it need.
    expect(stats.width).toBe(760);
    expect(stats.height).toBeGreaterThan(560);
    expect(stats.height).toBeLessThan(700);
    expect(stats.inked).toBeGreaterThan(10_000);
    expect(stats.colored).toBeGreaterThan(300);
  });

  it('draws a well-formed histogram SVG with threshold lines and the no-face note', async () => {
    const { histogram } = renderReportCharts(report, { pairs, scores });
    checkWellFormed(histogram);
    expect(histogram).toContain('Didit default &lt;decline&gt; 30');
    expect(histogram).toContain('1 pair without a face (not shown, counted wrong)');
    expect(histogram).toContain('10-fold threshold');
    const stats = await renderStats(histogram, [0xea, 0x58, 0x0c]);
    expect(stats.inked).toBeGreaterThan(20_000);
    expect(stats.colored).toBeGreaterThan(500);
  });

  it('copes with a single distinct score and no thresholds', async () => {
    const svg = renderScoreHistogramSvg([{ fold: 0, same: true }, { fold: 0, same: false }], [5, 5]);
    checkWellFormed(svg);
    expect((await renderStats(svg, [0x25, 0x63, 0xeb])).colored).toBeGreaterThan(50);
  });
});

describe('writeReports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facematch-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the JSON contract, the Markdown summary, two SVGs and the per-pair CSV', async () => {
    const { pairs, scores } = fixture();
    const report = reportOf(pairs, scores);
    const files = await writeReports(report, path.join(dir, 'out'), { pairs, scores });

    const json = JSON.parse(await readFile(files.json, 'utf8')) as Record<string, unknown>;
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    for (const key of ['pairs', 'folds', 'accuracy', 'thresholds', 'auc', 'eer', 'tarAtFar', 'noFacePairs', 'providerThresholds', 'throughput', 'embedder', 'detector', 'backend', 'version']) {
      expect(json).toHaveProperty(key);
    }
    expect(json['accuracy']).toHaveProperty('stderr');
    expect((json['tarAtFar'] as Record<string, number>)['1e-3']).toBeTypeOf('number');

    const md = await readFile(files.markdown, 'utf8');
    const acc = report.accuracy;
    expect(md).toContain(`| Accuracy, 10-fold (mean ± std) | **${(acc.mean * 100).toFixed(2)}%** ± ${(acc.std! * 100).toFixed(2)}% |`);
    expect(md).toContain(`| Standard error (std / √10) | ${(acc.stderr! * 100).toFixed(2)}% |`);
    expect(md).toContain('| Pairs without a face (counted wrong) | 1 of 600 |');
    expect(md).toMatch(/\| Didit default <decline> \| 30 \| \d+\.\d\d% \| \d+\.\d\d% \| \d+\.\d\d% \|/);
    expect(md).toMatch(/\| decode \| 3\.\d\d \| 4\.\d\d \| 3\.95 \| 20 \|/);
    expect(md).toContain(`| ${report.machine.cpu} | ${report.machine.cores} |`);
    expect(md).toContain('![ROC curve](lfw-roc.svg)');
    // Ten per-fold rows, thresholds with the same number of decimals.
    const foldRows = md.split('\n').filter((l) => /^\| \d+ \| [\d.]+ \| [\d.]+% \|$/.test(l));
    expect(foldRows).toHaveLength(10);
    expect(new Set(foldRows.map((l) => l.split('|')[2]!.trim().split('.')[1]?.length)).size).toBe(1);

    checkWellFormed(await readFile(files.roc, 'utf8'));
    checkWellFormed(await readFile(files.histogram, 'utf8'));

    const csv = (await readFile(files.csv, 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('fold,same,score,a,b');
    expect(csv).toHaveLength(601);
    expect(csv[6]).toBe('1,1,,lfw-deepfunneled/A_0/A_0_0001.jpg,"lfw-deepfunneled/B,5/x.jpg"');
  });

  it('gives a cached run\'s throughput as the earlier run\'s, with the date it was measured', () => {
    const { pairs, scores } = fixture();
    const report = reportOf(pairs, scores);
    const md = renderMarkdown({ ...report, throughput: { ...report.throughput!, cached: true, measuredAt: '2024-12-31T23:00:00.000Z' } });
    expect(md).toContain(
      'Every embedding of this run came from the cache; these are the figures of the earlier run of the same configuration that computed them, ' +
        'measured 2024-12-31T23:00:00.000Z: 770 images in 13.2 s with 2 workers: **58.3 images/s**.',
    );
  });

  it('says when a FAR is below what the different-person pairs can measure', () => {
    const { pairs, scores } = fixture();
    const md = renderMarkdown(reportOf(pairs, scores));
    expect(reportOf(pairs, scores).differentPairs).toBe(300);
    expect(md).toMatch(/\| TAR @ FAR = 1e-2 \| \d+\.\d\d% \|/);
    expect(md).toMatch(
      /\| TAR @ FAR = 1e-3 \| \d+\.\d\d% \(FAR 1e-3 needs at least 1,000 different-person pairs for one false accept to mean 1e-3; with 300 this is the TAR at no false accept\) \|/,
    );
  });

  it('says when the thresholds are in-sample and when throughput was not measured', () => {
    const pairs = [true, true, false, false].map((same) => ({ fold: 0, same }));
    const scores = [0.9, 0.8, 0.1, 0.2];
    const report = { ...reportOf(pairs, scores), throughput: null };
    const md = renderMarkdown(report);
    expect(md).toContain('single fold: the threshold was chosen on the same pairs');
    expect(md).toContain('| Accuracy, 1-fold (mean ± std) | **100.00%** ± n/a |');
    expect(md).toContain('Not measured: every embedding came from the cache, and no earlier run of this configuration recorded its throughput.');
    expect(md).not.toContain('## Figures');
    expect(pairScoresCsv({ pairs, scores })).toBe('fold,same,score,a,b\n1,1,0.9,,\n1,1,0.8,,\n1,0,0.1,,\n1,0,0.2,,\n');
  });
});
