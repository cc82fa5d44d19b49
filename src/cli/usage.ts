/**
 * A mistake in how the command was called (unknown option, missing argument): exit code 2.
 * @internal
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses a number option, or throws a UsageError naming it.
 * @internal
 */
export function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name} expects a number, received "${String(value)}"`);
  }
  return n;
}

/**
 * Checks a string option against its allowed values, or throws a UsageError naming them.
 * @internal
 */
export function choiceOption<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} expects one of ${allowed.join(', ')}, received "${String(value)}"`);
  return value as T;
}
