#!/usr/bin/env node
/**
 * The `facematch` command: `compare`, `serve`, `bench lfw`, `datasets fetch lfw`. Prints JSON on stdout,
 * progress and diagnostics on stderr.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FaceMatchError } from './errors.js';
import { packageVersion } from './runtime/package.js';
import { runCompare, COMPARE_OPTIONS, COMPARE_USAGE } from './cli/compare.js';
import { runDatasets, DATASETS_OPTIONS, DATASETS_USAGE } from './cli/datasets.js';
import { UsageError } from './cli/usage.js';

const USAGE = `facematch ${packageVersion()}: face verification for Node.js

Usage:
  facematch compare <user_image> <ref_image> [options]   match two images, print JSON
  facematch serve --config FILE | --init FILE            run the Didit/Attestr compatible service
  facematch bench lfw [options]                          run the LFW benchmark
  facematch datasets fetch lfw [--dir DIR]               download LFW with checksums
  facematch --help | --version

Run "facematch <command> --help" for a command's options.
Exit codes: 0 a response was produced; 1 the response is an error document; 2 usage error.`;

type Runner = (args: string[]) => Promise<number>;

function parse(args: string[], options: ParseArgsConfig['options']) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const commands: Record<string, { usage: string; options: ParseArgsConfig['options']; run: (values: Record<string, unknown>, positionals: string[]) => Promise<number> }> = {
  compare: { usage: COMPARE_USAGE, options: COMPARE_OPTIONS, run: runCompare },
  datasets: { usage: DATASETS_USAGE, options: DATASETS_OPTIONS, run: runDatasets },
};

const run: Runner = async (argv) => {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (command === 'bench') {
    // The bench ships with the package but is not part of the library's import graph.
    const benchCli = (await import(new URL('../bench/cli.js', import.meta.url).href)) as { runBench: Runner };
    return benchCli.runBench(rest);
  }
  if (command === 'serve') {
    // Loaded on demand: the service's dependencies (fastify, ioredis) stay out of the other commands.
    const { runServe } = await import('./cli/serve.js');
    return runServe(rest);
  }
  const spec = commands[command];
  if (!spec) throw new UsageError(`unknown command "${command}"; expected compare, serve, bench or datasets`);
  const { values, positionals } = parse(rest, spec.options);
  if (values['help']) {
    process.stdout.write(`${spec.usage}\n`);
    return 0;
  }
  return spec.run(values as Record<string, unknown>, positionals);
};

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`facematch: ${err.message}\nRun "facematch --help" for usage.\n`);
      process.exitCode = 2;
    } else if (err instanceof FaceMatchError) {
      process.stderr.write(`facematch: ${err.code}: ${err.message}\n`);
      process.exitCode = err.code === 'INVALID_INPUT' ? 2 : 1;
    } else {
      process.stderr.write(`facematch: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
