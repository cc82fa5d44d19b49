/**
 * Credentials at rest and on the wire: scrypt hashes for client secrets, random ids and tokens,
 * constant-time comparison, and SHA-256 keys under which issued tokens are stored (so the store
 * never holds a usable token).
 * @module
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidInput } from '../errors.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
const PREFIX = 'scrypt';

function scrypt(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(secret, salt, keylen, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Hashes a client secret for the config file: `scrypt$N$r$p$salt$hash` (salt and hash base64url).
 *
 * @category Service
 */
export async function hashSecret(secret: string): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0) throw invalidInput('secret', 'a non-empty string', secret);
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return [PREFIX, SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The parts of a stored hash, or undefined when it is not one {@link hashSecret} writes. */
function parseHash(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || salt.length < 8 || key.length < 16) return undefined;
  return { N, r, p, salt, key };
}

/**
 * True when `stored` is a hash {@link hashSecret} could have written.
 *
 * @category Service
 */
export function isSecretHash(stored: string): boolean {
  return typeof stored === 'string' && parseHash(stored) !== undefined;
}

/**
 * Checks a presented secret against a stored hash in constant time (for a given hash).
 *
 * @category Service
 */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || typeof secret !== 'string') return false;
  const key = await scrypt(secret, parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p });
  return timingSafeEqual(key, parsed.key);
}

/**
 * `bytes` random bytes as base64url: ids, tokens and secrets.
 *
 * @internal
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A random alphanumeric string of `length` characters (about 5.95 bits each), without modulo bias.
 *
 * @internal
 */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/**
 * The key under which an issued token is stored: its SHA-256, hex. A token has 256 random bits, so
 * a fast hash is enough; what it prevents is a store dump yielding usable tokens.
 *
 * @internal
 */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Constant-time equality of two strings (false when their lengths differ).
 *
 * @internal
 */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
