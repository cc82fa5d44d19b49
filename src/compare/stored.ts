/**
 * Stored score calibrations: where the calibration of an embedder (and, for a fusion, its
 * weights) comes from when the caller gives none — the user's own fits first, then the ones that
 * ship with facematch.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FusedEmbedder } from '../embed/fusion.js';
import type { Embedder } from '../embed/types.js';
import { FaceMatchError } from '../errors.js';
import { combinedSha256, readModelManifest } from '../runtime/models.js';
import { calibrationKeyId, readCalibration, type CalibrationKey, type UserModelsOptions } from '../runtime/user-models.js';
import { parseCalibration, type Calibration } from './calibration.js';

/**
 * A calibration as stored for a fusion: the calibration of the fused cosine, and the part weights
 * it was fitted with (see {@link FusedEmbedder.weights}).
 *
 * @category Compare
 */
export interface FusionCalibration extends Calibration {
  /** Weight of each part's cosine, summing to 1, in the parts' order. */
  weights?: number[];
}

/** The file in the models folder holding calibrations fitted for models facematch does not ship. */
const SHIPPED_FILE = 'calibrations.json';

function isFused(e: Embedder | FusedEmbedder): e is FusedEmbedder {
  return (e as FusedEmbedder).kind === 'fusion';
}

function partKey(part: Embedder, alignment: string): CalibrationKey {
  return {
    embedder: part.name,
    modelSha256: part.modelSha256 && /^[0-9a-fA-F]{64}$/.test(part.modelSha256) ? part.modelSha256.toLowerCase() : '0'.repeat(64),
    settings: { ...(part.signature ?? {}), framing: part.framing.name, alignment },
  };
}

/**
 * The key a calibration of `embedder` is stored under: its name, its weights' sha256, and every
 * setting that changes its similarities (its {@link Embedder.signature}, its framing, the
 * alignment). A fusion's key is made of its parts' keys, not of its weights: the stored record
 * carries the weights it was fitted with.
 *
 * @category Compare
 */
export function calibrationKeyOf(embedder: Embedder | FusedEmbedder, alignment: string): CalibrationKey {
  if (!isFused(embedder)) return partKey(embedder, alignment);
  if (embedder.parts.length === 1) return partKey(embedder.parts[0]!, alignment);
  const digest = createHash('sha256')
    .update(embedder.parts.map((p) => calibrationKeyId(partKey(p, alignment))).join('\n'))
    .digest('hex');
  return { embedder: embedder.name, modelSha256: digest, settings: { alignment, parts: embedder.parts.length } };
}

async function shippedCalibration(id: string, modelsDir: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path.join(modelsDir, SHIPPED_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { calibrations?: Record<string, { calibration?: unknown }> };
    return parsed.calibrations?.[id]?.calibration;
  } catch (cause) {
    throw new FaceMatchError('MODEL_ERROR', `Expected ${path.join(modelsDir, SHIPPED_FILE)} to be JSON but it could not be parsed`, { field: 'model', cause });
  }
}

function withWeights(raw: unknown): FusionCalibration {
  const calibration: FusionCalibration = parseCalibration(raw);
  const weights = (raw as { weights?: unknown }).weights;
  const usable =
    Array.isArray(weights) &&
    weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0) &&
    Math.abs((weights as number[]).reduce((a, w) => a + w, 0) - 1) < 1e-6;
  if (usable) calibration.weights = weights as number[];
  return calibration;
}

/**
 * The stored calibration for a key, looked up in order: the user models folder (what
 * `facematch bench lfw --fit-calibration` writes), `calibrations.json` in the models folder
 * (fits facematch ships for third-party models, by their sha256; the weights themselves are never
 * shipped), then — for a vendored embedder's own weights (same sha256) — its entry in
 * `models/manifest.json`.
 *
 * @param key - from {@link calibrationKeyOf}
 * @param modelsDir - the vendored models folder
 * @param options - which user models folder
 * @throws FaceMatchError `MODEL_ERROR` when a store exists but cannot be read
 * @category Compare
 */
export async function findStoredCalibration(key: CalibrationKey, modelsDir: string, options: UserModelsOptions = {}): Promise<FusionCalibration | undefined> {
  const user = await readCalibration(key, options);
  if (user) return withWeights(user);
  const shipped = await shippedCalibration(calibrationKeyId(key), modelsDir);
  if (shipped) return withWeights(shipped);
  // A vendored model's own calibration applies to its own weights only (a custom embedder that
  // borrows the name gets none), whatever the settings: it was fitted with the defaults
  // (landmarks alignment, flip averaging), which docs/thresholds.md states.
  const entry = (await readModelManifest(modelsDir)).models[key.embedder];
  if (!entry?.calibration || combinedSha256(entry.files) !== key.modelSha256) return undefined;
  return withWeights(entry.calibration);
}
