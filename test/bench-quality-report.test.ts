import { describe, expect, it } from 'vitest';
import type { CachedEmbedding } from '../bench/lfw/cache.js';
import { errorVersusDiscard, thresholdForFmr } from '../bench/lfw/edc.js';
import { qualityMarkdown, qualityReport } from '../bench/lfw/quality-report.js';
import { QUALITY_VECTOR, qualityFromVector, qualityVector } from '../bench/lfw/quality-vector.js';
import type { LfwPair } from '../bench/lfw/types.js';
import { qualityFindings } from '../src/quality/findings.js';
import type { FaceQuality } from '../src/quality/types.js';

/** A face that passes every check. */
const GOOD: FaceQuality = {
  overall: 100,
  components: {
    interEyeDistance: 60,
    faceSize: 0.5,
    boxShare: 0.2,
    sharpness: 0.1,
    brightness: 130,
    clipped: 0,
    uniformity: 0.9,
    eyeContrast: 0.6,
    pose: { yaw: -5, pitch: 3, roll: 2 },
    roll: 2,
    eyeOpenness: 0.3,
    shapeResidual: 0.04,
    detectorScore: 0.97,
  },
};
/** A blurred face: sharpness under the BLURRY_FACE limit, so a low overall too. */
const BLURRED: FaceQuality = { overall: 10, components: { ...GOOD.components, sharpness: 0.005 } };

function entry(q: FaceQuality): CachedEmbedding {
  return { embedding: new Float32Array(1), box: { x: 0, y: 0, width: 1, height: 1 }, score: q.components.detectorScore, quality: qualityVector(q) };
}

/**
 * 1,000 impostor pairs with similarities spread over 0–0.5, and 300 genuine pairs: 30 with a
 * blurred face of which 20 fail (similarity 0.3), and 270 good ones of which 9 fail.
 */
function fixture() {
  const pairs: LfwPair[] = [];
  const similarities: number[] = [];
  const embeddings = new Map<string, CachedEmbedding | null>();
  const add = (same: boolean, similarity: number, a: FaceQuality, b: FaceQuality): void => {
    const i = pairs.length;
    pairs.push({ fold: 0, same, a: `a${i}.jpg`, b: `b${i}.jpg`, line: i + 2 });
    similarities.push(similarity);
    embeddings.set(`a${i}.jpg`, entry(a));
    embeddings.set(`b${i}.jpg`, entry(b));
  };
  for (let i = 0; i < 1000; i++) add(false, (i / 1000) * 0.5, GOOD, GOOD);
  for (let i = 0; i < 30; i++) add(true, i < 20 ? 0.3 : 0.9, GOOD, BLURRED);
  for (let i = 0; i < 270; i++) add(true, i < 9 ? 0.3 : 0.9, GOOD, GOOD);
  return { pairs, similarities, embeddings };
}

describe('the quality vector', () => {
  it('round-trips what the quality checks read', () => {
    for (const q of [GOOD, BLURRED, { overall: 40, components: { ...GOOD.components, brightness: 40, pose: { yaw: -50, pitch: 10, roll: 20 }, roll: -20 } }]) {
      const back = qualityFromVector(qualityVector(q));
      expect(qualityFindings(back).map((f) => f.check)).toEqual(qualityFindings(q).map((f) => f.check));
    }
  });

  it('stores brightness as measured (the checks need its side) and ranks it by distance from mid-grey', () => {
    const k = QUALITY_VECTOR.findIndex((e) => e.name === 'brightness');
    const dark = qualityVector({ overall: 0, components: { ...GOOD.components, brightness: 40 } });
    expect(dark[k]).toBe(40);
    expect(QUALITY_VECTOR[k]!.rank!(40)).toBe(88);
    expect(QUALITY_VECTOR[k]!.higherIsBetter).toBe(false);
  });
});

describe('the EDC', () => {
  it('sets the threshold above the impostors it must reject, before discarding', () => {
    const { threshold, fmr } = thresholdForFmr([0.1, 0.2, 0.3, 0.4], 0);
    expect(threshold).toBeGreaterThan(0.4);
    expect(fmr).toBe(0);
  });

  it('falls when the worst-quality pairs are the failing ones, and stays flat for a measure that tells nothing', () => {
    const genuine = Array.from({ length: 100 }, (_, i) => ({ similarity: i < 10 ? 0.1 : 0.9, same: true, quality: i }));
    const impostors = Array.from({ length: 1000 }, (_, i) => ({ similarity: i / 2000, same: false, quality: 0 }));
    const informative = errorVersusDiscard([...genuine, ...impostors]);
    expect(informative.points[0]!.fnmr).toBeCloseTo(0.1);
    expect(informative.points[10]!.fnmr).toBe(0);
    const flat = errorVersusDiscard([...genuine.map((g) => ({ ...g, quality: 1 })), ...impostors]);
    expect(flat.points[10]!.fnmr).toBeGreaterThan(0.02);
  });
});

describe('qualityReport', () => {
  it('ranks the blurred pairs first and counts how often each check fires on failing pairs', () => {
    const { pairs, similarities, embeddings } = fixture();
    const report = qualityReport(pairs, similarities, embeddings);
    expect(report.genuinePairs).toBe(300);
    expect(report.fnmr0).toBeCloseTo(29 / 300);
    const overall = report.curves.find((c) => c.measure === 'overall')!;
    const random = report.curves.find((c) => c.measure === 'random')!;
    expect(overall.cutAt5).toBeGreaterThan(0.2); // 15 of the 30 tied blurred pairs go first, about 10 of them failing
    expect(Math.abs(random.cutAt5)).toBeLessThan(0.1);
    const blurry = report.checks.find((c) => c.check === 'BLURRY_FACE')!;
    expect(blurry).toMatchObject({ severity: 'warning', pairs: 30 });
    expect(blurry.fnmr).toBeCloseTo(20 / 30);
    expect(blurry.restFnmr).toBeCloseTo(9 / 270);
    expect(blurry.ratio).toBeCloseTo(20);
    expect(report.checks.find((c) => c.check === 'EYES_CLOSED')).toMatchObject({ pairs: 0, ratio: 0 });
    const md = qualityMarkdown(report);
    expect(md).toMatch(/\| BLURRY_FACE +\| warning +\| +30 \|/);
    expect(md).toMatch(/×20\.0/);
  });
});
