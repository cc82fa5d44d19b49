/**
 * Decode cost of the image intake, both decoders: CPU time and peak RSS per decode, each in a
 * fresh child process, next to the decode budget's estimate; then wall-clock timings (tinybench)
 * of the common cases.
 *
 * The memory table is how the budget's fit (src/image/budget.ts) was measured and is how it is
 * checked: for every case the child loads the decoder and warms it up on a small image, reads
 * the file, decodes once with `loadImage`, and reports
 * the CPU time (`process.cpuUsage`, all threads, so sharp's pool counts) and the rise of the
 * kernel's peak-RSS mark (VmHWM, reset just before the decode) over the RSS at that moment. The estimate is the one `loadImage` computes (read from the
 * IMAGE_TOO_LARGE details of a call with a 1-byte budget). A case whose peak is above its
 * estimate is marked `OVER`.
 *
 * Run: `npm run bench:decode` (builds first: the children run dist/). With FACEMATCH_LFW_DIR set,
 * the pictures are made from a real LFW photograph (upscaled, with grain); otherwise they are
 * synthesised. `FACEMATCH_DECODE_BENCH=quick` runs the LFW-sized and 12 MP cases only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, bench, describe } from 'vitest';
import { FaceMatchError } from '../../src/errors.js';
import { loadImage, type DecoderName, type LoadImageOptions } from '../../src/image/index.js';
import type { RgbImage } from '../../src/types.js';
import { exifApp1, insertJpegSegment, naturalImage } from '../../test/fixtures/images.js';
import { lfwDirFromEnv } from '../lfw/lfw-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist', 'src', 'image', 'index.js');
if (!existsSync(dist)) throw new Error('bench:decode runs the decoders from dist/: run `npm run build` first (npm run bench:decode does)');
const quick = process.env.FACEMATCH_DECODE_BENCH === 'quick';

async function lfwPhoto(dir: string): Promise<Buffer> {
  const people = path.join(dir, 'lfw-deepfunneled');
  if (!existsSync(people)) throw new Error(`FACEMATCH_LFW_DIR=${dir} has no lfw-deepfunneled folder`);
  const person = (await readdir(people)).sort()[0];
  if (person === undefined) throw new Error(`${people} is empty`);
  const file = (await readdir(path.join(people, person))).sort()[0];
  if (file === undefined) throw new Error(`${path.join(people, person)} is empty`);
  return readFile(path.join(people, person, file));
}

/** Deterministic sensor-like grain, so an upscaled picture compresses like a camera photo. */
function withGrain(image: RgbImage, amplitude: number): RgbImage {
  const data = new Uint8Array(image.data);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((state >>> 16) / 65536 - 0.5) * 2 * amplitude));
  }
  return { ...image, data };
}

const lfwDir = lfwDirFromEnv();
const photo = lfwDir ? await lfwPhoto(lfwDir) : undefined;

/** A width × height picture: the LFW photo upscaled with grain, or synthesised pixels. */
async function picture(width: number, height: number): Promise<RgbImage> {
  if (!photo) return withGrain(naturalImage(width, height), 10);
  const { data, info } = await sharp(photo).resize(width, height, { fit: 'cover', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  return withGrain({ width: info.width, height: info.height, data: new Uint8Array(data) }, 10);
}

function raw(image: RgbImage, alpha = false): sharp.Sharp {
  if (!alpha) return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 }, limitInputPixels: false });
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.set(image.data.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 128 + ((p * 7) % 128);
  }
  return sharp(rgba, { raw: { width: image.width, height: image.height, channels: 4 }, limitInputPixels: false });
}

interface Case {
  name: string;
  file: string;
  options: LoadImageOptions;
  /** A small file of the same format, decoded first so that the codec's start-up is baseline. */
  warm: string;
}

const dir = await mkdtemp(path.join(tmpdir(), 'facematch-decode-bench-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SIZES: [string, number, number][] = quick
  ? [['250x250 (LFW)', 250, 250], ['12 MP', 4000, 3000]]
  : [['250x250 (LFW)', 250, 250], ['2 MP', 1728, 1152], ['12 MP', 4000, 3000], ['24 MP', 6000, 4000], ['48 MP', 8000, 6000]];

const cases: Case[] = [];
const unlimited: LoadImageOptions = { constraints: { maxBytes: 2 ** 31 }, maxPixels: 1e9, maxDecodeBytes: 2 ** 40 };
for (const [label, width, height] of SIZES) {
  const image = await picture(width, height);
  const add = async (kind: string, bytes: Buffer, options: LoadImageOptions = {}): Promise<void> => {
    const file = path.join(dir, `${label}-${kind}`.replace(/[^a-z0-9.-]+/gi, '_'));
    await writeFile(file, bytes);
    const format = kind.startsWith('JPEG') ? 'jpeg' : kind.startsWith('PNG') ? 'png' : 'webp';
    cases.push({ name: `${label} ${kind}`, file, options: { ...unlimited, ...options }, warm: path.join(dir, `warm.${format}`) });
  };
  const b420 = await raw(image).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
  await add('JPEG baseline 4:2:0', b420);
  await add('JPEG baseline 4:2:0, maxSide 1600', b420, { maxSide: 1600 });
  await add('JPEG baseline 4:2:0, EXIF orientation 6', insertJpegSegment(b420, exifApp1(6, 'II')));
  await add('JPEG progressive 4:2:0', await raw(image).jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:2:0' }).toBuffer());
  if (width * height >= 1e6) {
    const p420 = await raw(image).jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:2:0' }).toBuffer();
    await add('JPEG progressive 4:2:0, maxSide 1600', p420, { maxSide: 1600 });
    await add('JPEG progressive 4:2:0, EXIF orientation 6', insertJpegSegment(p420, exifApp1(6, 'II')));
    await add('JPEG baseline 4:4:4', await raw(image).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer());
    await add('JPEG progressive 4:4:4', await raw(image).jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4' }).toBuffer());
    await add('JPEG greyscale', await raw(image).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer());
  }
  await add('PNG RGB 8-bit', await raw(image).png({ compressionLevel: 1 }).toBuffer());
  if (width * height >= 1e6) {
    await add('PNG RGB 8-bit, maxSide 1600', await raw(image).png({ compressionLevel: 1 }).toBuffer(), { maxSide: 1600 });
    await add('PNG RGBA 8-bit', await raw(image, true).png({ compressionLevel: 1 }).toBuffer());
    await add('PNG RGB 8-bit interlaced', await raw(image).png({ compressionLevel: 1, progressive: true }).toBuffer());
    if (width * height <= 12e6) await add('PNG RGBA 16-bit', await raw(image, true).toColourspace('rgb16').png({ compressionLevel: 1 }).toBuffer());
  }
  if (width <= 16383 && height <= 16383) {
    await add('WebP lossy', await raw(image).webp({ quality: 85 }).toBuffer());
    if (width * height >= 1e6) {
      await add('WebP lossy with alpha', await raw(image, true).webp({ quality: 85 }).toBuffer());
      if (width * height <= 24e6) await add('WebP lossless', await raw(image).webp({ lossless: true, effort: 0 }).toBuffer());
    }
  }
}

/**
 * The child: warm up, read, then reset the kernel's peak-RSS mark (writing 5 to
 * /proc/self/clear_refs sets VmHWM to the current RSS, Linux 4.0+) and measure one decode.
 */
const CHILD = `
import { readFileSync, writeFileSync } from 'node:fs';
const { loadImage } = await import(process.argv[1]);
const [file, optionsJson, warm] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
await loadImage(readFileSync(warm), { decoder: options.decoder });
const bytes = readFileSync(file);
const kib = (field) => Number(/\\d+/.exec(readFileSync('/proc/self/status', 'utf8').split('\\n').find((l) => l.startsWith(field)))[0]);
writeFileSync('/proc/self/clear_refs', '5');
const baseline = kib('VmRSS:');
const cpu = process.cpuUsage();
let outcome = 'ok';
try { await loadImage(bytes, options); } catch (err) { outcome = err.code ?? String(err); }
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ outcome, cpuMs: (used.user + used.system) / 1000, peakMiB: (kib('VmHWM:') - baseline) / 1024 }));
`;

await writeFile(path.join(dir, 'warm.jpeg'), await raw(naturalImage(64, 64)).jpeg().toBuffer());
await writeFile(path.join(dir, 'warm.png'), await raw(naturalImage(64, 64)).png().toBuffer());
await writeFile(path.join(dir, 'warm.webp'), await raw(naturalImage(64, 64)).webp().toBuffer());

/** The budget's estimates for a case: read from the IMAGE_TOO_LARGE details of a 1-byte budget. */
async function estimate(file: string, options: LoadImageOptions): Promise<{ bytes: number; cpuMs: number } | string> {
  try {
    await loadImage(file, { ...options, maxDecodeBytes: 1 });
    return 'none';
  } catch (err) {
    if (err instanceof FaceMatchError && err.code === 'IMAGE_TOO_LARGE' && typeof err.details.estimatedBytes === 'number') {
      return { bytes: err.details.estimatedBytes, cpuMs: err.details.estimatedCpuMs as number };
    }
    return err instanceof FaceMatchError ? err.code : String(err);
  }
}

const rows: string[] = [
  '| image | decoder | file KB | CPU ms | estimate ms | peak RSS MiB | estimate MiB | |',
  '|---|---|---:|---:|---:|---:|---:|---|',
];
for (const c of cases) {
  for (const decoder of ['builtin', 'sharp'] as DecoderName[]) {
    const options = { ...c.options, decoder };
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, dist, c.file, JSON.stringify(options), c.warm], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const m = JSON.parse(out.trim().split('\n').pop()!) as { outcome: string; cpuMs: number; peakMiB: number };
    const est = await estimate(c.file, options);
    const size = (await readFile(c.file)).length;
    if (typeof est === 'string') {
      rows.push(`| ${c.name} | ${decoder} | ${Math.round(size / 1024)} | ${Math.round(m.cpuMs)} | ${est} | ${m.peakMiB.toFixed(0)} | ${est} | ${m.outcome} |`);
      continue;
    }
    const estMiB = est.bytes / 2 ** 20;
    const flags = [m.outcome !== 'ok' ? m.outcome : '', m.peakMiB > estMiB ? 'OVER (memory)' : '', m.cpuMs > est.cpuMs ? 'OVER (CPU)' : ''].filter(Boolean);
    rows.push(`| ${c.name} | ${decoder} | ${Math.round(size / 1024)} | ${Math.round(m.cpuMs)} | ${est.cpuMs} | ${m.peakMiB.toFixed(0)} | ${estMiB.toFixed(0)} | ${flags.join(', ')} |`);
  }
}
console.log(`\ndecode cost per image, ${photo ? 'LFW-based' : 'synthesised'} pictures, one decode per fresh process:\n${rows.join('\n')}\n`);

/** Wall-clock timings of the everyday cases. */
const small = await raw(await picture(250, 250)).jpeg({ quality: 90 }).toBuffer();
const large = await raw(await picture(4000, 3000)).jpeg({ quality: 90 }).toBuffer();

function decodeBench(name: string, bytes: Buffer, options: LoadImageOptions, time: number): void {
  bench(name, async () => {
    await loadImage(bytes, options);
  }, { time, warmupIterations: 2 });
}

describe('250x250 JPEG (LFW)', () => {
  decodeBench('builtin', small, { decoder: 'builtin' }, 1500);
  decodeBench('sharp', small, { decoder: 'sharp' }, 1500);
});

describe('4000x3000 JPEG (12 MP phone photo)', () => {
  decodeBench('builtin', large, { decoder: 'builtin' }, 3000);
  decodeBench('sharp', large, { decoder: 'sharp' }, 3000);
  decodeBench('builtin, maxSide 1600 (IDCT scaling)', large, { decoder: 'builtin', maxSide: 1600 }, 3000);
  decodeBench('sharp, maxSide 1600 (shrink on load)', large, { decoder: 'sharp', maxSide: 1600 }, 3000);
});
