/**
 * Synthetic faces that BlazeFace finds: a drawn head (skin gradient, hair, ears, brows, eyes with
 * irises, nose shading, lips) on a gradient background, rasterised by sharp (librsvg) and given a
 * little grain. They let the fuzz seeds, the soak and the canary exercise detection, landmarks
 * and embedding without any photograph. Whether BlazeFace finds them is checked where they are used.
 */
import sharp from 'sharp';
import type { RgbImage } from '../../src/types.js';
import { createRng, type Rng } from './rng.js';

/** Skin tones: light, shadow, nose/crease. */
const SKINS: readonly (readonly [string, string, string])[] = [
  ['#f1c7a5', '#c98f6a', '#9a5a40'],
  ['#c68e62', '#8c5a3a', '#5a3020'],
  ['#8a5a3a', '#5a3520', '#3a1a10'],
  ['#f6d9c4', '#d8a888', '#a06a50'],
];
const HAIR = ['#3a2a1a', '#1a1410', '#7a5a30', '#b08850', '#5a5a5a'] as const;
const BACKGROUNDS: readonly (readonly [string, string])[] = [
  ['#6a7f8f', '#c9c2b0'],
  ['#d8d8d8', '#909090'],
  ['#2f4f3f', '#a0b8a0'],
  ['#e8dcc0', '#806850'],
];

/** The SVG of one face, its size and placement drawn from `rng`. */
export function faceSvg(width: number, height: number, rng: Rng): string {
  const skin = rng.pick(SKINS);
  const hair = rng.pick(HAIR);
  const [bg0, bg1] = rng.pick(BACKGROUNDS);
  const s = 0.75 + rng.next() * 0.45;
  const side = Math.min(width, height);
  const fw = side * s * 0.32;
  const fh = side * s * 0.42;
  const cx = width / 2 + (rng.next() - 0.5) * (width - 2.4 * fw) * 0.5;
  const cy = height / 2 + (rng.next() - 0.5) * (height - 2.4 * fh) * 0.4;
  const tilt = (rng.next() - 0.5) * 16;
  const eye = rng.pick(['#3b2614', '#2a4a6a', '#4a5a2a']);
  const f = (n: number): string => n.toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><radialGradient id="g" cx="45%" cy="40%" r="65%"><stop offset="0%" stop-color="${skin[0]}"/><stop offset="100%" stop-color="${skin[1]}"/></radialGradient>
<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0%" stop-color="${bg0}"/><stop offset="100%" stop-color="${bg1}"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#bg)"/>
<g transform="rotate(${f(tilt)} ${f(cx)} ${f(cy)})">
<rect x="${f(cx - fw * 0.45)}" y="${f(cy + fh * 0.8)}" width="${f(fw * 0.9)}" height="${f(fh)}" fill="${skin[1]}"/>
<ellipse cx="${f(cx)}" cy="${f(cy + fh * 1.6)}" rx="${f(fw * 1.8)}" ry="${f(fh * 0.8)}" fill="#334466"/>
<ellipse cx="${f(cx)}" cy="${f(cy - fh * 0.25)}" rx="${f(fw * 1.08)}" ry="${f(fh * 0.85)}" fill="${hair}"/>
<ellipse cx="${f(cx - fw * 0.98)}" cy="${f(cy + fh * 0.05)}" rx="${f(fw * 0.13)}" ry="${f(fh * 0.2)}" fill="${skin[1]}"/>
<ellipse cx="${f(cx + fw * 0.98)}" cy="${f(cy + fh * 0.05)}" rx="${f(fw * 0.13)}" ry="${f(fh * 0.2)}" fill="${skin[1]}"/>
<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(fw)}" ry="${f(fh)}" fill="url(#g)"/>
<path d="M ${f(cx - fw * 0.62)} ${f(cy - fh * 0.28)} q ${f(fw * 0.25)} ${f(-fh * 0.12)} ${f(fw * 0.48)} 0" stroke="#2a1a10" stroke-width="${f(fw * 0.07)}" fill="none"/>
<path d="M ${f(cx + fw * 0.14)} ${f(cy - fh * 0.28)} q ${f(fw * 0.25)} ${f(-fh * 0.12)} ${f(fw * 0.48)} 0" stroke="#2a1a10" stroke-width="${f(fw * 0.07)}" fill="none"/>
<ellipse cx="${f(cx - fw * 0.38)}" cy="${f(cy - fh * 0.12)}" rx="${f(fw * 0.2)}" ry="${f(fh * 0.065)}" fill="#f4f0ea"/>
<ellipse cx="${f(cx + fw * 0.38)}" cy="${f(cy - fh * 0.12)}" rx="${f(fw * 0.2)}" ry="${f(fh * 0.065)}" fill="#f4f0ea"/>
<circle cx="${f(cx - fw * 0.38)}" cy="${f(cy - fh * 0.12)}" r="${f(fw * 0.085)}" fill="${eye}"/>
<circle cx="${f(cx + fw * 0.38)}" cy="${f(cy - fh * 0.12)}" r="${f(fw * 0.085)}" fill="${eye}"/>
<circle cx="${f(cx - fw * 0.38)}" cy="${f(cy - fh * 0.12)}" r="${f(fw * 0.04)}" fill="#000"/>
<circle cx="${f(cx + fw * 0.38)}" cy="${f(cy - fh * 0.12)}" r="${f(fw * 0.04)}" fill="#000"/>
<path d="M ${f(cx)} ${f(cy - fh * 0.08)} L ${f(cx - fw * 0.14)} ${f(cy + fh * 0.22)} Q ${f(cx)} ${f(cy + fh * 0.3)} ${f(cx + fw * 0.14)} ${f(cy + fh * 0.22)}" stroke="${skin[2]}" stroke-width="${f(fw * 0.04)}" fill="none"/>
<ellipse cx="${f(cx)}" cy="${f(cy + fh * 0.24)}" rx="${f(fw * 0.16)}" ry="${f(fh * 0.05)}" fill="${skin[2]}" opacity="0.6"/>
<path d="M ${f(cx - fw * 0.32)} ${f(cy + fh * 0.45)} Q ${f(cx)} ${f(cy + fh * 0.58)} ${f(cx + fw * 0.32)} ${f(cy + fh * 0.45)} Q ${f(cx)} ${f(cy + fh * 0.5)} ${f(cx - fw * 0.32)} ${f(cy + fh * 0.45)}" fill="#a03a3a"/>
</g></svg>`;
}

/** Adds deterministic grain (±amplitude) to RGB pixels, in place. */
export function addGrain(image: RgbImage, rng: Rng, amplitude = 6): RgbImage {
  const d = image.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.max(0, Math.min(255, (d[i] as number) + Math.round((rng.next() - 0.5) * 2 * amplitude)));
  return image;
}

/** A synthetic face as RGB pixels: the same seed gives the same pixels. */
export async function syntheticFace(width: number, height: number, seed: number): Promise<RgbImage> {
  const rng = createRng(seed);
  const { data, info } = await sharp(Buffer.from(faceSvg(width, height, rng)))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return addGrain({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }, rng);
}

/** A photo-like picture without a face: gradients, low-frequency waves and grain. */
export function syntheticScene(width: number, height: number, seed: number): RgbImage {
  const rng = createRng(seed);
  const a = 2 + rng.next() * 8;
  const b = 2 + rng.next() * 8;
  const c = 5 + rng.next() * 15;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const i = (y * width + x) * 3;
      data[i] = clamp(128 + 90 * Math.sin(a * u + 2.3 * v) + 30 * Math.cos(c * v));
      data[i + 1] = clamp(110 + 80 * Math.cos(b * v - 3.1 * u) + 25 * Math.sin(c * u * v));
      data[i + 2] = clamp(100 + 70 * Math.sin(9.3 * (u - v)) + 40 * u);
    }
  }
  return addGrain({ width, height, data }, rng, 4);
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/** Encodes RGB pixels as a JPEG (quality 90, 4:4:4). */
export function rgbToJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
}
