#!/usr/bin/env node
// Offline check that every file listed in models/manifest.json is present with the recorded sha256.
// (scripts/vendor-models.mjs --check compares against the npm packages themselves and needs the registry.)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const modelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'models');
const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
let bad = 0;
let count = 0;
for (const [id, model] of Object.entries(manifest.models)) {
  for (const f of model.files) {
    count += 1;
    try {
      const digest = createHash('sha256').update(readFileSync(join(modelsDir, f.file))).digest('hex');
      if (digest !== f.sha256) {
        console.error(`${id}: ${f.file} sha256 ${digest} differs from the manifest's ${f.sha256}`);
        bad += 1;
      }
    } catch {
      console.error(`${id}: ${f.file} is listed in the manifest but missing`);
      bad += 1;
    }
  }
}
console.log(`${count - bad}/${count} model files match models/manifest.json`);
process.exitCode = bad === 0 ? 0 : 1;
