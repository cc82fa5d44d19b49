import type { Point } from '../types.js';

/**
 * Where a set of face points should land in an aligned chip, in dlib's unit-square convention:
 * the chip spans `[-padding, 1 + padding]` in both axes, so a template point `p` lands at chip pixel
 * `(p + padding) / (1 + 2·padding) · size`.
 *
 * @category Alignment
 */
export interface FaceTemplate {
  /** Short name, recorded in results (`blazeface-4`, `dlib-51`). */
  name: string;
  /** Template points in the unit square, in the order the landmarks come in. */
  points: readonly Point[];
  /** Optional least-squares weight per point (default 1 each). */
  weights?: readonly number[];
}

// dlib's mean face shape (dlib/image_transforms/interpolation.h), landmarks 17–67 of the iBUG
// 68-point scheme, in the unit square. These are the positions dlib's face recognition ResNet
// was trained to see; numeric data, reproduced as facts.
const DLIB_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127,
  0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
  0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395,
  0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
  0.553364, 0.490127, 0.42689,
];
const DLIB_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352,
  0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
  0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578,
  0.727388, 0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
  0.784792, 0.824182, 0.831803, 0.824182,
];

/**
 * dlib's 51-point mean face (68-point landmarks 17–67: brows, nose, eyes, mouth; the jaw line is
 * left out, as dlib does). Use with 68-point landmarks, passing points 17–67.
 *
 * @category Alignment
 */
export const DLIB_51_TEMPLATE: FaceTemplate = Object.freeze({
  name: 'dlib-51',
  points: Object.freeze(DLIB_X.map((x, i) => Object.freeze({ x, y: DLIB_Y[i]! }))),
});

/**
 * dlib's mean face without the eyebrows: 68-point landmarks 27–67 (nose, eyes, mouth), the
 * template facematch aligns on by default. Eyebrows move with expression and are where the
 * 68-point network is least sure; leaving them out measured 98.95% against 98.83% on LFW View 2
 * (10-fold, dlib ResNet, same everything else). Pass landmarks 27–67.
 *
 * @category Alignment
 */
export const DLIB_41_TEMPLATE: FaceTemplate = Object.freeze({
  name: 'dlib-41',
  points: Object.freeze(DLIB_51_TEMPLATE.points.slice(10)),
});

/**
 * Template for BlazeFace's first four keypoints (right eye, left eye, nose tip, mouth centre) in
 * dlib's chip frame. BlazeFace's points are not dlib's: its eyes sit wider apart than dlib's eye
 * centres, and its nose point is the tip. The positions are where BlazeFace's keypoints land, on
 * average, on faces aligned with the 68-point landmarks (`bench/experiments/kp-template.ts`: a
 * geometric fit over unlabelled LFW faces). Against a template built from dlib's own points it
 * raised TAR at FAR 1e-3 on LFW View 2 from 92.3% to 95.1% (without flip averaging).
 *
 * @category Alignment
 */
export const BLAZEFACE_TEMPLATE: FaceTemplate = Object.freeze({
  name: 'blazeface-4',
  points: Object.freeze([
    Object.freeze({ x: 0.2161, y: 0.2291 }),
    Object.freeze({ x: 0.763, y: 0.235 }),
    Object.freeze({ x: 0.4846, y: 0.5425 }),
    Object.freeze({ x: 0.4818, y: 0.8308 }),
  ]),
});

/**
 * Template points in chip pixels for a chip of `size`×`size` with the given padding.
 *
 * @category Alignment
 */
export function templateInChip(template: FaceTemplate, size: number, padding: number): Point[] {
  const f = size / (1 + 2 * padding);
  return template.points.map((p) => ({ x: (p.x + padding) * f, y: (p.y + padding) * f }));
}
