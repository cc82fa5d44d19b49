/**
 * The Markdown pieces every benchmark report uses: tables and the formats of rates, counts and
 * milliseconds, so that the single-run report and the comparison document print numbers alike.
 * @module
 */

/**
 * A rate as a percentage, `n/a` when unknown: `0.9912` → `99.12%`.
 *
 * @category Benchmark
 */
export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
}

/**
 * A count with thousands separators: `7701` → `7,701`.
 *
 * @category Benchmark
 */
export function int(v: number): string {
  return v.toLocaleString('en-US');
}

/**
 * Milliseconds with the decimals their size deserves: `152`, `31.2`, `4.52`.
 *
 * @category Benchmark
 */
export function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/**
 * A Markdown table; `|` in cells is escaped.
 *
 * @param head - the column titles
 * @param align - `l` or `r` per column
 * @param rows - the cells, row by row
 * @category Benchmark
 */
export function table(head: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string {
  const cells = (r: readonly string[]): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [cells(head), `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map(cells)].join('\n');
}
