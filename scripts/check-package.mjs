#!/usr/bin/env node
// Checks what `npm pack` would put in the package against the list kept in
// scripts/package-files.txt, so a file that should not ship (a test, a development script, a
// source map) or a missing one (the bench's entry point, a model) fails CI instead of reaching
// users. Also checks that every entry point package.json names (main, types, exports, bin) is in
// the package.
//
// Usage: node scripts/check-package.mjs            compare (needs a build: npm run build)
//        node scripts/check-package.mjs --update   rewrite the list from the current build
// Exits 1 when the contents differ, 2 when it cannot run.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const listFile = path.join(root, 'scripts', 'package-files.txt');
const update = process.argv.includes('--update');

if (!existsSync(path.join(root, 'dist', 'src', 'index.js'))) {
  console.error('check:package: no build in dist/: run "npm run build" first');
  process.exit(2);
}
// --ignore-scripts: pack what is built now, without prepack building it again.
const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 64 << 20 });
const [info] = /** @type {{ files: { path: string }[]; entryCount: number; size: number; unpackedSize: number }[]} */ (JSON.parse(stdout.slice(stdout.indexOf('['))));
if (info === undefined) {
  console.error('check:package: npm pack --dry-run --json printed no package');
  process.exit(2);
}
const packed = info.files.map((f) => f.path).sort();

if (update) {
  await writeFile(listFile, `${packed.join('\n')}\n`);
  console.log(`check:package: wrote ${path.relative(root, listFile)} (${packed.length} files)`);
  process.exit(0);
}

const expected = (await readFile(listFile, 'utf8')).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
const expectedSet = new Set(expected);
const packedSet = new Set(packed);
const extra = packed.filter((f) => !expectedSet.has(f));
const missing = expected.filter((f) => !packedSet.has(f));

/** Every file package.json points at: main, types, bin, and each condition of each export. */
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const targets = new Set();
const collect = (value) => {
  if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
  else if (value && typeof value === 'object') Object.values(value).forEach(collect);
};
collect(pkg.main);
collect(pkg.types);
collect(pkg.bin);
collect(pkg.exports);
const unshipped = [...targets].filter((t) => !packedSet.has(t));

console.log(`check:package: ${packed.length} files, ${(info.size / 1e6).toFixed(1)} MB packed, ${(info.unpackedSize / 1e6).toFixed(1)} MB unpacked`);
for (const f of extra) console.log(`  + ${f} (packed, not in scripts/package-files.txt)`);
for (const f of missing) console.log(`  - ${f} (in scripts/package-files.txt, not packed)`);
for (const t of unshipped) console.log(`  ! ${t}: named by package.json but not in the package`);
if (extra.length + missing.length + unshipped.length > 0) {
  console.log('check:package: the package contents changed. If that is intended, run "node scripts/check-package.mjs --update" and commit the list.');
  process.exitCode = 1;
} else {
  console.log('check:package: contents match scripts/package-files.txt; every entry point is packed');
}
