/**
 * Reads a multipart form part by part, counting bytes as they stream in: a part over its limit is
 * refused as soon as the limit is crossed, before the rest of it (or of the request) is read.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { clip } from '../errors.js';

/**
 * One part of a form as read: its bytes (in an ArrayBuffer of their own, ready to be transferred
 * to a worker), its file name and declared type.
 *
 * @internal
 */
export interface FormPart {
  bytes: Uint8Array;
  filename: string | undefined;
  mimetype: string;
}

/**
 * Why a form could not be read: `too-large` (a part crossed its limit), `duplicate` (a field sent
 * twice), `malformed` (not parseable multipart, or too many parts).
 *
 * @internal
 */
export class FormError extends Error {
  override name = 'FormError';
  constructor(
    readonly kind: 'too-large' | 'duplicate' | 'malformed',
    readonly field: string | undefined,
    message: string,
    readonly maxBytes?: number,
  ) {
    super(message);
  }
}

/** Limit of a part this form does not expect: read and dropped, within this many bytes. */
const UNKNOWN_PART_BYTES = 64 * 1024;
const MAX_PARTS = 8;

/**
 * Reads the parts of a multipart request. `limits` names the expected fields and the most bytes
 * each may have; other parts are dropped (at most 64 KB each, 8 parts in all).
 *
 * @internal
 */
export async function readForm(request: FastifyRequest, limits: Readonly<Record<string, number>>): Promise<Map<string, FormPart>> {
  const largest = Math.max(UNKNOWN_PART_BYTES, ...Object.values(limits));
  const out = new Map<string, FormPart>();
  let parts: AsyncIterableIterator<unknown>;
  try {
    parts = request.parts({
      // Every part is read as a stream, whether or not it names a file: Didit's `options` arrives
      // either way, and its own example's JSON (with a trailing comma) must reach parseDiditOptions as text.
      isPartAFile: () => true,
      limits: { fileSize: largest + 1, files: MAX_PARTS, parts: MAX_PARTS, fields: 0, headerPairs: 32 },
      throwFileSizeLimit: false,
    } as Parameters<FastifyRequest['parts']>[0]) as AsyncIterableIterator<unknown>;
  } catch (err) {
    throw new FormError('malformed', undefined, `Expected a multipart/form-data body with a boundary but it could not be read: ${clip((err as Error).message, 120)}`);
  }
  try {
    for await (const raw of parts) {
      const part = raw as { fieldname: string; filename?: string; mimetype: string; file: AsyncIterable<Buffer> & { destroy(): void } };
      const name = part.fieldname;
      const limit = limits[name] ?? UNKNOWN_PART_BYTES;
      const known = name in limits;
      if (known && out.has(name)) throw new FormError('duplicate', name, `Expected one ${name} part but received more than one`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file) {
        size += chunk.length;
        if (size > limit) {
          part.file.destroy();
          throw new FormError('too-large', name, `Expected at most ${limit} bytes in ${clip(name, 60)} but received more`, limit);
        }
        chunks.push(chunk);
      }
      if (!known) continue;
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      out.set(name, { bytes, filename: part.filename, mimetype: part.mimetype });
    }
  } catch (err) {
    if (err instanceof FormError) throw err;
    const code = (err as { code?: string }).code;
    const why = code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' ? `more than ${MAX_PARTS} parts` : clip((err as Error).message, 120);
    throw new FormError('malformed', undefined, `Expected a well-formed multipart/form-data body but it could not be read: ${why}`);
  }
  return out;
}
