/**
 * The benchmark charts as Chromium draws them: no label leaves the picture and no two labels
 * overlap, with the long labels real runs have (a pipeline description as the legend, a subtitle
 * naming the dataset and version, --limit 10's 100 different-person pairs). Needs Chromium
 * (/usr/bin/chromium or CHROMIUM_PATH; `.ci/run` installs Debian's); skipped, and says so, without.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRocSvg, renderScoreHistogramSvg } from '../bench/lfw/charts.js';
import { rocCurve } from '../bench/lfw/metrics.js';
import type { PairLabel, PairScore } from '../bench/lfw/types.js';
import { brokenChartSvg, svgLayoutProblems } from '../scripts/svg-layout.mjs';
import { rng } from './fixtures/numeric.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`bench-charts-layout: no Chromium at ${CHROMIUM}; the chart layout tests are skipped (apt-get install chromium).`);

/** --limit 10: 10 folds of 10 same-person and 10 different-person pairs. */
function limitTenRun(seed: number, separation: number): { pairs: PairLabel[]; scores: PairScore[] } {
  const r = rng(seed);
  const pairs: PairLabel[] = [];
  const scores: PairScore[] = [];
  for (let fold = 0; fold < 10; fold++) {
    for (let i = 0; i < 20; i++) {
      const same = i < 10;
      pairs.push({ fold, same });
      scores.push(Math.min(100, Math.max(0, (same ? 50 + separation : 50 - separation) + 30 * (r() - 0.5))));
    }
  }
  return { pairs, scores };
}

const LONG_LABEL = 'dlib-resnet + flip, landmarks alignment (dlib-41, padding 0.25) + blazeface-auto (min confidence 0.5)';
const SUBTITLE = `${LONG_LABEL} · wasm · lfw-deepfunneled, pairs.txt: 200 pairs, 10 folds · facematch 0.1.0`;

describe.skipIf(!HAVE_CHROMIUM)('chart layout in Chromium', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the check itself catches a label off the picture, a subtitle off its edge and two overlapping labels', async () => {
    const problems = await svgLayoutProblems(page, brokenChartSvg());
    expect(problems).toEqual([
      expect.stringMatching(/^text "starts left of the picture" leaves the viewBox \(left by 20\)$/),
      expect.stringMatching(/^text "a subtitle far too long .*" leaves the viewBox \(right by \d/),
      expect.stringMatching(/^text "first label" overlaps text "second label"/),
    ]);
  });

  it('a ROC chart with long legend labels, a long subtitle and the unmeasurable-FAR band', async () => {
    const runs = [limitTenRun(1, 20), limitTenRun(2, 8), limitTenRun(3, 3)];
    const svg = renderRocSvg(
      runs.map((run, i) => ({ label: `${['facematch 0.1.0', 'face-api 1.7.15', 'human 3.3.6'][i]}: ${LONG_LABEL}`, curve: rocCurve(run.pairs, run.scores) })),
      { title: 'ROC curve · LFW lfw-deepfunneled, pairs.txt, a title long enough to need a second line', subtitle: SUBTITLE },
    );
    expect(svg).toContain('&lt; 1 false accept in 100');
    expect(await svgLayoutProblems(page, svg)).toEqual([]);
  });

  it('a score histogram with a long subtitle and crowded threshold labels', async () => {
    const run = limitTenRun(4, 15);
    const svg = renderScoreHistogramSvg(run.pairs, [null, ...run.scores.slice(1)], {
      title: 'Score distributions · LFW lfw-deepfunneled, pairs.txt',
      subtitle: SUBTITLE,
      foldThresholds: [40, 45, 52, 60],
      thresholds: [30, 31, 50, 51.8, 70, 85, 95].map((value, i) => ({ label: `${['didit decline', 'other', 'attestr', '10-fold threshold', 'attestr', 'attestr', 'didit approve'][i]} ${value}`, value })),
    });
    expect(await svgLayoutProblems(page, svg)).toEqual([]);
  });
});
