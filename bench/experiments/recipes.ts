/**
 * Alignment recipes for the LFW alignment experiments: how to cut one or more 150×150 chips for the
 * dlib ResNet from an image, its BlazeFace face and its 68 landmarks. A recipe is plain data, so it
 * can be sent to a worker thread; {@link buildChips} turns it into chips.
 * @module
 */
import { fitSimilarity, type SimilarityTransform } from '../../src/align/similarity.js';
import { BLAZEFACE_TEMPLATE, DLIB_51_TEMPLATE } from '../../src/align/templates.js';
import { warpSimilarity } from '../../src/align/warp.js';
import type { Point, RgbImage } from '../../src/types.js';

/** The cached result of detection and landmarking for one image. */
export interface FaceRecord {
  /** The largest face's six BlazeFace keypoints, in image pixels. */
  keypoints: Point[];
  /** The 68 landmarks of that face per landmarker variant (`default`, `nomirror`, …). */
  landmarks: Record<string, Point[]>;
}

/**
 * One point of an alignment: a source (a BlazeFace keypoint, a 68-point landmark, or the mean of
 * several landmarks) and where it goes in dlib's unit square.
 */
export interface AnchorSpec {
  /** `kp` indexes the BlazeFace keypoints, `lm` the 68 landmarks; several indices are averaged. */
  from: 'kp' | 'lm';
  /** Indices whose mean is the source point. */
  indices: number[];
  /** Destination in dlib's unit square. */
  to: Point;
}

/** How to cut one chip. */
export interface ChipSpec {
  /** The points fitted (least squares similarity). */
  anchors: AnchorSpec[];
  /** Margin around the unit square, as a fraction of it (dlib: 0.25). */
  padding: number;
  /** Added to every template point in chip pixels, both axes (pixel-centre convention tests). */
  shift: number;
  /** Landmarker variant the `lm` anchors read. Default `default`. */
  landmarks?: string;
  /** Extra rotation of the chip about its centre, in degrees (jitter tests). Default 0. */
  rotate?: number;
}

/** A recipe: chips whose embeddings are averaged, and whether each is also embedded mirrored. */
export interface Recipe {
  /** Short unique name, used for the embedding cache file. */
  name: string;
  /** What the recipe is, for the results table. */
  description: string;
  /** The chips to cut (their L2-normalised embeddings are averaged and renormalised). */
  chips: ChipSpec[];
  /** Horizontal-flip test-time augmentation. */
  flip: boolean;
}

/** dlib's mean face position of a 68-point landmark (17–67) in the unit square. */
export function meanShape(index: number): Point {
  const p = DLIB_51_TEMPLATE.points[index - 17];
  if (!p) throw new RangeError(`dlib's mean face holds landmarks 17–67, not ${index}`);
  return p;
}

/** The mean of dlib's mean-face positions of several landmarks. */
function meanOf(indices: readonly number[]): Point {
  const ps = indices.map(meanShape);
  return { x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Landmarks each mapped to its own mean-face position. */
export function landmarkAnchors(indices: readonly number[]): AnchorSpec[] {
  return indices.map((i) => ({ from: 'lm', indices: [i], to: meanShape(i) }));
}

/** dlib's 5-point template (get_face_chip_details) for landmarks 45, 42, 36, 39, 33. */
const DLIB_5_POINTS: readonly [number, Point][] = [
  [45, { x: 0.8595674595992, y: 0.2134981538014 }],
  [42, { x: 0.6460604764104, y: 0.2289674387677 }],
  [36, { x: 0.1205750620789, y: 0.2137274526848 }],
  [39, { x: 0.3340850613712, y: 0.2290642403242 }],
  [33, { x: 0.4901123135679, y: 0.6277975316475 }],
];

/** Point sets, by name. */
export const ANCHOR_SETS: Readonly<Record<string, AnchorSpec[]>> = {
  /** BlazeFace eyes, nose tip, mouth centre → BLAZEFACE_TEMPLATE (the matcher's `keypoints` mode). */
  kp4: BLAZEFACE_TEMPLATE.points.map((to, i) => ({ from: 'kp', indices: [i], to })),
  /**
   * BlazeFace eyes, nose tip, mouth centre → where they sit on faces aligned by dlib's 68-point rule,
   * averaged over the 7,701 LFW View 2 images (label-free; printed by kp-template.ts).
   */
  kpfit: [
    { x: 0.2161, y: 0.2291 },
    { x: 0.763, y: 0.235 },
    { x: 0.4846, y: 0.5425 },
    { x: 0.4818, y: 0.8308 },
  ].map((to, i) => ({ from: 'kp', indices: [i], to })),
  /** Landmarks 17–67 → dlib 51 (the matcher's `landmarks` mode). */
  lm51: landmarkAnchors(range(17, 67)),
  /** dlib's own 68-point rule: 17–67 without the brows (17–26) and the lower lip (55–59, 65–67). */
  dlib68: landmarkAnchors([...range(27, 54), ...range(60, 64)]),
  /** Without brows: 27–67. */
  nobrows: landmarkAnchors(range(27, 67)),
  /** Eyes, nose and mouth corners: 27–47 plus 48, 54. */
  eyesnose: landmarkAnchors([...range(27, 47), 48, 54]),
  /** dlib's 5-point rule: eye corners and nose base onto dlib's 5-point template. */
  dlib5: DLIB_5_POINTS.map(([i, to]) => ({ from: 'lm', indices: [i], to })),
  /** The same five landmarks onto their mean-face positions. */
  mean5: landmarkAnchors([45, 42, 36, 39, 33]),
  /** Eye centres, nose base, mouth corners. */
  centres: [
    { from: 'lm', indices: range(36, 41), to: meanOf(range(36, 41)) },
    { from: 'lm', indices: range(42, 47), to: meanOf(range(42, 47)) },
    { from: 'lm', indices: [33], to: meanShape(33) },
    { from: 'lm', indices: [48], to: meanShape(48) },
    { from: 'lm', indices: [54], to: meanShape(54) },
  ],
};

function anchorPoint(anchor: AnchorSpec, face: FaceRecord, variant: string): Point {
  const source = anchor.from === 'kp' ? face.keypoints : face.landmarks[variant];
  if (!source) throw new Error(`no landmarks of variant "${variant}" in the face cache`);
  let x = 0;
  let y = 0;
  for (const i of anchor.indices) {
    const p = source[i];
    if (!p) throw new RangeError(`no point ${i} in ${anchor.from}`);
    x += p.x;
    y += p.y;
  }
  return { x: x / anchor.indices.length, y: y / anchor.indices.length };
}

/** The transform from image pixels to chip pixels for one chip spec. */
export function chipTransform(spec: ChipSpec, face: FaceRecord, size: number): SimilarityTransform {
  const variant = spec.landmarks ?? 'default';
  const f = size / (1 + 2 * spec.padding);
  const from = spec.anchors.map((a) => anchorPoint(a, face, variant));
  const to = spec.anchors.map((a) => ({ x: (a.to.x + spec.padding) * f + spec.shift, y: (a.to.y + spec.padding) * f + spec.shift }));
  const fit = fitSimilarity(from, to);
  if (!spec.rotate) return fit;
  // Rotate about the chip centre after the fit: R·(T·p − c) + c.
  const angle = (spec.rotate * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const c = size / 2;
  const a = cos * fit.a - sin * fit.b;
  const b = sin * fit.a + cos * fit.b;
  const tx0 = fit.tx - c;
  const ty0 = fit.ty - c;
  return { a, b, tx: cos * tx0 - sin * ty0 + c, ty: sin * tx0 + cos * ty0 + c };
}

/** Cuts the chips of a recipe (before any flip, which the embedder does). */
export function buildChips(recipe: Recipe, image: RgbImage, face: FaceRecord, size = 150): RgbImage[] {
  return recipe.chips.map((spec) => warpSimilarity(image, chipTransform(spec, face, size), size, size));
}

/** A single-chip recipe. */
function single(name: string, description: string, set: string, padding = 0.25, shift = 0, flip = false, landmarks?: string, rotate = 0): Recipe {
  const anchors = ANCHOR_SETS[set];
  if (!anchors) throw new Error(`unknown anchor set ${set}`);
  return { name, description, flip, chips: [{ anchors, padding, shift, ...(landmarks ? { landmarks } : {}), ...(rotate ? { rotate } : {}) }] };
}

/**
 * Every recipe the experiments know, by name. Names are `<anchor set>[-p<padding×100>][-s<shift>][-flip][-<landmark variant>]`.
 */
export function allRecipes(): Map<string, Recipe> {
  const list: Recipe[] = [
    single('kp4', "BlazeFace 4 keypoints → BLAZEFACE_TEMPLATE, pad 0.25 (matcher 'keypoints')", 'kp4'),
    single('lm51', "landmarks 17–67 → dlib 51, pad 0.25 (matcher 'landmarks')", 'lm51'),
    single('dlib68', "dlib's 68-pt rule: 27–54, 60–64 → mean face", 'dlib68'),
    single('nobrows', 'landmarks 27–67 → mean face', 'nobrows'),
    single('eyesnose', 'landmarks 27–47, 48, 54 → mean face', 'eyesnose'),
    single('dlib5', "dlib's 5-pt rule: 36, 39, 42, 45, 33 → dlib 5-pt template", 'dlib5'),
    single('mean5', 'landmarks 36, 39, 42, 45, 33 → mean face', 'mean5'),
    single('centres', 'eye centres, 33, 48, 54 → mean face', 'centres'),
  ];
  const byName = new Map(list.map((r) => [r.name, r]));
  return byName;
}

/**
 * Resolves a recipe name: a known name, or a base set with suffixes `-p<NN>` (padding NN/100),
 * `-s<x>` / `-sm<x>` (template shift of +x / −x chip pixels), `-r<deg>` / `-rm<deg>` (rotation),
 * `-flip`, `-lm<variant>` (landmark variant: nomirror, c11, c13).
 * Example: `dlib68-p23-s0.5-flip`.
 */
export function recipeByName(name: string): Recipe {
  const known = allRecipes().get(name);
  if (known) return known;
  const [set, ...mods] = name.split('-');
  const base = set ? ANCHOR_SETS[set] : undefined;
  if (!base) throw new Error(`unknown recipe ${name}: the base set must be one of ${Object.keys(ANCHOR_SETS).join(', ')}`);
  let padding = 0.25;
  let shift = 0;
  let flip = false;
  let landmarks: string | undefined;
  let rotate = 0;
  for (const m of mods) {
    if (/^p\d+$/.test(m)) padding = Number(m.slice(1)) / 100;
    else if (/^s\d*\.?\d+$/.test(m)) shift = Number(m.slice(1));
    else if (/^sm\d*\.?\d+$/.test(m)) shift = -Number(m.slice(2));
    else if (/^r\d*\.?\d+$/.test(m)) rotate = Number(m.slice(1));
    else if (/^rm\d*\.?\d+$/.test(m)) rotate = -Number(m.slice(2));
    else if (m === 'flip') flip = true;
    else if (/^lm\w+$/.test(m)) landmarks = m.slice(2);
    else throw new Error(`unknown recipe modifier "${m}" in ${name}`);
  }
  const what = `${set}, pad ${padding}${shift ? `, shift ${shift}` : ''}${rotate ? `, rotate ${rotate}°` : ''}${flip ? ', flip' : ''}${landmarks ? `, landmarks ${landmarks}` : ''}`;
  return single(name, what, set!, padding, shift, flip, landmarks, rotate);
}
