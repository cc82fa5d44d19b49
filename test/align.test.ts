import { describe, expect, it } from 'vitest';
import {
  BLAZEFACE_TEMPLATE,
  DLIB_51_TEMPLATE,
  alignFace,
  applySimilarity,
  fitSimilarity,
  invertSimilarity,
  similarityScaleAngle,
  templateInChip,
  warpSimilarity,
} from '../src/align/index.js';
import { FaceMatchError } from '../src/errors.js';
import type { Point, RgbImage } from '../src/types.js';

function transformPoints(points: Point[], s: number, theta: number, tx: number, ty: number): Point[] {
  return points.map((p) => ({
    x: s * Math.cos(theta) * p.x - s * Math.sin(theta) * p.y + tx,
    y: s * Math.sin(theta) * p.x + s * Math.cos(theta) * p.y + ty,
  }));
}

/**
 * An image with a bright square (optionally rotated by `angle` about its centre) on a dark,
 * horizontally graded background.
 */
function squareImage(width: number, height: number, sq: { x: number; y: number; size: number; angle?: number }): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const cx = sq.x + sq.size / 2;
  const cy = sq.y + sq.size / 2;
  const c = Math.cos(-(sq.angle ?? 0));
  const s = Math.sin(-(sq.angle ?? 0));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 3;
      // Rotate the pixel centre back into the square's own frame.
      const px = c * (x + 0.5 - cx) - s * (y + 0.5 - cy);
      const py = s * (x + 0.5 - cx) + c * (y + 0.5 - cy);
      const inside = Math.abs(px) < sq.size / 2 && Math.abs(py) < sq.size / 2;
      data[o] = inside ? 250 : 10;
      data[o + 1] = inside ? 250 : Math.round((x / width) * 100);
      data[o + 2] = inside ? 250 : 10;
    }
  }
  return { width, height, data };
}

describe('fitSimilarity', () => {
  it('recovers an exact similarity transform', () => {
    const from = [
      { x: 10, y: 20 },
      { x: 80, y: 25 },
      { x: 45, y: 70 },
      { x: 40, y: 100 },
    ];
    const to = transformPoints(from, 1.7, 0.3, -12, 40);
    const t = fitSimilarity(from, to);
    const { scale, angle } = similarityScaleAngle(t);
    expect(scale).toBeCloseTo(1.7, 10);
    expect(angle).toBeCloseTo(0.3, 10);
    expect(t.tx).toBeCloseTo(-12, 8);
    expect(t.ty).toBeCloseTo(40, 8);
    for (let i = 0; i < from.length; i += 1) {
      const p = applySimilarity(t, from[i]!);
      expect(p.x).toBeCloseTo(to[i]!.x, 8);
      expect(p.y).toBeCloseTo(to[i]!.y, 8);
    }
  });

  it('inverts exactly', () => {
    const t = fitSimilarity(
      [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
      ],
      [
        { x: 5, y: 5 },
        { x: 5, y: 7 },
      ],
    );
    const back = applySimilarity(invertSimilarity(t), applySimilarity(t, { x: 3.5, y: -2 }));
    expect(back.x).toBeCloseTo(3.5, 10);
    expect(back.y).toBeCloseTo(-2, 10);
  });

  it('weights pull the fit towards heavy points', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 5, y: 10 },
    ];
    const to = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 9, y: 10 }, // inconsistent third point
    ];
    const even = fitSimilarity(from, to);
    const eyesOnly = fitSimilarity(from, to, [1000, 1000, 1]);
    const err = (t: ReturnType<typeof fitSimilarity>) => Math.hypot(applySimilarity(t, from[1]!).x - 10, applySimilarity(t, from[1]!).y);
    expect(err(eyesOnly)).toBeLessThan(err(even));
  });

  it('refuses degenerate input', () => {
    expect(() => fitSimilarity([{ x: 1, y: 1 }], [{ x: 2, y: 2 }])).toThrow(FaceMatchError);
    expect(() =>
      fitSimilarity(
        [
          { x: 1, y: 1 },
          { x: 1, y: 1 },
        ],
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      ),
    ).toThrow(/distinct source points/);
  });
});

describe('templates', () => {
  it('place dlib eyes symmetrically about the nose line', () => {
    const pts = DLIB_51_TEMPLATE.points;
    expect(pts).toHaveLength(51);
    const eye = (from: number, to: number) => {
      const sel = pts.slice(from - 17, to - 17 + 1);
      return { x: sel.reduce((s, p) => s + p.x, 0) / sel.length, y: sel.reduce((s, p) => s + p.y, 0) / sel.length };
    };
    const right = eye(36, 41);
    const left = eye(42, 47);
    expect(right.x + left.x).toBeCloseTo(2 * 0.490127, 3);
    expect(right.y).toBeCloseTo(left.y, 6);
    // BlazeFace template eyes agree with dlib's eye centres to within 0.01 of the face width.
    expect(Math.abs(BLAZEFACE_TEMPLATE.points[0]!.x - right.x)).toBeLessThan(0.01);
    expect(Math.abs(BLAZEFACE_TEMPLATE.points[1]!.x - left.x)).toBeLessThan(0.01);
  });

  it('map the unit square into the padded chip', () => {
    const [a, b] = templateInChip({ name: 't', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, 150, 0.25);
    expect(a!.x).toBeCloseTo(25, 10);
    expect(b!.y).toBeCloseTo(125, 10);
  });
});

describe('warp and alignFace', () => {
  it('an identity transform copies the image', () => {
    const img = squareImage(40, 30, { x: 5, y: 5, size: 10 });
    const out = warpSimilarity(img, { a: 1, b: 0, tx: 0, ty: 0 }, 40, 30);
    expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('samples outside the image as black', () => {
    const img = squareImage(20, 20, { x: 0, y: 0, size: 20 });
    const out = warpSimilarity(img, { a: 1, b: 0, tx: 30, ty: 0 }, 20, 20);
    expect(Math.max(...out.data)).toBe(0);
  });

  it('puts the template points where the keypoints were: a rotated, scaled square lands upright', () => {
    // A bright square of side 100 centred at (300, 200), rotated by 20°.
    const angle = (20 * Math.PI) / 180;
    const img = squareImage(600, 400, { x: 250, y: 150, size: 100, angle });
    // The four keypoints are the square's corners; align them onto a template that is a centred
    // square occupying the middle half of the chip.
    const template = {
      name: 'square',
      points: [
        { x: 0.25, y: 0.25 },
        { x: 0.75, y: 0.25 },
        { x: 0.75, y: 0.75 },
        { x: 0.25, y: 0.75 },
      ],
    };
    const corners = [
      { x: -50, y: -50 },
      { x: 50, y: -50 },
      { x: 50, y: 50 },
      { x: -50, y: 50 },
    ].map((p) => ({ x: 300 + Math.cos(angle) * p.x - Math.sin(angle) * p.y, y: 200 + Math.sin(angle) * p.x + Math.cos(angle) * p.y }));
    const { chip, transform } = alignFace(img, corners, template, { size: 100, padding: 0 });
    expect(similarityScaleAngle(transform).angle).toBeCloseTo(-angle, 10);
    expect(similarityScaleAngle(transform).scale).toBeCloseTo(0.5, 10);
    const at = (x: number, y: number) => chip.data[(y * 100 + x) * 3]!;
    expect(at(50, 50)).toBe(250); // centre of the square
    expect(at(27, 27)).toBe(250); // just inside a corner
    expect(at(22, 22)).toBe(10); // just outside
    expect(at(78, 50)).toBe(10);
  });

  it('averages many source pixels when shrinking a large face, instead of aliasing', () => {
    // A 1-pixel checkerboard shrunk 8×: bilinear point sampling would give 0 or 255; area averaging gives ~127.
    const w = 800;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y += 1) for (let x = 0; x < w; x += 1) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = warpSimilarity({ width: w, height: w, data }, { a: 1 / 8, b: 0, tx: 0, ty: 0 }, 100, 100);
    for (let i = 0; i < out.data.length; i += 997) expect(Math.abs(out.data[i]! - 127.5)).toBeLessThan(20);
  });

  it('rejects a point count that does not match the template', () => {
    const img = squareImage(10, 10, { x: 0, y: 0, size: 1 });
    expect(() => alignFace(img, [{ x: 1, y: 1 }], BLAZEFACE_TEMPLATE)).toThrow(/Expected 4 points/);
  });
});
