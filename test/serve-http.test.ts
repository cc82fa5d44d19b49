/**
 * facematch serve over real HTTP on 127.0.0.1 (one server for the file, one worker, memory store),
 * with requests made the way Didit's and Attestr's own example clients make them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lfwDirOrSkip } from './fixtures/lfw.js';
import { encodeJpeg, encodePng, naturalImage } from './fixtures/images.js';
import { attestrClientId, attestrMatch, basic, built, diditForm, diditMatch, diditToken, autoBackend, lfwJpeg, startServer, uploadMedia, waitFor, type Running } from './fixtures/serve.js';
import { schemaErrors } from './providers-schemas.js';
import http from 'node:http';
import sharp from 'sharp';

const LFW = lfwDirOrSkip('serve-http');
const URL_SECRET = 'test-url-secret-0123456789abcdef0123456789';

let run: Running;
let token: string;
let secrets: { disabledDidit: string; limitedDidit: string; otherAttestr: string; disabledAttestr: string };
let noFace: Buffer;
let hashSecret: (s: string) => Promise<string>;

beforeAll(async () => {
  ({ hashSecret } = await built<typeof import('../src/serve/secrets.js')>('serve/secrets.js'));
  secrets = {
    disabledDidit: 'disabled-secret-value-0001',
    limitedDidit: 'limited-secret-value-0002',
    otherAttestr: Buffer.from('attestr-other:other-secret-0003').toString('base64'),
    disabledAttestr: Buffer.from('attestr-off:off-secret-0004').toString('base64'),
  };
  const hashes = await Promise.all([hashSecret(secrets.disabledDidit), hashSecret(secrets.limitedDidit), hashSecret(secrets.otherAttestr), hashSecret(secrets.disabledAttestr)]);
  run = await startServer((c) => {
    c.urlSecret = URL_SECRET;
    c.authPort = 0;
    c.queue = { maxWaiting: 2, deadlineMs: 60_000 };
    c.rateLimit = { burst: 1000, perSecond: 1000 };
    c.didit!.clients!.push(
      { clientId: 'didit-off', secretHash: hashes[0], disabled: true },
      { clientId: 'didit-limited', secretHash: hashes[1], rateLimit: { burst: 2, perSecond: 0.01 } },
    );
    c.attestr!.clients!.push({ clientId: 'attestr-other', tokenHash: hashes[2] }, { clientId: 'attestr-off', tokenHash: hashes[3], disabled: true });
  });
  token = await diditToken(run.url, run.credentials.didit.clientId, run.credentials.didit.clientSecret);
  noFace = await encodeJpeg(naturalImage(500, 500, 7));
});

afterAll(async () => {
  await run?.server.close();
});

describe('operations routes', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${run.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', workers: { size: 1, ready: 1 }, store: 'ok' });
  });

  it('describes every route in /openapi.json, and nothing that is not a route', async () => {
    const doc = (await (await fetch(`${run.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
    const served = new Set(run.server.routes.map((r) => `${r.method} ${r.url.replace(/\/$/, '')}`));
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
  });

  it('serves Prometheus metrics', async () => {
    const r = await fetch(`${run.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    for (const name of ['facematch_http_requests_total', 'facematch_http_request_duration_seconds', 'facematch_queue_depth', 'facematch_worker_restarts_total']) {
      expect(text).toContain(name);
    }
    // Each worker reports its own memory from inside: models loaded (tensors, wasm heap), a heap.
    const ready = Number(/^facematch_workers_ready (\d+)$/m.exec(text)?.[1]);
    expect(ready).toBeGreaterThan(0);
    const tensors = [...text.matchAll(/^facematch_worker_tensors\{worker="(\d+)"\} (\d+)$/gm)];
    expect(tensors).toHaveLength(ready);
    for (const [, , n] of tensors) expect(Number(n)).toBeGreaterThan(100);
    // Only the wasm backend has a wasm heap.
    const onWasm = (await autoBackend()) === 'wasm';
    for (const kind of ['heap_used', 'tensors', ...(onWasm ? ['wasm_heap'] : [])]) {
      const values = [...text.matchAll(new RegExp(`^facematch_worker_memory_bytes\\{worker="\\d+",kind="${kind}"\\} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
      expect(values, kind).toHaveLength(ready);
      for (const v of values) expect(v, kind).toBeGreaterThan(1024 * 1024);
    }
  });
});

describe('Didit token endpoint', () => {
  const post = (headers: Record<string, string>, body: string, path = '/auth/v2/token/') => fetch(`${run.url}${path}`, { method: 'POST', headers, body });
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

  it('issues a 24-hour token with the fields Didit documents, with or without the trailing slash', async () => {
    for (const path of ['/auth/v2/token/', '/auth/v2/token']) {
      const r = await post({ Authorization: basic(run.credentials.didit.clientId, run.credentials.didit.clientSecret), ...form }, 'grant_type=client_credentials', path);
      expect(r.status).toBe(200);
      const t = (await r.json()) as Record<string, unknown>;
      expect(Object.keys(t).sort()).toEqual(['access_token', 'client_id', 'exp', 'expires_in', 'iat', 'iss', 'organization_id', 'sub']);
      expect(t).toMatchObject({ client_id: run.credentials.didit.clientId, expires_in: 86400 });
      expect((t.exp as number) - (t.iat as number)).toBe(86400);
      expect(Math.abs((t.iat as number) - Date.now() / 1000)).toBeLessThan(60);
      expect(String(t.access_token).length).toBeGreaterThanOrEqual(43);
    }
  });

  it('is also served on the separate auth port, which serves nothing else', async () => {
    expect(run.authUrl).toBeDefined();
    expect(run.authUrl).not.toBe(run.url);
    const t = await diditToken(run.authUrl!, run.credentials.didit.clientId, run.credentials.didit.clientSecret);
    const r = await diditMatch(run.url, t, diditForm(noFace, noFace));
    expect(r.status).toBe(200);
    expect((await fetch(`${run.authUrl}/v2/face-match`, { method: 'POST', headers: { Authorization: `Bearer ${t}` }, body: diditForm(noFace, noFace) })).status).toBe(404);
  });

  it('refuses wrong, missing and disabled credentials, and bad bodies', async () => {
    const ok = basic(run.credentials.didit.clientId, run.credentials.didit.clientSecret);
    const cases: [Record<string, string>, string, number][] = [
      [{ Authorization: basic(run.credentials.didit.clientId, 'wrong'), ...form }, 'grant_type=client_credentials', 401],
      [{ Authorization: basic('nobody', 'x'), ...form }, 'grant_type=client_credentials', 401],
      [{ ...form }, 'grant_type=client_credentials', 401],
      [{ Authorization: `Bearer ${token}`, ...form }, 'grant_type=client_credentials', 401],
      [{ Authorization: basic('didit-off', secrets.disabledDidit), ...form }, 'grant_type=client_credentials', 403],
      [{ Authorization: ok, ...form }, 'grant_type=password', 400],
      [{ Authorization: ok, ...form }, '', 400],
      [{ Authorization: ok, 'Content-Type': 'application/json' }, '{"grant_type":"client_credentials"}', 400],
    ];
    for (const [headers, body, status] of cases) {
      const r = await post(headers, body);
      expect(r.status, JSON.stringify(headers)).toBe(status);
      const json = (await r.json()) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual(['detail']);
      expect(schemaErrors('diditError', json)).toBe('');
    }
  });
});

describe('Didit face match: refusals', () => {
  it('401 for a missing, unknown or expired token, before reading the body', async () => {
    const { tokenKey } = await built<typeof import('../src/serve/secrets.js')>('serve/secrets.js');
    const expired = 'expired-token-for-the-test-0000000000000000';
    await run.server.store.putToken(tokenKey(expired), { clientId: run.credentials.didit.clientId, exp: Math.floor(Date.now() / 1000) + 1 }, 1);
    await new Promise((r) => setTimeout(r, 1200));
    for (const auth of [undefined, 'Bearer not-a-token', `Bearer ${expired}`, `Basic ${Buffer.from('a:b').toString('base64')}`]) {
      const r = await fetch(`${run.url}/v2/face-match`, { method: 'POST', headers: auth ? { Authorization: auth } : {}, body: diditForm(noFace, noFace) });
      expect(r.status).toBe(401);
      const json = await r.json();
      expect(json).toEqual({ detail: 'Invalid or missing access_token.' });
    }
  });

  it('keeps the connection after an early 401 to a client still uploading a body of declared length, reading and dropping it', async () => {
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="user_image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
      Buffer.alloc(1024 * 1024, 0xff),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let connections = 0;
    const count = () => (connections += 1);
    run.server.app.server.on('connection', count);
    try {
      for (let i = 0; i < 3; i++) {
        const { status, text, connection } = await new Promise<{ status: number; text: string; connection: string | undefined }>((resolve, reject) => {
          const req = http.request(`${run.url}/v2/face-match`, { method: 'POST', agent, headers: { Authorization: 'Bearer nope', 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': body.length } }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, text, connection: res.headers.connection }));
          });
          req.on('error', reject);
          req.end(body);
        });
        expect(status).toBe(401);
        expect(JSON.parse(text)).toEqual({ detail: 'Invalid or missing access_token.' });
        expect(connection).not.toBe('close');
      }
      expect(connections).toBe(1);
    } finally {
      run.server.app.server.off('connection', count);
      agent.destroy();
    }
  });

  it('403 for a token of a client that was disabled after it was issued', async () => {
    const { tokenKey } = await built<typeof import('../src/serve/secrets.js')>('serve/secrets.js');
    const t = 'token-of-a-disabled-client-00000000000000000';
    await run.server.store.putToken(tokenKey(t), { clientId: 'didit-off', exp: Math.floor(Date.now() / 1000) + 60 }, 60);
    const r = await diditMatch(run.url, t, diditForm(noFace, noFace));
    expect(r.status).toBe(403);
    expect(schemaErrors('diditError', r.json)).toBe('');
  });

  it('400 for a missing image, bad options, the wrong content type or malformed multipart', async () => {
    const missing = new FormData();
    missing.append('user_image', new Blob([noFace], { type: 'image/jpeg' }), 'user.jpg');
    const cases: [string, RequestInit['body'], Record<string, string>, RegExp][] = [
      ['missing ref_image', missing, {}, /ref_image/],
      ['threshold 150', diditForm(noFace, noFace, { face_match_score_decline_threshold: 150 }), {}, /face_match_score_decline_threshold/],
      ['options not JSON', diditForm(noFace, noFace, 'not json'), {}, /options/],
      ['JSON body', JSON.stringify({ user_image: 'x' }), { 'Content-Type': 'application/json' }, /multipart\/form-data/],
      ['text body', 'hello', { 'Content-Type': 'text/plain' }, /multipart\/form-data/],
      ['no boundary', 'x', { 'Content-Type': 'multipart/form-data' }, /multipart/],
      ['truncated', '--b\r\nContent-Disposition: form-data; name="user_image"; filename="a.jpg"\r\n\r\nabc', { 'Content-Type': 'multipart/form-data; boundary=b' }, /multipart/],
      ['garbage', 'this is not multipart at all', { 'Content-Type': 'multipart/form-data; boundary=zzz' }, /ref_image|user_image|multipart/],
    ];
    for (const [what, body, headers, detail] of cases) {
      const r = await diditMatch(run.url, token, body, headers);
      expect(r.status, what).toBe(400);
      expect(r.json.detail, what).toMatch(detail);
      expect(schemaErrors('diditError', r.json), what).toBe('');
    }
  });

  it("400 for Didit's image rules: too small, not an accepted format", async () => {
    const small = await encodeJpeg(naturalImage(250, 250));
    const gif = await sharp(naturalImage(500, 500).data, { raw: { width: 500, height: 500, channels: 3 } }).gif().toBuffer();
    let r = await diditMatch(run.url, token, diditForm(small, noFace));
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/^user_image: .*480x480/);
    r = await diditMatch(run.url, token, diditForm(gif, noFace));
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/^user_image: Invalid image format/);
  });

  it('refuses an oversize upload while it streams, without reading the rest of it', async () => {
    const total = 200 * 1024 * 1024;
    let pulled = 0;
    const head = new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="user_image"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(head);
      },
      pull(c) {
        if (pulled >= total) return c.close();
        pulled += 256 * 1024;
        c.enqueue(new Uint8Array(256 * 1024).fill(0xff));
      },
    });
    const rss = process.memoryUsage().rss;
    const r = await fetch(`${run.url}/v2/face-match`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=b' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { detail: string }).detail).toMatch(/^user_image: File too large.*5MB/);
    expect(r.headers.get('connection')).toBe('close');
    await new Promise((res) => setTimeout(res, 300));
    // 5 MB were read, then the connection closed: what was pulled beyond is socket buffers, not 200 MB.
    expect(pulled).toBeLessThan(40 * 1024 * 1024);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
    expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
  });

  it('answers an image without a face with a Declined response, as Didit does', async () => {
    const r = await diditMatch(run.url, token, diditForm(noFace, noFace));
    expect(r.status).toBe(200);
    expect(schemaErrors('diditResponse', r.json)).toBe('');
    expect(r.json.face_match).toMatchObject({ status: 'Declined', score: 0, source_image: null, target_image: null });
    expect(r.json.face_match.warnings[0]).toMatchObject({ risk: 'NO_FACE_DETECTED', additional_data: { image: 'user_image' } });
  });

  it('429 with Retry-After past a client rate limit', async () => {
    const t = await diditToken(run.url, 'didit-limited', secrets.limitedDidit);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof diditMatch>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await diditMatch(run.url, t, diditForm(noFace, noFace));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(schemaErrors('diditError', last!.json)).toBe('');
  });
});

describe('the inference queue', () => {
  it('answers 429 at once when the queue is full (Didit with Retry-After, Attestr 4292), then serves the queued requests', async () => {
    const pool = run.server.pool;
    pool.pauseForTest(true);
    try {
      const queued = [diditMatch(run.url, token, diditForm(noFace, noFace)), diditMatch(run.url, token, diditForm(noFace, noFace))];
      await waitFor(() => pool.stats().waiting === 2, 30_000, 'two queued jobs');
      const t0 = performance.now();
      const full = await diditMatch(run.url, token, diditForm(noFace, noFace));
      expect(full.status).toBe(429);
      expect(Number(full.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(performance.now() - t0).toBeLessThan(5_000);
      const a = await uploadMedia(run.url, run.credentials.attestr.authToken, noFace);
      const attestr = await attestrMatch(run.url, run.credentials.attestr.authToken, { src: a.json._id, targetFront: a.json._id, type: 'GOV', threshold: 70 });
      expect(attestr.status).toBe(429);
      expect(attestr.json).toMatchObject({ code: 4292 });
      expect(schemaErrors('attestrError', attestr.json)).toBe('');
      const ready = await fetch(`${run.url}/readyz`);
      expect(ready.status).toBe(503);
      pool.pauseForTest(false);
      expect((await Promise.all(queued)).map((r) => r.status)).toEqual([200, 200]);
    } finally {
      pool.pauseForTest(false);
    }
    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    expect(metrics).toMatch(/facematch_rejected_total\{reason="queue_full"\} [1-9]/);
  });

  it('a worker that crashes mid-request fails only that request (500) and is replaced', async () => {
    const pool = run.server.pool;
    const before = pool.stats().restarts;
    pool.crashNextJobForTest();
    const r = await diditMatch(run.url, token, diditForm(noFace, noFace));
    expect(r.status).toBe(500);
    expect(schemaErrors('diditError', r.json)).toBe('');
    expect(JSON.stringify(r.json)).not.toMatch(/at .*\.js|Error:|worker/i);
    await waitFor(() => pool.stats().ready === 1, 60_000, 'the replacement worker');
    expect(pool.stats().restarts).toBe(before + 1);
    expect((await diditMatch(run.url, token, diditForm(noFace, noFace))).status).toBe(200);
    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    expect(metrics).toMatch(/facematch_worker_restarts_total [1-9]/);
  });
});

describe('Attestr routes: refusals', () => {
  const auth = () => run.credentials.attestr.authToken;

  it('media upload: 4016 bad auth, 4031 disabled, 4007 not JPEG/PNG, 4001 missing file, all with httpStatusCode', async () => {
    const webp = await sharp(naturalImage(300, 300).data, { raw: { width: 300, height: 300, channels: 3 } }).webp().toBuffer();
    const cases: [string, Promise<{ status: number; json: any }>, number, number][] = [
      ['bad auth', uploadMedia(run.url, Buffer.from('attestr-x:nope').toString('base64'), noFace), 401, 4016],
      ['disabled', uploadMedia(run.url, secrets.disabledAttestr, noFace), 403, 4031],
      ['webp', uploadMedia(run.url, auth(), webp, 'a.webp', 'image/webp'), 400, 4007],
      ['pdf', uploadMedia(run.url, auth(), Buffer.from('%PDF-1.4\n%%EOF\n'), 'a.pdf', 'application/pdf'), 400, 4007],
      ['empty', uploadMedia(run.url, auth(), new Uint8Array(0)), 400, 4001],
    ];
    for (const [what, p, status, code] of cases) {
      const r = await p;
      expect(r.status, what).toBe(status);
      expect(r.json, what).toMatchObject({ httpStatusCode: status, code });
    }
    const r = await fetch(`${run.url}/api/v2/public/media/image/multipart`, { method: 'POST', headers: { Authorization: `Basic ${auth()}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 4001 });
  });

  it('media upload: 4005 for a file over 15 MB, refused while streaming', async () => {
    const big = new Uint8Array(16 * 1024 * 1024);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const r = await uploadMedia(run.url, auth(), big);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ httpStatusCode: 400, code: 4005 });
  });

  it('a small upload (Node pools Buffers under 4 KB) is stored intact', async () => {
    const tiny = await encodePng(naturalImage(8, 8));
    expect(tiny.length).toBeLessThan(4096);
    const r = await uploadMedia(run.url, auth(), tiny, 'tiny.png', 'image/png');
    expect(r.status).toBe(200);
    const stored = await run.server.store.getMedia(r.json._id);
    expect(Buffer.from(stored!.bytes).equals(tiny)).toBe(true);
    // Matching it transfers a copy to the worker; the stored bytes stay whole.
    const m = await attestrMatch(run.url, auth(), { src: r.json._id, targetFront: r.json._id, type: 'GOV', threshold: 50 });
    expect(m.status).toBe(200);
    expect(m.json).toMatchObject({ valid: false });
    expect(Buffer.from((await run.server.store.getMedia(r.json._id))!.bytes).equals(tiny)).toBe(true);
  });

  it('face match: 4001 for malformed bodies, bad thresholds, unknown, foreign and expired media ids', async () => {
    const mine = (await uploadMedia(run.url, auth(), noFace)).json._id as string;
    const foreign = (await uploadMedia(run.url, secrets.otherAttestr, noFace)).json._id as string;
    const expired = 'MX0000000000000000000001';
    await run.server.store.putMedia(expired, { clientId: attestrClientId(run.credentials.attestr.authToken), originalName: 'x.jpg', bytes: noFace }, 1);
    await new Promise((r) => setTimeout(r, 1200));
    const ok = { src: mine, targetFront: mine, type: 'GOV', threshold: 70 };
    const cases: [string, unknown, string?][] = [
      ['not JSON', '{"src": '],
      ['array', '[1,2]'],
      ['no src', { ...ok, src: undefined }],
      ['no type', { ...ok, type: undefined }],
      ['bad type', { ...ok, type: 'PASSPORTX' }],
      ['no threshold', { ...ok, threshold: undefined }],
      ['threshold 0', { ...ok, threshold: 0 }],
      ['threshold string', { ...ok, threshold: '70' }],
      ['unknown id', { ...ok, targetFront: 'MX1AloGHE4B7Xgc89h' }],
      ['foreign id', { ...ok, targetFront: foreign }],
      ['expired id', { ...ok, src: expired }],
      ['form body', 'src=a', 'application/x-www-form-urlencoded'],
    ];
    for (const [what, body, type] of cases) {
      const r = await attestrMatch(run.url, auth(), body, type);
      expect(r.status, what).toBe(400);
      expect(r.json.code, what).toBe(4001);
      expect(schemaErrors('attestrError', r.json), what).toBe('');
    }
    // The foreign id is answered exactly like an unknown one.
    const f = await attestrMatch(run.url, auth(), { ...ok, targetFront: foreign });
    const u = await attestrMatch(run.url, auth(), { ...ok, targetFront: 'MX9999999999999999999999' });
    expect(f.json.details.replace(foreign, 'ID')).toBe(u.json.details.replace('MX9999999999999999999999', 'ID'));
  });

  it('face match: 4016 and 4031 for bad or disabled auth', async () => {
    let r = await attestrMatch(run.url, 'bm9ib2R5OnNlY3JldA==', { src: 'a', targetFront: 'b', type: 'GOV', threshold: 50 });
    expect([r.status, r.json.code]).toEqual([401, 4016]);
    r = await attestrMatch(run.url, secrets.disabledAttestr, { src: 'a', targetFront: 'b', type: 'GOV', threshold: 50 });
    expect([r.status, r.json.code]).toEqual([403, 4031]);
    expect(schemaErrors('attestrError', r.json)).toBe('');
  });
});

describe.skipIf(!LFW)('real matches on LFW images (FACEMATCH_LFW_DIR)', () => {
  let same: [Buffer, Buffer];
  let other: Buffer;
  beforeAll(async () => {
    same = [await lfwJpeg(LFW!, 'Aaron_Peirsol', 1), await lfwJpeg(LFW!, 'Aaron_Peirsol', 2)];
    other = await lfwJpeg(LFW!, 'Angela_Bassett', 1);
  });

  it('Didit: same person Approved, another person Declined, bodies as the formatter makes them', async () => {
    const a = await diditMatch(run.url, token, diditForm(same[0], same[1]));
    expect(a.status).toBe(200);
    expect(schemaErrors('diditResponse', a.json)).toBe('');
    expect(a.json.face_match.status).toBe('Approved');
    expect(a.json.face_match.score).toBeGreaterThan(95);
    const d = await diditMatch(run.url, token, diditForm(same[0], other));
    expect(d.status).toBe(200);
    expect(d.json.face_match.status).toBe('Declined');
    expect(d.json.face_match.score).toBeLessThan(30);
    expect(d.json.face_match.warnings[0]).toMatchObject({ risk: 'LOW_FACE_MATCH_SIMILARITY', log_type: 'error' });
  });

  it("Didit: its own example's options JSON (trailing comma), sent as a part with Content-Type application/json, to the trailing-slash URL", async () => {
    const boundary = 'boundary0123';
    const part = (headers: string, body: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n')]);
    const body = Buffer.concat([
      part('Content-Disposition: form-data; name="user_image"; filename="user.jpg"\r\nContent-Type: image/jpeg', same[0]),
      part('Content-Disposition: form-data; name="ref_image"; filename="reference.jpg"\r\nContent-Type: image/jpeg', other),
      part('Content-Disposition: form-data; name="options"\r\nContent-Type: application/json', '{\n  "face_match_score_decline_threshold": 0,\n}'),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const r = await fetch(`${run.url}/v2/face-match/`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(r.status).toBe(200);
    const json = (await r.json()) as any;
    // Decline threshold 0: a low score is In Review, not Declined.
    expect(json.face_match.status).toBe('In Review');
  });

  it('Didit: source_image and target_image are signed URLs of JPEG crops, 404 when tampered with, 410 when expired', async () => {
    const r = await diditMatch(run.url, token, diditForm(same[0], same[1]));
    const src = new URL(r.json.face_match.source_image);
    const img = await fetch(src);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 150, 150]);
    expect(Number(src.searchParams.get('exp')) - Date.now() / 1000).toBeGreaterThan(3500);
    const forged = new URL(src);
    forged.searchParams.set('exp', String(Number(src.searchParams.get('exp')) + 3600));
    expect((await fetch(forged)).status).toBe(404);
    const otherId = new URL(r.json.face_match.target_image);
    otherId.pathname = src.pathname;
    expect((await fetch(otherId)).status).toBe(404);
    const { signedImagePath } = await built<typeof import('../src/serve/image-urls.js')>('serve/image-urls.js');
    const id = src.pathname.split('/').pop()!.replace('.jpg', '');
    const past = `${run.url}${signedImagePath(URL_SECRET, id, Math.floor(Date.now() / 1000) - 1)}`;
    expect((await fetch(past)).status).toBe(410);
    // The crops are held in the memory store, and /metrics says how much it holds.
    const metrics = await (await fetch(`${run.url}/metrics`)).text();
    const held = Number(/facematch_store_bytes\{kind="images"\} (\d+)/.exec(metrics)?.[1]);
    expect(held).toBeGreaterThan(2 * 1000);
  });

  it('Attestr: upload three images, match src against front and back', async () => {
    const auth = run.credentials.attestr.authToken;
    const up = await Promise.all([uploadMedia(run.url, auth, same[0], 'selfie.jpg'), uploadMedia(run.url, auth, other, 'front.jpg'), uploadMedia(run.url, auth, same[1], 'back.jpg')]);
    for (const u of up) {
      expect(u.status).toBe(200);
      expect(Object.keys(u.json).sort()).toEqual(['_id', 'originalName']);
      expect(u.json._id).toMatch(/^MX[0-9A-Za-z]{22}$/);
    }
    expect(up[0].json.originalName).toBe('selfie.jpg');
    const r = await attestrMatch(run.url, auth, { src: up[0].json._id, targetFront: up[1].json._id, targetBack: up[2].json._id, type: 'GOV', threshold: 85 });
    expect(r.status).toBe(200);
    expect(schemaErrors('attestrResponse', r.json)).toBe('');
    expect(r.json).toMatchObject({ valid: true, status: 'FACE_MATCHED', srcValid: true, targetFrontValid: true, targetBackValid: true, targetFrontMatch: null });
    expect(r.json.targetBackMatch).toBeGreaterThan(85);
    const n = await attestrMatch(run.url, auth, { src: up[0].json._id, targetFront: up[1].json._id, type: 'PAN', threshold: 85 });
    expect(n.json).toMatchObject({ valid: false, status: 'FACE_NOT_MATCHED', message: 'Not matched, below threshold' });
  });
});

describe('edge cases through fastify inject (no socket)', () => {
  it('refuses an oversized token form and an oversized Attestr JSON body in the providers\' shapes', async () => {
    const token = await run.server.inject({
      method: 'POST',
      url: '/auth/v2/token/',
      headers: { authorization: basic(run.credentials.didit.clientId, run.credentials.didit.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&pad=${'x'.repeat(5000)}`,
    });
    expect(token.statusCode).toBe(400);
    expect(schemaErrors('diditError', token.json())).toBe('');
    const match = await run.server.inject({
      method: 'POST',
      url: '/api/v2/public/facex/match',
      headers: { authorization: `Basic ${run.credentials.attestr.authToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ src: 'x'.repeat(70_000), targetFront: 'y', type: 'GOV', threshold: 50 }),
    });
    expect(match.statusCode).toBe(400);
    expect(match.json()).toMatchObject({ code: 4001 });
    expect(schemaErrors('attestrError', match.json())).toBe('');
  });

  it('answers an Attestr media id that is far too long with 4001, echoing at most 200 characters of it', async () => {
    const r = await run.server.inject({
      method: 'POST',
      url: '/api/v2/public/facex/match',
      headers: { authorization: `Basic ${run.credentials.attestr.authToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ src: 'M'.repeat(10_000), targetFront: 'y', type: 'GOV', threshold: 50 }),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().details.length).toBeLessThan(400);
  });

  it('leaves unknown routes and other Attestr versions alone (404)', async () => {
    expect((await run.server.inject({ method: 'POST', url: '/api/v1/public/facex/match' })).statusCode).toBe(404);
    expect((await run.server.inject({ method: 'GET', url: '/v2/face-match' })).statusCode).toBe(404);
  });
});

describe('what the logs hold', () => {
  it('request id and client id on every request line; never a token, a secret or a signature', async () => {
    const lines = run.logs.lines();
    const requestLines = lines.filter((l) => l.msg === 'request completed');
    expect(requestLines.length).toBeGreaterThan(20);
    for (const l of requestLines) expect(l.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => l.clientId === run.credentials.didit.clientId)).toBe(true);
    expect(lines.some((l) => l.clientId === attestrClientId(run.credentials.attestr.authToken))).toBe(true);
    const all = run.logs.all;
    const secretsSeen = [
      run.credentials.didit.clientSecret,
      token,
      run.credentials.attestr.authToken,
      Buffer.from(`${run.credentials.didit.clientId}:${run.credentials.didit.clientSecret}`).toString('base64'),
      ...Object.values(secrets),
      URL_SECRET,
      'sig=',
    ];
    for (const s of secretsSeen) expect(all.includes(s), `log holds ${s.slice(0, 6)}…`).toBe(false);
  });
});
