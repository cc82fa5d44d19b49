/**
 * Text measurement for the benchmark charts, from the DejaVu Sans advance widths in
 * `text-metrics.ts` (measured in Chromium): how wide a label is, how tall a line, and how to wrap
 * a long subtitle or legend entry into lines that fit.
 *
 * Kerning is ignored (it narrows DejaVu Sans text by a fraction of a percent), and a character
 * missing from the table counts as wide as a capital W, so measured text is never narrower than
 * Chromium draws it. Other fonts of the charts' fallback list (Helvetica, Arial) are narrower than
 * DejaVu Sans, so a layout that fits DejaVu Sans fits them too.
 * @module
 */
import { BOLD_WIDTHS, FONT_EXTENT, REGULAR_WIDTHS } from './text-metrics.js';

/**
 * Width of a label in pixels at a font size.
 *
 * @category Benchmark
 */
export function textWidth(text: string, size: number, bold = false): number {
  const widths = bold ? BOLD_WIDTHS : REGULAR_WIDTHS;
  const fallback = widths['W'] ?? 1;
  let em = 0;
  for (const c of text) em += widths[c] ?? fallback;
  return em * size;
}

/**
 * The height of one line of text (ascent + descent) at a font size: what a text element's box
 * spans, and the least distance between two baselines whose lines must not overlap.
 *
 * @category Benchmark
 */
export function lineHeight(size: number): number {
  return (FONT_EXTENT.ascent + FONT_EXTENT.descent) * size;
}

/**
 * How far above its baseline a line of text reaches, at a font size.
 *
 * @category Benchmark
 */
export function ascent(size: number): number {
  return FONT_EXTENT.ascent * size;
}

/**
 * Splits text into lines no wider than `maxWidth`: at ` · ` separators first (the charts' subtitle
 * style), then at spaces, and inside a word only when the word alone is too wide. The separator
 * stays at the end of the line it closes.
 *
 * @category Benchmark
 */
export function wrapText(text: string, size: number, maxWidth: number, bold = false): string[] {
  const fits = (s: string): boolean => textWidth(s, size, bold) <= maxWidth;
  if (fits(text)) return [text];
  const lines: string[] = [];
  let line = '';
  const push = (piece: string): void => {
    if (line === '' || fits(line + piece)) {
      line += piece;
      return;
    }
    lines.push(line.trimEnd());
    line = piece.trimStart();
  };
  for (const part of text.split(/(?<= · )/)) {
    if (fits(part) || part.indexOf(' ') === -1) {
      push(part);
      continue;
    }
    for (const word of part.split(/(?<= )/)) push(word);
  }
  if (line !== '') lines.push(line.trimEnd());
  // Words wider than a line on their own: cut them by characters.
  return lines.flatMap((l) => {
    if (fits(l)) return [l];
    const cut: string[] = [];
    let piece = '';
    for (const c of l) {
      if (piece !== '' && !fits(piece + c)) {
        cut.push(piece);
        piece = '';
      }
      piece += c;
    }
    if (piece !== '') cut.push(piece);
    return cut;
  });
}
