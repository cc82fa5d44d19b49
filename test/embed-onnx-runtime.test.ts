/**
 * Which ONNX runtime loads when the optional peers are missing: the built package (dist/, which
 * `npm test` builds first) is copied into a temp folder whose node_modules links every installed
 * package except the ONNX runtimes left out, and a child process asks it for an embedder.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelProbeModel } from './fixtures/onnx-models.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let dir: string;
beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'embed', 'onnx', 'index.js'))) {
    throw new Error('dist/ is missing or stale: run "npm run build" (npm test does) before this test');
  }
  dir = await mkdtemp(path.join(tmpdir(), 'facematch-onnx-peers-'));
  await writeFile(path.join(dir, 'probe.onnx'), channelProbeModel({ layout: 'NCHW', size: 112 }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of the built package whose node_modules lacks the packages in `without`. */
async function packageWithout(name: string, without: string[]): Promise<string> {
  const pkg = path.join(dir, name);
  await mkdir(path.join(pkg, 'node_modules'), { recursive: true });
  await cp(path.join(ROOT, 'dist', 'src'), path.join(pkg, 'dist', 'src'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  await cp(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  await symlink(path.join(ROOT, 'models'), path.join(pkg, 'models'));
  for (const entry of await readdir(path.join(ROOT, 'node_modules'))) {
    if (entry.startsWith('.') || without.includes(entry)) continue;
    await symlink(path.join(ROOT, 'node_modules', entry), path.join(pkg, 'node_modules', entry));
  }
  return pkg;
}

/** Runs a script in the copied package (fetch disabled) and returns what it printed as JSON. */
function runIn(pkg: string, runtime: string): Promise<Record<string, unknown>> {
  const entry = path.join(pkg, 'dist', 'src', 'embed', 'onnx', 'index.js');
  const script = `
    globalThis.fetch = () => { throw new Error('fetch was called'); };
    const { createOnnxEmbedder } = await import(${JSON.stringify(entry)});
    try {
      const e = await createOnnxEmbedder({ model: ${JSON.stringify(path.join(dir, 'probe.onnx'))}, runtime: ${JSON.stringify(runtime)} });
      const chip = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3).fill(200) };
      const [v] = await e.embed([chip]);
      console.log(JSON.stringify({ ok: true, runtime: e.runtime, length: v.length }));
      e.dispose();
    } catch (err) {
      console.log(JSON.stringify({ ok: false, code: err.code, field: err.field, message: err.message }));
    }`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: pkg, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  });
}

describe('ONNX runtime selection with the optional peers missing', () => {
  it('names the package to install when neither runtime is there', async () => {
    const pkg = await packageWithout('none', ['onnxruntime-node', 'onnxruntime-web']);
    const node = await runIn(pkg, 'node');
    expect(node).toMatchObject({ ok: false, code: 'BACKEND_ERROR', field: 'runtime' });
    expect(node.message).toMatch(/onnxruntime-node/);
    expect(node.message).toMatch(/onnxruntime-node-install=skip/);
    const web = await runIn(pkg, 'web');
    expect(web).toMatchObject({ ok: false, code: 'BACKEND_ERROR' });
    expect(web.message).toMatch(/npm install onnxruntime-web/);
    const auto = await runIn(pkg, 'auto');
    expect(auto).toMatchObject({ ok: false, code: 'BACKEND_ERROR' });
    expect(auto.message).toMatch(/onnxruntime-node or onnxruntime-web/);
  });

  it('falls back to onnxruntime-web, read from disk, when onnxruntime-node is missing', async () => {
    const pkg = await packageWithout('web-only', ['onnxruntime-node']);
    const auto = await runIn(pkg, 'auto');
    expect(auto).toMatchObject({ ok: true, runtime: { requested: 'auto', name: 'web', package: 'onnxruntime-web' }, length: 9 });
    expect(await runIn(pkg, 'node')).toMatchObject({ ok: false, code: 'BACKEND_ERROR' });
  });

  it('reports BACKEND_ERROR, not MODEL_ERROR, when onnxruntime-web\'s WebAssembly cannot start', async () => {
    const pkg = await packageWithout('broken-web', ['onnxruntime-node', 'onnxruntime-web']);
    const real = path.join(ROOT, 'node_modules', 'onnxruntime-web');
    const copy = path.join(pkg, 'node_modules', 'onnxruntime-web');
    await mkdir(path.join(copy, 'dist'), { recursive: true });
    for (const entry of await readdir(real)) if (entry !== 'dist') await symlink(path.join(real, entry), path.join(copy, entry));
    for (const entry of await readdir(path.join(real, 'dist'))) {
      if (entry !== 'ort-wasm-simd-threaded.wasm') await symlink(path.join(real, 'dist', entry), path.join(copy, 'dist', entry));
    }
    await writeFile(path.join(copy, 'dist', 'ort-wasm-simd-threaded.wasm'), Buffer.from('not a wasm module'));
    const web = await runIn(pkg, 'web');
    expect(web).toMatchObject({ ok: false, code: 'BACKEND_ERROR', field: 'runtime' });
    expect(web.message).toMatch(/WebAssembly runtime to start/);
  });

  it('uses onnxruntime-node without the web runtime, and without its install script having run', async () => {
    // allowScripts and .npmrc keep the install script from running here; the CPU binaries ship in the package.
    expect(existsSync(path.join(ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so'))).toBe(false);
    const pkg = await packageWithout('node-only', ['onnxruntime-web']);
    expect(await runIn(pkg, 'auto')).toMatchObject({ ok: true, runtime: { name: 'node', package: 'onnxruntime-node' }, length: 9 });
  });
});
