import { resolveDecisionThresholds } from '../compare/decision.js';
import { DETECTOR_MODELS, type DetectorModel } from '../detect/options.js';
import { FaceMatchError, isFaceMatchError } from '../errors.js';
import type { ConstraintPreset } from '../image/types.js';
import { FaceMatcher } from '../matcher.js';
import { FACE_SELECTIONS, type FaceSelection } from '../detect/select.js';
import { parseEmbedderSpec } from '../embed/spec.js';
import { ALIGNMENT_MODES, type AlignmentMode } from '../matcher-options.js';
import { ATTESTR_DOCUMENT_TYPES, checkAttestrOptions, toAttestrError, toAttestrResponse, type AttestrDocumentType } from '../providers/attestr.js';
import { DIDIT_FIELDS, toDiditError, toDiditResponse } from '../providers/didit.js';
import type { MatchResult } from '../result.js';
import { BACKEND_NAMES, type BackendName } from '../runtime/backend.js';
import { matchAttestr } from '../serve/attestr-match.js';
import { choiceOption, numberOption, UsageError, type CommandOptions } from './usage.js';

/** @internal */
export const COMPARE_USAGE = `Usage: facematch compare <user_image> <ref_image> [options]

Prints one JSON document on stdout.

Options:
  --format raw|didit|attestr    response shape (default raw)
  --threshold N                 didit: decline threshold 0-100 (default 30);
                                attestr: match threshold 1-100 (required)
  --approve-threshold N         didit: approve threshold 0-100
  --back <image>                attestr: back side of the document (targetBack)
  --type UIDAI|DL|PAN|VOTER|PASSPORT|GOV
                                attestr: document type; document images use the small-face detector
  --constraints didit|attestr|none
                                image limits (default: the format's own; raw: none)
  --backend auto|node|wasm|cpu  tfjs backend (default auto)
  --detector auto|short|full    BlazeFace model (default auto)
  --alignment landmarks|keypoints
                                face alignment (default landmarks)
  --embedder SPEC               dlib-resnet (default), onnx:PATH[:arcface|facenet], onnx:NAME
                                (a model registered with facematch models add), or A+B (fusion)
  --face-selection largest|center
                                which face of a multi-face image (default largest, Didit's rule)
  --min-quality N               refuse faces whose overall quality is below N (0-100): Didit
                                declines, Attestr reports the side as invalid

Exit codes: 0 a match response was produced (Declined included); 1 the response is an error
document (bad image, or no face where the format treats it as an error); 2 usage error.`;

/** @internal */
export const COMPARE_OPTIONS: CommandOptions = {
  format: { type: 'string' },
  threshold: { type: 'string' },
  'approve-threshold': { type: 'string' },
  back: { type: 'string' },
  type: { type: 'string' },
  constraints: { type: 'string' },
  backend: { type: 'string' },
  detector: { type: 'string' },
  alignment: { type: 'string' },
  embedder: { type: 'string' },
  'face-selection': { type: 'string' },
  'min-quality': { type: 'string' },
};

type Format = 'raw' | 'didit' | 'attestr';

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The match result as plain JSON: everything but the chip's pixels. */
function rawResult(result: MatchResult): unknown {
  const strip = (r: MatchResult['source']) => ({ ...r, chip: { width: r.chip.width, height: r.chip.height } });
  return { ...result, source: strip(result.source), target: strip(result.target) };
}

function rawError(err: FaceMatchError): unknown {
  return { error: { code: err.code, field: err.field ?? null, message: err.message, details: err.details } };
}

/**
 * The error document of a format for a failure outside the images (the backend or a model would
 * not start), on stdout with exit 1 as the help promises. The providers' 500 bodies do not say
 * why, so the reason also goes to stderr.
 */
function printStartupError(format: Format, err: FaceMatchError): number {
  print(format === 'raw' ? rawError(err) : format === 'didit' ? toDiditError(err).body : toAttestrError(err).body);
  if (format !== 'raw') process.stderr.write(`facematch: ${err.code}: ${err.message}\n`);
  return 1;
}

async function attestr(matcher: FaceMatcher, a: string, b: string, back: string | undefined, threshold: number | undefined, type: AttestrDocumentType | undefined): Promise<number> {
  const input = await matchAttestr(matcher, { src: a, targetFront: b, ...(back === undefined ? {} : { targetBack: back }) }, { documents: type !== undefined });
  try {
    const body = toAttestrResponse(input, { threshold: threshold as number, ...(type ? { type } : {}) });
    print(body);
    // Attestr answers an unreadable or too-small image with a 200 body, but it is an error document.
    return 'status' in body && body.status !== 'INVALID_FILE_FORMAT' ? 0 : 1;
  } catch (err) {
    print(toAttestrError(err).body);
    return 1;
  }
}

/** @internal */
export async function runCompare(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length !== 2) throw new UsageError(`compare expects two images, <user_image> <ref_image>; received ${positionals.length}`);
  const [a, b] = positionals as [string, string];
  const format = choiceOption<Format>(values['format'], 'format', ['raw', 'didit', 'attestr']) ?? 'raw';
  const threshold = numberOption(values['threshold'], 'threshold');
  const approveThreshold = numberOption(values['approve-threshold'], 'approve-threshold');
  const type = choiceOption<AttestrDocumentType>(values['type'], 'type', ATTESTR_DOCUMENT_TYPES);
  const back = values['back'] as string | undefined;
  const constraints = choiceOption<ConstraintPreset>(values['constraints'], 'constraints', ['didit', 'attestr', 'none']);
  const backend = choiceOption<BackendName>(values['backend'], 'backend', BACKEND_NAMES);
  const detector = choiceOption<DetectorModel>(values['detector'], 'detector', DETECTOR_MODELS);
  const alignment = choiceOption<AlignmentMode>(values['alignment'], 'alignment', ALIGNMENT_MODES);
  const faceSelection = choiceOption<FaceSelection>(values['face-selection'], 'face-selection', FACE_SELECTIONS);
  const minQuality = numberOption(values['min-quality'], 'min-quality');
  if (minQuality !== undefined && !(minQuality >= 0 && minQuality <= 100)) throw new UsageError(`--min-quality expects a number from 0 to 100, received "${String(values['min-quality'])}"`);
  const embedder = values['embedder'] as string | undefined;
  if (embedder !== undefined) {
    try {
      parseEmbedderSpec(embedder);
    } catch (err) {
      throw new UsageError(`--embedder: ${(err as Error).message}`);
    }
  }
  if (format !== 'attestr' && (back !== undefined || type !== undefined)) throw new UsageError('--back and --type apply to --format attestr only');
  if (format === 'raw' && (threshold !== undefined || approveThreshold !== undefined)) {
    throw new UsageError('--threshold and --approve-threshold apply to --format didit or attestr');
  }
  if (format === 'didit') {
    // Like Attestr below: a bad threshold is answered with the format's 400 document before any
    // image is read, naming the flags as they were typed.
    try {
      resolveDecisionThresholds({ declineThreshold: threshold, approveThreshold }, { declineThreshold: '--threshold', approveThreshold: '--approve-threshold' });
    } catch (err) {
      if (!isFaceMatchError(err)) throw err;
      print(toDiditError(err).body);
      return 1;
    }
  }
  if (format === 'attestr') {
    // Attestr answers a bad or missing threshold with its 4001 document before looking at images.
    try {
      checkAttestrOptions({ threshold: threshold as number, ...(type ? { type } : {}) });
    } catch (err) {
      print(toAttestrError(err).body);
      return 1;
    }
  }

  let matcher: FaceMatcher;
  try {
    matcher = await FaceMatcher.create({
      constraints: constraints ?? (format === 'raw' ? 'none' : format),
      ...(backend ? { backend } : {}),
      ...(detector ? { detector } : {}),
      ...(alignment ? { alignment } : {}),
      ...(embedder ? { embedder } : {}),
      ...(faceSelection ? { faceSelection } : {}),
      ...(minQuality !== undefined ? { minQuality } : {}),
    });
  } catch (err) {
    if (!isFaceMatchError(err)) throw err;
    return printStartupError(format, err);
  }
  try {
    if (format === 'attestr') return await attestr(matcher, a, b, back, threshold, type);
    const fields = format === 'didit' ? ([DIDIT_FIELDS.source, DIDIT_FIELDS.target] as const) : (['source', 'target'] as const);
    let result: MatchResult;
    try {
      result = await matcher.match(a, b, { fields });
    } catch (err) {
      if (!isFaceMatchError(err)) throw err;
      if (format === 'raw') {
        print(rawError(err));
        return 1;
      }
      const reply = toDiditError(err);
      print(reply.body);
      return reply.status === 200 ? 0 : 1;
    }
    if (format === 'raw') {
      print(rawResult(result));
      return 0;
    }
    try {
      print(await toDiditResponse(result, { face_match_score_decline_threshold: threshold, approveThreshold }));
      return 0;
    } catch (err) {
      print(toDiditError(err).body);
      return 1;
    }
  } finally {
    matcher.dispose();
  }
}
