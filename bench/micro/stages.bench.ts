/**
 * Micro-benchmarks of each stage of one match, on one 250×250 LFW image, one thread, the wasm
 * backend: decode, detect, landmarks, align, quality, embed, and the whole `embed()` call. The
 * quality stage is measured as the matcher runs it (the dlib-framed chip given), and alone on a
 * 1920×1280 photo with no chip given (it then cuts one).
 *
 * Run: `FACEMATCH_LFW_DIR=… npm run bench:stages`. Needs LFW (a real face); without it the
 * stages that need a face are measured on nothing and the file says so.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { bench, describe } from 'vitest';
import { alignFace } from '../../src/align/align.js';
import { BLAZEFACE_TEMPLATE, DLIB_41_TEMPLATE } from '../../src/align/templates.js';
import { createFaceDetector } from '../../src/detect/detector.js';
import { createDlibResNetEmbedder } from '../../src/embed/dlib-resnet.js';
import { loadImage } from '../../src/image/load.js';
import { createLandmarker } from '../../src/landmarks/landmarker.js';
import { FaceMatcher } from '../../src/matcher.js';
import { measureFaceQuality } from '../../src/quality/measure.js';
import { initBackend } from '../../src/runtime/backend.js';
import { requireLfwDir } from '../lfw/lfw-dir.js';

// bench:stages needs a real face: LFW is required.
const dir = requireLfwDir({ pairs: false });
const bytes = await readFile(path.join(dir, 'lfw-deepfunneled', 'Aaron_Peirsol', 'Aaron_Peirsol_0001.jpg'));

await initBackend('wasm');
const detector = await createFaceDetector({ model: 'short' });
const landmarker = await createLandmarker({ mirror: false }); // as FaceMatcher runs it
const embedder = await createDlibResNetEmbedder({ flip: true }); // as FaceMatcher runs it
const matcherLandmarks = await FaceMatcher.create({ backend: 'wasm', alignment: 'landmarks' });
const matcherKeypoints = await FaceMatcher.create({ backend: 'wasm', alignment: 'keypoints' });

const { image } = await loadImage(bytes);
const [face] = await detector.detect(image);
if (!face) throw new Error('no face found in the benchmark image');
const points = await landmarker.landmarks(image, face.box);
const chip = alignFace(image, points.slice(27), DLIB_41_TEMPLATE).chip;

const options = { time: 2000, warmupTime: 300 };
const qualityInput = { image, box: face.box, keypoints: face.keypoints, score: face.score, landmarks: points, dlibChip: chip };
// A large photo: the face scaled up in a 1920×1280 frame, as a phone might take it.
const big = await loadImage(
  await (await import('sharp')).default({ create: { width: 1920, height: 1280, channels: 3, background: '#777777' } })
    .composite([{ input: await (await import('sharp')).default(bytes).resize(1000, 1000).toBuffer(), left: 460, top: 140 }])
    .jpeg()
    .toBuffer(),
);
const [bigFace] = await detector.detect(big.image);
if (!bigFace) throw new Error('no face found in the large benchmark image');
const bigPoints = await landmarker.landmarks(big.image, bigFace.box);

describe('stages of one 250x250 image (wasm, one thread)', () => {
  bench('decode (builtin/sharp auto)', async () => {
    await loadImage(bytes);
  }, options);
  bench('detect (BlazeFace short-range)', async () => {
    await detector.detect(image);
  }, options);
  bench('landmarks (68-point net, one pass)', async () => {
    await landmarker.landmarks(image, face.box);
  }, options);
  bench('align (dlib-41 template, 150x150 chip)', () => {
    alignFace(image, points.slice(27), DLIB_41_TEMPLATE);
  }, options);
  bench('align (BlazeFace keypoints template)', () => {
    alignFace(image, face.keypoints.slice(0, 4), BLAZEFACE_TEMPLATE);
  }, options);
  bench('quality (all components, chip given, as FaceMatcher runs it)', () => {
    measureFaceQuality(qualityInput);
  }, options);
  bench('quality (1920x1280 photo, no chip given: cuts one)', () => {
    measureFaceQuality({ image: big.image, box: bigFace.box, keypoints: bigFace.keypoints, score: bigFace.score, landmarks: bigPoints });
  }, options);
  bench('embed (dlib ResNet, one chip and its mirror)', async () => {
    await embedder.embed([chip]);
  }, options);
});

describe('whole embed() call per image', () => {
  bench('FaceMatcher.embed, landmarks alignment', async () => {
    await matcherLandmarks.embed(bytes);
  }, options);
  bench('FaceMatcher.embed, keypoints alignment', async () => {
    await matcherKeypoints.embed(bytes);
  }, options);
});
