/**
 * The user model registry: a folder outside the package where a user keeps their own ONNX face
 * models (copied in, sha256 recorded, with the preset, settings and licence text they supply) and
 * the score calibrations fitted for any embedder. `registry.json` in that folder is validated on
 * every read and replaced atomically, under a lock, on every write.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Calibration } from '../compare/calibration.js';
import { clip, FaceMatchError, invalidInput } from '../errors.js';
import { CHANNEL_ORDERS, ONNX_FRAMINGS, ONNX_PRESETS, TENSOR_LAYOUTS, type OnnxModelSettings, type OnnxPreset } from './onnx.js';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One model in the registry.
 *
 * @category Runtime
 */
export interface UserModelEntry {
  /** The name it was added under. */
  name: string;
  /** File name inside the models folder. */
  file: string;
  /** Absolute path of the copied file (not stored: computed from the folder). */
  path: string;
  /** Hex sha256 of the file, computed when it was copied in. */
  sha256: string;
  /** Size in bytes. */
  bytes: number;
  /** Preprocessing preset. */
  preset: OnnxPreset;
  /** Settings that override the preset (empty when none). */
  options: OnnxModelSettings;
  /** The licence text the user supplied, or null when none was given. */
  licence: string | null;
  /** When it was added (ISO 8601). */
  added: string;
  /** The path it was copied from, for the record. */
  source: string;
}

/**
 * What a calibration is for: scores depend on the embedder, its exact weights and the pipeline
 * settings that change similarities (flip averaging, framing, alignment, face selection, ...).
 *
 * @category Runtime
 */
export interface CalibrationKey {
  /** The embedder's name, as {@link Embedder.name} reports it. */
  embedder: string;
  /** The embedder's {@link Embedder.modelSha256}. */
  modelSha256: string;
  /** Pipeline settings that change scores, such as `{ flip: true, framing: 'arcface-5@112' }`. */
  settings?: Record<string, string | number | boolean>;
}

/**
 * A calibration as the registry stores it.
 *
 * @category Runtime
 */
export interface StoredCalibration {
  /** {@link calibrationKeyId} of `key`: the registry's key. */
  id: string;
  /** What it is for. */
  key: CalibrationKey;
  /** The calibration (extra JSON fields are kept). */
  calibration: Calibration;
  /** When it was written (ISO 8601). */
  written: string;
}

/**
 * Where the registry functions look: `home` overrides the folder {@link userModelsHome} gives.
 *
 * @category Runtime
 */
export interface UserModelsOptions {
  /** The user models folder. Default {@link userModelsHome}(). */
  home?: string;
}

/**
 * Options of {@link addUserModel}.
 *
 * @category Runtime
 */
export interface AddUserModelOptions extends UserModelsOptions {
  /** Preprocessing preset; default `arcface`. */
  preset?: OnnxPreset;
  /** Settings that override the preset. */
  options?: OnnxModelSettings;
  /** Licence text to keep with the model (at most 1 MB). */
  licence?: string;
  /** Replace a model already registered under the name. Default false. */
  force?: boolean;
}

interface RegistryModel {
  file: string;
  sha256: string;
  bytes: number;
  preset: OnnxPreset;
  options: OnnxModelSettings;
  licence: string | null;
  added: string;
  source: string;
}

interface Registry {
  format: 'facematch-user-models';
  version: 1;
  models: Record<string, RegistryModel>;
  calibrations: Record<string, Omit<StoredCalibration, 'id'>>;
}

/** The file the registry lives in, inside the models folder. */
export const REGISTRY_FILE = 'registry.json';
const LOCK_FILE = 'registry.lock';
/**
 * What a user model's name may be: 1–64 letters, digits, `.`, `_` or `-`, starting with a letter
 * or digit.
 * @internal
 */
export const USER_MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_PATTERN = USER_MODEL_NAME;
const SHA256_PATTERN = '^[0-9a-f]{64}$';
const MAX_LICENCE_CHARS = 1_048_576;
const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

const triple = (positive: boolean) => ({
  oneOf: [
    { type: 'number', ...(positive ? { exclusiveMinimum: 0 } : {}) },
    { type: 'array', minItems: 3, maxItems: 3, items: { type: 'number', ...(positive ? { exclusiveMinimum: 0 } : {}) } },
  ],
});
const side = { type: 'integer', minimum: 16, maximum: 4096 };

const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inputSize: { oneOf: [side, { type: 'object', additionalProperties: false, required: ['width', 'height'], properties: { width: side, height: side } }] },
    channelOrder: { enum: [...CHANNEL_ORDERS] },
    layout: { enum: [...TENSOR_LAYOUTS] },
    mean: triple(false),
    std: triple(true),
    flip: { type: 'boolean' },
    framing: { enum: [...ONNX_FRAMINGS] },
    margin: { type: 'number', minimum: 0, maximum: 2 },
    inputName: { type: 'string', minLength: 1, maxLength: 200 },
    outputName: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

const CALIBRATION_SCHEMA = {
  type: 'object',
  required: ['method', 'a', 'b', 'fittedOn'],
  properties: {
    method: { const: 'logistic' },
    a: { type: 'number', exclusiveMinimum: 0 },
    b: { type: 'number' },
    fittedOn: { type: 'string' },
    pairs: { type: 'integer', minimum: 0 },
    ridge: { type: 'number', minimum: 0 },
  },
};

const KEY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['embedder', 'modelSha256'],
  properties: {
    embedder: { type: 'string', minLength: 1, maxLength: 1000 },
    modelSha256: { type: 'string', pattern: SHA256_PATTERN },
    settings: { type: 'object', maxProperties: 32, additionalProperties: { type: ['string', 'number', 'boolean'] } },
  },
};

const REGISTRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'version', 'models', 'calibrations'],
  properties: {
    format: { const: 'facematch-user-models' },
    version: { const: 1 },
    models: {
      type: 'object',
      propertyNames: { pattern: NAME_PATTERN.source },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'sha256', 'bytes', 'preset', 'options', 'licence', 'added', 'source'],
        properties: {
          file: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
          sha256: { type: 'string', pattern: SHA256_PATTERN },
          bytes: { type: 'integer', minimum: 0 },
          preset: { enum: [...ONNX_PRESETS] },
          options: SETTINGS_SCHEMA,
          licence: { type: ['string', 'null'], maxLength: MAX_LICENCE_CHARS },
          added: { type: 'string' },
          source: { type: 'string' },
        },
      },
    },
    calibrations: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'calibration', 'written'],
        properties: { key: KEY_SCHEMA, calibration: CALIBRATION_SCHEMA, written: { type: 'string' } },
      },
    },
  },
};

let validators: { registry: ValidateFunction; settings: ValidateFunction; calibration: ValidateFunction; key: ValidateFunction } | undefined;

function validator(which: 'registry' | 'settings' | 'calibration' | 'key'): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    validators = {
      registry: ajv.compile(REGISTRY_SCHEMA),
      settings: ajv.compile(SETTINGS_SCHEMA),
      calibration: ajv.compile(CALIBRATION_SCHEMA),
      key: ajv.compile(KEY_SCHEMA),
    };
  }
  return validators[which];
}

function firstError(validate: ValidateFunction): string {
  const e = validate.errors?.[0];
  return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'it is invalid';
}

function diskError(message: string, file: string, cause?: unknown): FaceMatchError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new FaceMatchError('MODEL_ERROR', code ? `${message} (${code})` : message, { field: 'models', details: { file, ...(code ? { code } : {}) }, cause });
}

/**
 * The user models folder: `FACEMATCH_MODELS_HOME` when set, else `$XDG_DATA_HOME/facematch/models`,
 * else `~/.local/share/facematch/models`.
 *
 * @param env - the environment to read (default `process.env`)
 * @category Runtime
 */
export function userModelsHome(env: Record<string, string | undefined> = process.env): string {
  if (env.FACEMATCH_MODELS_HOME) return path.resolve(env.FACEMATCH_MODELS_HOME);
  const data = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homedir(), '.local', 'share');
  return path.join(data, 'facematch', 'models');
}

function homeOf(options: UserModelsOptions | undefined): string {
  const home = options?.home;
  if (home === undefined) return userModelsHome();
  if (typeof home !== 'string' || home === '') throw invalidInput('home', 'the path of a user models folder', home);
  return path.resolve(home);
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw invalidInput('name', 'a model name of 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit', name);
  }
  return name;
}

/**
 * The registry's id for a calibration key: `embedder@sha256`, then `;k=v` for each setting in
 * key order. Two keys with the same fields give the same id.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `key`) for a malformed key
 * @category Runtime
 */
export function calibrationKeyId(key: CalibrationKey): string {
  const validate = validator('key');
  if (!validate(key)) throw invalidInput('key', `a calibration key { embedder, modelSha256 (lower-case hex), settings? } (${firstError(validate)})`, key);
  const settings = Object.entries(key.settings ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${key.embedder}@${key.modelSha256}${settings.map(([k, v]) => `;${k}=${JSON.stringify(v)}`).join('')}`;
}

function emptyRegistry(): Registry {
  return { format: 'facematch-user-models', version: 1, models: {}, calibrations: {} };
}

async function readRegistry(home: string): Promise<Registry> {
  const file = path.join(home, REGISTRY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistry();
    throw diskError(`Expected to read the user model registry ${file} but could not`, file, cause);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw diskError(`Expected ${file} to be JSON but it is not (${(cause as Error).message}); fix or remove it`, file, cause);
  }
  const validate = validator('registry');
  if (!validate(parsed)) throw diskError(`Expected ${file} to be a facematch user model registry but ${firstError(validate)}; fix or remove it`, file);
  return parsed as unknown as Registry;
}

async function writeRegistry(home: string, registry: Registry): Promise<void> {
  const file = path.join(home, REGISTRY_FILE);
  const tmp = path.join(home, `.${REGISTRY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(registry, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw diskError(`Expected to write the user model registry ${file} but could not`, file, cause);
  }
}

/** Runs `task` holding the folder's lock file (created exclusively; a lock older than 30 s is taken over). */
async function withLock<T>(home: string, task: () => Promise<T>): Promise<T> {
  try {
    await mkdir(home, { recursive: true });
  } catch (cause) {
    throw diskError(`Expected to create the user models folder ${home} but could not`, home, cause);
  }
  const lock = path.join(home, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw diskError(`Expected to lock the user model registry with ${lock} but could not`, lock, cause);
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw diskError(`Expected to lock the user model registry but ${lock} has been held for ${Math.round(age / 1000)} s; remove it if no facematch process is running`, lock);
      }
      await sleep(20 + Math.random() * 30);
    }
  }
  try {
    return await task();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

function toEntry(home: string, name: string, model: RegistryModel): UserModelEntry {
  return { name, ...model, path: path.join(home, model.file) };
}

/** Copies `source` to `target` (a temp name the caller moves into place), hashing on the way; returns the digest and size. */
async function copyHashed(source: string, target: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    // The source is opened first, so that a missing or unreadable file rejects here; a read
    // stream created before an await would emit its open error with no listener yet (an
    // uncaught exception).
    const input = await open(source, 'r');
    let output: FileHandle | undefined;
    try {
      output = await open(target, 'wx', 0o644);
      for await (const chunk of input.createReadStream({ autoClose: false })) {
        const buf = chunk as Buffer;
        hash.update(buf);
        bytes += buf.length;
        await output.write(buf);
      }
      await output.sync();
    } finally {
      await output?.close();
      await input.close();
    }
    return { sha256: hash.digest('hex'), bytes };
  } catch (cause) {
    await rm(target, { force: true }).catch(() => undefined);
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new FaceMatchError('INVALID_INPUT', `Expected a readable model file for file but received ${JSON.stringify(clip(source))} (${code})`, {
        field: 'file',
        details: { file: clip(source), code },
        cause,
      });
    }
    throw diskError(`Expected to copy ${clip(source)} into ${path.dirname(target)} but could not`, target, cause);
  }
}

/**
 * Copies a model file into the user models folder as `<name>.onnx`, records its sha256, preset,
 * settings and licence in the registry, and returns the entry. Refuses a name already taken
 * unless `force`.
 *
 * @param name - 1–64 letters, digits, `.`, `_` or `-`, starting with a letter or digit
 * @param file - the model file to copy
 * @throws FaceMatchError `INVALID_INPUT` for a bad argument, a taken name without `force`, or an
 *   unreadable `file`; `MODEL_ERROR` (field `models`) when the folder or registry cannot be read
 *   or written, or the registry is malformed
 * @category Runtime
 */
export async function addUserModel(name: string, file: string, options: AddUserModelOptions = {}): Promise<UserModelEntry> {
  checkName(name);
  if (typeof file !== 'string' || file === '') throw invalidInput('file', 'the path of a model file', file);
  if (typeof options !== 'object' || options === null) throw invalidInput('options', 'an options object', options);
  const home = homeOf(options);
  const preset = options.preset ?? 'arcface';
  if (!ONNX_PRESETS.includes(preset)) throw invalidInput('preset', `one of ${ONNX_PRESETS.join(', ')}`, preset);
  const settings = options.options ?? {};
  const validate = validator('settings');
  if (!validate(settings)) throw invalidInput('options', `ONNX model settings (${firstError(validate)})`, settings);
  const licence = options.licence ?? null;
  if (licence !== null && (typeof licence !== 'string' || licence.length > MAX_LICENCE_CHARS)) {
    throw invalidInput('licence', `licence text of at most ${MAX_LICENCE_CHARS} characters`, licence);
  }
  if (options.force !== undefined && typeof options.force !== 'boolean') throw invalidInput('force', 'true or false', options.force);
  const source = path.resolve(file);
  const taken = (registry: Registry): FaceMatchError | undefined =>
    registry.models[name] && !options.force
      ? new FaceMatchError('INVALID_INPUT', `Expected a new model name for name but received ${JSON.stringify(name)}, which is registered already (use force to replace it)`, {
          field: 'name',
          details: { name, sha256: registry.models[name].sha256 },
        })
      : undefined;
  const early = taken(await readRegistry(home));
  if (early) throw early;
  try {
    await mkdir(home, { recursive: true });
  } catch (cause) {
    throw diskError(`Expected to create the user models folder ${home} but could not`, home, cause);
  }
  // Copy (and hash) outside the lock, so a large model does not hold up other writers.
  const target = `${name}.onnx`;
  const staged = path.join(home, `.${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const { sha256, bytes } = await copyHashed(source, staged);
  try {
    return await withLock(home, async () => {
      const registry = await readRegistry(home);
      const refused = taken(registry);
      if (refused) throw refused;
      try {
        await rename(staged, path.join(home, target));
      } catch (cause) {
        throw diskError(`Expected to move the copied model into ${path.join(home, target)} but could not`, path.join(home, target), cause);
      }
      const model: RegistryModel = { file: target, sha256, bytes, preset, options: { ...settings }, licence, added: new Date().toISOString(), source };
      registry.models[name] = model;
      await writeRegistry(home, registry);
      return toEntry(home, name, model);
    });
  } finally {
    await rm(staged, { force: true }).catch(() => undefined);
  }
}

/**
 * Every model in the registry, by name. An absent folder or registry is an empty list.
 *
 * @throws FaceMatchError `MODEL_ERROR` (field `models`) when the registry cannot be read or is malformed
 * @category Runtime
 */
export async function listUserModels(options: UserModelsOptions = {}): Promise<UserModelEntry[]> {
  const home = homeOf(options);
  const registry = await readRegistry(home);
  return Object.keys(registry.models)
    .sort()
    .map((name) => toEntry(home, name, registry.models[name]!));
}

/**
 * The model registered under `name`, or undefined when there is none.
 *
 * @throws FaceMatchError `INVALID_INPUT` for a malformed name; `MODEL_ERROR` as {@link listUserModels}
 * @category Runtime
 */
export async function getUserModel(name: string, options: UserModelsOptions = {}): Promise<UserModelEntry | undefined> {
  checkName(name);
  const home = homeOf(options);
  const model = (await readRegistry(home)).models[name];
  return model ? toEntry(home, name, model) : undefined;
}

/**
 * Removes a model from the registry and deletes its file. Calibrations for its sha256 go too,
 * unless another registered model has the same bytes.
 *
 * @returns the entry that was removed
 * @throws FaceMatchError `INVALID_INPUT` when no model has that name; `MODEL_ERROR` (field
 *   `models`) when the registry or file cannot be changed
 * @category Runtime
 */
export async function removeUserModel(name: string, options: UserModelsOptions = {}): Promise<UserModelEntry> {
  checkName(name);
  const home = homeOf(options);
  return withLock(home, async () => {
    const registry = await readRegistry(home);
    const model = registry.models[name];
    if (!model) {
      const names = Object.keys(registry.models);
      throw new FaceMatchError(
        'INVALID_INPUT',
        `Expected the name of a registered user model for name but received ${JSON.stringify(name)} (registered: ${names.length ? names.join(', ') : 'none'})`,
        { field: 'name', details: { name } },
      );
    }
    delete registry.models[name];
    if (!Object.values(registry.models).some((m) => m.sha256 === model.sha256)) {
      for (const [id, stored] of Object.entries(registry.calibrations)) if (stored.key.modelSha256 === model.sha256) delete registry.calibrations[id];
    }
    await writeRegistry(home, registry);
    const file = path.join(home, model.file);
    await rm(file, { force: true }).catch((cause: unknown) => {
      throw diskError(`Removed ${name} from the registry but could not delete ${file}`, file, cause);
    });
    return toEntry(home, name, model);
  });
}

/**
 * The calibration stored for a key, or undefined when none is.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `key`) for a malformed key; `MODEL_ERROR` as {@link listUserModels}
 * @category Runtime
 */
export async function readCalibration(key: CalibrationKey, options: UserModelsOptions = {}): Promise<Calibration | undefined> {
  const id = calibrationKeyId(key);
  const stored = (await readRegistry(homeOf(options))).calibrations[id];
  return stored ? { ...stored.calibration } : undefined;
}

/**
 * Every calibration in the registry.
 *
 * @throws FaceMatchError `MODEL_ERROR` as {@link listUserModels}
 * @category Runtime
 */
export async function listCalibrations(options: UserModelsOptions = {}): Promise<StoredCalibration[]> {
  const registry = await readRegistry(homeOf(options));
  return Object.entries(registry.calibrations)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, stored]) => ({ id, ...stored }));
}

/**
 * Stores (or replaces) the calibration for a key, so a score means the same after a restart.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `key` or `calibration`) for a malformed argument;
 *   `MODEL_ERROR` (field `models`) when the registry cannot be read or written
 * @category Runtime
 */
export async function writeCalibration(key: CalibrationKey, calibration: Calibration, options: UserModelsOptions = {}): Promise<StoredCalibration> {
  const id = calibrationKeyId(key);
  const validate = validator('calibration');
  if (!validate(calibration)) {
    throw invalidInput('calibration', `a calibration { method: 'logistic', a > 0, b, fittedOn } (${firstError(validate)})`, calibration);
  }
  const json = JSON.parse(JSON.stringify(calibration)) as Calibration;
  const home = homeOf(options);
  return withLock(home, async () => {
    const registry = await readRegistry(home);
    const stored = { key: { ...key, ...(key.settings ? { settings: { ...key.settings } } : {}) }, calibration: json, written: new Date().toISOString() };
    registry.calibrations[id] = stored;
    await writeRegistry(home, registry);
    return { id, ...stored };
  });
}
