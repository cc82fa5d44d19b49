/**
 * A few helpers to write SVG by hand: elements with escaped attributes and text, number formatting,
 * and "nice" axis ticks. Internal to the benchmark's charts.
 * @module
 */

/** Attribute values of an element; `undefined` leaves the attribute out. */
export type Attrs = Record<string, string | number | undefined>;

/** Escapes text for XML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number with at most two decimals, no trailing zeros: compact coordinates. */
export function n2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** One element: `<tag a="1">children</tag>`, or self-closing without children. */
export function el(tag: string, attrs: Attrs, ...children: string[]): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? n2(v) : esc(v)}"`)
    .join('');
  return children.length === 0 ? `<${tag}${a}/>` : `<${tag}${a}>${children.join('')}</${tag}>`;
}

/** A text element; the content is escaped. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, esc(content));
}

/** A polyline path through points: `M x y L x y …`. */
export function pathOf(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n2(x)} ${n2(y)}`).join('');
}

/** Ticks at a 1-2-5 step covering `[lo, hi]`, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Formats tick values with the decimals their spacing needs. */
export function tickLabel(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(value) || 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** A number with at most `digits` significant digits (trailing zeros dropped), without exponent for everyday magnitudes. */
export function sig(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const a = Math.abs(value);
  if (a >= 1e-4 && a < 1e9) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
    const fixed = value.toFixed(decimals);
    return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  }
  return value.toExponential(digits - 1);
}

/** Shared look of the charts. */
export const STYLE = {
  font: "DejaVu Sans, 'Helvetica Neue', Helvetica, Arial, sans-serif",
  ink: '#1f2937',
  muted: '#6b7280',
  grid: '#e5e7eb',
  gridMinor: '#f3f4f6',
  frame: '#9ca3af',
  palette: ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'],
  markers: ['#111827', '#9333ea', '#16a34a', '#dc2626', '#0891b2', '#ca8a04'],
} as const;
