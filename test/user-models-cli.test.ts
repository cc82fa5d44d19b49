/**
 * `facematch models add | list | remove` through the built CLI (`node dist/src/cli.js`, which
 * `npm test` builds first), on a temp FACEMATCH_MODELS_HOME, with tiny ONNX models built in code.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combinedSha256, readModelManifest } from '../src/runtime/models.js';
import { writeCalibration } from '../src/runtime/user-models.js';
import { channelProbeModel } from './fixtures/onnx-models.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, any> | undefined;
}

let root: string;
let home: string;
let probe: string;
let probeNhwc: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, FACEMATCH_MODELS_HOME: home, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      let json: Record<string, any> | undefined;
      try {
        json = JSON.parse(stdout) as Record<string, any>;
      } catch {
        json = undefined;
      }
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr, json });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: run "npm run build" (npm test does) first');
  root = await mkdtemp(path.join(tmpdir(), 'facematch-models-cli-'));
  home = path.join(root, 'home');
  probe = path.join(root, 'probe.onnx');
  probeNhwc = path.join(root, 'probe-nhwc.onnx');
  await writeFile(probe, channelProbeModel({ layout: 'NCHW', size: 112 }));
  await writeFile(probeNhwc, channelProbeModel({ layout: 'NHWC', size: 160 }));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('facematch models', () => {
  it('adds a model after loading it, records sha256, preset, settings and the licence file\'s text', async () => {
    const licence = path.join(root, 'LICENCE.txt');
    await writeFile(licence, 'Model licence: research use only.\n');
    const run = await cli(['models', 'add', 'probe', probe, '--preset', 'arcface', '--licence', licence, '--channel-order', 'rgb', '--no-flip']);
    expect(run.code).toBe(0);
    const added = run.json!.added;
    expect(added).toMatchObject({
      name: 'probe',
      path: path.join(home, 'probe.onnx'),
      preset: 'arcface',
      options: { channelOrder: 'rgb', flip: false },
      licence: 'Model licence: research use only.\n',
      sha256: createHash('sha256').update(await readFile(probe)).digest('hex'),
      embedder: `onnx:${path.join(home, 'probe.onnx')}:arcface`,
    });
    expect(run.json!.checked).toMatchObject({ dimension: 9, framing: 'arcface-5@112', settings: { layout: 'NCHW', channelOrder: 'rgb', flip: false } });
    const registry = JSON.parse(await readFile(path.join(home, 'registry.json'), 'utf8'));
    expect(registry.models.probe).toMatchObject({ file: 'probe.onnx', preset: 'arcface', licence: 'Model licence: research use only.\n' });
  });

  it('keeps literal licence text, warns when there is none, and takes the facenet preset', async () => {
    const withText = await cli(['models', 'add', 'nhwc', probeNhwc, '--preset', 'facenet', '--licence', 'CC-BY-NC-4.0']);
    expect(withText.code).toBe(0);
    expect(withText.json!.added).toMatchObject({ licence: 'CC-BY-NC-4.0', preset: 'facenet' });
    expect(withText.json!.checked).toMatchObject({ framing: 'box-0.125@160', settings: { layout: 'NHWC', layoutFrom: 'model' } });
    const other = path.join(root, 'other-home');
    const without = await cli(['models', 'add', 'bare', probe, '--home', other]);
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(/no --licence given/);
    expect(without.json!.added).toMatchObject({ licence: null, path: path.join(other, 'bare.onnx') });
  });

  it('refuses a taken name unless --force', async () => {
    const again = await cli(['models', 'add', 'probe', probeNhwc, '--preset', 'facenet']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/INVALID_INPUT: .*registered already/);
    const forced = await cli(['models', 'add', 'probe', probe, '--force', '--licence', 'replaced']);
    expect(forced.code).toBe(0);
    expect(forced.json!.added).toMatchObject({ licence: 'replaced', options: {} });
  });

  it('refuses a model that does not load or fit its settings, and registers nothing', async () => {
    const corrupt = path.join(root, 'corrupt.onnx');
    await writeFile(corrupt, Buffer.alloc(3000, 7));
    const bad = await cli(['models', 'add', 'corrupt', corrupt]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MODEL_ERROR/);
    const misfit = await cli(['models', 'add', 'misfit', probe, '--input-size', '160']);
    expect(misfit.code).toBe(2);
    expect(misfit.stderr).toMatch(/INVALID_INPUT: Expected inputSize 160×160/);
    const missing = await cli(['models', 'add', 'missing', path.join(root, 'none.onnx')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/MODEL_ERROR: Expected an ONNX model file/);
    const list = await cli(['models', 'list']);
    expect(list.json!.user.map((u: { name: string }) => u.name)).toEqual(['nhwc', 'probe']);
    expect(existsSync(path.join(home, 'corrupt.onnx'))).toBe(false);
  });

  it('lists vendored and user models with sha256, presence and calibration state', async () => {
    const manifest = await readModelManifest();
    const dlibSha = combinedSha256(manifest.models['dlib-resnet']!.files);
    const probeSha = createHash('sha256').update(await readFile(probe)).digest('hex');
    await writeCalibration({ embedder: 'onnx:probe', modelSha256: probeSha, settings: { flip: true } }, { method: 'logistic', a: 10, b: -5, fittedOn: 'test' }, { home });
    await writeCalibration({ embedder: 'dlib-resnet', modelSha256: dlibSha, settings: { faceSelection: 'center' } }, { method: 'logistic', a: 100, b: -90, fittedOn: 'test' }, { home });
    const run = await cli(['models', 'list']);
    expect(run.code).toBe(0);
    const { vendored, user, calibrations } = run.json!;
    expect(run.json!.home).toBe(home);
    expect(vendored.map((v: { id: string }) => v.id).sort()).toEqual(Object.keys(manifest.models).sort());
    const dlib = vendored.find((v: { id: string }) => v.id === 'dlib-resnet');
    expect(dlib).toMatchObject({ role: 'embedder', sha256: dlibSha, calibration: { source: 'models/manifest.json' } });
    expect(dlib.calibrations).toEqual([`dlib-resnet@${dlibSha};faceSelection="center"`]);
    const probeEntry = user.find((u: { name: string }) => u.name === 'probe');
    expect(probeEntry).toMatchObject({ sha256: probeSha, present: true, calibrations: [`onnx:probe@${probeSha};flip=true`] });
    expect(calibrations).toHaveLength(2);
  });

  it('removes a model, its file and its calibrations', async () => {
    const run = await cli(['models', 'remove', 'probe']);
    expect(run.code).toBe(0);
    expect(run.json!.removed).toMatchObject({ name: 'probe' });
    expect(existsSync(path.join(home, 'probe.onnx'))).toBe(false);
    const list = await cli(['models', 'list']);
    expect(list.json!.user.map((u: { name: string }) => u.name)).toEqual(['nhwc']);
    expect(list.json!.calibrations).toHaveLength(1);
    const again = await cli(['models', 'remove', 'probe']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/registered user model/);
  });

  it('exits 2 on usage errors, and 1 when the registry is unusable', async () => {
    expect((await cli(['models'])).code).toBe(2);
    expect((await cli(['models', 'frob'])).code).toBe(2);
    expect((await cli(['models', 'add', 'only-name'])).code).toBe(2);
    expect((await cli(['models', 'add', 'x', probe, '--preset', 'vgg'])).code).toBe(2);
    expect((await cli(['models', 'add', 'x', probe, '--mean', '1,2'])).code).toBe(2);
    expect((await cli(['models', 'add', 'bad/name', probe])).code).toBe(2);
    expect((await cli(['models', 'list', '--bogus'])).code).toBe(2);
    const help = await cli(['models', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/facematch models add NAME PATH/);
    const broken = path.join(root, 'broken-home');
    await cli(['models', 'add', 'ok', probe, '--home', broken, '--licence', 'x']);
    await writeFile(path.join(broken, 'registry.json'), '{"format":"facematch-user-models"');
    const run = await cli(['models', 'list', '--home', broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/MODEL_ERROR: Expected .*registry.json to be JSON/);
  });
});
