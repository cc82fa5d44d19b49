/**
 * Two service instances on different ports sharing one real redis-server: tokens, media, face-crop
 * URLs and rate limits work across them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJpeg, naturalImage } from './fixtures/images.js';
import { lfwDirOrSkip } from './fixtures/lfw.js';
import { attestrMatch, diditForm, diditMatch, diditToken, lfwJpeg, redisOrSkip, serveModule, startRedis, uploadMedia, LogCapture, type FaceMatchServer, type RedisProcess, type ServeConfig } from './fixtures/serve.js';

const REDIS = redisOrSkip('serve-redis');
const CROPS_SECRET = 'crops-client-secret-000000000001';
const LFW = lfwDirOrSkip('serve-redis');

describe.skipIf(!REDIS)('two instances sharing one Redis', () => {
  let redis: RedisProcess;
  let a: { server: FaceMatchServer; url: string };
  let b: { server: FaceMatchServer; url: string };
  let credentials: Awaited<ReturnType<Awaited<ReturnType<typeof serveModule>>['createExampleConfig']>>['credentials'];
  let noFace: Buffer;

  beforeAll(async () => {
    redis = await startRedis();
    const m = await serveModule();
    const example = await m.createExampleConfig();
    credentials = example.credentials;
    const config: ServeConfig = { ...example.config, port: 0, workers: 1, store: { type: 'redis', url: redis.url }, rateLimit: { burst: 4, perSecond: 0.01 } };
    config.didit!.clients!.push({ clientId: 'didit-crops', secretHash: await m.hashSecret(CROPS_SECRET), rateLimit: { burst: 100, perSecond: 100 } });
    delete config.$schema;
    // No urlSecret: the instances agree on the key kept in Redis.
    delete config.urlSecret;
    const start = async () => {
      const server = await m.createServer({ config, logStream: new LogCapture() });
      return { server, url: (await server.listen()).url };
    };
    [a, b] = [await start(), await start()];
    noFace = await encodeJpeg(naturalImage(500, 500, 11));
  });

  afterAll(async () => {
    await Promise.all([a?.server.close(), b?.server.close()]);
    await redis?.stop();
  });

  it('a token issued by A works on B', async () => {
    const token = await diditToken(a.url, credentials.didit.clientId, credentials.didit.clientSecret);
    const r = await diditMatch(b.url, token, diditForm(noFace, noFace));
    expect(r.status).toBe(200);
    expect(r.json.face_match.status).toBe('Declined');
  });

  it('shares the rate limit: the bucket of 4 is spent across both instances', async () => {
    const token = await diditToken(a.url, credentials.didit.clientId, credentials.didit.clientSecret);
    // The test above spent one token of the bucket; three remain, whichever instance serves.
    const statuses = [];
    for (const url of [a.url, b.url, a.url, b.url]) statuses.push((await diditMatch(url, token, diditForm(noFace, noFace))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it.skipIf(!LFW)('media uploaded to A is matched on B; a crop URL made by A is served by B', async () => {
    const auth = credentials.attestr.authToken;
    const one = await lfwJpeg(LFW!, 'Aaron_Peirsol', 1);
    const two = await lfwJpeg(LFW!, 'Aaron_Peirsol', 2);
    const src = await uploadMedia(a.url, auth, one);
    const front = await uploadMedia(a.url, auth, two);
    const r = await attestrMatch(b.url, auth, { src: src.json._id, targetFront: front.json._id, type: 'GOV', threshold: 80 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ valid: true, status: 'FACE_MATCHED' });
    // Didit: a crop stored by A, at a URL A signed, is served by B.
    const token = await diditToken(a.url, 'didit-crops', CROPS_SECRET);
    const m = await diditMatch(a.url, token, diditForm(one, two));
    expect(m.status).toBe(200);
    expect(b.server.urlKey).toBe(a.server.urlKey);
    const onB = await fetch(m.json.face_match.source_image.replace(a.url, b.url));
    expect(onB.status).toBe(200);
    expect(onB.headers.get('content-type')).toBe('image/jpeg');
  });
});
