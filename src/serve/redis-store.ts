/**
 * The Redis {@link ServeStore} (ioredis): what several service instances behind a load balancer
 * share. TTLs are Redis expiries; rate-limit buckets are one Lua script on Redis's own clock, so
 * instances with skewed clocks still share one bucket exactly.
 * @module
 */
import { Redis } from 'ioredis';
import type { BucketResult, ImageRecord, MediaRecord, RateLimit, ServeStore, TokenRecord } from './store.js';

/**
 * Options of {@link createRedisStore}.
 *
 * @category Service
 */
export interface RedisStoreOptions {
  /** Connection URL, such as `redis://127.0.0.1:6379/0` (`rediss://` for TLS). */
  url: string;
  /** Prefix of every key. Default `facematch:`. */
  keyPrefix?: string;
}

/** KEYS[1] bucket; ARGV burst, perSecond. Returns {allowed, remaining, retryAfterSeconds}. */
const TAKE_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(state[1]) or burst
local last = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) / 1000 * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif rate > 0 then
  retry = math.max(1, math.ceil((1 - tokens) / rate))
else
  retry = 3600
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now))
local ttl = 60000
if rate > 0 then ttl = math.ceil(burst / rate * 1000) + 1000 end
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, math.floor(tokens), retry}
`;

type TakeCommand = (key: string, burst: string, perSecond: string) => Promise<[number, number, number]>;

/**
 * Connects to Redis and returns a store on it. Resolves once the connection is up.
 *
 * @category Service
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<ServeStore> {
  const prefix = options.keyPrefix ?? 'facematch:';
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.defineCommand('facematchTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  await redis.connect();
  const take = (redis as unknown as { facematchTake: TakeCommand }).facematchTake.bind(redis);
  const k = (kind: string, id: string) => `${prefix}${kind}:${id}`;
  const ms = (seconds: number) => Math.max(1, Math.round(seconds * 1000));

  return {
    kind: 'redis',
    async putToken(key, record, ttlSeconds) {
      await redis.set(k('token', key), JSON.stringify(record), 'PX', ms(ttlSeconds));
    },
    async getToken(key): Promise<TokenRecord | undefined> {
      const raw = await redis.get(k('token', key));
      return raw === null ? undefined : (JSON.parse(raw) as TokenRecord);
    },
    async putMedia(id, record, ttlSeconds) {
      const key = k('media', id);
      await redis
        .multi()
        .hset(key, { clientId: record.clientId, originalName: record.originalName, bytes: Buffer.from(record.bytes.buffer, record.bytes.byteOffset, record.bytes.byteLength) })
        .pexpire(key, ms(ttlSeconds))
        .exec();
    },
    async getMedia(id): Promise<MediaRecord | undefined> {
      const h = await redis.hgetallBuffer(k('media', id));
      if (!h.clientId || !h.bytes) return undefined;
      return { clientId: h.clientId.toString(), originalName: h.originalName?.toString() ?? '', bytes: h.bytes };
    },
    async putImage(id, record, ttlSeconds) {
      const key = k('image', id);
      await redis
        .multi()
        .hset(key, { contentType: record.contentType, bytes: Buffer.from(record.bytes.buffer, record.bytes.byteOffset, record.bytes.byteLength) })
        .pexpire(key, ms(ttlSeconds))
        .exec();
    },
    async getImage(id): Promise<ImageRecord | undefined> {
      const h = await redis.hgetallBuffer(k('image', id));
      if (!h.contentType || !h.bytes) return undefined;
      return { contentType: h.contentType.toString(), bytes: h.bytes };
    },
    async take(key, limit: RateLimit): Promise<BucketResult> {
      const [allowed, remaining, retryAfterSeconds] = await take(k('bucket', key), String(limit.burst), String(limit.perSecond));
      return { allowed: allowed === 1, remaining, retryAfterSeconds };
    },
    async sharedValue(name, create) {
      const key = k('shared', name);
      await redis.set(key, create(), 'NX');
      const value = await redis.get(key);
      if (value === null) throw new Error(`Expected the shared value ${name} in Redis but it is missing`);
      return value;
    },
    async ping() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
