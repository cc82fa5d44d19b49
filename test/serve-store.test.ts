/**
 * The store contract, run against the memory store and against a real redis-server started here
 * (loopback, free port, temp dir, no persistence).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { built, redisOrSkip, startRedis, type RedisProcess } from './fixtures/serve.js';

type Store = import('../src/serve/store.js').ServeStore;
const REDIS = redisOrSkip('serve-store');

let redis: RedisProcess | undefined;
const stores: Record<string, () => Promise<Store>> = {
  memory: async () => (await built<typeof import('../src/serve/memory-store.js')>('serve/memory-store.js')).createMemoryStore(),
};
if (REDIS) {
  stores.redis = async () => (await built<typeof import('../src/serve/redis-store.js')>('serve/redis-store.js')).createRedisStore({ url: redis!.url, keyPrefix: `t${Math.random().toString(36).slice(2)}:` });
}

beforeAll(async () => {
  if (REDIS) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(Object.keys(stores))('%s store', (kind) => {
  let store: Store;
  beforeAll(async () => {
    store = await stores[kind]!();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps tokens, media and images until their TTL, then forgets them', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 0]);
    await store.putToken('t1', { clientId: 'c', exp: 123 }, 1);
    await store.putMedia('m1', { clientId: 'c', originalName: 'a b.jpg', bytes }, 1);
    await store.putImage('i1', { contentType: 'image/jpeg', bytes }, 1);
    expect(await store.getToken('t1')).toEqual({ clientId: 'c', exp: 123 });
    const m = await store.getMedia('m1');
    expect([m!.clientId, m!.originalName, [...m!.bytes]]).toEqual(['c', 'a b.jpg', [...bytes]]);
    expect([...(await store.getImage('i1'))!.bytes]).toEqual([...bytes]);
    expect(await store.getToken('nope')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1300));
    expect(await store.getToken('t1')).toBeUndefined();
    expect(await store.getMedia('m1')).toBeUndefined();
    expect(await store.getImage('i1')).toBeUndefined();
  });

  it('stores a view of a pooled Buffer as exactly its bytes', async () => {
    const pooled = Buffer.from('small pooled buffer');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    await store.putMedia('m2', { clientId: 'c', originalName: 'x', bytes: pooled }, 10);
    expect(Buffer.from((await store.getMedia('m2'))!.bytes).toString()).toBe('small pooled buffer');
  });

  it('takes from a token bucket atomically: 40 concurrent takes on a bucket of 10 admit exactly 10', async () => {
    const limit = { burst: 10, perSecond: 0.001 };
    const results = await Promise.all(Array.from({ length: 40 }, () => store.take('bucket-a', limit)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const refused = results.filter((r) => !r.allowed);
    expect(refused.every((r) => r.retryAfterSeconds >= 1)).toBe(true);
  });

  it('refills a bucket at its rate', async () => {
    const limit = { burst: 2, perSecond: 5 };
    expect((await store.take('bucket-b', limit)).allowed).toBe(true);
    expect((await store.take('bucket-b', limit)).allowed).toBe(true);
    const refused = await store.take('bucket-b', limit);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect((await store.take('bucket-b', limit)).allowed).toBe(true);
  });

  it('keeps the first shared value written', async () => {
    const a = await store.sharedValue('k', () => 'first');
    const b = await store.sharedValue('k', () => 'second');
    expect([a, b]).toEqual(['first', 'first']);
    expect(await store.ping()).toBe(true);
  });
});

describe('memory store bounds', () => {
  it('refuses media beyond maxBytes, and drops the oldest crops to make room', async () => {
    const { createMemoryStore } = await built<typeof import('../src/serve/memory-store.js')>('serve/memory-store.js');
    const { StoreFullError } = await built<typeof import('../src/serve/store.js')>('serve/store.js');
    const store = createMemoryStore({ maxBytes: 1000 });
    await store.putImage('i1', { contentType: 'image/jpeg', bytes: new Uint8Array(400) }, 60);
    await store.putImage('i2', { contentType: 'image/jpeg', bytes: new Uint8Array(400) }, 60);
    await store.putImage('i3', { contentType: 'image/jpeg', bytes: new Uint8Array(400) }, 60);
    expect(await store.getImage('i1')).toBeUndefined();
    expect(await store.getImage('i3')).toBeDefined();
    await store.putMedia('m1', { clientId: 'c', originalName: 'a', bytes: new Uint8Array(900) }, 60);
    expect(await store.getImage('i2')).toBeUndefined();
    await expect(store.putMedia('m2', { clientId: 'c', originalName: 'a', bytes: new Uint8Array(200) }, 60)).rejects.toBeInstanceOf(StoreFullError);
    await store.close();
  });
});
