/**
 * The service's configuration, secrets and signed image URLs: no models, no server.
 */
import { describe, expect, it } from 'vitest';
import { built, serveModule } from './fixtures/serve.js';

describe('serve configuration', () => {
  it('fills in the defaults', async () => {
    const { resolveServeConfig } = await serveModule();
    const c = resolveServeConfig({ workers: 3 });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      authPort: null,
      workers: 3,
      queue: { maxWaiting: 48, deadlineMs: 30000 },
      store: { type: 'memory' },
      didit: { enabled: true, tokenTtlSeconds: 86400, imageTtlSeconds: 3600, maxImageBytes: 5 * 1024 * 1024 },
      attestr: { enabled: true, mediaTtlSeconds: 3600, maxUploadBytes: 15 * 1024 * 1024 },
      log: { level: 'info' },
      metrics: { enabled: true },
    });
  });

  it('refuses invalid files with FaceMatchError INVALID_INPUT naming each problem', async () => {
    const { checkServeConfig } = await serveModule();
    const cases: [unknown, RegExp, string][] = [
      [{ port: 'x' }, /Expected port to be integer but received "x"/, 'config.port'],
      [{ prot: 80 }, /only known keys .* "prot"/, 'config'],
      [{ store: { type: 'redis' } }, /url/, 'config.store.type'],
      [{ didit: { clients: [{ clientId: 'a', secretHash: 'plaintext' }] } }, /secretHash to match pattern/, 'config.didit.clients.0.secretHash'],
      [{ attestr: { clients: [{ clientId: 'a b', tokenHash: 'scrypt$1' }] } }, /clientId/, 'config.attestr.clients.0.clientId'],
      [{ rateLimit: { burst: 0, perSecond: 1 } }, /burst/, 'config.rateLimit.burst'],
      [{ log: { level: 'loud' } }, /be one of "fatal"/, 'config.log.level'],
      [[], /be object/, 'config'],
    ];
    for (const [config, message, field] of cases) {
      let caught: any;
      try {
        checkServeConfig(config);
      } catch (err) {
        caught = err;
      }
      expect(caught?.name, JSON.stringify(config)).toBe('FaceMatchError');
      expect(caught.code).toBe('INVALID_INPUT');
      expect(caught.message).toMatch(message);
      expect(caught.field).toBe(field);
    }
  });

  it('lets environment variables override the file, and flags override both, checked again', async () => {
    const { applyServeOverrides } = await serveModule();
    const env = { FACEMATCH_SERVE_PORT: '9000', FACEMATCH_SERVE_HOST: '0.0.0.0', FACEMATCH_SERVE_REDIS_URL: 'redis://10.0.0.1:6379/2', FACEMATCH_SERVE_WORKERS: '4', FACEMATCH_SERVE_DEADLINE_MS: '5000' };
    const c = applyServeOverrides({ port: 8000, store: { type: 'memory' } }, env, { port: 9100 });
    expect(c).toMatchObject({ port: 9100, host: '0.0.0.0', workers: 4, store: { type: 'redis', url: 'redis://10.0.0.1:6379/2' }, queue: { deadlineMs: 5000 } });
    expect(() => applyServeOverrides({}, { FACEMATCH_SERVE_PORT: 'eighty' })).toThrow(/port to be integer but received "eighty"/);
  });

  it('writes an example with hashed secrets whose plaintexts verify, and no plaintext in the file', async () => {
    const { createExampleConfig, verifySecret, checkServeConfig } = await serveModule();
    const { config, credentials } = await createExampleConfig();
    expect(checkServeConfig(config)).toBe(config);
    const text = JSON.stringify(config);
    expect(text).not.toContain(credentials.didit.clientSecret);
    expect(text).not.toContain(credentials.attestr.authToken);
    expect(await verifySecret(credentials.didit.clientSecret, config.didit!.clients![0]!.secretHash)).toBe(true);
    expect(await verifySecret(credentials.attestr.authToken, config.attestr!.clients![0]!.tokenHash)).toBe(true);
    expect(await verifySecret('wrong', config.didit!.clients![0]!.secretHash)).toBe(false);
    expect(Buffer.from(credentials.attestr.authToken, 'base64').toString().split(':')[0]).toBe(config.attestr!.clients![0]!.clientId);
    const again = await createExampleConfig();
    expect(again.credentials.didit.clientSecret).not.toBe(credentials.didit.clientSecret);
  });
});

describe('secrets', () => {
  it('hashes with a fresh salt each time and rejects malformed hashes', async () => {
    const { hashSecret, verifySecret, isSecretHash } = await serveModule();
    const [a, b] = await Promise.all([hashSecret('s3cret'), hashSecret('s3cret')]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(isSecretHash(a)).toBe(true);
    for (const bad of ['', 'scrypt$', 'scrypt$0$8$1$AAAA$BBBB', 'bcrypt$x']) {
      expect(isSecretHash(bad)).toBe(false);
      expect(await verifySecret('s3cret', bad)).toBe(false);
    }
    await expect(hashSecret('')).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'secret' });
  });

  it('makes media ids from an unbiased alphanumeric alphabet', async () => {
    const { randomAlphanumeric } = await built<typeof import('../src/serve/secrets.js')>('serve/secrets.js');
    const counts = new Map<string, number>();
    const text = Array.from({ length: 200 }, () => randomAlphanumeric(31)).join('');
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(text).toMatch(/^[0-9A-Za-z]+$/);
    expect(counts.size).toBe(62);
    // 6,200 draws over 62 symbols: 100 each expected; a modulo bias of 256 % 62 would skew 8 of them by ~25%.
    expect(Math.max(...counts.values())).toBeLessThan(150);
  });
});

describe('signed image URLs', () => {
  it('accept their own signature, 404 a forged or altered one, 410 an expired one', async () => {
    const { signedImagePath, checkImageUrl } = await built<typeof import('../src/serve/image-urls.js')>('serve/image-urls.js');
    const key = 'k'.repeat(40);
    const id = 'AbCdEfGhIjKlMnOpQrStUvWx';
    const exp = Math.floor(Date.now() / 1000) + 60;
    const url = new URL(`http://x${signedImagePath(key, id, exp)}`);
    const q = (name: string) => url.searchParams.get(name) ?? undefined;
    expect(checkImageUrl(key, id, q('exp'), q('sig'))).toBe('ok');
    expect(checkImageUrl('other'.repeat(8), id, q('exp'), q('sig'))).toBe('bad');
    expect(checkImageUrl(key, `${id.slice(1)}y`, q('exp'), q('sig'))).toBe('bad');
    expect(checkImageUrl(key, id, String(exp + 1), q('sig'))).toBe('bad');
    expect(checkImageUrl(key, id, q('exp'), undefined)).toBe('bad');
    expect(checkImageUrl(key, id, q('exp'), 'x'.repeat(43))).toBe('bad');
    expect(checkImageUrl(key, id, q('exp'), q('sig'), exp + 1)).toBe('expired');
  });
});

describe('transferable bytes', () => {
  it('copies a view of a pooled Buffer instead of handing its ArrayBuffer over', async () => {
    const { ownedBytes } = await built<typeof import('../src/serve/jobs.js')>('serve/jobs.js');
    const pooled = Buffer.from('tiny');
    const neighbour = Buffer.from('neighbour');
    const owned = ownedBytes(pooled);
    expect(owned.buffer).not.toBe(pooled.buffer);
    structuredClone(owned, { transfer: [owned.buffer as ArrayBuffer] });
    expect(neighbour.toString()).toBe('neighbour');
    expect(pooled.toString()).toBe('tiny');
    const own = new Uint8Array(16);
    expect(ownedBytes(own)).toBe(own);
  });
});
