import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeReceived } from '../errors.js';

/**
 * A mistake in how the command was called (unknown option, missing argument): exit code 2.
 * @internal
 */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose `--help` to point at, such as `compare` (none: the top-level help). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** The options of a command, as `node:util` `parseArgs` takes them. @internal */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

const HELP = { type: 'boolean', short: 'h' } as const;

/** What {@link parseCommandArgs} returns: `parseArgs`'s typed values (with `help`) and positionals. @internal */
export type ParsedCommand<T extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T & { help: typeof HELP }; allowPositionals: true; strict: true }>
>;

/**
 * Edit distance between two strings (insertions, deletions, substitutions, and swaps of two
 * neighbouring characters, each costing 1). Written here rather than taken from a package: it is
 * a dozen lines, and the installed CLI should not grow a dependency for its error messages.
 * @internal
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `word` when it is close enough to be a plausible typo: within an edit
 * distance of a third of its length (at least 1, at most 3), or a prefix of exactly one candidate.
 * @internal
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((c) => word.length >= 3 && c.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.min(3, Math.max(1, Math.floor(word.length / 3))) ? best : undefined;
}

/** ` (did you mean X?)`, or nothing. */
function suggestion(word: string, candidates: readonly string[], prefix: string): string {
  const hit = closest(word, candidates);
  return hit === undefined ? '' : `; did you mean ${prefix}${hit}?`;
}

/**
 * Parses a command's arguments (`--help`/`-h` is always known), answering every mistake with a
 * {@link UsageError} in facematch's own words: an unknown option names the closest known one
 * (`unknown option --frmat; did you mean --format?`), an option missing its value says so.
 * @internal
 */
export function parseCommandArgs<T extends CommandOptions>(args: string[], options: T, command?: string): ParsedCommand<T> {
  const known: CommandOptions = { ...options, help: HELP };
  const longNames = Object.keys(known);
  const shortNames = new Map(Object.entries(known).flatMap(([name, o]) => (o.short === undefined ? [] : [[o.short, name] as const])));
  const { tokens } = parseArgs({ args, options: known, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = known[token.name];
    if (spec === undefined) {
      const hint = token.rawName.startsWith('--') ? suggestion(token.name, longNames, '--') : shortNames.size > 0 ? suggestion(token.name, [...shortNames.keys()], '-') : '';
      throw new UsageError(`unknown option ${token.rawName}${hint}`, command);
    }
    if (spec.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} expects a value`, command);
    if (spec.type === 'string' && !token.inlineValue && token.value!.startsWith('-')) {
      // parseArgs refuses a separate value that looks like an option: say how to pass it.
      throw new UsageError(`${token.rawName} expects a value; to give one that starts with "-", write ${token.rawName}=${token.value}`, command);
    }
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value, received "${token.value}"`, command);
  }
  try {
    return parseArgs({ args, options: { ...options, help: HELP }, allowPositionals: true, strict: true });
  } catch (err) {
    // The pass above should leave nothing for the strict parse to refuse; word it anyway.
    const message = (err as Error).message.split('\n')[0]!.replace(/\.$/, '');
    throw new UsageError(message, command);
  }
}

/**
 * Parses a number option, or throws a UsageError naming it.
 * @internal
 */
export function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name} expects a number, received ${describeReceived(value)}`);
  }
  return n;
}

/**
 * Checks a string option against its allowed values, or throws a UsageError naming them (and the
 * closest one, for a typo).
 * @internal
 */
export function choiceOption<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UsageError(`--${name} expects one of ${allowed.join(', ')}, received ${describeReceived(value)}${typeof value === 'string' ? suggestion(value, allowed, '') : ''}`);
  }
  return value as T;
}

/**
 * The message for an unknown command, naming the closest known one.
 * @internal
 */
export function unknownCommand(command: string, known: readonly string[]): UsageError {
  const hit = closest(command, known);
  return new UsageError(`unknown command "${command}"${hit === undefined ? '' : `; did you mean "${hit}"?`} The commands: ${known.join(', ')}`);
}
