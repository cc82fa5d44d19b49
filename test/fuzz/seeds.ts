/**
 * The mutation fuzzer's seed corpus: small valid images made here (synthetic faces and scenes,
 * encoded by sharp in many modes), plus a few LFW faces when FACEMATCH_LFW_DIR is set. The same
 * options give the same corpus, byte for byte, with the same sharp version.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../src/types.js';
import { rgbToJpeg, syntheticFace, syntheticScene } from './faces.js';

/** One seed image. */
export interface Seed {
  /** What it is and how it was encoded, e.g. `face1.jpeg-progressive`. */
  name: string;
  /** Its format. */
  format: 'jpeg' | 'png' | 'webp';
  /** Its bytes. */
  bytes: Uint8Array;
  /** True when the picture holds a face (synthetic or LFW). */
  face: boolean;
}

/** LFW images used as seeds when FACEMATCH_LFW_DIR is set (relative to lfw-deepfunneled/). */
export const LFW_SEED_IMAGES = [
  'Aaron_Peirsol/Aaron_Peirsol_0001.jpg',
  'Abdullah_Gul/Abdullah_Gul_0013.jpg',
  'Angela_Bassett/Angela_Bassett_0001.jpg',
  'Serena_Williams/Serena_Williams_0001.jpg',
] as const;

/** The LFW image the canary embeds when LFW is available. */
export const LFW_CANARY = 'Alan_Ball/Alan_Ball_0001.jpg';

type Encoder = (pipeline: sharp.Sharp) => sharp.Sharp;

const JPEG_MODES: Readonly<Record<string, Encoder>> = {
  'jpeg-q90-444': (p) => p.jpeg({ quality: 90, chromaSubsampling: '4:4:4' }),
  'jpeg-q40-420': (p) => p.jpeg({ quality: 40, chromaSubsampling: '4:2:0' }),
  'jpeg-progressive': (p) => p.jpeg({ quality: 80, progressive: true }),
  'jpeg-mozjpeg': (p) => p.jpeg({ quality: 75, mozjpeg: true }),
  'jpeg-optimised': (p) => p.jpeg({ quality: 85, optimiseCoding: true, trellisQuantisation: true }),
  'jpeg-grey': (p) => p.toColourspace('b-w').jpeg({ quality: 85 }),
  'jpeg-cmyk': (p) => p.toColourspace('cmyk').jpeg({ quality: 85 }),
  'jpeg-exif6': (p) => p.jpeg({ quality: 85 }).withMetadata({ orientation: 6 }),
  'jpeg-exif3': (p) => p.jpeg({ quality: 85 }).withMetadata({ orientation: 3 }),
};

const PNG_MODES: Readonly<Record<string, Encoder>> = {
  'png-rgb': (p) => p.png({ compressionLevel: 6 }),
  'png-rgba': (p) => p.ensureAlpha(0.8).png(),
  'png-grey': (p) => p.toColourspace('b-w').png(),
  'png-palette': (p) => p.png({ palette: true, colours: 64 }),
  'png-16bit': (p) => p.toColourspace('rgb16').png(),
  'png-interlaced': (p) => p.png({ progressive: true }),
  'png-exif8': (p) => p.png().withMetadata({ orientation: 8 }),
};

const WEBP_MODES: Readonly<Record<string, Encoder>> = {
  'webp-lossy': (p) => p.webp({ quality: 75 }),
  'webp-lossless': (p) => p.webp({ lossless: true }),
  'webp-alpha': (p) => p.ensureAlpha(0.7).webp({ quality: 70, alphaQuality: 80 }),
  'webp-near-lossless': (p) => p.webp({ nearLossless: true, quality: 60 }),
  'webp-exif6': (p) => p.webp({ quality: 75 }).withMetadata({ orientation: 6 }),
};

function raw(image: RgbImage): sharp.Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function encodeAll(name: string, image: RgbImage, face: boolean, modes: Readonly<Record<string, Encoder>>, format: Seed['format']): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const [mode, encode] of Object.entries(modes)) {
    const bytes = await encode(raw(image)).toBuffer();
    seeds.push({ name: `${name}.${mode}`, format, bytes: new Uint8Array(bytes), face });
  }
  return seeds;
}

/** Options of {@link buildSeeds}. */
export interface SeedOptions {
  /** The LFW folder (holding lfw-deepfunneled/), or undefined for synthetic seeds only. */
  lfwDir?: string;
}

/**
 * Builds the seed corpus: two synthetic faces and one scene, each in every JPEG, PNG and WebP
 * mode above (small sizes, so that cases stay cheap), and the LFW seed images as they are on disk
 * plus one of them re-encoded as PNG and WebP.
 */
export async function buildSeeds(options: SeedOptions = {}): Promise<Seed[]> {
  const seeds: Seed[] = [];
  const pictures: [string, RgbImage, boolean][] = [
    ['face1', await syntheticFace(160, 160, 11), true],
    ['face2', await syntheticFace(200, 176, 23), true],
    ['scene1', syntheticScene(96, 72, 5), false],
  ];
  for (const [name, image, face] of pictures) {
    seeds.push(...(await encodeAll(name, image, face, JPEG_MODES, 'jpeg')));
    seeds.push(...(await encodeAll(name, image, face, PNG_MODES, 'png')));
    seeds.push(...(await encodeAll(name, image, face, WEBP_MODES, 'webp')));
  }
  if (options.lfwDir) {
    for (const rel of LFW_SEED_IMAGES) {
      const file = path.join(options.lfwDir, 'lfw-deepfunneled', rel);
      if (!existsSync(file)) throw new Error(`FACEMATCH_LFW_DIR=${options.lfwDir} has no ${rel}`);
      seeds.push({ name: `lfw:${path.basename(rel, '.jpg')}`, format: 'jpeg', bytes: new Uint8Array(readFileSync(file)), face: true });
    }
    const first = readFileSync(path.join(options.lfwDir, 'lfw-deepfunneled', LFW_SEED_IMAGES[0]));
    seeds.push({ name: 'lfw:png', format: 'png', bytes: new Uint8Array(await sharp(first).png().toBuffer()), face: true });
    seeds.push({ name: 'lfw:webp', format: 'webp', bytes: new Uint8Array(await sharp(first).webp({ quality: 80 }).toBuffer()), face: true });
  }
  return seeds;
}

/**
 * The canary: a fixed real face, the LFW image {@link LFW_CANARY} when LFW is available, else a
 * fixed synthetic face, as JPEG bytes.
 */
export async function canaryImage(lfwDir: string | undefined): Promise<{ name: string; bytes: Uint8Array }> {
  if (lfwDir) {
    const file = path.join(lfwDir, 'lfw-deepfunneled', LFW_CANARY);
    if (!existsSync(file)) throw new Error(`FACEMATCH_LFW_DIR=${lfwDir} has no ${LFW_CANARY}`);
    return { name: `lfw:${LFW_CANARY}`, bytes: new Uint8Array(readFileSync(file)) };
  }
  return { name: 'synthetic-face-7', bytes: new Uint8Array(await rgbToJpeg(await syntheticFace(224, 224, 7))) };
}
