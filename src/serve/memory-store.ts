/**
 * The in-process {@link ServeStore}: Maps with expiry times, swept once a second, bounded in bytes.
 * @module
 */
import { bucketStep, StoreFullError, type BucketResult, type ImageRecord, type MediaRecord, type RateLimit, type ServeStore, type TokenRecord } from './store.js';

/**
 * Options of {@link createMemoryStore}.
 *
 * @category Service
 */
export interface MemoryStoreOptions {
  /** Most bytes of media and crops held at once. Default 512 MiB. */
  maxBytes?: number;
}

interface Entry<T> {
  value: T;
  expires: number;
  bytes: number;
}

/** A Map whose entries expire; insertion order is expiry order for one TTL, so sweeps stop early. */
class ExpiringMap<T> {
  readonly entries = new Map<string, Entry<T>>();
  bytes = 0;

  get(key: string, now: number): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: T, ttlSeconds: number, bytes: number, now: number): void {
    this.delete(key);
    this.entries.set(key, { value, expires: now + ttlSeconds * 1000, bytes });
    this.bytes += bytes;
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (e) {
      this.bytes -= e.bytes;
      this.entries.delete(key);
    }
  }

  sweep(now: number): void {
    for (const [key, e] of this.entries) if (e.expires <= now) this.delete(key);
  }

  /** Drops the oldest entries until `bytes` fit under `max`; false when they cannot. */
  evictFor(bytes: number, max: number): boolean {
    for (const key of this.entries.keys()) {
      if (this.bytes + bytes <= max) break;
      this.delete(key);
    }
    return this.bytes + bytes <= max;
  }
}

/**
 * Creates the in-process store: for one instance. Media uploads beyond `maxBytes` are refused
 * ({@link StoreFullError}); face crops make room by dropping the oldest crops.
 *
 * @category Service
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): ServeStore {
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  const tokens = new ExpiringMap<TokenRecord>();
  const media = new ExpiringMap<MediaRecord>();
  const images = new ExpiringMap<ImageRecord>();
  const buckets = new Map<string, { tokens: number; last: number; limit: RateLimit }>();
  const shared = new Map<string, string>();
  const used = () => media.bytes + images.bytes;

  const sweep = setInterval(() => {
    const now = Date.now();
    tokens.sweep(now);
    media.sweep(now);
    images.sweep(now);
    for (const [key, b] of buckets) {
      // A bucket that has refilled completely is the same as no bucket.
      if (bucketStep(b.tokens, b.last, now, b.limit).tokens >= b.limit.burst - 1) buckets.delete(key);
    }
  }, 1000);
  sweep.unref();

  return {
    kind: 'memory',
    async putToken(key, record, ttlSeconds) {
      tokens.set(key, record, ttlSeconds, 0, Date.now());
    },
    async getToken(key) {
      return tokens.get(key, Date.now());
    },
    async putMedia(id, record, ttlSeconds) {
      const now = Date.now();
      media.sweep(now);
      images.sweep(now);
      const size = record.bytes.byteLength;
      if (used() + size > maxBytes && !images.evictFor(size + media.bytes, maxBytes)) {
        throw new StoreFullError(`Expected room for ${size} bytes of media in the memory store but it holds ${used()} of ${maxBytes}`);
      }
      media.set(id, record, ttlSeconds, size, now);
    },
    async getMedia(id) {
      return media.get(id, Date.now());
    },
    async putImage(id, record, ttlSeconds) {
      const now = Date.now();
      const size = record.bytes.byteLength;
      if (used() + size > maxBytes) {
        images.sweep(now);
        images.evictFor(size + media.bytes, maxBytes);
      }
      images.set(id, record, ttlSeconds, size, now);
    },
    async getImage(id) {
      return images.get(id, Date.now());
    },
    async take(key, limit): Promise<BucketResult> {
      const now = Date.now();
      const b = buckets.get(key) ?? { tokens: limit.burst, last: now, limit };
      const step = bucketStep(b.tokens, b.last, now, limit);
      buckets.set(key, { tokens: step.tokens, last: now, limit });
      return step.result;
    },
    async sharedValue(name, create) {
      let value = shared.get(name);
      if (value === undefined) {
        value = create();
        shared.set(name, value);
      }
      return value;
    },
    usage() {
      return { media: media.bytes, images: images.bytes };
    },
    async ping() {
      return true;
    },
    async close() {
      clearInterval(sweep);
    },
  };
}
