/**
 * `facematch models add | list | remove`: the user model registry from the command line.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { createOnnxEmbedder } from '../embed/onnx/embedder.js';
import { clip, isFaceMatchError } from '../errors.js';
import { combinedSha256, readModelManifest } from '../runtime/models.js';
import {
  CHANNEL_ORDERS,
  ONNX_FRAMINGS,
  ONNX_PRESETS,
  onnxRuntimeAvailable,
  TENSOR_LAYOUTS,
  type OnnxModelSettings,
} from '../runtime/onnx.js';
import { addUserModel, listCalibrations, listUserModels, removeUserModel, userModelsHome, type UserModelEntry } from '../runtime/user-models.js';
import { choiceOption, numberOption, UsageError, type CommandOptions } from './usage.js';

/** @internal */
export const MODELS_USAGE = `Usage:
  facematch models add NAME PATH [options]   copy an ONNX face model into the user models folder
  facematch models list                      vendored and user models, sha256, calibration state (JSON)
  facematch models remove NAME               delete a user model and its calibrations

The user models folder is FACEMATCH_MODELS_HOME, else $XDG_DATA_HOME/facematch/models, else
~/.local/share/facematch/models; --home DIR overrides it. "add" loads the model first (when an ONNX
runtime is installed) and refuses one that does not fit its settings, then copies it as NAME.onnx
and records its sha256. Use it as FaceMatcher.create({ embedder: 'onnx:PATH:PRESET' }) with the
path "models add" prints.

Options of "add":
  --preset arcface|facenet      preprocessing preset (default arcface)
  --licence FILE|TEXT           the model's licence: a file's text, or the text itself
  --channel-order rgb|bgr       override the preset's channel order
  --layout NCHW|NHWC            input layout when the model's shape does not tell
  --input-size N                chip side when the model's input size is dynamic
  --mean V[,V,V]                per-channel mean on 0-255 values (model channel order)
  --std V[,V,V]                 per-channel divisor
  --framing box|five-point      how chips are cut
  --margin F                    margin of the box framing (fraction of the box side)
  --no-flip                     no horizontal-flip averaging
  --input-name NAME             image input (default the model's first)
  --output-name NAME            embedding output (default the model's first)
  --force                       replace a model already registered under NAME
  --home DIR                    user models folder

Exit codes: 0 done; 1 the model or the folder is unusable; 2 usage error or bad argument.`;

/** @internal */
export const MODELS_OPTIONS: CommandOptions = {
  preset: { type: 'string' },
  licence: { type: 'string' },
  'channel-order': { type: 'string' },
  layout: { type: 'string' },
  'input-size': { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  framing: { type: 'string' },
  margin: { type: 'string' },
  'no-flip': { type: 'boolean' },
  'input-name': { type: 'string' },
  'output-name': { type: 'string' },
  force: { type: 'boolean' },
  home: { type: 'string' },
};

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function numberList(value: unknown, name: string): number | [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : '';
  const parts = text.split(',');
  if (parts.length !== 1 && parts.length !== 3) throw new UsageError(`--${name} expects one number or three separated by commas, received "${text}"`);
  const numbers = parts.map((p) => numberOption(p, name)!);
  return numbers.length === 1 ? numbers[0]! : [numbers[0]!, numbers[1]!, numbers[2]!];
}

function settingsFrom(values: Record<string, unknown>): OnnxModelSettings {
  const settings: OnnxModelSettings = {};
  const channelOrder = choiceOption(values['channel-order'], 'channel-order', CHANNEL_ORDERS);
  const layout = choiceOption(values['layout'], 'layout', TENSOR_LAYOUTS);
  const framing = choiceOption(values['framing'], 'framing', ONNX_FRAMINGS);
  const inputSize = numberOption(values['input-size'], 'input-size');
  const margin = numberOption(values['margin'], 'margin');
  const mean = numberList(values['mean'], 'mean');
  const std = numberList(values['std'], 'std');
  if (channelOrder) settings.channelOrder = channelOrder;
  if (layout) settings.layout = layout;
  if (framing) settings.framing = framing;
  if (inputSize !== undefined) settings.inputSize = inputSize;
  if (margin !== undefined) settings.margin = margin;
  if (mean !== undefined) settings.mean = mean;
  if (std !== undefined) settings.std = std;
  if (values['no-flip']) settings.flip = false;
  if (typeof values['input-name'] === 'string') settings.inputName = values['input-name'];
  if (typeof values['output-name'] === 'string') settings.outputName = values['output-name'];
  return settings;
}

/** `--licence`: the text of a file when it names one, else the text itself. */
async function licenceText(value: unknown): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError('--licence expects a file path or a text');
  const text = value;
  const isFile = await stat(text).then((s) => s.isFile(), () => false);
  return isFile ? readFile(text, 'utf8') : text;
}

/** Loads the model with its settings (when a runtime is installed) so that a misfit is refused before it is copied. */
async function check(file: string, preset: (typeof ONNX_PRESETS)[number], settings: OnnxModelSettings): Promise<Record<string, unknown> | null> {
  if (!(await onnxRuntimeAvailable('node')) && !(await onnxRuntimeAvailable('web'))) {
    process.stderr.write('facematch: no ONNX runtime is installed (onnxruntime-node or onnxruntime-web): the model was not loaded to check it\n');
    return null;
  }
  const embedder = await createOnnxEmbedder({ model: file, preset, ...settings });
  try {
    return {
      runtime: `${embedder.runtime.package}@${embedder.runtime.version}`,
      dimension: embedder.dimension,
      inputSize: embedder.inputSize,
      framing: embedder.framing.name,
      settings: embedder.settings,
    };
  } finally {
    embedder.dispose();
  }
}

function userJson(entry: UserModelEntry, calibrations: string[], present: boolean): Record<string, unknown> {
  const { licence, ...rest } = entry;
  return {
    ...rest,
    licence: licence === null ? null : clip(licence),
    licenceChars: licence?.length ?? 0,
    present,
    embedder: `onnx:${entry.path}:${entry.preset}`,
    calibrations,
  };
}

async function list(home: string): Promise<number> {
  const manifest = await readModelManifest();
  const calibrations = await listCalibrations({ home });
  const idsFor = (sha256: string) => calibrations.filter((c) => c.key.modelSha256 === sha256).map((c) => c.id);
  const vendored = Object.entries(manifest.models).map(([id, m]) => {
    const sha256 = combinedSha256(m.files);
    return {
      id,
      role: m.role,
      title: m.title,
      licence: m.licence,
      sha256,
      bytes: m.files.reduce((n, f) => n + f.bytes, 0),
      calibration: m.calibration ? { source: 'models/manifest.json', fittedOn: (m.calibration as { fittedOn?: unknown }).fittedOn ?? null } : null,
      calibrations: idsFor(sha256),
    };
  });
  const user = [];
  for (const entry of await listUserModels({ home })) {
    const present = await stat(entry.path).then((s) => s.isFile() && s.size === entry.bytes, () => false);
    user.push(userJson(entry, idsFor(entry.sha256), present));
  }
  print({ home, vendored, user, calibrations });
  return 0;
}

/** @internal */
export async function runModels(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const [verb, ...args] = positionals;
  const home = typeof values['home'] === 'string' ? values['home'] : userModelsHome();
  if (verb === 'list' && args.length === 0) return list(home);
  if (verb === 'remove' && args.length === 1) {
    const removed = await removeUserModel(args[0]!, { home });
    print({ removed: userJson(removed, [], false) });
    return 0;
  }
  if (verb === 'add' && args.length === 2) {
    const [name, file] = args as [string, string];
    const preset = choiceOption(values['preset'], 'preset', ONNX_PRESETS) ?? 'arcface';
    const settings = settingsFrom(values);
    const licence = await licenceText(values['licence']);
    if (licence === undefined) process.stderr.write('facematch: no --licence given: record the terms you may use the model under\n');
    let checked: Record<string, unknown> | null;
    try {
      checked = await check(file, preset, settings);
    } catch (err) {
      if (isFaceMatchError(err) && err.field === 'runtime') {
        process.stderr.write(`facematch: ${err.message}: the model was not loaded to check it\n`);
        checked = null;
      } else {
        throw err;
      }
    }
    const entry = await addUserModel(name, file, { home, preset, options: settings, ...(licence !== undefined ? { licence } : {}), force: values['force'] === true });
    print({ added: userJson(entry, [], true), checked });
    return 0;
  }
  throw new UsageError(`expected "models add NAME PATH", "models list" or "models remove NAME", received "models ${positionals.join(' ')}"`);
}
