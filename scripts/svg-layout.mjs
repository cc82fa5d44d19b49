// Checks the layout of SVG charts as Chromium renders them: every <text> element's box must lie
// inside the viewBox and must not overlap another <text> element's box. Used by
// `npm run docs:check` on the charts in docs/ and by the chart tests; see svg-layout.d.mts.

/** Overlaps and overhangs smaller than this (in viewBox units) are rounding, not layout. */
const TOLERANCE = 0.5;

/**
 * The layout problems of one SVG document in a Chromium page: texts leaving the viewBox, and
 * pairs of texts whose boxes overlap.
 *
 * @param {import('playwright-core').Page} page - a page to render in (its content is replaced)
 * @param {string} svg - the SVG document's text
 * @returns {Promise<string[]>} one sentence per problem; empty when the layout is clean
 */
export async function svgLayoutProblems(page, svg) {
  const markup = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">${markup}</body></html>`);
  await page.evaluate(() => document.fonts.ready);
  return page.evaluate((tolerance) => {
    const svgEl = document.querySelector('svg');
    if (!svgEl) return ['no <svg> element'];
    const frame = svgEl.getBoundingClientRect();
    const vb = svgEl.viewBox.baseVal;
    const view = vb && vb.width > 0 ? vb : { x: 0, y: 0, width: frame.width, height: frame.height };
    const sx = view.width / frame.width;
    const sy = view.height / frame.height;
    const label = (s) => JSON.stringify(s.length > 48 ? `${s.slice(0, 45)}…` : s);
    const round = (v) => Math.round(v * 10) / 10;
    const boxes = [...svgEl.querySelectorAll('text')]
      .filter((t) => (t.textContent ?? '').trim() !== '')
      .map((t) => {
        const r = t.getBoundingClientRect();
        return {
          text: (t.textContent ?? '').trim(),
          x0: view.x + (r.left - frame.left) * sx,
          x1: view.x + (r.right - frame.left) * sx,
          y0: view.y + (r.top - frame.top) * sy,
          y1: view.y + (r.bottom - frame.top) * sy,
        };
      });
    const problems = [];
    for (const b of boxes) {
      const out = [
        b.x0 < view.x - tolerance ? `left by ${round(view.x - b.x0)}` : '',
        b.x1 > view.x + view.width + tolerance ? `right by ${round(b.x1 - view.x - view.width)}` : '',
        b.y0 < view.y - tolerance ? `top by ${round(view.y - b.y0)}` : '',
        b.y1 > view.y + view.height + tolerance ? `bottom by ${round(b.y1 - view.y - view.height)}` : '',
      ].filter(Boolean);
      if (out.length > 0) problems.push(`text ${label(b.text)} leaves the viewBox (${out.join(', ')})`);
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
        const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
        if (w > tolerance && h > tolerance) problems.push(`text ${label(a.text)} overlaps text ${label(b.text)} (${round(w)} × ${round(h)})`);
      }
    }
    return problems;
  }, TOLERANCE);
}

/**
 * A chart that breaks both rules, for proving that the check catches them: a label starting left
 * of the picture, a subtitle running off its right edge, and two labels on top of each other.
 *
 * @returns {string}
 */
export function brokenChartSvg() {
  const font = "font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\"";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">
<rect width="300" height="120" fill="#fff"/>
<text x="-20" y="30" ${font}>starts left of the picture</text>
<text x="10" y="55" ${font}>a subtitle far too long to fit in three hundred pixels</text>
<text x="10" y="90" ${font}>first label</text>
<text x="40" y="92" ${font}>second label</text>
</svg>`;
}
