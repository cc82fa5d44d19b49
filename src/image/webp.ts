/**
 * WebP decoding in pure WebAssembly through `@jsquash/webp`, for the jimp decoder (jimp 1.x has no
 * working WebP codec on Node 20: its `@jimp/wasm-webp` fetches the .wasm through a `file://` URL,
 * which Node's fetch refuses). The codec is compiled once from the .wasm file inside the installed
 * package, read from disk; nothing is fetched.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as jsquashDecode from '@jsquash/webp/decode.js';

/** Decoded WebP pixels: RGBA, four bytes per pixel. */
export interface RgbaBitmap {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** RGBA bytes, rows top to bottom. */
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * The parts of `@jsquash/webp/decode.js` used here. Its own typings declare `init` with emscripten
 * options only, while its code also takes a compiled `WebAssembly.Module` as the first argument.
 */
interface JsquashWebpDecoder {
  init(module: CompiledWasm): Promise<void>;
  default(buffer: ArrayBuffer): Promise<RgbaBitmap>;
}

/** A compiled `WebAssembly.Module`, opaque here. */
type CompiledWasm = object;

/**
 * Node's global `WebAssembly`, typed for the one call made here (the project's TypeScript lib has
 * no DOM, where the full typings live).
 */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> } }).WebAssembly;

const codec = jsquashDecode as unknown as JsquashWebpDecoder;
let ready: Promise<void> | undefined;

/** The path of the WebP decoder's .wasm inside the installed `@jsquash/webp`. */
export function webpWasmPath(): string {
  return createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm');
}

function initOnce(): Promise<void> {
  ready ??= (async () => {
    const module = await wasm.compile(await readFile(webpWasmPath()));
    await codec.init(module);
  })().catch((err: unknown) => {
    ready = undefined; // let a later call try again
    throw err;
  });
  return ready;
}

/**
 * Decodes a still WebP (lossy or lossless, with or without alpha) to RGBA.
 *
 * @throws Error when the bytes are not a decodable WebP
 */
export async function decodeWebpRgba(bytes: Uint8Array): Promise<RgbaBitmap> {
  await initOnce();
  const copy = bytes.slice().buffer; // the codec wants an ArrayBuffer of exactly the file
  return codec.default(copy);
}
