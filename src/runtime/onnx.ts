/**
 * The one place facematch loads an ONNX runtime: `onnxruntime-node` (native) when it is installed,
 * otherwise `onnxruntime-web`'s WebAssembly build running in Node, its `.wasm` read from the
 * installed package on disk. Both are optional peers, imported through variable specifiers so that
 * nothing requires them when they are absent. Also the vocabulary shared by the ONNX embedders and
 * the user model registry: presets, channel orders, layouts and the JSON settings of a model.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { FaceMatchError, invalidInput } from '../errors.js';

/**
 * Which ONNX runtime runs a model.
 *
 * - `auto` (default): `node` when `onnxruntime-node` can be imported, else `web`.
 * - `node`: the optional peer `onnxruntime-node` (native CPU kernels; about 3× faster than `web`
 *   for a MobileFaceNet on one thread). Install it with its CUDA download skipped: put
 *   `onnxruntime-node-install=skip` in your project's `.npmrc`.
 * - `web`: the optional peer `onnxruntime-web`, its WebAssembly (SIMD) build, with the `.wasm`
 *   read from the installed package. Nothing is fetched.
 *
 * @category Runtime
 */
export type OnnxRuntimeName = 'auto' | 'node' | 'web';

/**
 * Every {@link OnnxRuntimeName}, in a fixed order.
 *
 * @category Runtime
 */
export const ONNX_RUNTIMES: readonly OnnxRuntimeName[] = Object.freeze(['auto', 'node', 'web']);

/**
 * The ONNX runtime a session actually runs on.
 *
 * @category Runtime
 */
export interface OnnxRuntimeInfo {
  /** What was asked for. */
  requested: OnnxRuntimeName;
  /** What runs: `node` or `web`. */
  name: Exclude<OnnxRuntimeName, 'auto'>;
  /** The npm package: `onnxruntime-node` or `onnxruntime-web`. */
  package: string;
  /** Its version, as the package reports it. */
  version: string;
  /** Intra-op threads of the session (for `web`: of the process's one WebAssembly runtime). */
  threads: number;
}

/**
 * Preprocessing presets for ONNX face embedders.
 *
 * - `arcface`: insightface-style models (ArcFace, MobileFaceNet): 112×112 chips aligned on the
 *   five-point ArcFace template, BGR, `(v − 127.5) / 128`, NCHW.
 * - `facenet`: FaceNet (Inception-ResNet-v1, facenet-pytorch exports): 160×160 chips cut from the
 *   detector box with a margin (the MTCNN crop), RGB, `(v − 127.5) / 128`, NCHW.
 *
 * @category Embedding
 */
export type OnnxPreset = 'arcface' | 'facenet';

/**
 * Every {@link OnnxPreset}, in a fixed order.
 *
 * @category Embedding
 */
export const ONNX_PRESETS: readonly OnnxPreset[] = Object.freeze(['arcface', 'facenet']);

/**
 * The order of the three colour channels a model expects. Chips are RGB; `bgr` swaps red and blue
 * (OpenCV-trained models such as insightface's).
 *
 * @category Embedding
 */
export type ChannelOrder = 'rgb' | 'bgr';

/**
 * Every {@link ChannelOrder}.
 *
 * @category Embedding
 */
export const CHANNEL_ORDERS: readonly ChannelOrder[] = Object.freeze(['rgb', 'bgr']);

/**
 * Tensor layout of a model's image input: `NCHW` (PyTorch exports) or `NHWC` (TensorFlow exports).
 *
 * @category Embedding
 */
export type TensorLayout = 'NCHW' | 'NHWC';

/**
 * Every {@link TensorLayout}.
 *
 * @category Embedding
 */
export const TENSOR_LAYOUTS: readonly TensorLayout[] = Object.freeze(['NCHW', 'NHWC']);

/**
 * How chips are cut for an ONNX model when no explicit framing object is given: `box` (the
 * detector's box grown by a margin, unrotated: FaceNet's MTCNN crop) or `five-point` (a similarity
 * transform of five face points onto the ArcFace template, scaled to the chip side).
 *
 * @category Embedding
 */
export type OnnxFramingName = 'box' | 'five-point';

/**
 * Every {@link OnnxFramingName}.
 *
 * @category Embedding
 */
export const ONNX_FRAMINGS: readonly OnnxFramingName[] = Object.freeze(['box', 'five-point']);

/**
 * The JSON-serialisable preprocessing settings of an ONNX embedder: what a user model registry
 * entry records next to its preset. Every field overrides the preset's value.
 *
 * @category Embedding
 */
export interface OnnxModelSettings {
  /** Side of the square input chip, or its width and height. */
  inputSize?:
    | number
    | {
        /** Width in pixels. */
        width: number;
        /** Height in pixels. */
        height: number;
      };
  /** Channel order the model expects. */
  channelOrder?: ChannelOrder;
  /** Input layout; default: read from the model's input shape, else the preset's. */
  layout?: TensorLayout;
  /** Subtracted from each 0–255 value: one number, or one per channel in the model's channel order. */
  mean?: number | readonly [number, number, number];
  /** Divides each value after the mean: one number, or one per channel in the model's channel order. */
  std?: number | readonly [number, number, number];
  /** Horizontal-flip averaging: embed each chip and its mirror image and average. */
  flip?: boolean;
  /** How chips are cut, by name (see {@link OnnxFramingName}). */
  framing?: OnnxFramingName;
  /** Margin of the `box` framing, as a fraction of the box's larger side on every side. */
  margin?: number;
  /** Name of the image input; default the model's first input. */
  inputName?: string;
  /** Name of the embedding output; default the model's first output. */
  outputName?: string;
}

/** What facematch needs of an ONNX runtime tensor. */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose?(): void;
}

/** What facematch needs of an ONNX runtime's value metadata (onnxruntime ≥ 1.22). */
interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

/** What facematch needs of an ONNX runtime's inference session. */
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** What facematch needs of an `onnxruntime-node` or `onnxruntime-web` module. */
interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  readonly env: {
    versions?: Record<string, string>;
    logLevel?: string;
    wasm?: { numThreads?: number; wasmBinary?: ArrayBufferLike | Uint8Array; proxy?: boolean };
  };
}

/**
 * One input or output of an ONNX model, as its session reports it.
 *
 * @category Runtime
 */
export interface OnnxValueInfo {
  /** Name in the graph. */
  name: string;
  /** Element type (`float32`, `uint8`, ...), or undefined when the runtime does not report it. */
  type: string | undefined;
  /**
   * Shape: a number for a fixed dimension, a string for a symbolic one (`batch`, `N`), `-1` for
   * an unnamed dynamic one; undefined when the runtime does not report shapes (onnxruntime < 1.22).
   */
  shape: readonly (number | string)[] | undefined;
}

/**
 * A float32 tensor handed to or returned by {@link OnnxSession.run}.
 *
 * @category Runtime
 */
export interface OnnxTensorData {
  /** Values in row-major order. */
  data: Float32Array;
  /** Dimensions. */
  dims: readonly number[];
}

/**
 * An ONNX model loaded on one runtime: its inputs and outputs, and a run that maps one float32
 * input to one float32 output. Runs are queued one at a time (a session is not re-entrant on
 * every runtime).
 *
 * @category Runtime
 */
export interface OnnxSession {
  /** The runtime that runs it. */
  readonly runtime: OnnxRuntimeInfo;
  /** The model's inputs, in graph order. */
  readonly inputs: readonly OnnxValueInfo[];
  /** The model's outputs, in graph order. */
  readonly outputs: readonly OnnxValueInfo[];
  /**
   * Runs the model on one input and returns one output.
   *
   * @throws FaceMatchError `MODEL_ERROR` when the runtime refuses the input or the output is not
   *   float32; `MODEL_ERROR` after {@link OnnxSession.release}
   */
  run(inputName: string, input: OnnxTensorData, outputName: string): Promise<OnnxTensorData>;
  /** Frees the session. Calling it twice is harmless; runs afterwards fail. */
  release(): Promise<void>;
}

/**
 * Options of {@link createOnnxSession}.
 *
 * @category Runtime
 */
export interface OnnxSessionOptions {
  /** Which runtime; default `auto`. */
  runtime?: OnnxRuntimeName;
  /**
   * Intra-op threads; default 1 (facematch scales with worker threads, one model per thread).
   * `onnxruntime-web` has one WebAssembly runtime per process (or worker thread), set up by its
   * first session: later sessions there must ask for the same count.
   */
  threads?: number;
}

const PACKAGES: Record<Exclude<OnnxRuntimeName, 'auto'>, string> = { node: 'onnxruntime-node', web: 'onnxruntime-web' };

interface Loaded {
  name: Exclude<OnnxRuntimeName, 'auto'>;
  module: OrtModule;
  version: string;
}

const imports = new Map<Exclude<OnnxRuntimeName, 'auto'>, Promise<Loaded | Error>>();
let webThreads: number | undefined;
let webReady: Promise<void> | undefined;
let live = 0;

/**
 * A 97-byte ONNX model (one Identity node on a float32 [1]) that onnxruntime-web loads once when
 * it first starts, so that a WebAssembly runtime that cannot start is told apart from a model it
 * cannot load.
 */
const STARTUP_MODEL = 'CAgSDmZhY2VtYXRjaC10ZXN0OkcKHAoBeBIBeRoKSWRlbnRpdHlfMCIISWRlbnRpdHkSBXByb2JlWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==';

/**
 * How many sessions made by {@link createOnnxSession} are open in this process (or worker thread)
 * and not yet released: a leak check for tests and long-running services.
 *
 * @category Runtime
 */
export function liveOnnxSessions(): number {
  return live;
}

function installHint(name: Exclude<OnnxRuntimeName, 'auto'>): string {
  return name === 'node'
    ? 'npm install onnxruntime-node, with "onnxruntime-node-install=skip" in your .npmrc so its install script does not download CUDA libraries'
    : 'npm install onnxruntime-web';
}

/** The wasm binary of the installed onnxruntime-web, read from disk (never fetched). */
async function webWasmBinary(): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const file = require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
  return new Uint8Array(await readFile(file));
}

async function importRuntime(name: Exclude<OnnxRuntimeName, 'auto'>): Promise<Loaded | Error> {
  let pending = imports.get(name);
  if (!pending) {
    pending = (async () => {
      try {
        // A variable specifier keeps tsc and bundlers from requiring the optional peer.
        const specifier = PACKAGES[name];
        const imported = (await import(specifier)) as OrtModule & { default?: OrtModule };
        const module = typeof imported.InferenceSession === 'function' || typeof imported.InferenceSession === 'object' ? imported : imported.default!;
        if (!module || typeof module.InferenceSession?.create !== 'function' || typeof module.Tensor !== 'function') {
          return new Error(`${specifier} does not export InferenceSession and Tensor`);
        }
        if (name === 'web') {
          const wasm = module.env.wasm;
          if (!wasm) return new Error('onnxruntime-web has no env.wasm settings');
          wasm.wasmBinary = await webWasmBinary();
          wasm.proxy = false;
        }
        const version = module.env.versions?.[name] ?? module.env.versions?.common ?? 'unknown';
        return { name, module, version };
      } catch (cause) {
        return cause instanceof Error ? cause : new Error(String(cause));
      }
    })();
    imports.set(name, pending);
  }
  return pending;
}

/**
 * Whether an ONNX runtime can be loaded in this process (imports it on first call).
 *
 * @param name - `node` or `web`
 * @category Runtime
 */
export async function onnxRuntimeAvailable(name: Exclude<OnnxRuntimeName, 'auto'>): Promise<boolean> {
  return !((await importRuntime(name)) instanceof Error);
}

async function resolveRuntime(requested: OnnxRuntimeName): Promise<Loaded> {
  const order: Exclude<OnnxRuntimeName, 'auto'>[] = requested === 'auto' ? ['node', 'web'] : [requested];
  const failures: string[] = [];
  for (const name of order) {
    const loaded = await importRuntime(name);
    if (!(loaded instanceof Error)) return loaded;
    failures.push(`${PACKAGES[name]}: ${loaded.message.split('\n')[0]}`);
  }
  const wanted = requested === 'auto' ? 'onnxruntime-node or onnxruntime-web' : PACKAGES[requested];
  const hint = requested === 'auto' ? `${installHint('node')}; or ${installHint('web')}` : installHint(requested);
  throw new FaceMatchError('BACKEND_ERROR', `Expected the ONNX runtime ${wanted} to be installed but it cannot be imported (${hint})`, {
    field: 'runtime',
    details: { requested, packages: order.map((n) => PACKAGES[n]), failures },
  });
}

function checkOptions(options: OnnxSessionOptions): { runtime: OnnxRuntimeName; threads: number } {
  const { runtime = 'auto', threads = 1 } = options;
  if (!ONNX_RUNTIMES.includes(runtime)) throw invalidInput('runtime', 'auto, node or web', runtime);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw invalidInput('threads', 'a whole number of threads from 1 to 64', threads);
  return { runtime, threads };
}

function modelError(message: string, cause?: unknown, details: Record<string, unknown> = {}): FaceMatchError {
  return new FaceMatchError('MODEL_ERROR', message, { field: 'model', details, cause });
}

function valueInfos(names: readonly string[], metadata: readonly OrtValueMetadata[] | undefined): OnnxValueInfo[] {
  return names.map((name, i) => {
    const meta = metadata?.find((m) => m.name === name) ?? metadata?.[i];
    const tensor = meta && meta.isTensor;
    return {
      name,
      type: tensor ? meta.type : undefined,
      shape: tensor && Array.isArray(meta.shape) && meta.shape.length > 0 ? Object.freeze([...meta.shape]) : undefined,
    };
  });
}

class Session implements OnnxSession {
  #session: OrtSession | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];

  constructor(
    session: OrtSession,
    private readonly ort: OrtModule,
    readonly runtime: OnnxRuntimeInfo,
  ) {
    this.#session = session;
    live++;
    this.inputs = Object.freeze(valueInfos(session.inputNames, session.inputMetadata));
    this.outputs = Object.freeze(valueInfos(session.outputNames, session.outputMetadata));
  }

  run(inputName: string, input: OnnxTensorData, outputName: string): Promise<OnnxTensorData> {
    const next = this.#queue.then(() => this.#run(inputName, input, outputName));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(inputName: string, input: OnnxTensorData, outputName: string): Promise<OnnxTensorData> {
    const session = this.#session;
    if (!session) throw modelError('Expected a live ONNX session but it has been released');
    const tensor = new this.ort.Tensor('float32', input.data, input.dims);
    let results: Record<string, OrtTensor>;
    try {
      results = await session.run({ [inputName]: tensor }, [outputName]);
    } catch (cause) {
      throw modelError(
        `Expected the ONNX model to accept a float32 [${input.dims.join(', ')}] tensor as ${JSON.stringify(inputName)} but ${this.runtime.package} refused it: ${(cause as Error)?.message ?? String(cause)}`,
        cause,
        { dims: [...input.dims], input: inputName },
      );
    } finally {
      tensor.dispose?.();
    }
    try {
      const out = results[outputName];
      if (!out) throw modelError(`Expected the ONNX model to produce output ${JSON.stringify(outputName)} but it did not`);
      if (out.type !== 'float32' || !(out.data instanceof Float32Array)) {
        throw modelError(`Expected output ${JSON.stringify(outputName)} to be float32 but it is ${out.type}`, undefined, { type: out.type });
      }
      // Copy: a runtime may reuse or free the buffer behind its tensor.
      return { data: new Float32Array(out.data), dims: [...out.dims] };
    } finally {
      for (const value of Object.values(results)) value.dispose?.();
    }
  }

  async release(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (!session) return;
    live--;
    await this.#queue;
    await session.release();
  }
}

/**
 * Loads an ONNX model from bytes on the chosen runtime, with `threads` intra-op threads and
 * sequential execution. The caller releases the session.
 *
 * @param model - the `.onnx` file's bytes
 * @param options - runtime and threads
 * @throws FaceMatchError `INVALID_INPUT` for a bad option or non-bytes `model`; `BACKEND_ERROR`
 *   when the runtime is not installed (naming the package to install) or `web` was set up with
 *   another thread count; `MODEL_ERROR` when the runtime cannot load the bytes as a model
 * @category Runtime
 */
export async function createOnnxSession(model: Uint8Array, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
  if (!(model instanceof Uint8Array)) throw invalidInput('model', 'the bytes of an .onnx file (a Uint8Array)', model);
  const { runtime: requested, threads } = checkOptions(options ?? {});
  const loaded = await resolveRuntime(requested);
  const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all', executionMode: 'sequential' };
  if (loaded.name === 'node') {
    Object.assign(sessionOptions, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 });
  } else {
    const wasm = loaded.module.env.wasm!;
    if (webThreads === undefined) {
      wasm.numThreads = threads;
      webThreads = threads;
      webReady = (async () => {
        const probe = await loaded.module.InferenceSession.create(new Uint8Array(Buffer.from(STARTUP_MODEL, 'base64')), { executionProviders: ['wasm'] });
        await probe.release();
      })();
    } else if (webThreads !== threads) {
      throw new FaceMatchError(
        'BACKEND_ERROR',
        `Expected ${threads} thread(s) for onnxruntime-web but its WebAssembly runtime was already set up with ${webThreads} in this process (one setting per process or worker thread)`,
        { field: 'threads', details: { requested: threads, current: webThreads } },
      );
    }
    sessionOptions.executionProviders = ['wasm'];
    try {
      await webReady;
    } catch (cause) {
      throw new FaceMatchError(
        'BACKEND_ERROR',
        `Expected onnxruntime-web's WebAssembly runtime to start but it did not: ${((cause as Error)?.message ?? String(cause)).split('\n')[0]}`,
        { field: 'runtime', details: { requested }, cause },
      );
    }
  }
  let session: OrtSession;
  try {
    session = await loaded.module.InferenceSession.create(model, sessionOptions);
  } catch (cause) {
    const reason = ((cause as Error)?.message ?? String(cause)).split('\n')[0];
    throw modelError(`Expected an ONNX model that ${PACKAGES[loaded.name]} can load but it refused the ${model.byteLength} bytes: ${reason}`, cause, {
      bytes: model.byteLength,
    });
  }
  const info: OnnxRuntimeInfo = { requested, name: loaded.name, package: PACKAGES[loaded.name], version: loaded.version, threads };
  return new Session(session, loaded.module, Object.freeze(info));
}
