/**
 * The user model registry through its API, on temp folders: models, calibrations, validation,
 * atomic writes under a lock (also across processes), and typed errors.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserModelEmbedder } from '../src/embed/onnx/index.js';
import { FaceMatchError } from '../src/errors.js';
import {
  addUserModel,
  calibrationKeyId,
  getUserModel,
  listCalibrations,
  listUserModels,
  readCalibration,
  removeUserModel,
  userModelsHome,
  writeCalibration,
  type CalibrationKey,
} from '../src/runtime/user-models.js';
import type { Calibration } from '../src/compare/calibration.js';
import { channelProbeModel } from './fixtures/onnx-models.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHA_A = 'a'.repeat(64);
const CAL: Calibration = { method: 'logistic', a: 20, b: -8, fittedOn: 'LFW View 2, 6000 pairs', pairs: 6000, ridge: 0.001 };

let root: string;
let modelA: string;
let modelB: string;
let n = 0;
const fresh = () => path.join(root, `home-${++n}`);

async function error(promise: Promise<unknown>): Promise<FaceMatchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FaceMatchError);
  return err as FaceMatchError;
}

const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'facematch-user-models-'));
  modelA = path.join(root, 'arc-a.onnx');
  modelB = path.join(root, 'arc-b.onnx');
  await writeFile(modelA, channelProbeModel({ layout: 'NCHW', size: 112 }));
  await writeFile(modelB, channelProbeModel({ layout: 'NHWC', size: 112 }));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('userModelsHome', () => {
  it('takes FACEMATCH_MODELS_HOME, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(userModelsHome({ FACEMATCH_MODELS_HOME: '/srv/fm', XDG_DATA_HOME: '/xdg' })).toBe('/srv/fm');
    expect(userModelsHome({ XDG_DATA_HOME: '/xdg' })).toBe('/xdg/facematch/models');
    expect(userModelsHome({ XDG_DATA_HOME: 'relative/ignored' })).toBe(path.join(homedir(), '.local', 'share', 'facematch', 'models'));
    expect(userModelsHome({})).toBe(path.join(homedir(), '.local', 'share', 'facematch', 'models'));
  });
});

describe('user models', () => {
  it('copies a model in, records its sha256, settings and licence, and lists, gets and removes it', async () => {
    const home = fresh();
    expect(await listUserModels({ home })).toEqual([]);
    const entry = await addUserModel('arc-a', modelA, { home, preset: 'arcface', options: { channelOrder: 'rgb', mean: [1, 2, 3] }, licence: 'Licence text\nline 2' });
    expect(entry).toMatchObject({
      name: 'arc-a',
      file: 'arc-a.onnx',
      path: path.join(home, 'arc-a.onnx'),
      sha256: await sha(modelA),
      preset: 'arcface',
      options: { channelOrder: 'rgb', mean: [1, 2, 3] },
      licence: 'Licence text\nline 2',
      source: modelA,
    });
    expect(entry.bytes).toBe((await readFile(modelA)).length);
    expect(Number.isNaN(Date.parse(entry.added))).toBe(false);
    expect(Buffer.compare(await readFile(entry.path), await readFile(modelA))).toBe(0);
    await addUserModel('arc-b', modelB, { home, preset: 'facenet' });
    expect((await listUserModels({ home })).map((m) => [m.name, m.preset, m.licence])).toEqual([
      ['arc-a', 'arcface', 'Licence text\nline 2'],
      ['arc-b', 'facenet', null],
    ]);
    expect(await getUserModel('arc-a', { home })).toEqual(entry);
    expect(await getUserModel('nope', { home })).toBeUndefined();
    const removed = await removeUserModel('arc-a', { home });
    expect(removed.name).toBe('arc-a');
    expect(existsSync(entry.path)).toBe(false);
    expect((await listUserModels({ home })).map((m) => m.name)).toEqual(['arc-b']);
    expect((await readdir(home)).sort()).toEqual(['arc-b.onnx', 'registry.json']);
  });

  it('runs the registered copy with its recorded settings, sha256-checked', async () => {
    const home = fresh();
    const entry = await addUserModel('probe', modelA, { home, options: { flip: false, channelOrder: 'rgb' } });
    const e = await createUserModelEmbedder('probe', {}, { home });
    expect(e.name).toBe('onnx:probe');
    expect(e.modelSha256).toBe(entry.sha256);
    expect(e.settings).toMatchObject({ flip: false, channelOrder: 'rgb', preset: 'arcface' });
    e.dispose();
    const overridden = await createUserModelEmbedder('probe', { flip: true, runtime: 'web' }, { home });
    expect(overridden.settings.flip).toBe(true);
    expect(overridden.runtime.name).toBe('web');
    overridden.dispose();
    expect(await error(createUserModelEmbedder('absent', {}, { home }))).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
    const bytes = await readFile(entry.path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(entry.path, bytes);
    const altered = await error(createUserModelEmbedder('probe', {}, { home }));
    expect(altered).toMatchObject({ code: 'MODEL_ERROR', details: { expected: entry.sha256 } });
  });

  it('refuses a taken name unless forced, and replaces the file and sha256 when forced', async () => {
    const home = fresh();
    await addUserModel('m', modelA, { home });
    const err = await error(addUserModel('m', modelB, { home }));
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
    expect(err.message).toMatch(/registered already/);
    const replaced = await addUserModel('m', modelB, { home, force: true });
    expect(replaced.sha256).toBe(await sha(modelB));
    expect(await sha(replaced.path)).toBe(await sha(modelB));
  });

  it('answers a missing or unreadable source file with INVALID_INPUT every time, never an uncaught stream error', async () => {
    // The copy used to create a read stream before an await: its open error could fire with no
    // listener, an uncaught exception that a test run saw once in a while.
    const home = fresh();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      uncaught.push(e);
    };
    process.on('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 30; i++) {
        expect(await error(addUserModel('ok', path.join(root, `missing-${i}.onnx`), { home }))).toMatchObject({ code: 'INVALID_INPUT', field: 'file' });
        expect(await error(addUserModel('ok', root, { home }))).toMatchObject({ code: 'INVALID_INPUT', field: 'file' });
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('refuses bad arguments with INVALID_INPUT naming them', async () => {
    const home = fresh();
    const cases: [() => Promise<unknown>, string][] = [
      [() => addUserModel('../escape', modelA, { home }), 'name'],
      [() => addUserModel('', modelA, { home }), 'name'],
      [() => addUserModel('a/b', modelA, { home }), 'name'],
      [() => addUserModel('x'.repeat(65), modelA, { home }), 'name'],
      [() => addUserModel('ok', '', { home }), 'file'],
      [() => addUserModel('ok', path.join(root, 'missing.onnx'), { home }), 'file'],
      [() => addUserModel('ok', root, { home }), 'file'],
      [() => addUserModel('ok', modelA, { home, preset: 'vgg' as never }), 'preset'],
      [() => addUserModel('ok', modelA, { home, options: { channelOrder: 'RGB' as never } }), 'options'],
      [() => addUserModel('ok', modelA, { home, options: { bogus: 1 } as never }), 'options'],
      [() => addUserModel('ok', modelA, { home, options: { std: [1, 0, 1] } }), 'options'],
      [() => addUserModel('ok', modelA, { home, licence: 42 as never }), 'licence'],
      [() => addUserModel('ok', modelA, { home, force: 'yes' as never }), 'force'],
      [() => addUserModel('ok', modelA, { home: '' }), 'home'],
      [() => removeUserModel('absent', { home }), 'name'],
      [() => getUserModel('bad name', { home }), 'name'],
    ];
    for (const [call, field] of cases) expect(await error(call())).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(existsSync(path.join(home, 'ok.onnx'))).toBe(false);
    expect(await listUserModels({ home })).toEqual([]);
  });
});

describe('calibrations', () => {
  const key: CalibrationKey = { embedder: 'onnx:arc', modelSha256: SHA_A, settings: { flip: true, framing: 'arcface-5@112' } };

  it('writes and reads a calibration per embedder, sha256 and settings', async () => {
    const home = fresh();
    expect(await readCalibration(key, { home })).toBeUndefined();
    const stored = await writeCalibration(key, CAL, { home });
    expect(stored.id).toBe(`onnx:arc@${SHA_A};flip=true;framing="arcface-5@112"`);
    expect(await readCalibration(key, { home })).toEqual(CAL);
    expect(await readCalibration({ ...key, settings: { framing: 'arcface-5@112', flip: true } }, { home })).toEqual(CAL);
    expect(await readCalibration({ ...key, settings: { flip: false, framing: 'arcface-5@112' } }, { home })).toBeUndefined();
    expect(await readCalibration({ embedder: 'onnx:arc', modelSha256: SHA_A }, { home })).toBeUndefined();
    expect(await readCalibration({ ...key, modelSha256: 'b'.repeat(64) }, { home })).toBeUndefined();
    const other = { ...CAL, a: 30 };
    await writeCalibration(key, other, { home });
    expect(await readCalibration(key, { home })).toEqual(other);
    expect(await listCalibrations({ home })).toHaveLength(1);
  });

  it('drops a removed model\'s calibrations unless another model has the same bytes', async () => {
    const home = fresh();
    const a = await addUserModel('a', modelA, { home });
    await addUserModel('a2', modelA, { home });
    const keyA = { embedder: 'onnx:a', modelSha256: a.sha256 };
    await writeCalibration(keyA, CAL, { home });
    await writeCalibration({ embedder: 'dlib-resnet', modelSha256: SHA_A }, CAL, { home });
    await removeUserModel('a', { home });
    expect(await readCalibration(keyA, { home })).toEqual(CAL);
    await removeUserModel('a2', { home });
    expect(await readCalibration(keyA, { home })).toBeUndefined();
    expect(await readCalibration({ embedder: 'dlib-resnet', modelSha256: SHA_A }, { home })).toEqual(CAL);
  });

  it('refuses malformed keys and calibrations', async () => {
    const home = fresh();
    const badKeys = [
      { embedder: '', modelSha256: SHA_A },
      { embedder: 'x', modelSha256: 'A'.repeat(64) },
      { embedder: 'x', modelSha256: 'abc' },
      { embedder: 'x', modelSha256: SHA_A, settings: { nested: { no: 1 } } },
      { embedder: 'x', modelSha256: SHA_A, extra: 1 },
      null,
    ];
    for (const k of badKeys) {
      expect(await error(readCalibration(k as never, { home }))).toMatchObject({ code: 'INVALID_INPUT', field: 'key' });
      expect(() => calibrationKeyId(k as never)).toThrow(FaceMatchError);
    }
    const badCalibrations = [{ ...CAL, a: 0 }, { ...CAL, method: 'isotonic' }, { a: 1, b: 2 }, { ...CAL, b: 'x' }, { ...CAL, pairs: -1 }];
    for (const c of badCalibrations) {
      expect(await error(writeCalibration(key, c as never, { home }))).toMatchObject({ code: 'INVALID_INPUT', field: 'calibration' });
    }
    expect(existsSync(path.join(home, 'registry.json'))).toBe(false);
  });
});

describe('the registry file', () => {
  it('is refused with MODEL_ERROR when it is not JSON or not a registry, with nothing overwritten', async () => {
    for (const text of ['{ not json', JSON.stringify({ format: 'facematch-user-models', version: 1, models: { m: { file: 'm.onnx', sha256: 'zz' } }, calibrations: {} }), '[]']) {
      const home = fresh();
      await mkdir(home, { recursive: true });
      await writeFile(path.join(home, 'registry.json'), text);
      const err = await error(listUserModels({ home }));
      expect(err).toMatchObject({ code: 'MODEL_ERROR', field: 'models', details: { file: path.join(home, 'registry.json') } });
      expect(err.message).toMatch(/fix or remove it/);
      expect(await error(addUserModel('m', modelA, { home }))).toMatchObject({ code: 'MODEL_ERROR' });
      expect(await readFile(path.join(home, 'registry.json'), 'utf8')).toBe(text);
      expect(existsSync(path.join(home, 'm.onnx'))).toBe(false);
    }
  });

  it('gives MODEL_ERROR with the system error code when the folder cannot be made', async () => {
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, 'x');
    const err = await error(addUserModel('m', modelA, { home: path.join(blocker, 'models') }));
    expect(err).toMatchObject({ code: 'MODEL_ERROR', field: 'models' });
    expect(['ENOTDIR', 'EEXIST']).toContain(err.details.code);
    const read = await error(listUserModels({ home: blocker }));
    expect(read).toMatchObject({ code: 'MODEL_ERROR', details: { code: 'ENOTDIR' } });
  });

  it('keeps every concurrent write, leaves no temp or lock file, and takes over a stale lock', async () => {
    const home = fresh();
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeCalibration({ embedder: `e${i}`, modelSha256: SHA_A }, { ...CAL, a: i + 1 }, { home })));
    const all = await listCalibrations({ home });
    expect(all).toHaveLength(20);
    expect(all.find((c) => c.key.embedder === 'e7')?.calibration.a).toBe(8);
    expect((await readdir(home)).sort()).toEqual(['registry.json']);
    const lock = path.join(home, 'registry.lock');
    await writeFile(lock, '12345\n');
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    await writeCalibration({ embedder: 'after-stale-lock', modelSha256: SHA_A }, CAL, { home });
    expect(await listCalibrations({ home })).toHaveLength(21);
    expect(existsSync(lock)).toBe(false);
  });

  it('keeps every write from several processes at once', async () => {
    const entry = path.join(ROOT, 'dist', 'src', 'runtime', 'user-models.js');
    if (!existsSync(entry)) throw new Error('dist/ is missing: run "npm run build" (npm test does) first');
    const home = fresh();
    const script = (p: number) => `
      const { writeCalibration } = await import(${JSON.stringify(entry)});
      for (let i = 0; i < 5; i++) {
        await writeCalibration({ embedder: 'p${p}-' + i, modelSha256: '${SHA_A}' }, ${JSON.stringify(CAL)}, { home: ${JSON.stringify(home)} });
      }`;
    await Promise.all(
      [0, 1, 2, 3].map(
        (p) =>
          new Promise<void>((resolve, reject) => {
            execFile(process.execPath, ['--input-type=module', '-e', script(p)], { timeout: 60_000 }, (err, _out, stderr) => {
              if (err) reject(new Error(stderr));
              else resolve();
            });
          }),
      ),
    );
    const ids = (await listCalibrations({ home })).map((c) => c.key.embedder).sort();
    expect(ids).toHaveLength(20);
    expect(ids).toEqual([0, 1, 2, 3].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `p${p}-${i}`)).sort());
  });
});
