/**
 * Reads an ONNX model's image input (layout, chip size, batch) from its declared shape and
 * reconciles it with the caller's options: a static dimension always wins over a default, and an
 * explicit option that contradicts it is refused.
 * @module
 */
import type { ChipSize } from '../../align/framing.js';
import { FaceMatchError } from '../../errors.js';
import type { OnnxValueInfo, TensorLayout } from '../../runtime/onnx.js';
import { contradicts } from './options.js';

/** The image input as it will be fed. */
export interface ResolvedInput {
  /** Input name. */
  name: string;
  /** Layout. */
  layout: TensorLayout;
  /** Chip size. */
  size: ChipSize;
  /** The model's fixed batch size, or undefined when it is dynamic. */
  fixedBatch: number | undefined;
  /** Where the layout came from. */
  layoutFrom: 'model' | 'option' | 'preset';
}

/** A dimension's size when the model fixes it. */
function fixed(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.map((d) => (typeof d === 'number' && d < 0 ? '?' : String(d))).join(', ')}]`;
}

/** The layout the shape implies, when it does (exactly one of dims 1 and 3 is a fixed 3). */
function layoutOf(shape: readonly (number | string)[]): TensorLayout | undefined {
  const c1 = fixed(shape[1]) === 3;
  const c3 = fixed(shape[3]) === 3;
  if (c1 && !c3) return 'NCHW';
  if (c3 && !c1) return 'NHWC';
  return undefined;
}

/**
 * Picks the layout, chip size and batch of the model's image input.
 *
 * @param info - the input as the session reports it
 * @param want - the caller's layout and size (undefined when not given) and the preset's fallbacks
 * @throws FaceMatchError `MODEL_ERROR` for an input that is not a float32 image tensor;
 *   `INVALID_INPUT` naming `layout`, `inputSize` or `framing` when the option contradicts the model
 * @internal
 */
export function resolveInput(
  info: OnnxValueInfo,
  want: { layout: TensorLayout | undefined; size: ChipSize | undefined; sizeField: string; presetLayout: TensorLayout; presetSide: number },
): ResolvedInput {
  if (info.type !== undefined && info.type !== 'float32') {
    throw new FaceMatchError('MODEL_ERROR', `Expected the model's input ${JSON.stringify(info.name)} to be float32 but it is ${info.type}`, {
      field: 'model',
      details: { input: info.name, type: info.type },
    });
  }
  const shape = info.shape;
  if (shape && shape.length !== 4) {
    throw new FaceMatchError(
      'MODEL_ERROR',
      `Expected the model's input ${JSON.stringify(info.name)} to be an image batch of rank 4 (NCHW or NHWC) but its shape is ${describeShape(shape)}`,
      { field: 'model', details: { input: info.name, shape: [...shape] } },
    );
  }
  const declared = shape ? layoutOf(shape) : undefined;
  if (want.layout && shape) {
    const channelDim = want.layout === 'NCHW' ? shape[1] : shape[3];
    if (fixed(channelDim) !== undefined && fixed(channelDim) !== 3) {
      throw contradicts(
        'layout',
        `Expected layout ${want.layout} to match the model's input ${JSON.stringify(info.name)} ${describeShape(shape)}, but its channel dimension there is ${String(channelDim)}, not 3`,
        { shape: [...shape], layout: want.layout },
      );
    }
  }
  const layout = want.layout ?? declared ?? want.presetLayout;
  const layoutFrom = want.layout ? 'option' : declared ? 'model' : 'preset';
  const [h, w] = shape ? (layout === 'NCHW' ? [fixed(shape[2]), fixed(shape[3])] : [fixed(shape[1]), fixed(shape[2])]) : [undefined, undefined];
  if (want.size && ((h !== undefined && h !== want.size.height) || (w !== undefined && w !== want.size.width))) {
    throw contradicts(
      want.sizeField,
      `Expected ${want.sizeField} ${want.size.width}×${want.size.height} to match the model's input ${JSON.stringify(info.name)} ${describeShape(shape!)} (${layout}), which fixes ${w ?? '?'}×${h ?? '?'}`,
      { shape: [...shape!], width: want.size.width, height: want.size.height, modelWidth: w, modelHeight: h },
    );
  }
  const size: ChipSize = {
    width: w ?? want.size?.width ?? (h !== undefined && want.size === undefined ? h : want.presetSide),
    height: h ?? want.size?.height ?? (w !== undefined && want.size === undefined ? w : want.presetSide),
  };
  return { name: info.name, layout, size, fixedBatch: shape ? fixed(shape[0]) : undefined, layoutFrom };
}
