/**
 * Who is calling: Didit's client credentials and bearer tokens, Attestr's basic auth tokens.
 * Secrets are checked against their scrypt hashes; tokens are random and stored under their
 * SHA-256; every comparison is constant-time.
 * @module
 */
import { createHash } from 'node:crypto';
import type { AttestrClientConfig, DiditClientConfig, ServeClientConfig } from './config.js';
import { randomToken, safeEqual, tokenKey, verifySecret } from './secrets.js';
import type { RateLimit, ServeStore } from './store.js';

/**
 * The outcome of an authentication: the client, or why there is none (`missing`: no usable
 * header; `invalid`: wrong credentials; `disabled`: a known client that is switched off; `throttled`:
 * too many failed attempts for this client id).
 *
 * @category Service
 */
export type AuthOutcome<C extends ServeClientConfig> =
  | { ok: true; client: C }
  | { ok: false; reason: 'missing' | 'invalid' | 'disabled' | 'throttled'; clientId?: string; retryAfterSeconds?: number };

/**
 * An issued Didit access token and the fields of Didit's token response.
 *
 * @category Service
 */
export interface IssuedToken {
  /** The bearer token. */
  access_token: string;
  /** Seconds of validity. */
  expires_in: number;
  /** Issued at, Unix seconds. */
  iat: number;
  /** Expires at, Unix seconds. */
  exp: number;
}

/** Failed-credential attempts allowed per client id: 10 at once, then one every 6 s. Bounds scrypt work. */
const AUTH_FAILURES: RateLimit = { burst: 10, perSecond: 1 / 6 };
/** How long a verified Attestr token is remembered, so scrypt runs once per token per minute, not per request. */
const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;

/** `Authorization: <scheme> <value>`, case-insensitive scheme; undefined when absent or another scheme. */
export function credentialsOf(header: string | undefined, scheme: 'Basic' | 'Bearer'): string | undefined {
  if (typeof header !== 'string' || header.length > 4096) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== scheme.toLowerCase()) return undefined;
  const value = header.slice(space + 1).trim();
  return value === '' ? undefined : value;
}

function decodeBasicPair(value: string): [string, string] | undefined {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(value)) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/**
 * The clients of both providers and the checks on their credentials.
 *
 * @category Service
 */
export class Authenticator {
  private readonly didit = new Map<string, DiditClientConfig>();
  private readonly attestr = new Map<string, AttestrClientConfig>();
  private readonly verified = new Map<string, { clientId: string; until: number }>();
  private readonly store: ServeStore;
  private readonly tokenTtlSeconds: number;

  constructor(options: { store: ServeStore; didit: DiditClientConfig[]; attestr: AttestrClientConfig[]; tokenTtlSeconds: number }) {
    this.store = options.store;
    this.tokenTtlSeconds = options.tokenTtlSeconds;
    for (const c of options.didit) this.didit.set(c.clientId, c);
    for (const c of options.attestr) this.attestr.set(c.clientId, c);
  }

  /** The Didit client with this id. */
  diditClient(clientId: string): DiditClientConfig | undefined {
    return this.didit.get(clientId);
  }

  /** Checks `Authorization: Basic base64(client_id:client_secret)` of the token endpoint. */
  async diditBasic(header: string | undefined): Promise<AuthOutcome<DiditClientConfig>> {
    const value = credentialsOf(header, 'Basic');
    const pair = value === undefined ? undefined : decodeBasicPair(value);
    if (!pair) return { ok: false, reason: 'missing' };
    const [clientId, secret] = pair;
    const client = this.didit.get(clientId);
    if (!client) return { ok: false, reason: 'invalid' };
    return this.verify(client, secret, client.secretHash);
  }

  /** Issues an access token to a client and stores it (under its SHA-256) for the token TTL. */
  async issueToken(client: DiditClientConfig): Promise<IssuedToken> {
    const token = randomToken(32);
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.tokenTtlSeconds;
    await this.store.putToken(tokenKey(token), { clientId: client.clientId, exp }, this.tokenTtlSeconds);
    return { access_token: token, expires_in: this.tokenTtlSeconds, iat, exp };
  }

  /** Checks `Authorization: Bearer <access_token>` of the Didit face match. */
  async diditBearer(header: string | undefined): Promise<AuthOutcome<DiditClientConfig>> {
    const token = credentialsOf(header, 'Bearer');
    if (token === undefined) return { ok: false, reason: 'missing' };
    if (token.length > 512) return { ok: false, reason: 'invalid' };
    const record = await this.store.getToken(tokenKey(token));
    if (!record || record.exp * 1000 <= Date.now()) return { ok: false, reason: 'invalid' };
    const client = this.didit.get(record.clientId);
    if (!client) return { ok: false, reason: 'invalid' };
    if (client.disabled) return { ok: false, reason: 'disabled', clientId: client.clientId };
    return { ok: true, client };
  }

  /** Checks `Authorization: Basic <authToken>` of the Attestr routes. */
  async attestrBasic(header: string | undefined): Promise<AuthOutcome<AttestrClientConfig>> {
    const token = credentialsOf(header, 'Basic');
    if (token === undefined) return { ok: false, reason: 'missing' };
    const pair = decodeBasicPair(token);
    const client = pair ? this.attestr.get(pair[0]) : undefined;
    if (!client) return { ok: false, reason: 'invalid' };
    const cacheKey = createHash('sha256').update(token).digest('hex');
    const hit = this.verified.get(cacheKey);
    if (hit && hit.until > Date.now() && safeEqual(hit.clientId, client.clientId)) {
      return client.disabled ? { ok: false, reason: 'disabled', clientId: client.clientId } : { ok: true, client };
    }
    const outcome = await this.verify(client, token, client.tokenHash);
    if (outcome.ok || outcome.reason === 'disabled') {
      if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
      this.verified.set(cacheKey, { clientId: client.clientId, until: Date.now() + VERIFIED_TTL_MS });
    }
    return outcome;
  }

  /** scrypt check of a secret, throttled per client id so wrong guesses cannot buy unbounded scrypt work. */
  private async verify<C extends ServeClientConfig>(client: C, secret: string, hash: string): Promise<AuthOutcome<C>> {
    const bucket = await this.store.take(`auth:${client.clientId}`, AUTH_FAILURES);
    if (!bucket.allowed) return { ok: false, reason: 'throttled', clientId: client.clientId, retryAfterSeconds: bucket.retryAfterSeconds };
    if (!(await verifySecret(secret, hash))) return { ok: false, reason: 'invalid', clientId: client.clientId };
    if (client.disabled) return { ok: false, reason: 'disabled', clientId: client.clientId };
    return { ok: true, client };
  }
}
