/**
 * Weighted (MediaPipe) versus hard non-max suppression, measured as keypoint stability on LFW:
 * each image is detected in several slightly shifted and rescaled versions and mirrored, the
 * keypoints are mapped back to the original, and their spread is reported in units of the
 * inter-eye distance (lower is better). Both methods see the same raw detections.
 *
 * Run: FACEMATCH_LFW_DIR=... npx vite-node bench/scripts/detect-nms.ts [count] [short|full]
 * @module
 */
import sharp from 'sharp';
import { BlazeFaceModel, nonMaxSuppression, sortByArea, toDetectedFace, type SuppressionMethod } from '../../src/detect/index.js';
import { initBackend } from '../../src/runtime/backend.js';
import type { Point, RgbImage } from '../../src/types.js';
import { decodeRgb, lfwDir, pairImages } from '../helpers/lfw-pair-images.js';

const count = Number(process.argv[2] ?? 400);
const modelId = process.argv[3] === 'full' ? 'blazeface-full' : 'blazeface-short';
const METHODS: SuppressionMethod[] = ['weighted', 'hard'];

/** A version of the image and how to map its points back to the original. */
interface Variant {
  image: RgbImage;
  back: (p: Point) => Point;
  mirrored: boolean;
}

function crop(img: RgbImage, dx: number, dy: number): RgbImage {
  const width = img.width - dx;
  const height = img.height - dy;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(((y + dy) * img.width + dx) * 3, ((y + dy) * img.width + img.width) * 3), y * width * 3);
  return { width, height, data };
}

async function variants(file: string, img: RgbImage): Promise<Variant[]> {
  const out: Variant[] = [{ image: img, back: (p) => p, mirrored: false }];
  for (const [dx, dy] of [[1, 2], [3, 1], [2, 3], [4, 4]] as const) {
    out.push({ image: crop(img, dx, dy), back: (p) => ({ x: p.x + dx, y: p.y + dy }), mirrored: false });
  }
  for (const side of [230, 270]) {
    const s = img.width / side;
    out.push({ image: await decodeRgb(await sharp(file).resize(side, side).toBuffer()), back: (p) => ({ x: p.x * s, y: p.y * s }), mirrored: false });
  }
  const flopped = await decodeRgb(await sharp(file).flop().toBuffer());
  out.push({ image: flopped, back: (p) => ({ x: img.width - p.x, y: p.y }), mirrored: true });
  return out;
}

/** Keypoints in the original image; a mirrored variant swaps the subject's left and right. */
function keypointsBack(v: Variant, kps: Point[]): Point[] {
  const mapped = kps.map(v.back);
  if (!v.mirrored) return mapped;
  const [re, le, nose, mouth, rt, lt] = mapped as [Point, Point, Point, Point, Point, Point];
  return [le, re, nose, mouth, lt, rt];
}

await initBackend('wasm');
const model = await BlazeFaceModel.load(modelId);
const files = (await pairImages(lfwDir())).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / count)) === 0).slice(0, count);
const spread: Record<SuppressionMethod, { shift: number[]; flip: number[] }> = { weighted: { shift: [], flip: [] }, hard: { shift: [], flip: [] } };
for (const file of files) {
  const img = await decodeRgb(file);
  const vs = await variants(file, img);
  const passes = await Promise.all(vs.map((v) => model.run(v.image, 0.5)));
  for (const method of METHODS) {
    const sets: Point[][] = [];
    for (const [i, v] of vs.entries()) {
      const { detections, letterbox } = passes[i]!;
      const face = sortByArea(nonMaxSuppression(detections, 0.3, method).map((d) => toDetectedFace(d, letterbox)))[0];
      if (face) sets.push(keypointsBack(v, face.keypoints));
    }
    if (sets.length !== vs.length) continue;
    const ref = sets[0]!;
    const iod = Math.hypot(ref[1]!.x - ref[0]!.x, ref[1]!.y - ref[0]!.y);
    const unmirrored = sets.slice(0, -1);
    let sq = 0;
    for (let k = 0; k < 6; k++) {
      const mx = unmirrored.reduce((s, p) => s + p[k]!.x, 0) / unmirrored.length;
      const my = unmirrored.reduce((s, p) => s + p[k]!.y, 0) / unmirrored.length;
      for (const p of unmirrored) sq += (p[k]!.x - mx) ** 2 + (p[k]!.y - my) ** 2;
    }
    spread[method].shift.push(Math.sqrt(sq / (6 * unmirrored.length)) / iod);
    const flip = sets[sets.length - 1]!;
    spread[method].flip.push(ref.slice(0, 4).reduce((s, p, k) => s + Math.hypot(p.x - flip[k]!.x, p.y - flip[k]!.y), 0) / 4 / iod);
  }
}
model.dispose();
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
console.log(`${modelId}, ${files.length} LFW images, keypoint spread in inter-eye distances (lower is better)`);
for (const method of METHODS) {
  const { shift, flip } = spread[method];
  console.log(`${method.padEnd(8)} shift/scale RMS ${mean(shift).toFixed(4)}  mirror error (eyes, nose, mouth) ${mean(flip).toFixed(4)}  (n=${shift.length})`);
}
