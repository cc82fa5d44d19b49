#!/usr/bin/env node
// Checks SVG charts in headless Chromium: no <text> leaves the viewBox, no two <text> boxes
// overlap. `npm run docs:check` runs the same check on docs/; this is for any other chart, such
// as a bench run's `--out` folder.
//
// Usage: node scripts/check-svg-layout.mjs FILE.svg...   (CHROMIUM_PATH overrides /usr/bin/chromium)
// Exits 1 when a chart has a problem, 2 when it cannot run.
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { svgLayoutProblems } from './svg-layout.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-svg-layout.mjs FILE.svg...');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
let failed = 0;
try {
  const page = await browser.newPage();
  for (const file of files) {
    const problems = await svgLayoutProblems(page, await readFile(file, 'utf8'));
    if (problems.length > 0) failed++;
    console.log(`${file}: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
    for (const p of problems) console.log(`  - ${p}`);
  }
} finally {
  await browser.close();
}
process.exitCode = failed > 0 ? 1 : 0;
