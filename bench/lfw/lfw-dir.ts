/**
 * Where the LFW data set is: the one place that reads the `FACEMATCH_LFW_DIR` environment
 * variable. The bench (`findLfw`), the micro-benchmarks, the development scripts and the tests all
 * ask here, so a wrong path fails the same loud way everywhere, and an unset one is skipped the
 * same way.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { FaceMatchError } from '../../src/errors.js';

/**
 * The environment variable naming the LFW folder (holding `lfw-deepfunneled/` and `pairs.txt`).
 *
 * @category Benchmark
 */
export const LFW_DIR_VARIABLE = 'FACEMATCH_LFW_DIR';

/**
 * The value of {@link LFW_DIR_VARIABLE}, or undefined when it is unset or blank. Nothing is checked.
 *
 * @param env - the environment to read; default `process.env`
 * @category Benchmark
 */
export function lfwDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[LFW_DIR_VARIABLE];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Options of {@link configuredLfwDir} and {@link requireLfwDir}.
 *
 * @category Benchmark
 */
export interface LfwDirOptions {
  /** Also require `pairs.txt` in the folder. Default true. */
  pairs?: boolean;
  /** The environment to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * The LFW folder named by {@link LFW_DIR_VARIABLE}, checked: `undefined` when the variable is
 * unset (the caller skips, and says so), an error when it is set but the folder lacks
 * `lfw-deepfunneled/` (or `pairs.txt`): a wrong path must fail loudly, never skip.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `FACEMATCH_LFW_DIR`) naming what is missing.
 * @category Benchmark
 */
export function configuredLfwDir(options: LfwDirOptions = {}): string | undefined {
  const dir = lfwDirFromEnv(options.env);
  if (dir === undefined) return undefined;
  const missing = [
    ...(isDir(path.join(dir, 'lfw-deepfunneled')) ? [] : ['lfw-deepfunneled/']),
    ...(options.pairs === false || existsSync(path.join(dir, 'pairs.txt')) ? [] : ['pairs.txt']),
  ];
  if (missing.length > 0) {
    throw new FaceMatchError(
      'INVALID_INPUT',
      `Expected ${missing.join(' and ')} in ${LFW_DIR_VARIABLE}=${dir} but found none: point it at the folder holding lfw-deepfunneled/ and pairs.txt`,
      { field: LFW_DIR_VARIABLE, details: { dir, missing } },
    );
  }
  return dir;
}

/**
 * Like {@link configuredLfwDir}, for scripts that cannot run without LFW: an unset variable is an
 * error too.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` (field `FACEMATCH_LFW_DIR`).
 * @category Benchmark
 */
export function requireLfwDir(options: LfwDirOptions = {}): string {
  const dir = configuredLfwDir(options);
  if (dir === undefined) {
    throw new FaceMatchError('INVALID_INPUT', `Expected ${LFW_DIR_VARIABLE} to name the LFW folder (holding lfw-deepfunneled/ and pairs.txt) but it is not set`, {
      field: LFW_DIR_VARIABLE,
    });
  }
  return dir;
}

/**
 * The value of `FACEMATCH_TEST_MODELS_DIR` (the third-party models for tests and the bench, never
 * shipped), or undefined when it is unset or blank. Nothing is checked.
 *
 * @param env - the environment to read; default `process.env`
 * @category Benchmark
 */
export function testModelsDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.FACEMATCH_TEST_MODELS_DIR;
  return value === undefined || value.trim() === '' ? undefined : value;
}
