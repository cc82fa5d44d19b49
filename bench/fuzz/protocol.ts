/**
 * Messages between the fuzz parent (test/fuzz/pool.ts) and its long-lived children
 * (bench/fuzz/child.ts), sent over Node's IPC channel with `serialization: 'advanced'` so that
 * bytes travel as bytes.
 */

/** How the bytes reach the API (see test/fuzz/generator.ts). */
export type WrapMode = 'uint8' | 'buffer' | 'subarray' | 'file';

/** What the parent tells a new child. */
export interface InitMessage {
  type: 'init';
  /** Decoder name passed to the API as is (`builtin`, `sharp`, or the alias `jimp`). */
  decoder: string;
  /** The canary image: a fixed real face, as a JPEG. */
  canary: Uint8Array;
  /** The same face as PNG and WebP: decoded after every abnormal case to check those codecs too. */
  canaryPng: Uint8Array;
  canaryWebp: Uint8Array;
  /** Valid images placed around `subarray` cases, by format: what a codec reading past its view would find. */
  decoys: { jpeg: Uint8Array; png: Uint8Array; webp: Uint8Array };
  /** Horizontal-flip averaging in the matcher (off by default in the fuzz: half the embed time). */
  flip: boolean;
}

/** One case to run. */
export interface CaseMessage {
  type: 'case';
  /** The parent's job id. */
  id: number;
  /** The file. */
  bytes: Uint8Array;
  /** How to hand it over. */
  wrap: WrapMode;
  /** A constraints preset, if any. */
  constraints?: 'didit' | 'attestr' | 'none';
  /** Run `matcher.embed` even when `loadImage` refuses the input (to check both agree). */
  embedAlways: boolean;
  /** Re-embed the canary after this case whatever happens. */
  canary: boolean;
}

/** How one call ended. */
export type CallOutcome =
  | {
      kind: 'resolved';
      width: number;
      height: number;
      format: string;
      orientation: number;
      decoder: string;
      /** sha1 of the decoded RGB pixels. */
      pixels: string;
      /** Pixel size of the decoded image. */
      decodedWidth: number;
      decodedHeight: number;
    }
  | { kind: 'embedded'; faceCount: number; box: [number, number, number, number] }
  | { kind: 'error'; code: string; field: string | undefined; message: string }
  | { kind: 'failure'; name: string; message: string; stack?: string };

/** What a child says about one case. */
export interface ResultMessage {
  type: 'result';
  id: number;
  /** `loadImage(input)` with no downscale. */
  load: CallOutcome;
  /** `loadImage` on a fresh Uint8Array copy, when the case used another wrap. */
  reference?: CallOutcome;
  /** `matcher.embed(input)`, when it ran. */
  embed?: CallOutcome;
  /** Problems the child found beyond the outcomes themselves. */
  problems: string[];
  /** CPU time of the case (user + system, whole process), milliseconds. */
  cpuMs: number;
  /**
   * CPU milliseconds of the most expensive single call of the case (the wrapped load, the
   * reference load or the embed, each of which decodes): what the per-decode CPU limit applies to.
   */
  maxCallCpuMs: number;
  /** `process.resourceUsage().maxRSS` before and after, KiB. */
  maxRssBeforeKb: number;
  maxRssAfterKb: number;
  /** Live tensors before and after. */
  tensorsBefore: number;
  tensorsAfter: number;
  /** The canary check, when it ran: same embedding and pixels, changed, or failed to embed. */
  canary?: 'same' | 'changed' | 'failed';
  /** What changed or failed, when the canary did not come out the same. */
  canaryDetail?: string;
  /** CPU milliseconds of the canary check. */
  canaryMs?: number;
}

/** What a child says once it is ready. */
export interface ReadyMessage {
  type: 'ready';
  /** `process.resourceUsage().maxRSS` once the matcher is loaded and the canary embedded, KiB. */
  maxRssKb: number;
  /** Live tensors at that point. */
  tensors: number;
  /** CPU milliseconds of one canary embed. */
  canaryMs: number;
  /** The decoder the canary was decoded with. */
  decoder: string;
}

/** A child that could not start (bad decoder name, canary not found, ...). */
export interface FatalMessage {
  type: 'fatal';
  message: string;
}

/** Anything a child sends. */
export type ChildMessage = ResultMessage | ReadyMessage | FatalMessage;
/** Anything the parent sends. */
export type ParentMessage = InitMessage | CaseMessage;
