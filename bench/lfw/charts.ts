/**
 * The benchmark's two pictures, written as plain SVG with no dependency: the ROC curve on a
 * logarithmic FAR axis, and histograms of same-person and different-person scores with the
 * thresholds marked. Every label is placed from its measured width (`text-measure.ts`): titles
 * and legend entries wrap rather than run off the picture, and the picture grows to hold them.
 * @module
 */
import { equalErrorRate, rocAuc, tarAtFar, type RocCurve } from './metrics.js';
import { el, n2, niceTicks, pathOf, STYLE, text, tickLabel } from './svg.js';
import { ascent, lineHeight, textWidth, wrapText } from './text-measure.js';
import type { PairLabel, PairScore } from './types.js';

/**
 * One curve of a ROC chart.
 *
 * @category Benchmark
 */
export interface RocSeries {
  /** Legend label, such as `facematch (dlib-resnet)`. */
  label: string;
  /** The curve, from {@link rocCurve}. */
  curve: RocCurve;
  /** Line colour; default from the palette, by position. */
  color?: string;
}

/**
 * Options of {@link renderRocSvg}.
 *
 * @category Benchmark
 */
export interface RocChartOptions {
  /** Title. Default `ROC curve`. */
  title?: string;
  /** Second line under the title. */
  subtitle?: string;
  /** Leftmost FAR of the axis. Default 1e-4. */
  farMin?: number;
  /** Lowest TAR of the axis; default: just below the lowest TAR any curve has at `farMin`, in steps of 0.1. */
  tarMin?: number;
  /** Width in pixels. Default 760. */
  width?: number;
  /** Height of the plot area in pixels. Default 388. The picture is as tall as its title, plot and legend need. */
  plotHeight?: number;
}

/**
 * A vertical line on the score histogram.
 *
 * @category Benchmark
 */
export interface ThresholdMarker {
  /** Label drawn at the top of the line, such as `Didit 30`. */
  label: string;
  /** Score at which the line is drawn. */
  value: number;
  /** Line colour; default from the palette, by position. */
  color?: string;
}

/**
 * Options of {@link renderScoreHistogramSvg}.
 *
 * @category Benchmark
 */
export interface HistogramOptions {
  /** Title. Default `Score distributions`. */
  title?: string;
  /** Second line under the title. */
  subtitle?: string;
  /** Lines to draw, such as the mean 10-fold threshold and the providers' thresholds. */
  thresholds?: readonly ThresholdMarker[];
  /** The per-fold thresholds: their range is shaded. */
  foldThresholds?: readonly number[];
  /** Number of bins across the scores. Default 60. */
  bins?: number;
  /** Width in pixels. Default 760. */
  width?: number;
  /** Height of the plot area (bars and threshold labels) in pixels. Default 330. The picture is as tall as its title, legend and plot need. */
  plotHeight?: number;
}

const FONT_ATTRS = { 'font-family': STYLE.font, fill: STYLE.ink };

/** Left and right margin of the picture's text. */
const MARGIN = 24;

/** An integer exponent in superscript characters: −4 → ⁻⁴. */
function superscript(n: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return `${n < 0 ? '⁻' : ''}${[...String(Math.abs(n))].map((c) => digits[Number(c)]).join('')}`;
}

function pct(v: number, digits = 1): string {
  return `${(v * 100).toFixed(digits)}%`;
}

/**
 * The white background, the title (bold 17 px) and the subtitle (12 px), each wrapped to the
 * picture's width. Returns the markup and the y below the last line.
 */
function header(width: number, title: string, subtitle: string | undefined): { markup: string; bottom: number } {
  const parts = [el('rect', { x: 0, y: 0, width, height: '100%', fill: '#ffffff' })];
  const room = width - 2 * MARGIN;
  let y = 30;
  wrapText(title, 17, room, true).forEach((line, i) => {
    if (i > 0) y += 22;
    parts.push(text(MARGIN, y, line, { ...FONT_ATTRS, 'font-size': 17, 'font-weight': 'bold' }));
  });
  let bottom = y + lineHeight(17) - ascent(17);
  if (subtitle !== undefined) {
    y += 20;
    wrapText(subtitle, 12, room).forEach((line, i) => {
      if (i > 0) y += 16;
      parts.push(text(MARGIN, y, line, { ...FONT_ATTRS, fill: STYLE.muted, 'font-size': 12 }));
    });
    bottom = y + lineHeight(12) - ascent(12);
  }
  return { markup: parts.join(''), bottom };
}

/**
 * The ROC curves of one or more runs: FAR on a log axis from `farMin` (1e-4) to 1, TAR on a linear
 * axis, gridlines, markers at FAR 1e-3 and 1e-2, and a legend with each curve's AUC, EER and TAR at
 * FAR 1e-3. Left of FAR = 1 / (different-person pairs) no FAR can be measured: that band is shaded.
 *
 * @category Benchmark
 */
export function renderRocSvg(series: readonly RocSeries[], options: RocChartOptions = {}): string {
  const W = options.width ?? 760;
  const farMin = options.farMin ?? 1e-4;
  const lmin = Math.log10(farMin);
  const head = header(W, options.title ?? 'ROC curve', options.subtitle);
  const y0 = Math.ceil(head.bottom + 16);
  const box = { x0: 76, x1: W - 28, y0, y1: y0 + (options.plotHeight ?? 388) };
  const lowest = Math.min(1, ...series.map((s) => tarAtFar(s.curve, farMin)));
  const tarMin = options.tarMin ?? Math.max(0, Math.min(0.9, Math.floor((lowest - 0.02) * 10) / 10));
  const X = (far: number): number => box.x0 + ((Math.log10(Math.max(far, farMin)) - lmin) / -lmin) * (box.x1 - box.x0);
  const Y = (tar: number): number => box.y1 - ((tar - tarMin) / (1 - tarMin)) * (box.y1 - box.y0);
  const out: string[] = [head.markup];

  // Band where no FAR can be measured (fewer than one false accept), for the first curve.
  const first = series[0];
  const band = first !== undefined && 1 / first.curve.different > farMin ? X(1 / first.curve.different) : undefined;
  if (band !== undefined) out.push(el('rect', { x: box.x0, y: box.y0, width: band - box.x0, height: box.y1 - box.y0, fill: '#f3f4f6' }));

  // Grid: decades and their 2–9 multiples on x, 1-2-5 ticks on y.
  const grid: string[] = [];
  const labels: string[] = [];
  for (let d = Math.ceil(lmin); d <= 0; d++) {
    for (let m = 1; m < 10; m++) {
      const far = m * Number(`1e${d}`);
      if (far < farMin * (1 - 1e-9) || far > 1) continue;
      const x = X(far);
      grid.push(el('line', { x1: x, y1: box.y0, x2: x, y2: box.y1, stroke: m === 1 ? STYLE.grid : STYLE.gridMinor, 'stroke-width': 1 }));
      if (m === 1) {
        const label = d === 0 ? '1' : `10${superscript(d)}`;
        labels.push(text(x, box.y1 + 18, label, { ...FONT_ATTRS, 'font-size': 12, 'text-anchor': 'middle' }));
      }
    }
  }
  const yTicks = niceTicks(tarMin, 1, 6);
  for (const t of yTicks) {
    const y = Y(t);
    grid.push(el('line', { x1: box.x0, y1: y, x2: box.x1, y2: y, stroke: STYLE.grid, 'stroke-width': 1 }));
    labels.push(text(box.x0 - 8, y + 4, tickLabel(t, yTicks), { ...FONT_ATTRS, 'font-size': 12, 'text-anchor': 'end' }));
  }
  out.push(el('g', {}, ...grid), el('g', {}, ...labels));
  if (band !== undefined) {
    // Inside the shaded band, over its bottom; left out when the band is too narrow for it.
    const label = `< 1 false accept in ${first!.curve.different.toLocaleString('en-US')}`;
    if (textWidth(label, 10) + 12 <= band - box.x0) out.push(text(box.x0 + 6, box.y1 - 8, label, { ...FONT_ATTRS, fill: STYLE.muted, 'font-size': 10 }));
  }
  const axisTitleY = box.y1 + 40;
  out.push(
    text((box.x0 + box.x1) / 2, axisTitleY, 'False accept rate (FAR), log scale', { ...FONT_ATTRS, 'font-size': 13, 'text-anchor': 'middle' }),
    text(0, 0, 'True accept rate (TAR)', {
      ...FONT_ATTRS,
      'font-size': 13,
      'text-anchor': 'middle',
      transform: `translate(22 ${n2((box.y0 + box.y1) / 2)}) rotate(-90)`,
    }),
  );

  // Curves, clipped to the plot area.
  const clip = el('clipPath', { id: 'roc-plot' }, el('rect', { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 }));
  const curves: string[] = [];
  if (tarMin === 0) {
    const chance: [number, number][] = [];
    for (let i = 0; i <= 60; i++) {
      const far = 10 ** (lmin - (lmin * i) / 60);
      chance.push([X(far), Y(far)]);
    }
    curves.push(el('path', { d: pathOf(chance), fill: 'none', stroke: STYLE.frame, 'stroke-width': 1, 'stroke-dasharray': '4 4' }));
  }
  series.forEach((s, i) => {
    const color = s.color ?? STYLE.palette[i % STYLE.palette.length]!;
    const pts = s.curve.points;
    const line: [number, number][] = [[X(farMin), Y(tarAtFar(s.curve, farMin))]];
    pts.forEach((p, j) => {
      if (p.far <= farMin) return;
      const prev = pts[j - 1];
      const next = pts[j + 1];
      // Drop the inner points of vertical and horizontal runs: same picture, smaller file.
      if (prev !== undefined && next !== undefined && ((prev.far === p.far && next.far === p.far) || (prev.tar === p.tar && next.tar === p.tar))) return;
      line.push([X(p.far), Y(p.tar)]);
    });
    curves.push(el('path', { d: pathOf(line), fill: 'none', stroke: color, 'stroke-width': 2.2, 'stroke-linejoin': 'round' }));
    for (const far of [1e-3, 1e-2]) {
      if (far < farMin) continue;
      curves.push(el('circle', { cx: X(far), cy: Y(tarAtFar(s.curve, far)), r: 4, fill: color, stroke: '#ffffff', 'stroke-width': 1.5 }));
    }
  });
  out.push(el('defs', {}, clip), el('g', { 'clip-path': 'url(#roc-plot)' }, ...curves));
  out.push(el('rect', { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, fill: 'none', stroke: STYLE.frame }));

  // Legend under the plot, as wide as the plot: each curve's label (wrapped to fit) and figures.
  const lx = box.x0;
  const legendW = box.x1 - box.x0;
  const textX = lx + 38;
  const room = lx + legendW - 12 - textX;
  const titleStep = 16;
  const detailStep = 15;
  const rows = series.map((s, i) => ({
    color: s.color ?? STYLE.palette[i % STYLE.palette.length]!,
    title: wrapText(s.label, 12.5, room, true),
    detail: wrapText(`AUC ${rocAuc(s.curve).toFixed(4)} · EER ${pct(equalErrorRate(s.curve).rate, 2)} · TAR@FAR=1e-3 ${pct(tarAtFar(s.curve, 1e-3))}`, 11, room),
  }));
  const notes = ['● TAR at FAR = 1e-3 and 1e-2'];
  if (band !== undefined) {
    notes.push(`Shaded: FAR below 1 / ${first!.curve.different.toLocaleString('en-US')} (the different-person pairs), where not one false accept can happen: not measurable`);
  }
  const note = notes.flatMap((n) => wrapText(n, 11, legendW - 24));
  const ly = axisTitleY + 18;
  const legend: string[] = [];
  let y = ly + 8 + ascent(12.5);
  for (const r of rows) {
    legend.push(el('line', { x1: lx + 12, y1: y - 4, x2: lx + 32, y2: y - 4, stroke: r.color, 'stroke-width': 2.5 }));
    r.title.forEach((line, k) => legend.push(text(textX, y + k * titleStep, line, { ...FONT_ATTRS, 'font-size': 12.5, 'font-weight': 'bold' })));
    y += (r.title.length - 1) * titleStep + detailStep;
    r.detail.forEach((line, k) => legend.push(text(textX, y + k * detailStep, line, { ...FONT_ATTRS, fill: STYLE.muted, 'font-size': 11 })));
    y += (r.detail.length - 1) * detailStep + 21;
  }
  note.forEach((line, k) => legend.push(text(lx + 12, y + k * detailStep, line, { ...FONT_ATTRS, fill: STYLE.muted, 'font-size': 11 })));
  const legendH = y + (note.length - 1) * detailStep + lineHeight(11) - ascent(11) + 8 - ly;
  out.push(el('g', {}, el('rect', { x: lx, y: ly, width: legendW, height: legendH, rx: 4, fill: '#ffffff', stroke: STYLE.grid }), ...legend));
  return svgDocument(W, Math.ceil(ly + legendH + 14), out);
}

function svgDocument(width: number, height: number, body: readonly string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}` },
    ...body,
  )}\n`;
}

/**
 * Histograms of the scores of same-person and different-person pairs, overlaid, with vertical
 * lines at the given thresholds (labelled at the top, in rows so labels never overlap) and the range
 * of the per-fold thresholds shaded. Pairs without a face have no score: their number is stated
 * in the legend.
 *
 * @category Benchmark
 */
export function renderScoreHistogramSvg(pairs: readonly PairLabel[], scores: readonly PairScore[], options: HistogramOptions = {}): string {
  const W = options.width ?? 760;
  const head = header(W, options.title ?? 'Score distributions', options.subtitle);
  const bins = options.bins ?? 60;
  const markers = options.thresholds ?? [];
  const folds = options.foldThresholds ?? [];
  const same: number[] = [];
  const diff: number[] = [];
  let noFace = 0;
  pairs.forEach((p, i) => {
    const s = scores[i];
    if (s === null || s === undefined) noFace++;
    else (p.same ? same : diff).push(s);
  });
  const all = [...same, ...diff];
  let lo = all.length > 0 ? Math.min(...all) : 0;
  let hi = all.length > 0 ? Math.max(...all) : 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const binW = (hi - lo) / bins;
  const count = (values: number[]): number[] => {
    const c = new Array<number>(bins).fill(0);
    for (const v of values) c[Math.min(bins - 1, Math.floor((v - lo) / binW))]!++;
    return c;
  };
  const sameCounts = count(same);
  const diffCounts = count(diff);
  const extent = [lo, hi, ...markers.map((m) => m.value), ...folds];
  const pad = (Math.max(...extent) - Math.min(...extent)) * 0.03;
  const dlo = Math.min(...extent) - pad;
  const dhi = Math.max(...extent) + pad;

  // Legend items under the title, wrapped into rows that fit the width.
  const legendItems: { swatch?: string; opacity?: number; label: string; color?: string }[] = [
    { swatch: STYLE.palette[0], opacity: 0.45, label: `same person (${same.length.toLocaleString('en-US')})` },
    { swatch: STYLE.palette[4], opacity: 0.45, label: `different people (${diff.length.toLocaleString('en-US')})` },
  ];
  if (folds.length > 0) legendItems.push({ swatch: STYLE.ink, opacity: 0.12, label: 'range of the per-fold thresholds' });
  if (noFace > 0) legendItems.push({ label: `${noFace.toLocaleString('en-US')} pair${noFace === 1 ? '' : 's'} without a face (not shown, counted wrong)`, color: '#b91c1c' });
  const legend: string[] = [];
  let lx = 70;
  let ly = Math.ceil(head.bottom + 8 + ascent(12));
  for (const item of legendItems) {
    const w = (item.swatch === undefined ? 0 : 20) + textWidth(item.label, 12);
    if (lx > 70 && lx + w > W - 28) {
      lx = 70;
      ly += 20;
    }
    if (item.swatch !== undefined) {
      legend.push(el('rect', { x: lx, y: ly - 9, width: 14, height: 10, fill: item.swatch, 'fill-opacity': item.opacity, stroke: item.opacity === 0.12 ? undefined : item.swatch }));
    }
    legend.push(text(lx + (item.swatch === undefined ? 0 : 20), ly, item.label, { ...FONT_ATTRS, fill: item.color ?? STYLE.ink, 'font-size': 12 }));
    lx += w + 22;
  }

  const y0 = ly + 14;
  const box = { x0: 70, x1: W - 28, y0, y1: y0 + (options.plotHeight ?? 330) };
  const H = box.y1 + 58;
  const X = (v: number): number => box.x0 + ((v - dlo) / (dhi - dlo)) * (box.x1 - box.x0);

  // Threshold labels: greedy rows, left to right, so that no two labels in a row overlap.
  const marks = markers
    .map((m, i) => ({ ...m, color: m.color ?? STYLE.markers[i % STYLE.markers.length]!, x: X(m.value) }))
    .sort((a, b) => a.x - b.x);
  const rowEnds: number[] = [];
  const placed = marks.map((m) => {
    const w = textWidth(m.label, 11) + 10;
    const left = Math.min(Math.max(m.x - w / 2, box.x0 + 2), box.x1 - w - 2);
    let row = rowEnds.findIndex((end) => end + 6 <= left);
    if (row === -1) row = rowEnds.push(0) - 1;
    rowEnds[row] = left + w;
    return { ...m, w, left, row };
  });
  const rowH = 20;
  const labelBand = rowEnds.length * rowH + (rowEnds.length > 0 ? 6 : 0);

  const maxCount = Math.max(1, ...sameCounts, ...diffCounts);
  const yTop = box.y0 + labelBand;
  const yTicks = niceTicks(0, maxCount * 1.05, 5);
  const ymax = Math.max(maxCount * 1.05, yTicks[yTicks.length - 1]!);
  const Y = (c: number): number => box.y1 - (c / ymax) * (box.y1 - yTop);

  const out: string[] = [head.markup, ...legend];

  // Grid and axes.
  const grid: string[] = [];
  for (const t of yTicks) {
    const y = Y(t);
    if (y < yTop - 0.5) continue;
    grid.push(el('line', { x1: box.x0, y1: y, x2: box.x1, y2: y, stroke: STYLE.grid }));
    grid.push(text(box.x0 - 8, y + 4, tickLabel(t, yTicks), { ...FONT_ATTRS, 'font-size': 12, 'text-anchor': 'end' }));
  }
  const xTicks = niceTicks(dlo, dhi, 8);
  for (const t of xTicks) {
    const x = X(t);
    grid.push(el('line', { x1: x, y1: box.y1, x2: x, y2: box.y1 + 5, stroke: STYLE.frame }));
    grid.push(text(x, box.y1 + 19, tickLabel(t, xTicks), { ...FONT_ATTRS, 'font-size': 12, 'text-anchor': 'middle' }));
  }
  out.push(el('g', {}, ...grid));
  out.push(
    text((box.x0 + box.x1) / 2, H - 18, 'Score (higher = more alike)', { ...FONT_ATTRS, 'font-size': 13, 'text-anchor': 'middle' }),
    text(0, 0, 'Pairs per bin', { ...FONT_ATTRS, 'font-size': 13, 'text-anchor': 'middle', transform: `translate(22 ${n2((yTop + box.y1) / 2)}) rotate(-90)` }),
  );

  if (folds.length > 0) {
    const a = X(Math.min(...folds));
    const b = X(Math.max(...folds));
    out.push(el('rect', { x: a, y: yTop, width: Math.max(1.5, b - a), height: box.y1 - yTop, fill: STYLE.ink, 'fill-opacity': 0.12 }));
  }

  // Bars as step outlines filled half-transparent: different first, same on top.
  const step = (counts: number[], color: string): string => {
    const pts: [number, number][] = [[X(lo), Y(0)]];
    counts.forEach((c, i) => {
      pts.push([X(lo + i * binW), Y(c)], [X(lo + (i + 1) * binW), Y(c)]);
    });
    pts.push([X(hi), Y(0)]);
    return el('path', { d: `${pathOf(pts)}Z`, fill: color, 'fill-opacity': 0.35, stroke: color, 'stroke-width': 1.4, 'stroke-linejoin': 'round' });
  };
  out.push(step(diffCounts, STYLE.palette[4]), step(sameCounts, STYLE.palette[0]));

  // Threshold lines, then their labels on top.
  for (const m of placed) {
    const labelY = box.y0 + m.row * rowH;
    out.push(el('line', { x1: m.x, y1: labelY + 16, x2: m.x, y2: box.y1, stroke: m.color, 'stroke-width': 1.6, 'stroke-dasharray': '5 3' }));
  }
  for (const m of placed) {
    const labelY = box.y0 + m.row * rowH;
    out.push(el('rect', { x: m.left, y: labelY, width: m.w, height: 16, rx: 3, fill: '#ffffff', stroke: m.color }));
    out.push(text(m.left + m.w / 2, labelY + 12, m.label, { ...FONT_ATTRS, fill: m.color, 'font-size': 11, 'text-anchor': 'middle' }));
  }
  out.push(el('line', { x1: box.x0, y1: box.y1, x2: box.x1, y2: box.y1, stroke: STYLE.frame }));
  out.push(el('line', { x1: box.x0, y1: yTop, x2: box.x0, y2: box.y1, stroke: STYLE.frame }));
  return svgDocument(W, H, out);
}

/**
 * One curve of an error-versus-discard chart.
 *
 * @category Benchmark
 */
export interface EdcSeries {
  /** Legend label, such as `overall quality`. */
  label: string;
  /** FNMR (0–1) at each share of genuine pairs discarded (0–1). */
  points: readonly { discarded: number; fnmr: number }[];
  /** Drawn bold (the measure under test) rather than thin. */
  emphasis?: boolean;
  /** Drawn dashed (the random-discard baseline). */
  dashed?: boolean;
  /** Line colour; default from the palette, by position. */
  color?: string;
}

/**
 * Options of {@link renderEdcSvg}.
 *
 * @category Benchmark
 */
export interface EdcChartOptions {
  /** Title. Default `Error versus discard`. */
  title?: string;
  /** Second line under the title. */
  subtitle?: string;
  /** Width in pixels. Default 760. */
  width?: number;
  /** Height of the plot area in pixels. Default 340. */
  plotHeight?: number;
}

/**
 * An error-versus-discard chart: the false non-match rate at a fixed threshold (y, percent) as
 * the worst-quality genuine pairs are discarded (x, percent of them), one line per quality
 * measure, with the legend under the plot giving each line's FNMR after 5% is discarded.
 *
 * @category Benchmark
 */
export function renderEdcSvg(series: readonly EdcSeries[], options: EdcChartOptions = {}): string {
  const W = options.width ?? 760;
  const head = header(W, options.title ?? 'Error versus discard', options.subtitle);
  const y0 = Math.ceil(head.bottom + 16);
  const box = { x0: 76, x1: W - 28, y0, y1: y0 + (options.plotHeight ?? 340) };
  const xMax = Math.max(0.01, ...series.flatMap((s) => s.points.map((p) => p.discarded)));
  const yMax = Math.max(0.001, ...series.flatMap((s) => s.points.map((p) => p.fnmr))) * 1.08;
  const X = (d: number): number => box.x0 + (d / xMax) * (box.x1 - box.x0);
  const Y = (f: number): number => box.y1 - (f / yMax) * (box.y1 - box.y0);
  const out: string[] = [head.markup];
  const grid: string[] = [];
  const labels: string[] = [];
  const xTicks = niceTicks(0, xMax * 100, 6).map((t) => t / 100);
  for (const t of xTicks) {
    const x = X(t);
    grid.push(el('line', { x1: x, y1: box.y0, x2: x, y2: box.y1, stroke: STYLE.grid, 'stroke-width': 1 }));
    labels.push(text(x, box.y1 + 18, `${Number((t * 100).toFixed(1))}%`, { ...FONT_ATTRS, 'font-size': 12, 'text-anchor': 'middle' }));
  }
  const yTicks = niceTicks(0, yMax * 100, 6);
  for (const t of yTicks) {
    const y = Y(t / 100);
    grid.push(el('line', { x1: box.x0, y1: y, x2: box.x1, y2: y, stroke: STYLE.grid, 'stroke-width': 1 }));
    labels.push(text(box.x0 - 8, y + 4, `${tickLabel(t, yTicks)}%`, { ...FONT_ATTRS, 'font-size': 12, 'text-anchor': 'end' }));
  }
  out.push(el('g', {}, ...grid), el('g', {}, ...labels));
  const axisTitleY = box.y1 + 40;
  out.push(
    text((box.x0 + box.x1) / 2, axisTitleY, 'Genuine pairs discarded, worst quality first', { ...FONT_ATTRS, 'font-size': 13, 'text-anchor': 'middle' }),
    text(0, 0, 'False non-match rate', { ...FONT_ATTRS, 'font-size': 13, 'text-anchor': 'middle', transform: `translate(22 ${n2((box.y0 + box.y1) / 2)}) rotate(-90)` }),
  );
  const clip = el('clipPath', { id: 'edc-plot' }, el('rect', { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 }));
  const lines = series.map((s, i) => {
    const color = s.color ?? STYLE.palette[i % STYLE.palette.length]!;
    return el('path', {
      d: pathOf(s.points.map((p) => [X(p.discarded), Y(p.fnmr)] as [number, number])),
      fill: 'none',
      stroke: color,
      'stroke-width': s.emphasis ? 2.6 : 1.3,
      'stroke-linejoin': 'round',
      ...(s.dashed ? { 'stroke-dasharray': '6 4' } : {}),
    });
  });
  out.push(el('defs', {}, clip), el('g', { 'clip-path': 'url(#edc-plot)' }, ...lines));
  out.push(el('rect', { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, fill: 'none', stroke: STYLE.frame }));

  // Legend under the plot, in two columns: each measure and its FNMR after discarding 5%.
  const lx = box.x0;
  const legendW = box.x1 - box.x0;
  const column = legendW / 2;
  const step = 17;
  const ly = axisTitleY + 18;
  const legend: string[] = [];
  const at5 = (s: EdcSeries): number | undefined => s.points.reduce<{ d: number; f: number } | undefined>((best, p) => (best === undefined || Math.abs(p.discarded - 0.05) < Math.abs(best.d - 0.05) ? { d: p.discarded, f: p.fnmr } : best), undefined)?.f;
  const first = series[0]?.points[0]?.fnmr;
  series.forEach((s, i) => {
    const color = s.color ?? STYLE.palette[i % STYLE.palette.length]!;
    const col = i % 2;
    const row = Math.floor(i / 2);
    const x = lx + 12 + col * column;
    const y = ly + 8 + ascent(11.5) + row * step;
    const f5 = at5(s);
    const label = `${s.label}${f5 === undefined ? '' : `: ${pct(f5, 2)} at 5%`}`;
    const line = wrapText(label, 11.5, column - 52)[0] ?? '';
    legend.push(el('line', { x1: x, y1: y - 4, x2: x + 22, y2: y - 4, stroke: color, 'stroke-width': s.emphasis ? 2.6 : 1.5, ...(s.dashed ? { 'stroke-dasharray': '6 4' } : {}) }));
    legend.push(text(x + 30, y, line, { ...FONT_ATTRS, 'font-size': 11.5, ...(s.emphasis ? { 'font-weight': 'bold' } : {}) }));
  });
  const rows = Math.ceil(series.length / 2);
  const noteY = ly + 8 + ascent(11.5) + rows * step + 4;
  const note = wrapText(`FNMR before discarding: ${first === undefined ? '–' : pct(first, 2)}; the threshold stays where it was set on all pairs.`, 11, legendW - 24);
  note.forEach((line, k) => legend.push(text(lx + 12, noteY + k * 15, line, { ...FONT_ATTRS, fill: STYLE.muted, 'font-size': 11 })));
  const legendH = noteY + (note.length - 1) * 15 + lineHeight(11) - ascent(11) + 8 - ly;
  out.push(el('g', {}, el('rect', { x: lx, y: ly, width: legendW, height: legendH, rx: 4, fill: '#ffffff', stroke: STYLE.grid }), ...legend));
  return svgDocument(W, Math.ceil(ly + legendH + 14), out);
}
