/**
 * The built-in WebP decoder: libwebp compiled to WebAssembly by `@jsquash/webp`, instantiated here
 * from the `.wasm` file inside the installed package (read from disk; nothing is fetched).
 *
 * The codec is handed an `ArrayBuffer` holding exactly the file's bytes up to the end of its RIFF
 * container, never a view's backing buffer (which may be Node's shared pool of small Buffers, or
 * the parent of a subarray: decoding that would decode someone else's bytes). An instance that
 * threw (an emscripten abort, such as running out of memory) or whose heap grew past
 * {@link HEAP_KEEP_BYTES} during a decode is dropped, and a new one made for the next decode, so
 * the memory of one large decode is returned.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import webpModuleFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import { HEAP_KEEP_BYTES } from './jpeg-decode.js';

/** Decoded WebP pixels: RGBA, four bytes per pixel. */
export interface RgbaBitmap {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** RGBA bytes, rows top to bottom. */
  data: Uint8Array | Uint8ClampedArray;
}

/** The parts of the emscripten module used here. */
interface WebpModule {
  decode(data: ArrayBuffer): RgbaBitmap | null;
  HEAPU8: Uint8Array;
}

/** The emscripten factory, typed for the options passed here. */
type Factory = (options: Record<string, unknown>) => Promise<WebpModule>;

/** Node's global `WebAssembly`, typed for the calls made here (the project's lib has no DOM). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: unknown) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: Promise<object> | undefined;
let current: Promise<WebpModule> | undefined;

/** The path of the WebP decoder's .wasm inside the installed `@jsquash/webp`. */
export function webpWasmPath(): string {
  return createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm');
}

function compileOnce(): Promise<object> {
  compiled ??= (async () => wasm.compile(await readFile(webpWasmPath())))().catch((err: unknown) => {
    compiled = undefined; // let a later call try again
    throw err;
  });
  return compiled;
}

async function createModule(): Promise<WebpModule> {
  const module = await compileOnce();
  return (webpModuleFactory as unknown as Factory)({
    noInitialRun: true,
    instantiateWasm: (imports: unknown, ready: (instance: unknown) => void) => {
      const instance = new wasm.Instance(module, imports);
      ready(instance);
      return instance.exports;
    },
    print: () => undefined,
    printErr: () => undefined,
  });
}

/**
 * Decodes a still WebP (lossy or lossless, with or without alpha) to RGBA.
 *
 * @param bytes - the file up to the end of its RIFF container
 * @throws Error when the bytes are not a decodable WebP
 */
export async function decodeWebpRgba(bytes: Uint8Array): Promise<RgbaBitmap> {
  const pending = current ?? createModule();
  current = pending;
  let codec: WebpModule;
  try {
    codec = await pending;
  } catch (err) {
    if (current === pending) current = undefined;
    throw err;
  }
  // Exactly these bytes, in a buffer of their own.
  const exact = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let result: RgbaBitmap | null;
  try {
    result = codec.decode(exact);
  } catch (err) {
    if (current === pending) current = undefined;
    throw new Error(`the WebP codec stopped: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (codec.HEAPU8.length > HEAP_KEEP_BYTES && current === pending) current = undefined;
  if (!result) throw new Error('libwebp could not decode the image data');
  return result;
}
