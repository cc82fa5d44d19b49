/**
 * The one interface behind which the service keeps its state: issued tokens, uploaded media,
 * face-crop images, rate-limit buckets and shared keys. {@link createMemoryStore} serves one
 * process; {@link createRedisStore} lets several instances behind a load balancer share it.
 * @module
 */

/**
 * An issued Didit access token, stored under the SHA-256 of the token (never the token itself).
 *
 * @category Service
 */
export interface TokenRecord {
  /** The client the token was issued to. */
  clientId: string;
  /** Expiry, Unix seconds. */
  exp: number;
}

/**
 * An uploaded Attestr media file.
 *
 * @category Service
 */
export interface MediaRecord {
  /** The client that uploaded it; no other client may use it. */
  clientId: string;
  /** The uploaded file's name, as the client sent it (capped). */
  originalName: string;
  /** The file's bytes. */
  bytes: Uint8Array;
}

/**
 * A stored face crop, served at a signed URL.
 *
 * @category Service
 */
export interface ImageRecord {
  /** `image/jpeg` or `image/png`. */
  contentType: string;
  /** The encoded image. */
  bytes: Uint8Array;
}

/**
 * The outcome of taking one token from a rate-limit bucket.
 *
 * @category Service
 */
export interface BucketResult {
  /** True when a token was taken. */
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until one token is available again (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * A token-bucket rate limit: `burst` requests at once, refilled at `perSecond`.
 *
 * @category Service
 */
export interface RateLimit {
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  /** Refill rate, tokens per second. */
  perSecond: number;
}

/**
 * The service's state. Every method is atomic on its own; TTLs are in seconds and enforced by the
 * store, so an expired entry is never returned.
 *
 * @category Service
 */
export interface ServeStore {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** Stores an issued token under its key (the token's SHA-256). */
  putToken(key: string, record: TokenRecord, ttlSeconds: number): Promise<void>;
  /** The token stored under `key`, unless it expired. */
  getToken(key: string): Promise<TokenRecord | undefined>;
  /**
   * Stores an uploaded media file.
   * @throws {@link StoreFullError} when a memory store has no room left for it
   */
  putMedia(id: string, record: MediaRecord, ttlSeconds: number): Promise<void>;
  /** The media file stored under `id`, unless it expired. */
  getMedia(id: string): Promise<MediaRecord | undefined>;
  /** Stores a face crop. A memory store short of room drops the oldest crops first. */
  putImage(id: string, record: ImageRecord, ttlSeconds: number): Promise<void>;
  /** The face crop stored under `id`, unless it expired. */
  getImage(id: string): Promise<ImageRecord | undefined>;
  /** Takes one token from the bucket `key` (created full), atomically across instances. */
  take(key: string, limit: RateLimit): Promise<BucketResult>;
  /** The value stored under `name`, or `create()`'s, stored first-writer-wins (shared signing keys). */
  sharedValue(name: string, create: () => string): Promise<string>;
  /**
   * Bytes held in this process, by kind, for a store that keeps its data in memory (the memory
   * store); absent for one whose data lives elsewhere (Redis). Exported as `facematch_store_bytes`.
   */
  usage?(): { media: number; images: number };
  /** True when the store answers. */
  ping(): Promise<boolean>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/**
 * A memory store has no room for a media upload within its `maxBytes`.
 *
 * @category Service
 */
export class StoreFullError extends Error {
  /** `StoreFullError`. */
  override name = 'StoreFullError';
}

/**
 * One token-bucket step, the arithmetic both stores share: `tokens` after refilling from `last`
 * (ms) to `now` (ms), then taking one when there is one.
 *
 * @internal
 */
export function bucketStep(tokens: number, last: number, now: number, limit: RateLimit): { tokens: number; result: BucketResult } {
  const refilled = Math.min(limit.burst, tokens + (Math.max(0, now - last) / 1000) * limit.perSecond);
  if (refilled >= 1) {
    const left = refilled - 1;
    return { tokens: left, result: { allowed: true, remaining: Math.floor(left), retryAfterSeconds: 0 } };
  }
  const wait = limit.perSecond > 0 ? Math.ceil((1 - refilled) / limit.perSecond) : 3600;
  return { tokens: refilled, result: { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, wait) } };
}
