/**
 * The built-in JPEG decoder: libjpeg-turbo 2.0 compiled to WebAssembly, from the `.wasm` file that
 * the `@cwasm/jpeg-turbo` package ships, driven through its TurboJPEG functions by this module
 * (the package's own loader is not used: it instantiates at import and hides warnings).
 *
 * Why this codec: measured on this project's 2-core machine for an 8000×6000 (48 MP) photo,
 * libjpeg-turbo here decodes straight to RGB at 0.68 s CPU and 284 MB peak RSS (baseline 4:2:0)
 * and 1.41 s / 421 MB (progressive 4:2:0), against 0.99 s / 401 MB and 1.93 s / 529 MB for
 * `@jsquash/jpeg` (mozjpeg 3.3, RGBA out and an RGBA copy into JS) and 3.6–8.5 s and up to
 * 1.6 GB for jpeg-js. It also scales by 1/2, 1/4 or 1/8 inside the IDCT, so a photo shrunk for
 * `maxSide` costs a fraction of a full decode (48 MP baseline to 2000×1500: 0.24 s, 27 MB).
 *
 * The policy: libjpeg's errors and its warnings ("Corrupt JPEG data: premature end of data
 * segment", "bad Huffman code", ...) both fail the decode, and the decode stops at the first
 * warning (`TJFLAG_STOPONWARNING`), so damaged data costs no more than the part before the damage.
 * An error or a warning unwinds out of the WebAssembly code (its `longjmp` is an exception here), which leaves
 * the instance's stack and heap unusable: the instance is dropped and a new one made for the next
 * decode. An instance whose memory grew past {@link HEAP_KEEP_BYTES} is dropped too, so that
 * the memory of one large decode is returned instead of kept for the life of the process.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { RgbImage } from '../types.js';
import type { ImageSize } from './orient.js';

/** An instance whose heap is larger than this after a decode is dropped: 64 MiB. */
export const HEAP_KEEP_BYTES = 64 * 1024 * 1024;

/** TurboJPEG's pixel format for 3-byte RGB. */
const TJPF_RGB = 0;
/** TurboJPEG's flag to stop at the first warning instead of decoding damaged data to the end. */
const TJFLAG_STOPONWARNING = 8192;

interface TurboJpegExports {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDecompressHeader3(handle: number, jpeg: number, size: number, width: number, height: number, subsampling: number, colourspace: number): number;
  tjDecompress2(handle: number, jpeg: number, size: number, out: number, width: number, pitch: number, height: number, format: number, flags: number): number;
  tjDestroy(handle: number): number;
}

/** Node's global `WebAssembly`, typed for the calls made here (the project's lib has no DOM). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Thrown by the `longjmp` import: libjpeg hit an error and gave up. */
class LibjpegError extends Error {}

let compiled: Promise<object> | undefined;
let current: TurboJpegExports | undefined;

/** The path of the libjpeg-turbo .wasm inside the installed `@cwasm/jpeg-turbo`. */
export function jpegWasmPath(): string {
  return createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm');
}

function compileOnce(): Promise<object> {
  compiled ??= (async () => wasm.compile(await readFile(jpegWasmPath())))().catch((err: unknown) => {
    compiled = undefined; // let a later call try again
    throw err;
  });
  return compiled;
}

function instantiate(module: object): TurboJpegExports {
  const fail = (name: string) => () => {
    throw new LibjpegError(`libjpeg called ${name}`);
  };
  const instance = new wasm.Instance(module, {
    env: {
      setjmp: () => 0,
      longjmp: () => {
        throw new LibjpegError('libjpeg stopped with an error');
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: () => 0,
      proc_exit: fail('exit'),
      fd_close: () => 0,
      fd_seek: () => 0,
      fd_write: fail('write'),
    },
  });
  return instance.exports as TurboJpegExports;
}

/**
 * The 1/`n` scale (n = 1, 2, 4 or 8) libjpeg should decode at so that the result is still at
 * least `target` on both axes, and the size it gives (libjpeg rounds up).
 */
export function jpegScale(width: number, height: number, target: ImageSize | undefined): { denominator: number; width: number; height: number } {
  let denominator = 1;
  if (target !== undefined) {
    while (denominator < 8 && Math.ceil(width / (denominator * 2)) >= target.width && Math.ceil(height / (denominator * 2)) >= target.height) {
      denominator *= 2;
    }
  }
  return { denominator, width: Math.ceil(width / denominator), height: Math.ceil(height / denominator) };
}

/**
 * Decodes a JPEG to 8-bit RGB, as stored (no orientation applied), scaled by 1/2, 1/4 or 1/8 in
 * the IDCT when that still gives at least `target`. Greyscale becomes R = G = B.
 *
 * @param bytes - the JPEG, up to its EOI
 * @param width - the width its header gives
 * @param height - the height its header gives
 * @param target - the size the caller will shrink to, in stored orientation, or undefined
 * @param finish - makes the result from the decoded pixels while they are still in the wasm heap
 *   (a downscale, a rotation or a copy: it must not keep `pixels.data`), so the full-size pixels
 *   never exist twice
 * @throws Error when libjpeg reports an error or a warning, or gives another size than the header
 */
export async function decodeJpeg(
  bytes: Uint8Array,
  width: number,
  height: number,
  target: ImageSize | undefined,
  finish: (pixels: RgbImage) => RgbImage,
): Promise<RgbImage> {
  const module = await compileOnce();
  const x = current ?? instantiate(module);
  current = undefined; // in use; put back only when it is known to be sound
  const scaled = jpegScale(width, height, target);
  let sound = false;
  try {
    const input = x.malloc(bytes.length);
    const meta = x.malloc(16);
    const output = x.malloc(scaled.width * scaled.height * 3);
    if (input === 0 || meta === 0 || output === 0) throw new Error('the decoder could not allocate its buffers');
    // Views of the wasm heap at the offsets malloc gave (never of a Buffer's pool).
    new Uint8Array(x.memory.buffer, input, bytes.length).set(bytes);
    const handle = x.tjInitDecompress();
    if (handle === 0) throw new Error('the decoder could not start');
    if (x.tjDecompressHeader3(handle, input, bytes.length, meta, meta + 4, meta + 8, meta + 12) !== 0) {
      throw new Error('libjpeg could not read the header');
    }
    const [w, h] = new Int32Array(x.memory.buffer, meta, 2);
    if (w !== width || h !== height) throw new Error(`libjpeg read ${w}x${h} where the header gives ${width}x${height}`);
    const status = x.tjDecompress2(handle, input, bytes.length, output, scaled.width, scaled.width * 3, scaled.height, TJPF_RGB, TJFLAG_STOPONWARNING);
    x.tjDestroy(handle);
    if (status !== 0) {
      sound = true;
      throw new Error('libjpeg reported corrupt data (premature end of data, a bad Huffman code or damaged markers)');
    }
    const view = new Uint8Array(x.memory.buffer, output, scaled.width * scaled.height * 3);
    const result = finish({ width: scaled.width, height: scaled.height, data: view });
    if (result.data.buffer === x.memory.buffer) throw new Error('the decoded pixels were not copied out of the wasm heap');
    x.free(output);
    x.free(meta);
    x.free(input);
    sound = true;
    return result;
  } catch (err) {
    if (err instanceof LibjpegError) throw new Error('libjpeg reported damaged data (a corrupt or truncated scan, a bad Huffman code or misplaced markers)', { cause: err });
    throw err;
  } finally {
    if (sound && x.memory.buffer.byteLength <= HEAP_KEEP_BYTES) current = x;
  }
}

/**
 * Runs libjpeg over a JPEG's whole entropy-coded data at 1/8 scale and throws what a full decode
 * would throw (its errors and warnings come from the entropy decoding and the markers, which
 * the scale does not change), without keeping any pixels. The sharp decoder runs it after libvips: libvips
 * checks libjpeg's warnings only between the strips it decodes, so a warning in the last rows or
 * after the last block ("premature end of data segment" at the end of a damaged scan, "extraneous
 * bytes before marker 0xd9") never fails its decode; with this check both decoders refuse the same
 * files. Measured for a 48 MP photo: 0.16 s CPU and 14 MB (baseline), 0.61 s and 151 MB
 * (progressive, whose coefficients libjpeg must hold whatever the scale).
 *
 * @throws Error when libjpeg reports an error or a warning
 */
export async function checkJpegData(bytes: Uint8Array, width: number, height: number): Promise<void> {
  await decodeJpeg(bytes, width, height, { width: 1, height: 1 }, () => ({ width: 0, height: 0, data: new Uint8Array(0) }));
}
