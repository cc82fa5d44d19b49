/**
 * The text form of an embedder choice: `dlib-resnet`, `onnx:PATH[:PRESET]`, and fusions `A+B`.
 * The same grammar serves `FaceMatcher.create({ embedder })`, `facematch compare --embedder` and
 * `facematch bench lfw --embedder`.
 * @module
 */
import { FaceMatchError, echo } from '../errors.js';
import { ONNX_PRESETS, type OnnxPreset } from '../runtime/onnx.js';


/**
 * The `dlib-resnet` part of an embedder text.
 *
 * @category Embedding
 */
export interface DlibEmbedderPart {
  /** Always `dlib-resnet`. */
  kind: 'dlib-resnet';
}

/**
 * An `onnx:MODEL[:PRESET]` part of an embedder text.
 *
 * @category Embedding
 */
export interface OnnxEmbedderPart {
  /** Always `onnx`. */
  kind: 'onnx';
  /** A file path, or the name of a model registered with `facematch models add`. */
  model: string;
  /** The preset named after the last `:`, if any. */
  preset: OnnxPreset | undefined;
}

/**
 * One part of an embedder text: the vendored dlib ResNet, or an ONNX model with an optional preset.
 *
 * @category Embedding
 */
export type EmbedderPart = DlibEmbedderPart | OnnxEmbedderPart;

function bad(text: string, why: string): FaceMatchError {
  return new FaceMatchError(
    'INVALID_INPUT',
    `Expected 'dlib-resnet', 'onnx:PATH[:PRESET]' (PRESET ${ONNX_PRESETS.join(' or ')}) or parts joined by '+' for embedder but received ${echo(text)}: ${why}`,
    { field: 'embedder' },
  );
}

/**
 * Splits an embedder text into its parts. `+` separates fusion parts (so a path holding `+`
 * cannot be named this way: pass an Embedder instance for it); a part `onnx:REST` takes a preset
 * from REST's last `:`-separated piece when that piece is a preset name, so Windows paths
 * (`onnx:C:\models\a.onnx:arcface`) keep their drive letter.
 *
 * @throws FaceMatchError `INVALID_INPUT` (field `embedder`) for an empty part or an unknown name
 * @category Embedding
 */
export function parseEmbedderSpec(text: string): EmbedderPart[] {
  if (typeof text !== 'string' || text.trim() === '') throw bad(String(text), 'it is empty');
  return text.split('+').map((raw) => {
    const part = raw.trim();
    if (part === '') throw bad(text, "a part between '+' signs is empty");
    if (part === 'dlib-resnet') return { kind: 'dlib-resnet' as const };
    if (!part.startsWith('onnx:')) throw bad(text, `${echo(part)} is neither dlib-resnet nor onnx:…`);
    let rest = part.slice('onnx:'.length);
    let preset: OnnxPreset | undefined;
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      const tail = rest.slice(colon + 1);
      if ((ONNX_PRESETS as readonly string[]).includes(tail)) {
        preset = tail as OnnxPreset;
        rest = rest.slice(0, colon);
      }
    }
    if (rest === '') throw bad(text, 'an onnx part names no model');
    return { kind: 'onnx' as const, model: rest, preset };
  });
}
