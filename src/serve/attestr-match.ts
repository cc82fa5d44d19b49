/**
 * The Attestr flow on a {@link FaceMatcher}: embed `src`, `targetFront` and optionally
 * `targetBack` one by one (each keeps its own outcome, since Attestr answers a missing face or an
 * unreadable image inside a 200 response), then score `src` against each side. Shared by
 * `facematch compare --format attestr` and the service's workers.
 * @module
 */
import { cosineSimilarity } from '../compare/distance.js';
import type { DetectorModel } from '../detect/options.js';
import { isFaceMatchError, type FaceMatchError } from '../errors.js';
import type { ConstraintPreset, ImageConstraints, ImageInput } from '../image/types.js';
import type { FaceEmbedding, FaceMatcher } from '../matcher.js';
import { ATTESTR_FIELDS, type AttestrImageOutcome, type AttestrInput, type AttestrTarget } from '../providers/attestr.js';

/**
 * The images of one Attestr match.
 *
 * @category Service
 */
export interface AttestrImages {
  /** The selfie. */
  src: ImageInput;
  /** The document front. */
  targetFront: ImageInput;
  /** The document back, when sent. */
  targetBack?: ImageInput;
}

/**
 * Options of {@link matchAttestr}.
 *
 * @category Service
 */
export interface AttestrMatchOptions {
  /**
   * True when the targets are identity documents (Attestr's `type` was given): their small faces
   * are looked for with the full-range detector. Default false.
   */
  documents?: boolean;
  /** Image constraints for the three images. Default: the matcher's. */
  constraints?: ConstraintPreset | ImageConstraints;
}

async function embedOutcome(
  matcher: FaceMatcher,
  input: ImageInput,
  field: string,
  detector: DetectorModel | undefined,
  constraints: AttestrMatchOptions['constraints'],
): Promise<FaceEmbedding | FaceMatchError> {
  try {
    return await matcher.embed(input, { field, ...(detector ? { detector } : {}), ...(constraints ? { constraints } : {}) });
  } catch (err) {
    if (isFaceMatchError(err)) return err;
    throw err;
  }
}

function targetOf(matcher: FaceMatcher, src: FaceEmbedding | FaceMatchError, side: FaceEmbedding | FaceMatchError): AttestrTarget {
  if (isFaceMatchError(side) || isFaceMatchError(src)) return { outcome: side };
  return { outcome: side, score: matcher.score(cosineSimilarity(src.embedding, side.embedding)) };
}

/**
 * Runs one Attestr match and returns what {@link toAttestrResponse} formats. Image errors
 * (`NO_FACE`, `UNSUPPORTED_FORMAT`, ...) become the image's outcome; anything else is thrown.
 *
 * @category Service
 */
export async function matchAttestr(matcher: FaceMatcher, images: AttestrImages, options: AttestrMatchOptions = {}): Promise<AttestrInput> {
  const docDetector: DetectorModel | undefined = options.documents ? 'full' : undefined;
  const src = await embedOutcome(matcher, images.src, ATTESTR_FIELDS.source, undefined, options.constraints);
  const front = await embedOutcome(matcher, images.targetFront, ATTESTR_FIELDS.targetFront, docDetector, options.constraints);
  const input: AttestrInput = { src: src as AttestrImageOutcome, targetFront: targetOf(matcher, src, front) };
  if (images.targetBack !== undefined) {
    const back = await embedOutcome(matcher, images.targetBack, ATTESTR_FIELDS.targetBack, docDetector, options.constraints);
    input.targetBack = targetOf(matcher, src, back);
  }
  return input;
}
